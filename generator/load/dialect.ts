/**
 * The three dialects meet here. A capability file is written in the catalogue dialect, in the
 * official `naftiko: 1.0.0-alpha2` shape, or in Ikanos `1.0.0-beta5` (`beta3` too):
 * `ikanos: "1.0.0-beta5"`, things named by map keys, `display` for `label`, imports with
 * `from`/`import`/`as`, aggregate `flows`, step mappings with `target`. A beta5 document is
 * rewritten here into the alpha2 shape the rest of the generator reads, so validation, the model
 * and the emitters never learn which dialect a file was written in. The older list forms keep
 * working inside beta5 files (the engine's `NamedMapDeserializer` accepts both), so each named
 * place accepts a map keyed by name or a list of items carrying `name`.
 *
 * Positions survive the rewrite: every rewritten place remembers where it came from, so a
 * diagnostic about `capability.consumes[0].resources[1]` points at the `ships:` key of the
 * original file and is described in the file's own words (`resources.ships`, `display`).
 */
import type { SpecPath } from './load.js';

export type Dialect = 'catalogue' | 'alpha2' | 'beta5';

type Obj = Record<string, unknown>;

/** Where a place of the normalised document was in the original one. */
export interface Origin {
  readonly path: SpecPath;
  /** The place is a map key (a name taken from a key): position the key, not its value. */
  readonly key?: boolean;
}

export interface Normalised {
  readonly doc: unknown;
  readonly dialect: Dialect;
  /** Original path (and whether to position its key) of a normalised path. */
  origin(path: SpecPath): Origin;
}

/** Which dialect a parsed document is written in. */
export function dialectOf(doc: unknown): Dialect {
  if (!isObj(doc)) return 'alpha2';
  if (doc.ikanos !== undefined && doc.naftiko === undefined) return 'beta5';
  return typeof doc.naftiko === 'string' && /^1\.0\.0-alpha2$/.test(doc.naftiko) ? 'alpha2' : 'catalogue';
}

/** Beta5 words for the alpha2 words the generator thinks in (for diagnostics of beta5 files). */
const BETA5_WORDS: Record<string, string> = { label: 'display', targetName: 'target', functions: 'flows', location: 'from', naftiko: 'ikanos' };

