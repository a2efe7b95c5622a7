// Awkward but valid values for every input type, and an independent computation of what the
// upstream must receive (deliberately not reusing generator/runtime/request.ts).
import type { ExposedInput, InputField, OperationModel, ConsumesModel, CallModel } from '../../generator/model/ir.js';

/** Spaces, slashes, `?`, `#`, `%`, `&`, `=`, `+`, unicode and `../` in one value. */
export const AWKWARD = 'a b/c?d#e%f&g=h+ü../';
/** The same without what a header cannot carry. */
export const AWKWARD_HEADER = 'a b/c?d#e%f&g=h+../';

export function sampleValue(field: Pick<InputField, 'type' | 'in'>): unknown {
  if (field.in === 'body') return { hello: 'wörld', n: 1, list: ['x y', 'z'] };
  switch (field.type) {
    case 'integer':
      return 42;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'array':
      return ['x y', 'z/w'];
    case 'object':
      return { k: 'v w' };
    case 'file':
      return Buffer.from('file bytes ü').toString('base64');
    default:
      return field.in === 'header' ? AWKWARD_HEADER : AWKWARD;
  }
}

export function restValue(input: ExposedInput): unknown {
  return sampleValue({ type: input.type, in: input.in === 'header' ? 'header' : input.in === 'body' && input.bodyPath === undefined ? 'body' : 'query' });
}

/** Text of a scalar as the upstream sees it. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export interface Expected {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  /** JSON body the upstream must receive, if the operation sends one as JSON. */
  json?: unknown;
  /** Form fields the upstream must receive (urlencoded or multipart). */
  form?: Record<string, string>;
}

/** What the upstream must receive, given the values bound to each consumed input. */
export function expectedUpstream(ns: ConsumesModel, op: OperationModel, values: Map<string, unknown>, secrets: Record<string, string>): Expected {
  const render = (template: string): string => template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_m, name: string) => {
    const v = values.get(name) ?? secrets[name] ?? secrets[name.split('.').pop()!];
    return v === undefined ? '' : text(v);
  });
  const path = op.path.replace(/\{\{?\s*([^{}\s]+?)\s*\}?\}/g, (_m, name: string) => {
    const encoded = encodeURIComponent(text(values.get(name)));
    return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
  });
  const query: [string, string][] = [];
  const headers: Record<string, string> = {};
  let json: unknown;
  const form: Record<string, string> = {};
  for (const p of [...ns.params, ...op.params]) {
    const v = p.value !== undefined ? render(p.value) : values.get(p.name);
    if (v === undefined) continue;
    if (p.in === 'query') query.push([p.name, text(v)]);
    if (p.in === 'header' && !['content-length', 'transfer-encoding'].includes(p.name.toLowerCase())) headers[p.name.toLowerCase()] = text(v);
    if (p.in === 'body') json = v;
    if (p.in === 'formData') form[p.name] = p.type === 'file' ? Buffer.from(String(v), 'base64').toString('utf8') : text(v);
  }
  if (ns.auth?.type === 'bearer') headers.authorization = `Bearer ${render(ns.auth.token)}`;
  if (ns.auth?.type === 'apikey') {
    if (ns.auth.placement === 'query') query.push([ns.auth.key, render(ns.auth.value)]);
    else headers[ns.auth.key.toLowerCase()] = render(ns.auth.value);
  }
  if (ns.auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${render(ns.auth.username)}:${render(ns.auth.password)}`).toString('base64')}`;
  return {
    method: op.method,
    path: `${path.startsWith('/') ? '' : '/'}${path}`,
    query,
    headers,
    ...(json !== undefined ? { json } : {}),
    ...(Object.keys(form).length ? { form } : {}),
  };
}

/** Values bound to each consumed input for a call, given the exposed input values. */
export function boundValues(call: CallModel, exposed: Map<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const b of call.bindings) {
    if (b.source.kind === 'input') {
      const v = exposed.get(b.source.input);
      if (v !== undefined) out.set(b.target, v);
    } else if (b.source.kind === 'literal') out.set(b.target, b.source.value);
    else out.set(b.target, b.source.template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_m, n: string) => text(exposed.get(n) ?? '')));
  }
  return out;
}
