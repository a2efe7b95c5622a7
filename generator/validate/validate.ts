/**
 * The validate stage: the project schema (schema.ts) through ajv, with errors turned into few,
 * useful, positioned diagnostics: one per place, the most specific reason, and a hint.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { suggest, type Diagnostic } from '../diagnostics.js';
import type { LoadedSpec, SpecPath } from '../load/load.js';
import { inDialect, wordInDialect } from '../load/dialect.js';
import { capabilitySchema } from './schema.js';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const check = ajv.compile(capabilitySchema);

/** Keywords that only say "a branch failed"; the branch's own errors say why. */
const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', '$ref']);
const PRIORITY = ['additionalProperties', 'required', 'enum', 'const', 'type', 'minimum', 'maximum'];

export function validateSpec(spec: LoadedSpec): Diagnostic[] {
  if (check(spec.doc)) return [];
  let errors = (check.errors ?? []).filter((e) => !WRAPPERS.has(e.keyword));
  // A misspelt key explains the missing one it was meant to be: report the typo only.
  const typos = errors.filter((e) => e.keyword === 'additionalProperties');
  errors = errors.filter((e) => {
    if (e.keyword !== 'required') return true;
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return !typos.some((t) => t.instancePath === e.instancePath && suggest((t.params as { additionalProperty: string }).additionalProperty, [missing]) === missing);
  });
  // Within an anyOf (string or object body, item or list), keep errors of the branch that matches the value's type.
  const byPlace = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const place = error.keyword === 'additionalProperties' ? `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}` : error.instancePath;
    byPlace.set(place, [...(byPlace.get(place) ?? []), error]);
  }
  const diagnostics: Diagnostic[] = [];
  for (const group of byPlace.values()) {
    const nonType = group.filter((e) => e.keyword !== 'type');
    const candidates = nonType.length > 0 && group.some((e) => e.keyword === 'type') ? nonType : group;
    candidates.sort((a, b) => rank(a) - rank(b));
    diagnostics.push(toDiagnostic(spec, candidates[0]!));
  }
  // Drop errors at a place whose ancestor already has one (a wrong container explains its contents).
  return diagnostics
    .filter((d, i, all) => all.findIndex((o) => o.line === d.line && o.col === d.col && o.message === d.message) === i)
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .slice(0, 20);
}

function rank(error: ErrorObject): number {
  const i = PRIORITY.indexOf(error.keyword);
  return i < 0 ? PRIORITY.length : i;
}

function pathOf(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function describe(path: SpecPath): string {
  if (path.length === 0) return '(document)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function toDiagnostic(spec: LoadedSpec, error: ErrorObject): Diagnostic {
  const path = pathOf(error.instancePath);
  const where = spec.describe ? spec.describe(path) : describe(path);
  const word = (w: string): string => wordInDialect(spec.dialect ?? 'alpha2', w);
  let message: string;
  let hint: string | undefined;
  let position = spec.locate(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const known = [...new Set(Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}).map(word))];
      const near = suggest(key, known);
      message = `${where}: unknown property "${key}"`;
      hint = near ? `did you mean "${near}"?` : known.length ? `allowed here: ${known.join(', ')}` : undefined;
      position = spec.locateKey([...path, key]);
      break;
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      message = `${where}: missing required property "${word(missing)}"`;
      hint = HINTS[missing] ?? `add "${word(missing)}"`;
      break;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `${where}: ${JSON.stringify(error.data)} is not one of ${allowed.join(', ')}`;
      const near = typeof error.data === 'string' ? suggest(error.data, allowed.map(String)) : undefined;
      hint = near ? `did you mean "${near}"?` : undefined;
      break;
    }
    case 'const':
      message = `${where}: must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
      break;
    case 'type':
      message = `${where}: must be ${article((error.params as { type: string | string[] }).type)}, not ${kindOf(error.data)}`;
      break;
    default:
      message = `${where}: ${error.message ?? 'is invalid'}`;
  }
  if (hint !== undefined) hint = inDialect(spec.dialect ?? 'alpha2', hint);
  return { severity: 'error', code: 'schema', file: position.file, line: position.line, col: position.col, message, ...(hint ? { hint } : {}) };
}

const HINTS: Record<string, string> = {
  method: 'add "method: GET" (GET, POST, PUT, PATCH, DELETE or HEAD)',
  port: 'add "port: 8080" (0-65535; 0 picks a free port)',
  namespace: 'add "namespace: <kebab-case-name>"',
  baseUri: 'add "baseUri: https://api.example.com" (or an empty string to configure it at deployment)',
  resources: 'add "resources:" with at least one resource',
  operations: 'add "operations:" with at least one operation',
  path: 'add "path: /something"',
  name: 'add "name: <identifier>"',
  tools: 'add "tools:" with at least one tool',
  type: 'add "type:"',
};

function article(type: string | string[]): string {
  const t = Array.isArray(type) ? type.join(' or ') : type;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}
