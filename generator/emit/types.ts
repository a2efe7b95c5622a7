/**
 * TypeScript types of values at the three surfaces: the client's input fields, what Fastify
 * hands a route after schema validation, and what zod hands a tool. When the two sides of a
 * binding disagree, the emitted code converts (runtime `convert`) instead of casting.
 */
import type { ParamType } from '../runtime/descriptor.js';
import type { ExposedInput, InputField } from '../model/ir.js';

/** Coarse value kinds used to decide whether a conversion is needed. */
export type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'file' | 'json' | 'body' | 'unknown';

export function clientKind(field: InputField): Kind {
  if (field.in === 'body') return 'body';
  if (field.in === 'template') return 'json';
  return typeKind(field.type);
}

function typeKind(type: ParamType): Kind {
  switch (type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'string':
    case 'boolean':
    case 'array':
    case 'object':
    case 'file':
      return type;
  }
}

export const CLIENT_TS: Record<Kind, string> = {
  string: 'string',
  number: 'number',
  boolean: 'boolean',
  array: 'readonly JsonValue[] | string',
  object: 'JsonObject',
  file: 'Uint8Array | string',
  json: 'JsonValue',
  body: 'JsonValue | Uint8Array',
  unknown: 'unknown',
};

/** What a REST input is after Fastify's validation and coercion. */
export function routeKind(input: ExposedInput): Kind {
  if (input.constant !== undefined) return 'string';
  if (input.in === 'body' || input.in === 'formData' || input.bodyPath !== undefined) return 'unknown';
  const kind = typeKind(input.type);
  if (kind === 'array') return input.in === 'query' ? 'array' : 'string';
  if (kind === 'object' || kind === 'file') return 'string';
  return kind;
}

export function routeTs(input: ExposedInput): string {
  const kind = routeKind(input);
  return kind === 'array' ? 'string[]' : CLIENT_TS[kind];
}

/** JSON Schema Fastify validates (and coerces) a path, query or header input with. */
export function routeSchema(input: ExposedInput): Record<string, unknown> {
  const kind = routeKind(input);
  const schema: Record<string, unknown> =
    kind === 'array' ? { type: 'array', items: { type: 'string' } } : { type: input.type === 'integer' ? 'integer' : kind === 'unknown' ? 'string' : kind };
  if (input.description) schema.description = input.description;
  if (input.pattern !== undefined && schema.type === 'string') schema.pattern = input.pattern;
  return schema;
}

/** What a tool argument is after zod parsing. */
export function toolKind(field: InputField): Kind {
  if (field.in === 'body') return 'json';
  return typeKind(field.type);
}

/**
 * TypeScript type of a tool argument: what `zodSchema` parses it into (test/unit/emit keeps the
 * two in agreement). Generated tools declare it instead of letting the SDK infer it from zod.
 */
export function toolTs(field: InputField): string {
  if (field.in === 'body') return 'JsonValue';
  switch (field.type) {
    case 'string':
    case 'file':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return '(string | number | boolean)[] | string';
    case 'object':
      return 'JsonObject';
  }
}

/** zod schema source for a tool argument (descriptions attached by the caller). */
export function zodSchema(field: InputField): string {
  if (field.in === 'body') return 'z.json()';
  switch (field.type) {
    case 'string':
      return 'z.string()';
    case 'integer':
      return 'z.number().int()';
    case 'number':
      return 'z.number()';
    case 'boolean':
      return 'z.boolean()';
    case 'array':
      return 'z.union([z.array(z.union([z.string(), z.number(), z.boolean()])), z.string()])';
    case 'object':
      return 'z.record(z.string(), z.json())';
    case 'file':
      return 'z.string()';
  }
}

/** True when a value of kind `from` can be passed where `to` is expected without conversion. */
export function assignable(from: Kind, to: Kind): boolean {
  if (from === to) return true;
  if (from === 'unknown') return false;
  if (to === 'json') return from !== 'file' && from !== 'body';
  if (to === 'body') return from !== 'file';
  if (to === 'array' || to === 'file') return from === 'string';
  return false;
}

/** `convert`'s type argument for a client field. */
export function convertTarget(field: InputField): string {
  const kind = clientKind(field);
  if (kind === 'number') return field.type === 'integer' ? 'integer' : 'number';
  return kind;
}
