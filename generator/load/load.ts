/**
 * The load stage: YAML text → a plain document plus a way back from any spec path to its line
 * and column, and the files its `consumes[].location` entries import. Hostile input (bad UTF-8,
 * syntax errors, duplicate keys, alias bombs, absurd nesting) becomes positioned diagnostics.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { decodeSpec } from './decode.js';
import { inDialect, normalise, type Dialect } from './dialect.js';

export type SpecPath = readonly (string | number)[];

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface LoadedSpec {
  /** Path as given (used in diagnostics). */
  readonly file: string;
  /** Absolute directory of the file. */
  readonly dir: string;
  readonly text: string;
  /** Plain JS value of the document, in the alpha2 shape whatever the dialect (load/dialect.ts). */
  readonly doc: unknown;
  /** The dialect the file is written in; diagnostics use its words. */
  readonly dialect: Dialect;
  /** `capability.consumes[0].resources.ships` — a (normalised) path named as the file writes it. */
  describe(path: SpecPath): string;
  /** The document as written (before normalisation) and positions in it: what `--strict` checks. */
  readonly original: { readonly doc: unknown; locate(path: SpecPath, key?: boolean): Position };
  /** Position of the value at `path` (the nearest existing ancestor when it is missing). */
  locate(path: SpecPath): Position;
  /** Position of the map key of the last segment, when there is one. */
  locateKey(path: SpecPath): Position;
}

export interface LoadResult {
  readonly spec?: LoadedSpec;
  /** Imported files, keyed by the `location` text as written. */
  readonly imports: Map<string, LoadedSpec>;
  readonly diagnostics: Diagnostic[];
}

const MAX_DEPTH = 64;
const MAX_ALIASES = 100;
const MAX_BYTES = 16 * 1024 * 1024;

export function loadSpecFile(file: string): LoadResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { imports: new Map(), diagnostics: [diag(file, 1, 1, 'unreadable', 'cannot read the file', 'check the path and permissions')] };
  }
  return loadBytes(file, bytes, true);
}

export function loadSpecText(file: string, text: string): LoadResult {
  return loadBytes(file, Buffer.from(text, 'utf8'), true);
}

