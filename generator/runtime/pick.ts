/**
 * The small vocabulary compiled output mappings are written in: `at` walks a JSONPath that the
 * generator has already split into keys and indexes, `each` is a `[*]` wildcard, and the `as*`
 * functions give every mapped value its declared type (or null when it is missing or cannot be
 * that type), so the generated output types are exact.
 */
import { UpstreamMalformedError } from './errors.js';
import type { UpstreamResponse } from './http.js';
import type { JsonObject, JsonValue } from './json.js';

/** Follows own keys and array indexes; undefined as soon as a step is missing. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = Object.prototype.hasOwnProperty.call(current, step) ? (current as Record<string, unknown>)[step] : undefined;
  }
  return current;
}

/** `[*]`: the rest of the path applied to every element (or property value); missing ones dropped. */
export function each(value: unknown, rest: (item: unknown) => unknown): unknown[] {
  const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  return items.map(rest).filter((item) => item !== undefined);
}

/**
 * The list an array output maps. XML read as JSON has no lists of one: a single repeated element
 * is an object, and a document's list sits under its element name (`{vessel: [...]}`). So an
 * object whose only property is a list gives that list, any other object is a list of one, and
 * anything else (missing, scalar) gives null.
 */
function listOf(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return null;
  const values = Object.values(value);
  return values.length === 1 && Array.isArray(values[0]) ? values[0] : [value];
}

/** An array output mapped element by element (see listOf); null when there is no list. */
export function mapList<T>(value: unknown, item: (element: unknown) => T): T[] | null {
  return listOf(value)?.map(item) ?? null;
}

export function asString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return null;
}

/** Numbers, and numeric strings (XML, CSV and HTML scalars are strings). */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

export function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return null;
}

/** Any JSON value; undefined and non-JSON values become null. */
export function asJson(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(asJson);
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[key] = asJson(item);
    return out;
  }
  return null;
}

export function asJsonObject(value: unknown): JsonObject | null {
  const json = asJson(value);
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json : null;
}

export function asJsonArray(value: unknown): JsonValue[] | null {
  return listOf(value)?.map(asJson) ?? null;
}

/**
 * The upstream JSON a mapping reads. A body that did not parse (truncated, or not JSON at all)
 * is a bad gateway: mapping it would answer 200 with every field null.
 */
export function upstreamData(response: UpstreamResponse): unknown {
  if (response.data === undefined && response.body.length > 0) throw new UpstreamMalformedError(response.headers['content-type']);
  return response.data;
}