/** Rewrites a diagnostic text into the words of the file's dialect. */
export function inDialect(dialect: Dialect, text: string): string {
  if (dialect !== 'beta5') return text;
  return text
    .replace(/naftiko: "?1\.0\.0-alpha2"?/g, 'ikanos: "1.0.0-beta5"')
    .replace(/\b(label|targetName|functions|naftiko)\b(?=["`:\s,.;)]|$)/g, (w) => BETA5_WORDS[w] ?? w)
    .replace(/\blocation:/g, 'from:');
}

/** The beta5 name of an alpha2 property name. */
export function wordInDialect(dialect: Dialect, word: string): string {
  return dialect === 'beta5' ? BETA5_WORDS[word] ?? word : word;
}

// ---- shapes: where maps keyed by name stand for lists of named items -------------------------

interface Shape {
  /** Properties that are maps keyed by name (or lists of named items) → lists with `name`. */
  readonly named?: Readonly<Record<string, () => Shape>>;
  /** Properties that are plain lists of items of a shape. */
  readonly lists?: Readonly<Record<string, () => Shape>>;
  /** Properties that are single objects of a shape. */
  readonly objects?: Readonly<Record<string, () => Shape>>;
  /** Properties that are maps of objects of a shape (names kept as keys). */
  readonly maps?: Readonly<Record<string, () => Shape>>;
  /** Renames (beta5 → alpha2) applied to this object's own keys. */
  readonly renames?: Readonly<Record<string, string>>;
  /** Picks a shape by the object's own content (adapters by `type`, imports by `from`). */
  readonly pick?: (value: Obj) => Shape;
}

const LEAF: Shape = {};
const DISPLAY = { display: 'label' } as const;

const output = (): Shape => OUTPUT;
const OUTPUT: Shape = { maps: { properties: output }, renames: DISPLAY };
const param = (): Shape => ({ renames: DISPLAY });
const mapping = (): Shape => ({ renames: { target: 'targetName' } });
const step = (): Shape => ({ renames: DISPLAY });
const consumedOperation = (): Shape => ({ named: { inputParameters: param, outputParameters: output }, renames: DISPLAY });
const consumedResource = (): Shape => ({ named: { inputParameters: param, operations: consumedOperation }, renames: DISPLAY });
const callable = (extra: Shape['named'] = {}): Shape => ({
  named: { inputParameters: param, outputParameters: output, steps: step, ...extra },
  lists: { mappings: mapping },
  renames: DISPLAY,
});
const exposedOperation = (): Shape => callable();
const exposedResource = (): Shape => ({ named: { inputParameters: param, operations: exposedOperation }, renames: DISPLAY });
const prompt = (): Shape => ({ named: { arguments: param }, renames: DISPLAY });
const skill = (): Shape => ({ named: { tools: () => ({ renames: DISPLAY }) }, renames: DISPLAY });
const importEntry: Shape = { renames: { from: 'location' } };
const isImport = (v: Obj): boolean => typeof v.from === 'string' && v.location === undefined;

const consumes = (): Shape => ({
  pick: (v) => (isImport(v) ? importEntry : { named: { inputParameters: param, resources: consumedResource }, renames: DISPLAY }),
});
const exposes = (): Shape => ({
  pick: (v): Shape => {
    if (isImport(v)) return importEntry;
    if (v.type === 'mcp') return { named: { tools: () => callable(), resources: () => callable(), prompts: prompt }, renames: DISPLAY };
    if (v.type === 'skill') return { named: { skills: skill }, renames: DISPLAY };
    if (v.type === 'rest') return { named: { resources: exposedResource, inputParameters: param }, renames: DISPLAY };
    return LEAF;
  },
});
const aggregate = (): Shape => ({
  pick: (v) => (isImport(v) ? importEntry : { named: { functions: () => callable() }, renames: { ...DISPLAY, flows: 'functions' } }),
});
const bind = (): Shape => ({ pick: (v) => (isImport(v) ? importEntry : LEAF) });
const sections = { consumes, exposes, aggregates: aggregate, binds: bind };
const ROOT: Shape = {
  lists: sections,
  objects: { info: () => ({ renames: DISPLAY }), capability: () => ({ lists: sections }) },
  renames: { ikanos: 'naftiko' },
};

/** Normalises a parsed document of any dialect (only beta5 is rewritten). */
export function normalise(doc: unknown): Normalised {
  const dialect = dialectOf(doc);
  if (dialect !== 'beta5') return { doc, dialect, origin: (path) => ({ path }) };
  const origins = new Map<string, Origin>();
  const out = walk(doc, ROOT, [], [], origins);
  return {
    doc: out,
    dialect,
    origin(path) {
      // The longest recorded prefix, plus the untouched rest of the path.
      for (let n = path.length; n >= 0; n -= 1) {
        const found = origins.get(JSON.stringify(path.slice(0, n)));
        if (!found) continue;
        if (n === path.length) return found;
        return { path: [...found.path, ...path.slice(n)] };
      }
      return { path };
    },
  };
}

function walk(value: unknown, shape: Shape, path: SpecPath, from: SpecPath, origins: Map<string, Origin>): unknown {
  origins.set(JSON.stringify(path), { path: from });
  if (!isObj(value)) return value;
  const own = shape.pick ? shape.pick(value) : shape;
  const out: Obj = {};
  for (const [key, child] of Object.entries(value)) {
    const renamed = own.renames?.[key] ?? key;
    // When both spellings are present (`label` and `display`), the file's own alpha2 key wins.
    if (renamed !== key && Object.prototype.hasOwnProperty.call(value, renamed)) continue;
    const at = [...path, renamed];
    const was = [...from, key];
    const named = own.named?.[renamed];
    if (named) out[renamed] = namedList(child, named(), at, was, origins);
    else if (own.lists?.[renamed] && Array.isArray(child)) {
      const itemShape = own.lists[renamed]!();
      origins.set(JSON.stringify(at), { path: was });
      out[renamed] = child.map((item, i) => walk(item, itemShape, [...at, i], [...was, i], origins));
    } else if (own.objects?.[renamed]) out[renamed] = walk(child, own.objects[renamed]!(), at, was, origins);
    else if (own.maps?.[renamed] && isObj(child)) {
      const valueShape = own.maps[renamed]!();
      origins.set(JSON.stringify(at), { path: was });
      out[renamed] = Object.fromEntries(Object.entries(child).map(([k, v]) => [k, walk(v, valueShape, [...at, k], [...was, k], origins)]));
    } else if (renamed === 'items' && own === OUTPUT) out.items = outputItems(child, at, was, origins);
    else {
      origins.set(JSON.stringify(at), { path: was });
      out[renamed] = child;
    }
  }
  return out;
}

/** A map keyed by name (beta5) or a list of named items (alpha2) → a list of named items. */
function namedList(value: unknown, shape: Shape, path: SpecPath, from: SpecPath, origins: Map<string, Origin>): unknown {
  origins.set(JSON.stringify(path), { path: from });
  if (Array.isArray(value)) return value.map((item, i) => walk(item, shape, [...path, i], [...from, i], origins));
  if (!isObj(value)) return value;
  return Object.entries(value).map(([name, item], i) => {
    const at = [...path, i];
    const was = [...from, name];
    // A bare `name:` (null) or a scalar stands for an item with only its name.
    const body = isObj(item) ? item : {};
    const walked = walk(body, shape, at, was, origins) as Obj;
    origins.set(JSON.stringify([...at, 'name']), { path: was, key: true });
    return { name, ...walked };
  });
}

/** Output `items`: one output (it has a string `type`), a list, or a map of named outputs. */
function outputItems(value: unknown, path: SpecPath, from: SpecPath, origins: Map<string, Origin>): unknown {
  if (isObj(value) && typeof value.type !== 'string') return namedList(value, OUTPUT, path, from, origins);
  if (Array.isArray(value)) return namedList(value, OUTPUT, path, from, origins);
  return walk(value, OUTPUT, path, from, origins);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