function loadBytes(file: string, bytes: Buffer, withImports: boolean): LoadResult {
  const imports = new Map<string, LoadedSpec>();
  const parsed = parseSpec(file, bytes);
  if (!parsed.spec || !withImports) return { ...parsed, imports };
  const spec = parsed.spec;
  const diagnostics = [...parsed.diagnostics];
  const doc = spec.doc as Record<string, unknown> & { capability?: Record<string, unknown> };
  const say = (path: SpecPath, code: string, message: string, hint?: string, key = false): void => {
    const at = key ? spec.locateKey(path) : spec.locate(path);
    diagnostics.push(diag(file, at.line, at.col, code, inDialect(spec.dialect, `${spec.describe(path)}: ${message}`), hint === undefined ? undefined : inDialect(spec.dialect, hint)));
  };
  // A file without `capability` is an importable leaf: it may not import in turn.
  if (doc.capability === undefined) {
    for (const section of SECTIONS) {
      const entries = Array.isArray(doc[section]) ? (doc[section] as unknown[]) : [];
      entries.forEach((entry, i) => {
        if (isImportEntry(entry)) say([section, i], 'transitive-import', `a file without "capability" cannot import (imports are not transitive)`, `write the ${section} entry out here, or import it directly from the capability`, true);
      });
    }
    return { spec, imports, diagnostics };
  }
  const read = (location: string, path: SpecPath): LoadedSpec | undefined => {
    const known = imports.get(location);
    if (known) return known;
    const target = importPath(location, spec.dir);
    if (target !== undefined && (resolve(target) === resolve(file) || resolve(target) === spec.dir)) {
      say(path, 'import-self', `"${location}" is this file itself`, 'import from another file', false);
      return undefined;
    }
    if (!target || !existsSync(target) || !statSync(target).isFile()) {
      say(path, 'import-missing', `imported file "${location}" not found`, `expected it at ${target ?? location} (relative to the capability file)`);
      return undefined;
    }
    const imported = parseSpec(target, readFileSync(target));
    diagnostics.push(...imported.diagnostics);
    if (!imported.spec) return undefined;
    imports.set(location, imported.spec);
    return imported.spec;
  };
  const capability = doc.capability;
  for (const section of SECTIONS) {
    const entries = Array.isArray(capability?.[section]) ? (capability[section] as unknown[]) : [];
    entries.forEach((entry, i) => {
      if (!isImportEntry(entry)) return;
      const path = ['capability', section, i];
      const imported = read(entry.location, [...path, 'location']);
      if (!imported) return;
      const leaves = (imported.doc as Record<string, unknown>)[section];
      const list = Array.isArray(leaves) ? leaves : [];
      list.forEach((leaf, j) => {
        if (!isImportEntry(leaf)) return;
        const at = imported.locateKey([section, j]);
        diagnostics.push(diag(imported.file, at.line, at.col, 'transitive-import', inDialect(imported.dialect, `${imported.describe([section, j])}: an imported file cannot import in turn (imports are not transitive)`), `write the ${section} entry out in ${imported.file}, or import it from the capability`));
      });
      // consumes imports are resolved by the model (with the imported file's own positions);
      // exposes, aggregates and binds entries are inlined here.
      if (section === 'consumes' || typeof entry.import !== 'string') return;
      const found = list.find((leaf) => (leaf as { namespace?: unknown } | null)?.namespace === entry.import);
      if (!found || isImportEntry(found)) {
        if (!found) {
          const available = list.map((l) => (l as { namespace?: unknown } | null)?.namespace).filter((n) => typeof n === 'string');
          say([...path, 'import'], 'import-not-found', `no ${section} namespace "${entry.import}" in ${entry.location}`, available.length ? `use one of: ${available.join(', ')}` : `${entry.location} declares no root ${section}`);
        }
        return;
      }
      const copy: Record<string, unknown> = { ...(found as Record<string, unknown>) };
      if (typeof entry.as === 'string') copy.namespace = entry.as;
      if (section === 'binds' && typeof copy.location === 'string') copy.location = rebase(copy.location, imported.dir, spec.dir);
      entries[i] = copy;
    });
  }
  return { spec, imports, diagnostics };
}

const SECTIONS = ['consumes', 'exposes', 'aggregates', 'binds'] as const;

function isImportEntry(entry: unknown): entry is { location: string; import?: unknown; as?: unknown } {
  return typeof entry === 'object' && entry !== null && typeof (entry as { location?: unknown }).location === 'string' && (entry as { import?: unknown }).import !== undefined;
}

