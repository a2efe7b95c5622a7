/**
 * The name planner: one symbol table per generated capability owns every TypeScript identifier,
 * so two spec names that sanitise to the same identifier get distinct, deterministic names
 * (a numeric suffix, re-checked against everything allocated so far).
 */
import { createHash } from 'node:crypto';

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'as implements interface let package private protected public static yield await any boolean constructor declare ' +
    'get module require number set string symbol type from of unknown never object undefined arguments eval ' +
    'Object Array String Number Boolean Promise Error JSON Date Map Set Record Partial Readonly'
  ).split(' '),
);

/** Splits a spec name into words: separators, case changes and digit runs. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

export function pascalCase(name: string): string {
  const out = words(name)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
  return out || 'Unnamed';
}

export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal[0]!.toLowerCase() + pascal.slice(1);
}

export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name);
}

/** A valid identifier from any name: leading digits get a prefix, reserved words a suffix. */
export function safeIdentifier(candidate: string): string {
  let id = candidate.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!id) id = '_';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (RESERVED.has(id)) id = `${id}_`;
  return id;
}

export class SymbolTable {
  readonly #taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.#taken.add(name);
  }

  /** Allocates `candidate` or `candidate2`, `candidate3`… whichever is free first. */
  allocate(candidate: string): string {
    const base = safeIdentifier(candidate);
    let name = base;
    for (let n = 2; this.#taken.has(name) || RESERVED.has(name); n += 1) name = `${base}${n}`;
    this.#taken.add(name);
    return name;
  }
}

/** Tool names MCP hosts accept: `[A-Za-z0-9_.-]`, at most `max` characters, unique. */
export class ToolNamePlanner {
  readonly #taken = new Set<string>();
  constructor(readonly max = 64) {}

  plan(specName: string): string {
    let name = specName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'tool';
    if (name.length > this.max) name = shorten(name, this.max, specName);
    let candidate = name;
    for (let n = 2; this.#taken.has(candidate); n += 1) {
      const suffix = `-${n}`;
      candidate = `${name.slice(0, this.max - suffix.length)}${suffix}`;
    }
    this.#taken.add(candidate);
    return candidate;
  }
}

/** Keeps the start of the name and adds a short stable hash of the full name. */
function shorten(name: string, max: number, original: string): string {
  const hash = createHash('sha256').update(original).digest('hex').slice(0, 8);
  return `${name.slice(0, max - hash.length - 1).replace(/[-.]+$/, '')}-${hash}`;
}
