/**
 * Liveness (`GET /health`) and readiness (`GET /ready`) of a generated server. Ready means every
 * upstream call could be planned right now: each consumes namespace has a usable base URI (the
 * spec's, or `--base-uri`, with every `{host}` variable given) and every bind variable the
 * capability uses resolves. When not, 503 problem+json lists what is missing by name and the
 * option that supplies it; values are never shown. Built-in routes step aside when the spec
 * declares the same path.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { Bindings } from './bindings.js';
import { ConfigurationError } from './errors.js';
import { QUIET_ROUTE } from './logging.js';
import { PROBLEM_CONTENT_TYPE, problem } from './problem.js';

export interface Missing {
  readonly kind: 'baseUri' | 'variable' | 'bind';
  /** Consumes namespace, host variable or bind variable name. */
  readonly name: string;
  /** How to supply it. */
  readonly hint: string;
}

export interface ReadinessInput {
  readonly consumes: readonly { readonly namespace: string; readonly baseUri: string; readonly hostInputs?: readonly string[] }[];
  /** Bind references the capability uses (`ns.VAR` or `VAR`). */
  readonly requires: readonly string[];
  readonly baseUris: Readonly<Record<string, string>>;
  readonly variables: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly bindings: Bindings;
}

/** Host variables as request.ts reads them: `{name}` or `{{name}}`. */
const HOST_VARIABLE = /\{\{?\s*([A-Za-z0-9_.-]+)\s*\}?\}/g;

/** What keeps the capability from serving; empty when ready. */
export function readiness(input: ReadinessInput): Missing[] {
  const missing: Missing[] = [];
  const resolves = (ref: string): boolean => {
    if (!input.bindings.has(ref)) return false;
    try {
      return input.bindings.get(ref) !== '';
    } catch {
      return false;
    }
  };
  for (const { namespace, baseUri, hostInputs = [] } of input.consumes) {
    if (input.baseUris[namespace]) continue;
    if (baseUri.trim() === '') {
      missing.push({ kind: 'baseUri', name: namespace, hint: `--base-uri ${namespace}=<url> (or NAFTIKO_BASE_URI)` });
      continue;
    }
    for (const [, name] of baseUri.matchAll(HOST_VARIABLE)) {
      if (hostInputs.includes(name!)) continue; // every call brings its own value
      const given = [input.variables[name!], input.env[`NAFTIKO_VAR_${name}`], input.env[name!.toUpperCase()]].some((v) => v);
      if (given || resolves(name!) || missing.some((m) => m.kind === 'variable' && m.name === name)) continue;
      missing.push({ kind: 'variable', name: name!, hint: `--var ${name}=<value> (or NAFTIKO_VAR_${name}), or --base-uri ${namespace}=<url>` });
    }
  }
  for (const ref of input.requires) {
    const name = ref.slice(ref.indexOf('.') + 1);
    try {
      if (input.bindings.get(ref) === '') missing.push({ kind: 'bind', name, hint: 'it is empty' });
    } catch (error) {
      missing.push({ kind: 'bind', name, hint: error instanceof ConfigurationError && error.hint ? error.hint : 'declare and set it' });
    }
  }
  return missing;
}

/** True when the spec has not claimed `path` for any method (the spec wins over built-ins). */
export function pathFree(app: FastifyInstance, path: string): boolean {
  const methods: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return !methods.some((method) => app.hasRoute({ method, url: path }) || app.hasRoute({ method, url: `${path}/` }));
}

/** Mounts `/health` and `/ready` unless the spec declares them. Call after the generated routes. */
export function mountHealth(app: FastifyInstance, check: () => Missing[]): void {
  if (pathFree(app, '/health')) {
    app.get('/health', { config: QUIET_ROUTE }, async (_request, reply) => reply.code(200).send({ status: 'ok' }));
  }
  if (pathFree(app, '/ready')) {
    app.get('/ready', { config: QUIET_ROUTE }, async (request, reply) => {
      const missing = check();
      if (missing.length === 0) return reply.code(200).send({ status: 'ready' });
      const detail = `not ready: ${missing.map((m) => `${m.kind === 'baseUri' ? 'base URI of' : m.kind === 'variable' ? 'host variable' : 'bind variable'} ${m.name} (${m.hint})`).join('; ')}`;
      const body = { ...problem(503, detail, { instance: request.url.split('?')[0] }), missing };
      return reply.code(503).header('cache-control', 'no-store').type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
    });
  }
}