/** A bind file location written relative to an imported file, made relative to the capability. */
function rebase(location: string, fromDir: string, toDir: string): string {
  const absolute = importPath(location, fromDir);
  if (absolute === undefined || location.startsWith('file:///') && !/^file:\/\/\/\.\.?\//.test(location)) return location;
  const rel = relative(toDir, absolute).split('\\').join('/');
  return `file:///${rel.startsWith('..') ? rel : `./${rel}`}`;
}

/** `./x.yaml`, `shared/x.yaml`, `file:///./x.yaml`, `file://./x.yaml` → relative to the capability; `file:///abs` → absolute. */
export function importPath(location: string, dir: string): string | undefined {
  if (/^file:\/\/\/\.\.?\//.test(location)) return resolve(dir, location.slice('file:///'.length));
  if (/^file:\/\/\.\.?\//.test(location)) return resolve(dir, location.slice('file://'.length));
  if (location.startsWith('file://')) return resolve(location.slice('file://'.length));
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return undefined;
  return resolve(dir, location);
}

function parseSpec(file: string, bytes: Buffer): { spec?: LoadedSpec; diagnostics: Diagnostic[] } {
  if (bytes.length > MAX_BYTES) return { diagnostics: [diag(file, 1, 1, 'too-large', `the file is larger than ${MAX_BYTES} bytes`)] };
  const text = decodeSpec(bytes);
  if (text === undefined) {
    // The lenient decoding marks the first bad byte with U+FFFD: report its line and column.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return { diagnostics: [diag(file, line, col, 'encoding', 'the file is not valid UTF-8', 'save it as UTF-8')] };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const pos = (offset: number): { line: number; col: number } => lineCounter.linePos(Math.max(0, offset));
  if (!Array.isArray(docs)) return { diagnostics: [diag(file, 1, 1, 'empty', 'the file is empty', 'a capability starts with `naftiko: 1.0.0-alpha2`')] };
  const real = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (real.length === 0) return { diagnostics: [diag(file, 1, 1, 'empty', 'the file is empty', 'a capability starts with `naftiko: 1.0.0-alpha2`')] };
  if (real.length > 1) {
    const p = pos(real[1]!.range[0]);
    return { diagnostics: [diag(file, p.line, p.col, 'multiple-documents', 'the file holds more than one YAML document', 'keep one capability per file')] };
  }
  const document = real[0]!;
  const errors = document.errors.map((e) => {
    const p = pos(e.pos[0]);
    const message = e.code === 'DUPLICATE_KEY' ? 'duplicate key: ' + e.message.replace(/^Map keys must be unique.*$/s, 'a key appears twice in the same mapping') : `YAML syntax error: ${e.message.split('\n')[0]}`;
    return diag(file, p.line, p.col, e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax', message, e.code === 'DUPLICATE_KEY' ? 'remove or rename one of the keys' : undefined);
  });
  if (errors.length > 0) return { diagnostics: errors.slice(0, 5) };
  const depth = deepest(document.contents);
  if (depth.depth > MAX_DEPTH) {
    const p = pos(depth.offset);
    return { diagnostics: [diag(file, p.line, p.col, 'too-deep', `the document nests deeper than ${MAX_DEPTH} levels`)] };
  }
  let doc: unknown;
  try {
    doc = document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    return { diagnostics: [diag(file, 1, 1, 'aliases', `YAML aliases expand too much (${(error as Error).message.split('\n')[0]})`, 'write the values out instead of using many anchors and aliases')] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { diagnostics: [diag(file, 1, 1, 'not-a-mapping', 'the document must be a mapping', 'a capability starts with `naftiko: 1.0.0-alpha2`')] };
  }
  const normalised = normalise(doc);
  const locator = (keyOfLast: boolean) => (path: SpecPath): Position => {
    const origin = normalised.origin(path);
    const found = nodeAt(document, origin.path, keyOfLast || origin.key === true);
    const p = pos(found);
    return { file, line: p.line, col: p.col };
  };
  const describe = (path: SpecPath): string => describeSpecPath(normalised.origin(path).path);
  const original = { doc, locate: (path: SpecPath, key = false): Position => ({ file, ...pos(nodeAt(document, path, key)) }) };
  return {
    spec: { file, dir: dirname(resolve(file)), text, doc: normalised.doc, dialect: normalised.dialect, describe, original, locate: locator(false), locateKey: locator(true) },
    diagnostics: [],
  };
}

/** `capability.consumes[0].resources.ships`: how diagnostics name a place. */
export function describeSpecPath(path: SpecPath): string {
  if (path.length === 0) return '(document)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Offset of the node at `path`, or of its nearest existing ancestor. */
function nodeAt(document: Document, path: SpecPath, keyOfLast: boolean): number {
  let node: unknown = document.contents;
  let offset = (node as YamlNode | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i += 1) {
    const segment = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return offset;
      if (keyOfLast && i === path.length - 1 && isNode(pair.key)) return pair.key.range?.[0] ?? offset;
      node = pair.value;
      if (!isNode(node)) return isNode(pair.key) ? pair.key.range?.[0] ?? offset : offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!isNode(node)) return offset;
    } else {
      return offset;
    }
    offset = (node as YamlNode).range?.[0] ?? offset;
  }
  return offset;
}

function deepest(node: unknown, depth = 0): { depth: number; offset: number } {
  let best = { depth, offset: (node as YamlNode | null)?.range?.[0] ?? 0 };
  if (depth > MAX_DEPTH) return best;
  const children = isMap(node) ? node.items.map((p) => p.value) : isSeq(node) ? node.items : [];
  for (const child of children) {
    const d = deepest(child, depth + 1);
    if (d.depth > best.depth) best = d;
  }
  return best;
}

function diag(file: string, line: number, col: number, code: string, message: string, hint?: string): Diagnostic {
  return { severity: 'error', code, file, line, col, message, ...(hint ? { hint } : {}) };
}
