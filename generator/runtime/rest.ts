/**
 * What generated Fastify plugins share: body parsers, inbound auth, problem+json errors and
 * relaying an upstream answer to the caller unchanged (status, body, content type).
 */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifySchema, HTTPMethods, RouteOptions } from 'fastify';
import { authChecker, logAuthFailure, whenChecked, type ServerAuthSpec } from './auth.js';
import type { Bindings } from './bindings.js';
import type { CancelSource, UpstreamResponse } from './http.js';
import { UpstreamResponseTooLargeError } from './errors.js';
import type { ForwardRequest } from './request.js';
import { problem, problemErrorHandler, relayHeaders, sendProblem } from './problem.js';

/** The inputs a generated route declares (what Fastify validated and coerced). */
export interface RouteInputs {
  readonly Params?: unknown | undefined;
  readonly Querystring?: unknown | undefined;
  readonly Headers?: unknown | undefined;
  readonly Body?: unknown | undefined;
}

/** The request as a generated handler reads it (Fastify's request has this shape, and more). */
export interface RouteRequest<I extends RouteInputs = RouteInputs> {
  readonly method: string;
  readonly url: string;
  readonly params: I['Params'];
  readonly query: I['Querystring'];
  readonly headers: IncomingHttpHeaders & I['Headers'];
  readonly body: I['Body'];
}

export interface GeneratedRoute<I extends RouteInputs> {
  readonly method: HTTPMethods | readonly HTTPMethods[];
  readonly url: string;
  readonly exposeHeadRoute?: boolean | undefined;
  readonly schema?: FastifySchema | undefined;
  readonly handler: (request: RouteRequest<I>, reply: FastifyReply) => Promise<unknown>;
}

/**
 * Registers one generated route. Fastify's own route generics (type providers, schema compilers,
 * request and reply types resolved per route) cost the type checker more than everything else in
 * a route, so generated routes are typed by their declared inputs only, through this function.
 */
export function addRoute<I extends RouteInputs = RouteInputs>(app: FastifyInstance, route: GeneratedRoute<I>): void {
  app.route(route as unknown as RouteOptions);
}

/** Sends the upstream status and body as they came (HEAD and 204: no body). */
export function replyUpstream(reply: FastifyReply, response: UpstreamResponse, maxBytes?: number): FastifyReply {
  // The adapter's `maxBinarySize` (Ikanos beta5): a larger binary answer is a 502, not relayed.
  if (maxBytes !== undefined && response.body.length > maxBytes) throw new UpstreamResponseTooLargeError('upstream', maxBytes);
  reply.code(response.status);
  relayHeaders(reply, response.headers);
  if (response.cacheStatus !== undefined) reply.header('cache-status', response.cacheStatus);
  const body = response.body;
  if (body.length === 0 || reply.request.method === 'HEAD') return reply.send();
  // A view of the same bytes, not a copy (the client hands over Buffers already).
  return reply.send(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

/** Sends a JSON value built by the generated code (mapped outputs, mocks). */
export function replyJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(value ?? null));
}

/** Where the plugin serves the capability's OpenAPI description. */
export const OPENAPI_PATH = '/openapi.json';

export interface RestSetupOptions {
  readonly auth?: ServerAuthSpec | undefined;
  readonly bindings: Bindings;
  /** The generated `openapi.json`, served at GET /openapi.json without authentication. */
  readonly openapi?: URL | undefined;
}

/**
 * Prepares an encapsulated plugin: form and multipart bodies, problem+json for errors and
 * unknown routes, the adapter's authentication on every route, and GET /openapi.json.
 */
export function setupRestPlugin(app: FastifyInstance, options: RestSetupOptions): void {
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );
  // JSON as Fastify parses it (prototype-poisoning safe), except that an empty body is no body:
  // a spec may declare a Content-Type header input on an operation that sends none.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else json(request, body as string, done);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    parseMultipart(body as Buffer, req.headers['content-type'] ?? '').then(
      (fields) => done(null, fields),
      () => done(Object.assign(new Error('invalid multipart/form-data body'), { statusCode: 400 }), undefined),
    );
  });
  // Any other media type arrives as bytes and is relayed as such.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // The description is public, like a login page: it holds the API's shape and the kind of
  // credential it wants, never a secret. It is read once, at start, byte for byte as generated.
  const openapi = options.openapi ? readFileSync(options.openapi, 'utf8') : undefined;
  if (openapi !== undefined) {
    app.get(OPENAPI_PATH, async (_request, reply) => reply.type('application/json; charset=utf-8').send(openapi));
  }

  const check = authChecker(options.auth, options.bindings);
  if (check) {
    // Callback style rather than async: the shared-secret schemes answer at once. Replying ends the request (no done()).
    app.addHook('onRequest', (request, reply, done) => {
      if (openapi !== undefined && request.routeOptions.url === OPENAPI_PATH) return done();
      whenChecked(check(request.headers, request.url), (result) => {
        if (result.ok) return done();
        logAuthFailure(request.log, result);
        for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
        sendProblem(reply, problem(result.status, result.detail));
      }, done);
    });
  }
}

/** multipart/form-data → fields; file parts become bytes. Uses the platform's own parser. */
async function parseMultipart(body: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form.entries()) {
    fields[name] = typeof value === 'string' ? value : new Uint8Array(await value.arrayBuffer());
  }
  return fields;
}

/**
 * Cancels an upstream call when the caller goes away before the answer is sent, so the upstream
 * call stops too. A plain 'close' listener rather than an AbortSignal: creating and listening to
 * an AbortSignal per request cost more than the rest of a small route in the REST benchmark.
 * (Fastify's `request.signal` also fires once the request body has been read, which is too early.)
 */
export function onDisconnect(reply: FastifyReply): CancelSource {
  return (abort) => {
    const onClose = (): void => {
      if (!reply.raw.writableFinished) abort(new Error('caller disconnected'));
    };
    reply.raw.once('close', onClose);
    return () => reply.raw.removeListener('close', onClose);
  };
}

/** The caller request as a `forward`: wildcard path, raw query, trusted headers only, body re-encoded. */
export function forwardRequest(request: RouteRequest, trustedHeaders: readonly string[], prefix: string): ForwardRequest {
  const url = request.url;
  const q = url.indexOf('?');
  // The part of the raw (still encoded) path below the route's literal prefix, if the route has a wildcard.
  const rawPath = q < 0 ? url : url.slice(0, q);
  const path = prefix !== '' && rawPath.startsWith(prefix) ? rawPath.slice(prefix.length) : '';
  const headers: Record<string, string> = {};
  for (const name of trustedHeaders) {
    const value = request.headers[name.toLowerCase()];
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const type = request.headers['content-type'];
  if (type !== undefined && request.body !== undefined) headers['content-type'] = type;
  const body = request.body;
  const encoded =
    body === undefined || body === null ? undefined
      : body instanceof Uint8Array || typeof body === 'string' ? body
      : /x-www-form-urlencoded/.test(type ?? '') ? new URLSearchParams(body as Record<string, string>).toString()
      : JSON.stringify(body);
  return { method: request.method, path, query: q < 0 ? '' : url.slice(q + 1), headers, ...(encoded !== undefined ? { body: encoded } : {}) };
}

/**
 * A declared `in: body` input without a JSONPath: the body's field of that name when the JSON
 * root has one, else the whole body (the reference engine's rule).
 */
export function bodyInput(body: unknown, name: string): unknown {
  const value = field(body, name);
  return value !== undefined ? value : body;
}

/** A named field of a parsed form or JSON body, or undefined. */
export function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) return undefined;
  return Object.prototype.hasOwnProperty.call(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}
