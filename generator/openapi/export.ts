/**
 * CapabilityModel → an OpenAPI 3.1 description of its REST adapter(s), built from the IR only.
 * Deterministic: maps whose order carries no meaning (paths, components, responses, tags) are
 * sorted; operations, parameters and schema properties keep the spec's order.
 */
import { stringify } from 'yaml';
import type { CapabilityModel, RestAdapterModel } from '../model/ir.js';
import { adapterOperations, SHARED_RESPONSES } from './paths.js';
import { PROBLEM_SCHEMA, type Schema } from './schema.js';
import { SchemeNames } from './security.js';

export const OPENAPI_VERSION = '3.1.0';
/** Method order inside a path item, as the OpenAPI specification lists them. */
const METHOD_ORDER = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface OpenApiExport {
  readonly document: Schema;
  /** Operations left out (a path and method another adapter already has). */
  readonly warnings: readonly string[];
}

/** Where an adapter listens by default: its `address` (loopback for wildcards) and port. */
export function serverUrl(adapter: RestAdapterModel): string {
  const address = adapter.address && !['0.0.0.0', '::', '[::]'].includes(adapter.address) ? adapter.address : '127.0.0.1';
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `http://${host}:${adapter.port}`;
}

export function exportOpenApi(model: CapabilityModel): OpenApiExport {
  const warnings: string[] = [];
  const schemes = new SchemeNames();
  const operationIds = new Set<string>();
  const paths = new Map<string, Map<string, Schema>>();
  const used = new Set<string>();
  const requirements: (string | undefined)[] = [];
  const first = model.rest[0];

  for (const adapter of model.rest) {
    const scheme = adapter.auth ? schemes.name(adapter.auth) : undefined;
    for (const { name, placed } of adapterOperations(adapter)) {
      const item = paths.get(placed.path) ?? new Map<string, Schema>();
      if (item.has(placed.method)) {
        warnings.push(`${placed.method.toUpperCase()} ${placed.path} of adapter ${adapter.namespace} is left out: another adapter already answers it`);
        continue;
      }
      paths.set(placed.path, item);
      let id = name;
      for (let n = 2; operationIds.has(id); n += 1) id = `${name}-${n}`;
      operationIds.add(id);
      for (const status of Object.keys(placed.operation.responses as object)) if (SHARED_RESPONSES[status]) used.add(status);
      const operation: Schema = {
        tags: [adapter.namespace],
        operationId: id,
        ...placed.operation,
        ...(scheme ? { security: [{ [scheme]: [] }] } : {}),
        ...(adapter !== first ? { servers: [{ url: serverUrl(adapter), description: `REST adapter ${adapter.namespace}` }] } : {}),
      };
      item.set(placed.method, operation);
      requirements.push(scheme);
    }
  }

  // One requirement shared by every operation is stated once, at the root.
  const shared = requirements.length > 0 && requirements.every((r) => r !== undefined && r === requirements[0]) ? requirements[0] : undefined;
  const pathsObject: Schema = {};
  for (const path of [...paths.keys()].sort(compare)) {
    const item = paths.get(path)!;
    const ordered: Schema = {};
    for (const method of METHOD_ORDER) {
      const op = item.get(method);
      if (!op) continue;
      if (shared) delete op.security;
      ordered[method] = op;
    }
    pathsObject[path] = ordered;
  }

  const responses: Record<string, Schema> = {};
  for (const status of [...used].sort(compare)) {
    const { name, description } = SHARED_RESPONSES[status]!;
    responses[name] = { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  }
  const securitySchemes = sortKeys(schemes.schemes);
  const document: Schema = {
    openapi: OPENAPI_VERSION,
    info: {
      title: model.label ?? model.name,
      version: '1.0.0',
      ...(model.description ? { description: model.description } : {}),
    },
    ...(first ? { servers: [{ url: serverUrl(first), description: `REST adapter ${first.namespace}` }] } : {}),
    tags: [...model.rest]
      .sort((a, b) => compare(a.namespace, b.namespace))
      .map((r) => ({ name: r.namespace, ...(r.description ? { description: r.description } : {}) })),
    ...(shared ? { security: [{ [shared]: [] }] } : {}),
    paths: pathsObject,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA },
      responses: sortKeys(responses),
      ...(Object.keys(securitySchemes).length ? { securitySchemes } : {}),
    },
  };
  return { document: structuredClone(document), warnings };
}

export type OpenApiFormat = 'json' | 'yaml';

export function formatFor(file: string | undefined): OpenApiFormat {
  return file !== undefined && /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

export function openApiText(document: Schema, format: OpenApiFormat): string {
  if (format === 'yaml') return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Code-point order: the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(object: Record<string, Schema>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => compare(a, b)));
}
