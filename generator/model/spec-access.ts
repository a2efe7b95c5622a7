/**
 * Reading the untyped YAML document with positions. The validate stage has already checked the
 * shape, so these helpers only narrow types; every node carries the spec it came from (a capability
 * file or an imported consumes file) so diagnostics point at the right file and line.
 */
import type { Diagnostic } from '../diagnostics.js';
import { inDialect } from '../load/dialect.js';
import type { LoadedSpec, SpecPath } from '../load/load.js';

export type Obj = Record<string, unknown>;

/** A node of a spec document: its value, the spec it lives in, and its path there. */
export interface Node {
  readonly value: unknown;
  readonly spec: LoadedSpec;
  readonly path: SpecPath;
}

export function child(node: Node, key: string | number): Node {
  const value = isObj(node.value) || Array.isArray(node.value) ? (node.value as Obj)[key as string] : undefined;
  return { value, spec: node.spec, path: [...node.path, key] };
}

export function items(node: Node): Node[] {
  return Array.isArray(node.value) ? node.value.map((_, i) => child(node, i)) : [];
}

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(node: Node): string | undefined {
  return typeof node.value === 'string' ? node.value : undefined;
}

export function text(node: Node): string | undefined {
  const v = node.value;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function has(node: Node, key: string): boolean {
  return isObj(node.value) && node.value[key] !== undefined && node.value[key] !== null;
}

/** `capability.consumes[0].resources[1]` — how diagnostics name a place in the spec. */
export function describePath(path: SpecPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly #unsupported: { node: Node; construct: string }[] = [];

  /**
   * Records a construct the generator does not support yet. They are reported together, as one
   * diagnostic at the first place, so a file gets one clear message rather than dozens.
   */
  unsupported(node: Node, construct: string): void {
    this.#unsupported.push({ node, construct });
  }

  /** True when a construct was recorded as not supported (its diagnostic not yet emitted). */
  get hasUnsupported(): boolean {
    return this.#unsupported.length > 0;
  }

  /** Emits the one "not supported yet" diagnostic, if any construct was recorded. */
  flushUnsupported(): void {
    if (this.#unsupported.length === 0) return;
    const located = this.#unsupported.map((u) => ({ ...u, pos: u.node.spec.locateKey(u.node.path) }));
    located.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    const counts = new Map<string, number>();
    for (const u of located) counts.set(u.construct, (counts.get(u.construct) ?? 0) + 1);
    const list = [...counts].map(([c, n]) => (n > 1 ? `${c} (${n} places)` : c)).join(', ');
    const first = located[0]!;
    this.error(first.node, 'unsupported', `not supported yet: ${list}; this capability is not generated`,
      'see docs/semantics.md for what is supported; remove these constructs to generate the rest', true);
    this.#unsupported.length = 0;
  }

  error(node: Node, code: string, message: string, hint?: string, onKey = false): void {
    this.#add('error', node, code, message, hint, onKey);
  }

  warning(node: Node, code: string, message: string, hint?: string): void {
    this.#add('warning', node, code, message, hint, false);
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  #add(severity: 'error' | 'warning', node: Node, code: string, message: string, hint: string | undefined, onKey: boolean): void {
    const pos = onKey ? node.spec.locateKey(node.path) : node.spec.locate(node.path);
    // A construct shared by several operations (adapter-level inputs) is reported once.
    // The place and the words are the file's own (a beta5 file hears `display`, not `label`).
    const words = (t: string): string => inDialect(node.spec.dialect ?? 'alpha2', t);
    const text = `${node.spec.describe ? node.spec.describe(node.path) : describePath(node.path)}: ${words(message)}`;
    hint = hint === undefined ? undefined : words(hint);
    if (this.diagnostics.some((d) => d.file === pos.file && d.line === pos.line && d.col === pos.col && d.message === text)) return;
    this.diagnostics.push({
      severity,
      code,
      file: pos.file,
      line: pos.line,
      col: pos.col,
      message: text,
      ...(hint ? { hint } : {}),
    });
  }
}
