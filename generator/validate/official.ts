/**
 * `validate --strict`: the file as written, checked against the published JSON Schema of its own
 * version (`ikanos: 1.0.0-beta5` → the Ikanos beta5 schema, anything else → the Naftiko alpha2
 * schema; both in ./official, unchanged). The project's own schema (schema.ts) is more lenient —
 * it accepts the catalogue dialect and the older list forms inside beta5 files, as the engine
 * does — so strict mode is how an author checks a file will also pass the official tooling.
 * One diagnostic per place, the most specific reason first. Formats (`uri`, `date`) are not checked.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedSpec } from '../load/load.js';
import { describeSpecPath } from '../load/load.js';

const SCHEMAS = {
  alpha2: { file: 'naftiko-schema-1.0.0-alpha2.json', name: 'Naftiko 1.0.0-alpha2' },
  beta5: { file: 'ikanos-schema-1.0.0-beta5.json', name: 'Ikanos 1.0.0-beta5' },
} as const;

const compiled = new Map<keyof typeof SCHEMAS, ValidateFunction>();

function validator(version: keyof typeof SCHEMAS): ValidateFunction {
  let check = compiled.get(version);
  if (!check) {
    const schema = JSON.parse(readFileSync(new URL(`./official/${SCHEMAS[version].file}`, import.meta.url), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    check = ajv.compile(schema);
    compiled.set(version, check);
  }
  return check;
}

const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not', '$ref']);
const PRIORITY = ['additionalProperties', 'unevaluatedProperties', 'required', 'const', 'enum', 'type', 'pattern', 'propertyNames'];

/** Diagnostics of the file against the official schema of its own version. */
export function officialDiagnostics(spec: LoadedSpec): Diagnostic[] {
  const version = spec.dialect === 'beta5' ? 'beta5' : 'alpha2';
  const check = validator(version);
  if (check(spec.original.doc)) return [];
  // A failed oneOf reports every branch; the errors at the deepest places say what to change.
  const all = (check.errors ?? []).filter((e) => !WRAPPERS.has(e.keyword));
  const errors = all.filter((e) => !all.some((o) => o.instancePath.startsWith(`${e.instancePath}/`)));
  const byPlace = new Map<string, ErrorObject>();
  for (const error of errors) {
    const extra = (error.params as { additionalProperty?: string; unevaluatedProperty?: string });
    const place = `${error.instancePath}/${extra.additionalProperty ?? extra.unevaluatedProperty ?? ''}`;
    const known = byPlace.get(place);
    if (!known || rank(error) < rank(known)) byPlace.set(place, error);
  }
  const out: Diagnostic[] = [];
  for (const error of byPlace.values()) {
    const path = error.instancePath ? error.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
    const extra = (error.params as { additionalProperty?: string; unevaluatedProperty?: string });
    const key = extra.additionalProperty ?? extra.unevaluatedProperty;
    const at = key !== undefined ? spec.original.locate([...path, key], true) : spec.original.locate(path);
    const where = describeSpecPath(path);
    const allowed = errors.filter((e) => e.instancePath === error.instancePath && e.keyword === 'const').map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    const what = key !== undefined ? `unknown property "${key}"` : error.keyword === 'required'
      ? `missing required property "${(error.params as { missingProperty: string }).missingProperty}"`
      : error.keyword === 'const' ? `must be ${[...new Set(allowed)].join(' or ')}` : error.message ?? 'is invalid';
    out.push({
      severity: 'error', code: 'official-schema', file: at.file, line: at.line, col: at.col,
      message: `${where}: ${what} (official ${SCHEMAS[version].name} schema)`,
      hint: 'the generator accepts this, but the official schema does not: write the form the schema asks for to keep the file portable',
    });
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col).slice(0, 20);
}

function rank(error: ErrorObject): number {
  const i = PRIORITY.indexOf(error.keyword);
  return i < 0 ? PRIORITY.length : i;
}
