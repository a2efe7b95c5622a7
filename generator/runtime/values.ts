/**
 * Small conversions generated adapters apply between what a caller sent and what a consumed
 * operation's input type declares. Validation already ran (Fastify schema, zod); these only
 * bridge representations (query text → number, JSON text → object) and refuse the rest.
 */
import type { Bindings } from './bindings.js';
import { InputError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { renderText } from './template.js';

export function convert(value: unknown, type: 'string', name: string): string | undefined;
export function convert(value: unknown, type: 'integer' | 'number', name: string): number | undefined;
export function convert(value: unknown, type: 'boolean', name: string): boolean | undefined;
export function convert(value: unknown, type: 'array', name: string): readonly JsonValue[] | string | undefined;
export function convert(value: unknown, type: 'object', name: string): JsonObject | undefined;
export function convert(value: unknown, type: 'file', name: string): Uint8Array | string | undefined;
export function convert(value: unknown, type: 'json', name: string): JsonValue | undefined;
export function convert(value: unknown, type: 'body', name: string): JsonValue | Uint8Array | undefined;
export function convert(value: unknown, type: string, name: string): unknown {
  if (value === undefined || value === null) return undefined;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (Number.isNaN(n) || (type === 'integer' && !Number.isInteger(n))) throw new InputError(name, `must be ${type === 'integer' ? 'an integer' : 'a number'}`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new InputError(name, 'must be true or false');
    case 'array':
      if (Array.isArray(value) || typeof value === 'string') return value;
      throw new InputError(name, 'must be an array or comma-separated text');
    case 'object':
      if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) return value;
      if (typeof value === 'string') {
        try {
          const parsed: unknown = JSON.parse(value);
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
        } catch {
          // fall through to the error
        }
      }
      throw new InputError(name, 'must be a JSON object');
    case 'file':
      return value instanceof Uint8Array || typeof value === 'string' ? value : JSON.stringify(value);
    case 'body':
      return value;
    default:
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
  }
}

/** Refuses an absent value for an input the upstream needs. */
export function required<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null || value === '') throw new InputError(name, 'is required');
  return value;
}

/** Renders a `with` template against the caller's inputs (and bind variables). */
export function renderWith(template: string, values: Readonly<Record<string, unknown>>, bindings: Bindings): string {
  return renderText(template, (name) => {
    if (Object.prototype.hasOwnProperty.call(values, name)) return values[name];
    if (bindings.has(name)) return bindings.get(name);
    // `{{step.field}}`: navigate into an object value (step outputs in orchestrations).
    let current: unknown = values;
    for (const part of name.split('.')) {
      if (typeof current !== 'object' || current === null) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  });
}

/** The value of one cookie of a `Cookie` header. */
export function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value; // not percent-encoded after all: the caller's text as it came
      }
    }
  }
  return undefined;
}
