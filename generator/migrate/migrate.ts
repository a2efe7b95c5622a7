/**
 * `naftiko-codegen migrate`: a catalogue-dialect or `naftiko: 1.0.0-alpha2` capability rewritten
 * as Ikanos `1.0.0-beta5`, with the `yaml` Document API so comments, key order and scalar styles
 * stay where they were. The rewrite is the inverse of the normalisation in load/dialect.ts:
 * lists of named items become maps keyed by name, `label` becomes `display`, aggregate
 * `functions` become `flows`, step mappings' `targetName` becomes `target`, imports' `location`
 * becomes `from`. Generating from the migrated file gives the same code as from the original.
 *
 * A list is left as it is when an item has no scalar `name` or two items share one (the engine
 * and the generator read both forms); outputs of a `call` stay lists, as the beta5 schema wants.
 */
import { isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, type Document, type Node as YamlNode } from 'yaml';
import { dialectOf } from '../load/dialect.js';
import { pascalCase } from '../model/names.js';

export interface MigrateResult {
  /** The migrated text, or undefined when the file needs no migration (already beta5) or cannot be read. */
  readonly text?: string;
  /** Why nothing was produced, or notes about places left as they were. */
  readonly notes: readonly string[];
}

export function migrateText(text: string): MigrateResult {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) return { notes: [`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`] };
  const root = doc.contents;
  if (!isMap(root)) return { notes: ['the document is not a mapping'] };
  const dialect = dialectOf(doc.toJS());
  if (dialect === 'beta5') return { notes: ['already Ikanos beta5'] };
  if (!root.has('naftiko')) return { notes: ['not a capability (no "naftiko" key)'] };
  const notes: string[] = [];
  const version = root.items.find((p) => keyOf(p) === 'naftiko')!;
  (version.key as Scalar).value = 'ikanos';
  const value = new Scalar('1.0.0-beta5');
  value.type = Scalar.QUOTE_DOUBLE;
  if (isScalar(version.value)) {
    value.comment = version.value.comment;
    value.commentBefore = version.value.commentBefore;
  }
  (version as Pair<unknown, unknown>).value = value;
  const info = root.get('info', true);
  if (isMap(info)) rename(info, 'label', 'display');
  for (const section of ['consumes', 'exposes', 'aggregates', 'binds']) eachItem(root.get(section, true), (m) => sectionItem(section, m, notes));
  const capability = root.get('capability', true);
  if (isMap(capability)) {
    for (const section of ['consumes', 'exposes', 'aggregates', 'binds']) eachItem(capability.get(section, true), (m) => sectionItem(section, m, notes));
  }
  return { text: stringify(doc, text), notes };
}

