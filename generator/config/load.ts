/**
 * Finding and loading `naftiko-codegen.config.{ts,mts,js,mjs,json}`. JSON is read with the spec
 * loader, so schema errors point at a line and column; TS/JS configs are imported (the CLI runs
 * under tsx) and their errors name the property path instead.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { tsImport } from 'tsx/esm/api';
import { suggest, type Diagnostic } from '../diagnostics.js';
import { loadSpecText, type Position, type SpecPath } from '../load/load.js';
import type { NaftikoConfig } from './define.js';
import { ConfigError, type LoadedConfig } from './find.js';
import { configSchema } from './schema.js';

export { CONFIG_NAMES, ConfigError, findConfig, type LoadedConfig } from './find.js';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const check = ajv.compile(configSchema);

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const absolute = resolve(path);
  const file = shown(absolute);
  if (!statSync(absolute, { throwIfNoEntry: false })?.isFile()) {
    throw new ConfigError([diag(file, 1, 1, 'config-missing', 'config file not found', 'check the --config path')]);
  }
  const dir = dirname(absolute);
  if (/\.json$/i.test(absolute)) {
    const loaded = loadSpecText(file, readFileSync(absolute, 'utf8'));
    if (!loaded.spec || loaded.diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(loaded.diagnostics);
    const spec = loaded.spec;
    return validated(file, dir, spec.doc, (p) => spec.locate(p), (p) => spec.locateKey(p));
  }
  let mod: { default?: unknown; config?: unknown };
  try {
    // tsx compiles TS whatever the folder's package type, and every call loads the file afresh (watch mode).
    mod = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as typeof mod;
  } catch (error) {
    const first = ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
    const hint = /naftiko-codegen/.test(first) && /find (package|module)/i.test(first)
      ? 'install naftiko-codegen in this project (npm install --save-dev naftiko-codegen), or export a plain object'
      : 'it must be an ES module that default-exports defineConfig({...})';
    throw new ConfigError([diag(file, 1, 1, 'config-load', `cannot load the config: ${first}`, hint)]);
  }
  let value = mod.default ?? mod.config;
  // A TS file in a CommonJS folder is compiled to CommonJS: its export arrives wrapped once more.
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'default') && Object.keys(value).every((k) => k === 'default' || k === '__esModule')) {
    value = (value as { default: unknown }).default;
  }
  if (value === undefined) {
    throw new ConfigError([diag(file, 1, 1, 'config-export', 'the config module has no default export', 'write `export default defineConfig({ ... })`')]);
  }
  const at = (): Position => ({ file, line: 1, col: 1 });
  return validated(file, dir, value, at, at);
}

function validated(file: string, dir: string, value: unknown, locate: (p: SpecPath) => Position, locateKey: (p: SpecPath) => Position): LoadedConfig {
  if (!check(value)) {
    // Wrapper keywords only say "a branch failed"; a propertyNames failure is reported once, by name.
    const errors = (check.errors ?? []).filter((e) => !['anyOf', 'if', 'then', 'else'].includes(e.keyword) && e.propertyName === undefined);
    // `retry` is `false` or an object: an object's own errors explain more than "must be false".
    const useful = errors.filter((e) => !(e.keyword === 'const' && errors.some((o) => o !== e && (o.instancePath === e.instancePath || o.instancePath.startsWith(`${e.instancePath}/`)))));
    const seen = new Set<string>();
    const diagnostics: Diagnostic[] = [];
    for (const error of useful) {
      const d = toDiagnostic(error, locate, locateKey);
      const key = `${d.line}:${d.col}:${d.message}`;
      if (!seen.has(key)) diagnostics.push(d);
      seen.add(key);
    }
    throw new ConfigError(diagnostics.sort((a, b) => a.line - b.line || a.col - b.col).slice(0, 20));
  }
  return { file, dir, config: value as NaftikoConfig, locate };
}

function toDiagnostic(error: ErrorObject, locate: (p: SpecPath) => Position, locateKey: (p: SpecPath) => Position): Diagnostic {
  const path: (string | number)[] = error.instancePath
    ? error.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p))
    : [];
  const where = describePath(path);
  let at = locate(path);
  let message = `${where}: ${error.message ?? 'is invalid'}`;
  let hint: string | undefined;
  const last = path[path.length - 1];
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((error.parentSchema ?? error.schema) as { properties?: object } | undefined)?.properties ?? {});
      at = locateKey([...path, key]);
      message = `${where}: unknown setting "${key}"`;
      const near = suggest(key, known);
      hint = near ? `did you mean "${near}"?` : known.length ? `allowed here: ${known.join(', ')}` : undefined;
      break;
    }
    case 'pattern':
      message = path[path.length - 2] === 'headers'
        ? `${where}: a header value cannot hold line breaks`
        : last === 'baseUri'
        ? `${where}: must be an http(s) URL without a trailing "/"`
        : last === 'toolPrefix'
          ? `${where}: may hold only letters, digits, "_", "." and "-"`
          : `${where}: ${error.message ?? 'is not valid'}`;
      break;
    case 'propertyNames':
      message = `${where}: "${(error.params as { propertyName: string }).propertyName}" is not a valid header name`;
      at = locateKey([...path, (error.params as { propertyName: string }).propertyName]);
      break;
    case 'enum':
      message = `${where}: must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
      break;
    case 'type':
      message = `${where}: must be ${(error.params as { type: string }).type === 'integer' ? 'a whole number' : `a${/^[aeiou]/.test((error.params as { type: string }).type) ? 'n' : ''} ${(error.params as { type: string }).type}`}`;
      if (last === 'retry') hint = 'false, or an object such as { "retries": 3 }';
      break;
  }
  return diag(at.file, at.line, at.col, 'config', message, hint);
}

export function describePath(path: SpecPath): string {
  if (path.length === 0) return '(config)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? (i === 0 ? p : `.${p}`) : `[${JSON.stringify(p)}]`)).join('');
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel.split('\\').join('/') : path;
}

function diag(file: string, line: number, col: number, code: string, message: string, hint?: string): Diagnostic {
  return { severity: 'error', code, file, line, col, message, ...(hint ? { hint } : {}) };
}
