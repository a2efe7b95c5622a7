/**
 * The request body of a REST operation, as the generated plugin accepts it: a whole-body input
 * is the JSON body; body fields (`value: $.a.b` inputs and implied `formData` fields) are
 * properties of a JSON object, and when every field is top-level the plugin also parses the
 * same fields from `application/x-www-form-urlencoded` and `multipart/form-data` bodies.
 */
import type { ExposedInput } from '../model/ir.js';
import { valueSchema, type Schema } from './schema.js';

export interface RequestBody {
  readonly required?: boolean;
  readonly content: Record<string, { schema: Schema }>;
  readonly description?: string;
}

/** Inputs read from the request body (constants are not the caller's). */
export function bodyInputs(inputs: readonly ExposedInput[]): ExposedInput[] {
  return inputs.filter((i) => i.constant === undefined && (i.bodyPath !== undefined || i.in === 'body' || i.in === 'formData'));
}

/** `$.a.b`, `$['a b']`, `$["a"]` → keys; anything with indexes or wildcards → undefined. */
export function bodyPathKeys(path: string): string[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const keys: string[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const dotted = /^\.([^.[\]'"*]+)/.exec(rest);
    const quoted = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest);
    if (dotted) keys.push(dotted[1]!);
    else if (quoted) keys.push((quoted[1] ?? quoted[2]!).replace(/\\(.)/g, '$1'));
    else return undefined;
    rest = rest.slice((dotted ?? quoted)![0].length);
  }
  return keys.length > 0 ? keys : undefined;
}

export function requestBody(inputs: readonly ExposedInput[]): RequestBody | undefined {
  const body = bodyInputs(inputs);
  if (body.length === 0) return undefined;
  // Every `in: body` input without a JSONPath is the whole body (the engine's rule too).
  const wholes = body.filter((i) => i.in === 'body' && i.bodyPath === undefined);
  const fields = body.filter((i) => !wholes.includes(i));
  const required = body.some((i) => i.required);
  // Several whole-body inputs each take the same body: one description would mislead.
  const described = wholes.length === 1 ? wholes[0] : undefined;
  const common = { ...(required ? { required } : {}), ...(described?.description ? { description: described.description } : {}) };
  const types = new Set(wholes.map((w) => w.type));
  if (fields.length === 0) {
    const type = types.size === 1 ? wholes[0]!.type : undefined;
    const content: Record<string, { schema: Schema }> = type === 'file'
      ? { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } }
      // A declared scalar type says little about a whole JSON body (the catalogue types them all `string`).
      : { 'application/json': { schema: type === 'object' || type === 'array' ? { type } : {} } };
    return { ...common, content };
  }
  const located = fields.map((input) => ({ input, keys: input.bodyPath !== undefined ? bodyPathKeys(input.bodyPath) : [input.name] }));
  const content: Record<string, { schema: Schema }> = { 'application/json': { schema: objectSchema(located, 'json') } };
  // Form bodies are flat: offered only when every field is a top-level key and nothing takes the whole body.
  if (wholes.length === 0 && located.every((l) => l.keys?.length === 1)) {
    content['application/x-www-form-urlencoded'] = { schema: objectSchema(located, 'urlencoded') };
    content['multipart/form-data'] = { schema: objectSchema(located, 'multipart') };
  }
  return { ...common, content };
}

function objectSchema(located: readonly { input: ExposedInput; keys: string[] | undefined }[], media: 'json' | 'urlencoded' | 'multipart'): Schema {
  const root: Schema = { type: 'object', properties: {} };
  for (const { input, keys } of located) {
    // A path the schema cannot follow (indexes, wildcards) leaves the object open, which it is anyway.
    if (!keys) continue;
    let node = root;
    keys.forEach((key, i) => {
      const properties = node.properties as Record<string, Schema>;
      // A required field makes every object on its way required too.
      if (input.required) node.required = [...new Set([...((node.required as string[] | undefined) ?? []), key])];
      if (i < keys.length - 1) node = properties[key] ??= { type: 'object', properties: {} };
      else properties[key] = { ...valueSchema(input.type, media), ...(input.description ? { description: input.description } : {}) };
    });
  }
  return root;
}