/** Written back in the source's own layout: its sequence indentation and line width. */
function stringify(doc: Document, source: string): string {
  const indentSeq = !/^( *)[^\s#][^\n]*:[ \t]*\n\1- /m.test(source);
  const longest = Math.max(...source.split('\n').map((l) => l.length));
  return doc.toString({ indentSeq, lineWidth: Math.max(80, longest), flowCollectionPadding: false });
}

function sectionItem(section: string, item: YAMLMap, notes: string[]): void {
  if (item.has('location') && item.has('import')) {
    rename(item, 'location', 'from');
    return;
  }
  if (section === 'consumes') consumes(item, notes);
  else if (section === 'exposes') exposes(item, notes);
  else if (section === 'aggregates') {
    rename(item, 'label', 'display');
    rename(item, 'functions', 'flows');
    named(item, 'flows', (fn) => callable(fn, notes), notes);
  }
}

function consumes(item: YAMLMap, notes: string[]): void {
  rename(item, 'label', 'display');
  named(item, 'inputParameters', display, notes);
  named(item, 'resources', (resource) => {
    display(resource);
    named(resource, 'inputParameters', display, notes);
    named(resource, 'operations', (op) => {
      display(op);
      named(op, 'inputParameters', display, notes);
      named(op, 'outputParameters', (o) => output(o, notes), notes);
    }, notes);
  }, notes);
}

function exposes(item: YAMLMap, notes: string[]): void {
  const type = item.get('type');
  const namespace = item.get('namespace');
  if (typeof namespace === 'string') callerInputs(item, namespace);
  if (type === 'rest') {
    named(item, 'inputParameters', display, notes);
    named(item, 'resources', (resource) => {
      display(resource);
      named(resource, 'inputParameters', display, notes);
      // An unnamed operation gets the name the generator gives it (so the code stays the same).
      const path = String(resource.get('path') ?? '/');
      // (With a `ref`, that is the aggregate function's name.)
      named(resource, 'operations', (op) => callable(op, notes), notes, (op) => {
        const ref = op.get('ref');
        if (typeof ref === 'string' && ref.includes('.')) return ref.slice(ref.indexOf('.') + 1);
        return `${String(op.get('method') ?? 'GET').toLowerCase()}${pascalCase(path)}`;
      });
    }, notes, (resource) => String(resource.get('path') ?? '').replace(/\{+([^}]*)\}+/g, '$1').split(/[^A-Za-z0-9]+/).filter(Boolean).join('-').toLowerCase() || 'root');
  } else if (type === 'mcp') {
    named(item, 'tools', (tool) => callable(tool, notes), notes);
    named(item, 'resources', (resource) => callable(resource, notes), notes);
    named(item, 'prompts', (prompt) => {
      display(prompt);
      named(prompt, 'arguments', display, notes);
    }, notes);
  } else if (type === 'skill') {
    named(item, 'skills', (skill) => {
      display(skill);
      named(skill, 'tools', display, notes);
    }, notes);
  }
}

/** An exposed operation, MCP tool or resource, or aggregate flow. */
function callable(item: YAMLMap, notes: string[]): void {
  display(item);
  named(item, 'inputParameters', display, notes);
  named(item, 'steps', display, notes);
  eachItem(item.get('mappings', true), (m) => rename(m, 'targetName', 'target'));
  // Outputs of a `call` are a list in beta5; orchestrated (`steps`) and mock outputs are maps.
  if (!item.has('call') && !item.has('ref')) named(item, 'outputParameters', (o) => output(o, notes), notes);
  else eachItem(item.get('outputParameters', true), (o) => output(o, notes));
}

/** A named output inside a map: its `items` list of named outputs becomes a map too. */
function output(item: YAMLMap, notes: string[]): void {
  display(item);
  const items = item.get('items', true);
  if (isSeq(items) && items.items.every((i) => isMap(i) && i.has('name'))) named(item, 'items', (o) => output(o, notes), notes);
  const properties = item.get('properties', true);
  if (isMap(properties)) {
    for (const pair of properties.items) {
      if (!isMap(pair.value)) continue;
      // A property named by its key does not repeat the name in beta5.
      if (isScalar(pair.key) && pair.value.get('name') === pair.key.value) pair.value.delete('name');
      output(pair.value, notes);
    }
  }
}

/** The catalogue's `rest.x` / `tools.x` caller-input references become beta5's `<namespace>.x`. */
function callerInputs(node: unknown, namespace: string): void {
  if (isSeq(node)) for (const item of node.items) callerInputs(item, namespace);
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (keyOf(pair) === 'with' && isMap(pair.value)) {
      for (const entry of pair.value.items) {
        const v = entry.value;
        if (isScalar(v) && typeof v.value === 'string' && /^(rest|tools|mcp)\.[A-Za-z0-9_-]+$/.test(v.value)) v.value = `${namespace}${v.value.slice(v.value.indexOf('.'))}`;
      }
    } else callerInputs(pair.value, namespace);
  }
}

function display(item: YAMLMap): void {
  rename(item, 'label', 'display');
}

