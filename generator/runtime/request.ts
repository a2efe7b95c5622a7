/**
 * Turns an operation descriptor plus caller input into a concrete HTTP request.
 * Pure (no I/O) so it is easy to test: every encoding rule of the generator lives here.
 */
import type { Bindings } from './bindings.js';
import type { AuthSpec, BodySpec, NamespaceSpec, OperationSpec, ParamSpec } from './descriptor.js';
import { ConfigurationError, InputError } from './errors.js';
import { renderData, renderJson, renderText, renderXml, stringify, type Resolve } from './template.js';

export interface RequestContext {
  /** Caller input by wire name (and by template variable name). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly bindings?: Bindings | undefined;
  /** Replaces the spec's base URI entirely (templated host included). */
  readonly baseUri?: string | undefined;
  /** Values of `{host}` variables in the base URI. */
  readonly variables?: Readonly<Record<string, string>> | undefined;
  /** Environment for host variables (`NAFTIKO_VAR_<name>`, then `<NAME>`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Extra constant headers and query parameters (deployment settings); a query parameter replaces a same-named one of the spec. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** Host variable values used when neither `variables` nor the environment has one (config defaults). */
  readonly defaultVariables?: Readonly<Record<string, string>> | undefined;
}

export interface PlannedRequest {
  readonly method: OperationSpec['method'];
  /** `scheme://host[:port]` */
  readonly origin: string;
  /** Path and query, already encoded; sent as-is (never re-normalised, so `%2E%2E` stays data). */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array | FormData | undefined;
}

/** Headers the HTTP client owns; a spec or caller value for them is dropped. */
const CLIENT_OWNED_HEADERS = new Set(['content-length', 'transfer-encoding', 'host', 'connection']);

export function planRequest(ns: NamespaceSpec, op: OperationSpec, ctx: RequestContext): PlannedRequest {
  const resolve = makeResolver(ctx);
  const { origin, basePath } = resolveBase(ns, ctx, resolve);
  const path = joinPaths(basePath, renderPath(op.path, resolve, op.name));

  const query: [string, string][] = [];
  const headers: Record<string, string> = {};
  const formFields: [ParamSpec, unknown][] = [];
  let bodyParam: unknown;
  let hasBodyParam = false;

  const replaced = (param: ParamSpec): boolean => param.in === 'query' && ctx.query !== undefined && Object.hasOwn(ctx.query, param.name);
  for (const param of [...ns.params, ...op.params]) {
    if (replaced(param)) continue;
    const value = param.value !== undefined ? renderText(param.value, resolve) : ctx.input[param.name];
    if (value === undefined || value === null) {
      if (param.required && param.value === undefined && param.in !== 'path') {
        throw new InputError(param.name, 'is required');
      }
      continue;
    }
    switch (param.in) {
      case 'query':
        for (const item of queryValues(param, value)) query.push([param.name, item]);
        break;
      case 'header':
        setHeader(headers, param.name, headerValue(param.name, value));
        break;
      case 'cookie':
        appendCookie(headers, param.name, stringify(value));
        break;
      case 'body':
        bodyParam = value;
        hasBodyParam = true;
        break;
      case 'formData':
        formFields.push([param, value]);
        break;
      case 'path':
        break; // placed by renderPath
    }
  }
  for (const [name, value] of Object.entries(ctx.query ?? {})) query.push([name, value]);
  for (const [name, value] of Object.entries(ctx.headers ?? {})) setHeader(headers, name, headerValue(name, value));

  let body: PlannedRequest['body'];
  if (op.body) {
    const built = buildBody(op.body, resolve);
    body = built.body;
    if (built.contentType && !hasHeader(headers, 'content-type')) headers['content-type'] = built.contentType;
  } else if (hasBodyParam) {
    const built = bodyFromParam(bodyParam);
    body = built.body;
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = built.contentType;
  } else if (formFields.length > 0) {
    if (op.formEncoding === 'multipart') {
      body = multipart(formFields);
    } else {
      const form = new URLSearchParams();
      for (const [param, value] of formFields) form.append(param.name, scalarText(value));
      body = form.toString();
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
    }
  }

  if (ns.auth) applyAuth(ns.auth, resolve, headers, query);

  const search = query.map(([n, v]) => `${encodeQueryName(n)}=${encodeText(v)}`).join('&');
  return { method: op.method, origin, path: search ? `${path}?${search}` : path, headers, body };
}

