/**
 * JSON Schemas (OpenAPI 3.1 dialect) for what the generated REST routes accept and answer:
 * parameters as Fastify validates them, request bodies as the plugin parses them, answers as
 * the compiled shape functions (outputs.ts) build them, and the problem+json error body of `runtime/problem.ts`.
 */
import type { ExposedInput, OutputModel, OutputShape } from '../model/ir.js';
import { routeKind } from '../emit/types.js';
import type { ParamType } from '../runtime/descriptor.js';

export type Schema = Record<string, unknown>;

/** A path, query, header or cookie input: exactly what the route's Fastify schema checks. */
export function parameterSchema(input: ExposedInput): Schema {
  if (input.in === 'cookie') return { type: 'string' };
  const kind = routeKind(input);
  if (kind === 'array') return { type: 'array', items: { type: 'string' } };
  if (kind === 'number') return { type: input.type === 'integer' ? 'integer' : 'number' };
  if (kind === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

/** A body value of a declared type, as JSON (files as base64 text) or as a form field. */
export function valueSchema(type: ParamType, media: 'json' | 'urlencoded' | 'multipart'): Schema {
  switch (type) {
    case 'file':
      return media === 'multipart' ? { type: 'string', contentMediaType: 'application/octet-stream' } : { type: 'string', contentEncoding: 'base64' };
    case 'array':
      return media === 'json' ? { type: 'array' } : { type: 'string', description: 'comma-separated values' };
    case 'object':
      return media === 'json' ? { type: 'object' } : { type: 'string', description: 'JSON text' };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type };
    case 'string':
      return { type: 'string' };
  }
}

const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);

/**
 * The answer of a mapped output. Mapped values are taken from the upstream JSON unconverted and
 * are `null` when the path finds nothing, hence `[type, "null"]`; rendered mock values are text.
 */
export function outputSchema(output: OutputModel): Schema {
  return output.kind === 'mapped' ? shapeSchema(output.shape) : {};
}

function shapeSchema(shape: OutputShape): Schema {
  switch (shape.kind) {
    case 'value':
      if (shape.mapping !== undefined) return typeOrNull(shape.type);
      return shape.value !== undefined ? { type: 'string' } : { type: 'null' };
    case 'object': {
      const properties: Schema = {};
      for (const p of shape.properties) properties[p.key] = shapeSchema(p.shape);
      const keys = [...new Set(shape.properties.map((p) => p.key))];
      return { type: 'object', properties, ...(keys.length ? { required: keys } : {}), additionalProperties: false };
    }
    case 'array':
      // Without a mapping the array is always built; with one it is null when the path finds no list.
      return { type: shape.mapping === undefined ? 'array' : ['array', 'null'], ...(shape.items ? { items: shapeSchema(shape.items) } : {}) };
  }
}

/**
 * The answer of an orchestration: the object its mappings build (dotted target names nest;
 * unresolved values are left out, so nothing is required), typed by the declared outputs of the
 * same name; without mappings, the last step's output, which nothing describes.
 */
export function orchestrationSchema(mappings: readonly { readonly targetName: string }[], output: OutputModel): Schema {
  if (mappings.length === 0) return {};
  const declared = new Map<string, OutputShape>();
  if (output.kind === 'mapped' && output.shape.kind === 'object') for (const p of output.shape.properties) declared.set(p.key, p.shape);
  const root: Schema = { type: 'object', properties: {} };
  for (const { targetName } of mappings) {
    const keys = targetName.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      const properties = node.properties as Record<string, Schema>;
      node = properties[key] ??= { type: 'object', properties: {} };
    }
    const shape = declared.get(targetName);
    (node.properties as Record<string, Schema>)[keys[keys.length - 1]!] = shape ? declaredSchema(shape) : {};
  }
  return root;
}

function declaredSchema(shape: OutputShape): Schema {
  if (shape.kind === 'value') return typeOrNull(shape.type);
  if (shape.kind === 'array') return { type: ['array', 'null'] };
  return { type: ['object', 'null'] };
}

function typeOrNull(type: string): Schema {
  return SCALARS.has(type) ? { type: [type, 'null'] } : {};
}

/** Media type of an upstream answer relayed unchanged, by the consumed `outputRawFormat`. */
export function passthroughMediaType(format: string | undefined): string {
  const types: Record<string, string> = {
    json: 'application/json', xml: 'application/xml', yaml: 'application/yaml', csv: 'text/csv',
    tsv: 'text/tab-separated-values', psv: 'text/plain', html: 'text/html', markdown: 'text/markdown',
    avro: 'application/octet-stream', protobuf: 'application/octet-stream',
  };
  return types[format ?? 'json'] ?? 'application/octet-stream';
}

/** The RFC 9457 body every error answer of this server has (runtime/problem.ts `Problem`). */
export const PROBLEM_SCHEMA: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details. Details name inputs and operations, never values.',
  properties: {
    type: { type: 'string', format: 'uri-reference', examples: ['about:blank'] },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Validation failures: which input and why.',
      items: {
        type: 'object',
        properties: { in: { type: 'string' }, name: { type: 'string' }, message: { type: 'string' } },
        required: ['in', 'name', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status'],
};