/** `key: [{name: a, …}, …]` → `key: {a: {…}, …}` (comments and order kept). */
function named(parent: YAMLMap, key: string, each: (item: YAMLMap) => void, notes: string[], synth?: (item: YAMLMap) => string): void {
  const value = parent.get(key, true);
  if (isMap(value)) {
    for (const pair of value.items) if (isMap(pair.value)) each(pair.value);
    return;
  }
  if (!isSeq(value)) return;
  const names = value.items.map((item) => (isMap(item) ? item.get('name', true) : undefined));
  const plain = names.map((n, i) => {
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
    const item = value.items[i];
    return synth && isMap(item) && !item.has('name') ? synth(item) : undefined;
  });
  if (plain.some((n) => n === undefined) || new Set(plain).size !== plain.length || plain.length === 0) {
    for (const item of value.items) if (isMap(item)) each(item);
    // (Two unnamed operations with the same effective name cannot be map keys: the list form keeps the code the same.)
    if (plain.length > 0) notes.push(`"${key}" kept as a list (an item has no name, or two share one)`);
    return;
  }
  const out = new YAMLMap();
  out.commentBefore = value.commentBefore;
  out.comment = value.comment;
  value.items.forEach((node, i) => {
    const item = node as YAMLMap;
    each(item);
    const at = item.items.findIndex((p) => keyOf(p) === 'name');
    const k = new Scalar(plain[i]!);
    if (at >= 0) {
      const namePair = item.items[at]!;
      item.items.splice(at, 1);
      const nameValue = namePair.value as Scalar;
      if (nameValue.type === Scalar.QUOTE_DOUBLE || nameValue.type === Scalar.QUOTE_SINGLE) k.type = nameValue.type;
      k.commentBefore = joinComments(item.commentBefore, (namePair.key as YamlNode).commentBefore);
      k.comment = nameValue.comment;
    } else {
      k.commentBefore = joinComments(item.commentBefore);
    }
    item.commentBefore = undefined;
    out.items.push(new Pair(k, item));
  });
  parent.set(key, out);
}

function rename(map: YAMLMap, from: string, to: string): void {
  if (map.has(to)) return;
  const pair = map.items.find((p) => keyOf(p) === from);
  if (pair && isScalar(pair.key)) pair.key.value = to;
}

function eachItem(value: unknown, each: (item: YAMLMap) => void): void {
  if (isSeq(value)) for (const item of value.items) if (isMap(item)) each(item);
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

function joinComments(...comments: (string | null | undefined)[]): string | undefined {
  const present = comments.filter((c): c is string => typeof c === 'string' && c.length > 0);
  return present.length ? present.join('\n') : undefined;
}

/** A unified diff of two texts (whole-file hunks with 3 lines of context). */
export function unifiedDiff(before: string, after: string, name: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > 16_000_000) return `--- ${name}\n+++ ${name} (migrated)\n@@ whole file @@\n${b.map((l) => `+${l}`).join('\n')}\n`;
  // Longest common subsequence table, from the end.
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const lines: { op: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) lines.push({ op: ' ', text: a[i]!, ai: i++, bi: j++ });
    else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) lines.push({ op: '+', text: b[j]!, ai: i, bi: j++ });
    else lines.push({ op: '-', text: a[i]!, ai: i++, bi: j });
  }
  const out = [`--- ${name}`, `+++ ${name} (migrated)`];
  let k = 0;
  while (k < lines.length) {
    if (lines[k]!.op === ' ') {
      k += 1;
      continue;
    }
    const start = Math.max(0, k - 3);
    let end = k;
    while (end < lines.length) {
      if (lines[end]!.op !== ' ') {
        end += 1;
        continue;
      }
      let run = end;
      while (run < lines.length && lines[run]!.op === ' ') run += 1;
      if (run - end > 6 || run === lines.length) {
        end = Math.min(lines.length, end + 3);
        break;
      }
      end = run;
    }
    const hunk = lines.slice(start, end);
    const aStart = hunk[0]!.ai + 1;
    const bStart = hunk[0]!.bi + 1;
    out.push(`@@ -${aStart},${hunk.filter((l) => l.op !== '+').length} +${bStart},${hunk.filter((l) => l.op !== '-').length} @@`);
    for (const l of hunk) out.push(`${l.op}${l.text}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}