export interface ForwardRequest {
  readonly method: string;
  /** Path below the base URI, already percent-encoded as the caller sent it. */
  readonly path: string;
  /** The caller's raw query string (kept, unlike the reference engine, which drops it). */
  readonly query: string;
  /** Trusted caller headers only (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | undefined;
}

/** A `forward` (proxy) request: the caller's method, path, query and trusted headers, plus the namespace's parameters and auth. */
export function planForward(ns: NamespaceSpec, forward: ForwardRequest, ctx: RequestContext): PlannedRequest {
  const resolve = makeResolver(ctx);
  const { origin, basePath } = resolveBase(ns, ctx, resolve);
  // Dot segments and encoded slashes in the caller's path must not climb above the base path.
  const segments = forward.path.split('/').filter((s) => s !== '').map((s) => (/^(\.|%2e)+$/i.test(s) ? s.replace(/\.|%2e/gi, '%2E') : s));
  for (const segment of segments) {
    if (/[^A-Za-z0-9\-._~!$&'()*+,;=:@%]/.test(segment)) throw new InputError('path', 'contains characters a URL path cannot carry');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(forward.headers)) setHeader(headers, name, headerValue(name, value));
  const query: [string, string][] = [];
  for (const param of ns.params) {
    if (param.value === undefined || (param.in === 'query' && ctx.query && Object.hasOwn(ctx.query, param.name))) continue;
    const value = renderText(param.value, resolve);
    if (param.in === 'header') setHeader(headers, param.name, headerValue(param.name, value));
    if (param.in === 'query') query.push([param.name, value]);
  }
  for (const [name, value] of Object.entries(ctx.query ?? {})) query.push([name, value]);
  for (const [name, value] of Object.entries(ctx.headers ?? {})) setHeader(headers, name, headerValue(name, value));
  if (ns.auth) applyAuth(ns.auth, resolve, headers, query);
  const extra = query.map(([n, v]) => `${encodeQueryName(n)}=${encodeText(v)}`).join('&');
  const search = [forward.query, extra].filter(Boolean).join('&');
  const path = `${basePath}/${segments.join('/')}` || '/';
  return {
    method: forward.method as PlannedRequest['method'],
    origin,
    path: search ? `${path}?${search}` : path,
    headers,
    ...(forward.body !== undefined ? { body: forward.body } : {}),
  };
}

/** Template variables: bind variables first (`{{VAR}}`, `{{ns.VAR}}`), then caller input. */
function makeResolver(ctx: RequestContext): Resolve {
  return (name) => {
    if (ctx.bindings?.has(name)) return ctx.bindings.get(name);
    if (Object.prototype.hasOwnProperty.call(ctx.input, name)) return ctx.input[name];
    // Dotted names navigate into objects (`{{step.field}}`), after the literal key.
    const parts = name.split('.');
    let current: unknown = ctx.input;
    for (const part of parts) {
      if (typeof current !== 'object' || current === null) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
}

/** Parsed base URIs without variables (the usual case), so a request does not parse its URL again. */
const parsedBases = new Map<string, { origin: string; basePath: string }>();

function resolveBase(ns: NamespaceSpec, ctx: RequestContext, resolve: Resolve): { origin: string; basePath: string } {
  const raw = ctx.baseUri ?? ns.baseUri;
  const known = raw ? parsedBases.get(raw) : undefined;
  if (known) return known;
  const base = parseBase(ns, raw, ctx, resolve);
  if (raw && !raw.includes('{') && parsedBases.size < 1000) parsedBases.set(raw, base);
  return base;
}

function parseBase(ns: NamespaceSpec, raw: string | undefined, ctx: RequestContext, resolve: Resolve): { origin: string; basePath: string } {
  if (!raw) {
    throw new ConfigurationError(
      `no base URI for consumes namespace "${ns.namespace}"`,
      `start the server with --base-uri ${ns.namespace}=<url> or pass baseUri to the client`,
    );
  }
  const filled = raw.replace(/\{\{?\s*([A-Za-z0-9_.-]+)\s*\}?\}/g, (_m, name: string) => {
    const value = hostVariable(name, ctx, resolve);
    if (value === undefined || value === '') {
      throw new ConfigurationError(
        `base URI variable {${name}} of "${ns.namespace}" has no value`,
        `pass --var ${name}=<value>, set NAFTIKO_VAR_${name}, or --base-uri ${ns.namespace}=<url>`,
      );
    }
    // A host label: never let a value add a path, port or credentials.
    if (!/^[A-Za-z0-9.-]+$/.test(value)) throw new InputError(name, 'is not a valid host name');
    return value;
  });
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new ConfigurationError(`base URI of "${ns.namespace}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`base URI of "${ns.namespace}" must use http or https`);
  }
  return { origin: url.origin, basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '') };
}

function hostVariable(name: string, ctx: RequestContext, resolve: Resolve): string | undefined {
  const env = ctx.env ?? process.env;
  const candidates = [ctx.variables?.[name], env[`NAFTIKO_VAR_${name}`], env[name.toUpperCase()], ctx.defaultVariables?.[name]];
  for (const value of candidates) if (value) return value;
  const fromInput = resolve(name);
  return fromInput === undefined || fromInput === null ? undefined : stringify(fromInput);
}

/**
 * Substitutes `{x}` and `{{x}}`; each value is encoded as (part of) one path segment. The
 * spec's literal text is kept, except characters a request target cannot carry (spaces,
 * quotes, `<`, non-ASCII…), which are percent-encoded rather than failing every call.
 */
export function renderPath(path: string, resolve: Resolve, operation = 'operation'): string {
  let out = '';
  let last = 0;
  for (const m of path.matchAll(/\{\{?\s*([^{}\s]+?)\s*\}?\}/g)) {
    const value = resolve(m[1]!);
    const text = value === undefined || value === null ? '' : stringify(value);
    if (text === '') throw new InputError(m[1]!, `is required (path of ${operation})`);
    out += encodeLiteralPath(path.slice(last, m.index)) + encodePathValue(text);
    last = m.index + m[0].length;
  }
  return out + encodeLiteralPath(path.slice(last));
}

/** Percent-encodes a path value; a value of only dots is encoded too so it never acts as `.`/`..`. */
export function encodePathValue(text: string): string {
  const encoded = encodeText(text);
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
}

/** Literal path text of a spec: valid URL characters and `%XX` escapes stay, anything else is encoded. */
function encodeLiteralPath(text: string): string {
  return text.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%?]/gu, (ch) => encodeText(ch));
}

/** encodeURIComponent that cannot throw: a lone surrogate (possible in JSON input) becomes U+FFFD. */
function encodeText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // Only a lone surrogate makes encodeURIComponent throw: such text is repaired, then encoded.
    return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
  }
}

function joinPaths(base: string, path: string): string {
  if (!path) return base || '/';
  const joined = path.startsWith('/') ? `${base}${path}` : `${base}/${path}`;
  return joined.startsWith('/') ? joined : `/${joined}`;
}

/** Query names keep their spec spelling (`$filter`, `api-version`); only unsafe bytes are encoded. */
function encodeQueryName(name: string): string {
  let encoded = encodedNames.get(name);
  if (encoded === undefined) {
    encoded = encodeText(name).replace(/%24/g, '$').replace(/%3A/gi, ':').replace(/%40/g, '@');
    // Names come from the spec (a bounded set), but a forward's caller could send many: stay bounded.
    if (encodedNames.size < 10_000) encodedNames.set(name, encoded);
  }
  return encoded;
}
const encodedNames = new Map<string, string>();

/** Arrays travel comma-separated (Swagger's csv); callers may give an array, JSON text or csv. */
function queryValues(param: ParamSpec, value: unknown): string[] {
  if (Array.isArray(value)) return [value.flatMap((item) => arrayItems(item)).join(',')];
  if (param.type === 'array' && typeof value === 'string') return [arrayItems(value).join(',')];
  return [scalarText(value)];
}

/** One array item as text; an item that is itself JSON array text is flattened into its items. */
function arrayItems(item: unknown): string[] {
  if (typeof item === 'string' && item.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(item);
      if (Array.isArray(parsed)) return parsed.map(scalarText);
    } catch {
      // not JSON: the text is already csv
    }
  }
  return [scalarText(item)];
}

function scalarText(value: unknown): string {
  return stringify(value);
}

function headerValue(name: string, value: unknown): string {
  const text = Array.isArray(value) ? value.map(scalarText).join(', ') : stringify(value);
  if (/[\r\n\0]/.test(text)) throw new InputError(name, 'contains a line break or NUL, which a header cannot carry');
  return text;
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  if (CLIENT_OWNED_HEADERS.has(lower)) return;
  headers[lower] = value;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return headers[name.toLowerCase()] !== undefined;
}

function appendCookie(headers: Record<string, string>, name: string, value: string): void {
  if (/[\r\n\0;]/.test(value)) throw new InputError(name, 'contains characters a cookie cannot carry');
  const pair = `${name}=${encodeText(value)}`;
  headers.cookie = headers.cookie ? `${headers.cookie}; ${pair}` : pair;
}

function buildBody(spec: BodySpec, resolve: Resolve): { body: string | FormData; contentType?: string } {
  switch (spec.kind) {
    case 'template': {
      // A body that is one missing variable is empty, as in the reference engine (not `null`).
      const whole = /^\s*\{\{\s*([^{}\s]+)\s*\}\}\s*$/.exec(spec.template);
      if (whole && resolve(whole[1]!) === undefined) return { body: '', contentType: spec.contentType };
      const body = /json/i.test(spec.contentType) ? renderJson(spec.template, resolve)
        : /xml/i.test(spec.contentType) ? renderXml(spec.template, resolve)
        : renderText(spec.template, resolve);
      return { body, contentType: spec.contentType };
    }
    case 'json':
      return { body: JSON.stringify(renderData(spec.data, resolve)), contentType: 'application/json' };
    case 'form': {
      const form = new URLSearchParams();
      for (const [name, template] of Object.entries(spec.fields)) form.append(name, renderText(template, resolve));
      return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    case 'multipart': {
      const form = new FormData();
      for (const part of spec.parts) {
        const text = renderText(part.value, resolve);
        if (part.filename !== undefined) {
          form.append(part.name, new Blob([text], { type: part.contentType ?? 'application/octet-stream' }), part.filename);
        } else {
          form.append(part.name, text);
        }
      }
      return { body: form };
    }
  }
}

/** The catalogue's `in: body` parameter: JSON values and JSON text go as JSON, other text raw. */
function bodyFromParam(value: unknown): { body: string | Uint8Array; contentType: string } {
  if (value instanceof Uint8Array) return { body: value, contentType: 'application/octet-stream' };
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
      return { body: value, contentType: 'application/json' };
    } catch {
      return { body: value, contentType: 'text/plain; charset=utf-8' };
    }
  }
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

/** formData with a file part: file values are base64 text or bytes. */
function multipart(fields: readonly [ParamSpec, unknown][]): FormData {
  const form = new FormData();
  for (const [param, value] of fields) {
    if (param.type === 'file') {
      // A copy over a plain ArrayBuffer: what BlobPart accepts under every lib setting.
      const bytes = new Uint8Array(value instanceof Uint8Array ? value : Buffer.from(stringify(value), 'base64'));
      form.append(param.name, new Blob([bytes], { type: 'application/octet-stream' }), param.name);
    } else {
      form.append(param.name, scalarText(value));
    }
  }
  return form;
}

function applyAuth(auth: AuthSpec, resolve: Resolve, headers: Record<string, string>, query: [string, string][]): void {
  switch (auth.type) {
    case 'bearer':
      headers.authorization = `Bearer ${headerValue('authentication.token', renderText(auth.token, resolve))}`;
      break;
    case 'basic':
    case 'digest': {
      const user = renderText(auth.username, resolve);
      const password = renderText(auth.password, resolve);
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
      break;
    }
    case 'apikey': {
      const value = renderText(auth.value, resolve);
      if (auth.placement === 'query') query.push([auth.key, value]);
      else headers[auth.key.toLowerCase()] = headerValue('authentication.value', value);
      break;
    }
  }
}
