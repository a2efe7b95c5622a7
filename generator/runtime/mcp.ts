/**
 * What generated MCP registrations share: turning an upstream answer or failure into a tool
 * result, and serving an McpServer over stateless Streamable HTTP (inside Fastify) or stdio.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, type CallToolResult, type ReadResourceResult, type RequestId, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { authChecker, logAuthFailure, whenChecked, type ServerAuthSpec } from './auth.js';
import type { Bindings } from './bindings.js';
import { NaftikoError, UpstreamHttpError, UpstreamResponseTooLargeError } from './errors.js';
import type { UpstreamResponse } from './http.js';
import { isJsonObject } from './json.js';
import { checkPost, McpSessions, SharedHttpTransport, type HttpRefusal, type McpSessionOptions } from './mcp-http.js';

/**
 * A zod schema, as loosely as TypeScript can check it cheaply: comparing a `z.object(...)` with
 * `ZodType` makes the checker compute the object's whole output type, per tool.
 */
export interface ZodSchemaLike {
  readonly _zod: object;
}

/** A generated tool's registration data; `inputSchema` is built from the same inputs as its arguments' type. */
export interface ToolConfig {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly inputSchema: ZodSchemaLike;
  readonly annotations?: ToolAnnotations | undefined;
}

/** What a generated tool handler uses of the SDK's request context. */
export interface ToolExtra {
  readonly signal: AbortSignal;
}

type ToolRegistration<A> = (name: string, config: ToolConfig, handler: (args: A, extra: ToolExtra) => Promise<CallToolResult>) => unknown;

/**
 * Registers one generated tool with `server.registerTool`. The SDK infers a handler's arguments
 * from the zod schema through layers of conditional types, per tool, which cost the type checker
 * more than everything else in a tool; the generator writes the arguments' type `A` from the same
 * inputs it builds the schema from (a unit test keeps the two in agreement).
 */
export function addTool<A>(server: McpServer, name: string, config: ToolConfig, handler: (args: A, extra: ToolExtra) => Promise<CallToolResult>): void {
  (server.registerTool.bind(server) as unknown as ToolRegistration<A>)(name, config, handler);
}

/** Runs one upstream call and shapes the tool result; failures become `isError` results. */
export async function toolResult(call: () => Promise<UpstreamResponse>, method: string, maxBytes?: number): Promise<CallToolResult> {
  try {
    const response = await call();
    // The adapter's `maxBinarySize` (Ikanos beta5): a larger binary answer is a tool error.
    if (maxBytes !== undefined && response.body.length > maxBytes) throw new UpstreamResponseTooLargeError('upstream', maxBytes);
    if (method === 'HEAD') {
      const summary = { status: response.status, headers: response.headers };
      return { content: [{ type: 'text', text: JSON.stringify(summary) }], structuredContent: summary };
    }
    return successResult(response);
  } catch (error) {
    return errorResult(error);
  }
}

/** A JSON value computed by generated code (mapped outputs, mocks) as a tool result. */
export function jsonResult(value: unknown): CallToolResult {
  const text = JSON.stringify(value ?? null);
  return isJsonObject(value)
    ? { content: [{ type: 'text', text }], structuredContent: value }
    : { content: [{ type: 'text', text }] };
}

function successResult(response: UpstreamResponse): CallToolResult {
  if (response.data !== undefined) return jsonResult(response.data);
  if (response.body.length === 0) {
    return { content: [{ type: 'text', text: `HTTP ${response.status} (no content)` }], structuredContent: { status: response.status } };
  }
  const type = response.headers['content-type'] ?? 'application/octet-stream';
  if (isTextual(type)) return { content: [{ type: 'text', text: Buffer.from(response.body).toString('utf8') }] };
  // Images and audio as MCP image/audio content; other bytes as an embedded blob resource.
  const mimeType = type.split(';')[0]!.trim();
  if (/^image\//i.test(mimeType)) return { content: [{ type: 'image', data: Buffer.from(response.body).toString('base64'), mimeType }] };
  if (/^audio\//i.test(mimeType)) return { content: [{ type: 'audio', data: Buffer.from(response.body).toString('base64'), mimeType }] };
  return {
    content: [
      {
        type: 'resource',
        resource: { uri: 'data:response', mimeType: type, blob: Buffer.from(response.body).toString('base64') },
      },
    ],
  };
}

/** Model-readable failure: status plus upstream `error`/`error_description`, never secrets. */
export function errorResult(error: unknown): CallToolResult {
  if (error instanceof UpstreamHttpError) {
    const structured: Record<string, unknown> = { status: error.status };
    if (error.data !== undefined) structured.body = error.data;
    else if (error.body.length > 0) structured.body = Buffer.from(error.body).toString('utf8').slice(0, 2000);
    return { isError: true, content: [{ type: 'text', text: error.message }], structuredContent: structured };
  }
  if (error instanceof NaftikoError) {
    return { isError: true, content: [{ type: 'text', text: error.message }], structuredContent: { status: error.status } };
  }
  return { isError: true, content: [{ type: 'text', text: 'the tool failed unexpectedly' }] };
}

function isTextual(type: string): boolean {
  return /^text\/|json|xml|yaml|csv|javascript|x-www-form-urlencoded/i.test(type);
}

export interface McpHttpOptions {
  /**
   * Builds an McpServer: once at start-up for stateless HTTP (every request shares it), or once
   * per session with sessions on. `requestIdOf` turns a JSON-RPC request id the server sees into
   * the HTTP request's id, for its log lines.
   */
  readonly createServer: (requestIdOf?: (id: RequestId) => string | undefined) => McpServer;
  readonly auth?: ServerAuthSpec | undefined;
  readonly bindings: Bindings;
  /** Host names accepted in `Host` and `Origin` (DNS-rebinding protection); empty = any. */
  readonly allowedHosts: readonly string[];
  readonly path?: string | undefined;
  /** Stateful sessions (`Mcp-Session-Id`, the GET stream, DELETE); stateless when absent. */
  readonly sessions?: McpSessionOptions | undefined;
}

const PARSE_ERROR_EMPTY = Symbol('empty body');
const PARSE_ERROR_INVALID = Symbol('invalid JSON');

/** Serves MCP at `/mcp` (POST; GET and DELETE answer 405 in stateless mode, and serve the session with sessions on). */
export function mountMcpHttp(app: FastifyInstance, options: McpHttpOptions): void {
  const path = options.path ?? '/mcp';
  const check = authChecker(options.auth, options.bindings, { adapterPath: path });
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));

  // JSON-RPC answers malformed JSON with a -32700 parse error, not Fastify's own 400 body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, PARSE_ERROR_EMPTY);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, PARSE_ERROR_INVALID);
    }
  });

  // Bodies Fastify refuses before the transport sees them (invalid JSON, too large, another media
  // type) still get a JSON-RPC error body, as the transport itself would answer.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const parse = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError;
    const message = parse ? 'Parse error: the body is not valid JSON' : status === 500 ? 'Internal error' : (STATUS_CODES[status] ?? 'Bad Request');
    return reply.code(status).type('application/json').send(rpcError(parse ? -32700 : status === 500 ? -32603 : -32000, message));
  });

  // Callback style rather than async: the shared-secret schemes answer at once. Replying ends the request (no done()).
  app.addHook('onRequest', (request, reply, done) => {
    if (allowed.size > 0) {
      const host = hostnameOf(request.headers.host);
      const origin = request.headers.origin;
      const originHost = origin ? hostnameOf(safeUrlHost(origin)) : undefined;
      if (!host || !allowed.has(host) || (origin !== undefined && (!originHost || !allowed.has(originHost)))) {
        reply.code(403).type('application/json').send(rpcError(-32000, 'Forbidden: host or origin not allowed'));
        return;
      }
    }
    if (!check) return done();
    whenChecked(check(request.headers, request.url), (result) => {
      if (result.ok) return done();
      logAuthFailure(request.log, result);
      for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
      const message = result.status === 401 ? 'Unauthorized' : result.status === 403 ? 'Forbidden: insufficient scope' : 'Service unavailable: the access token cannot be verified right now';
      reply.code(result.status).type('application/json').send(rpcError(-32001, message));
    }, done);
  });

  const refuse = (reply: FastifyReply, r: HttpRefusal): void => {
    reply.hijack();
    reply.raw.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(rpcError(r.code, r.message));
  };
  const parseFailure = (request: { body: unknown }, reply: FastifyReply): boolean => {
    if (request.body !== PARSE_ERROR_EMPTY && request.body !== PARSE_ERROR_INVALID) return false;
    const detail = request.body === PARSE_ERROR_EMPTY ? 'empty body' : 'invalid JSON';
    refuse(reply, { status: 400, code: -32700, message: `Parse error: ${detail}` });
    return true;
  };

  if (options.sessions) {
    const sessions = new McpSessions(() => options.createServer(), options.sessions);
    app.addHook('onClose', async () => sessions.close());
    const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (request.method === 'POST' && parseFailure(request, reply)) return;
      reply.hijack();
      try {
        await sessions.handle(request.raw, reply.raw, request.body, (r) => {
          if (!reply.raw.headersSent) reply.raw.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(rpcError(r.code, r.message));
        });
      } catch {
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(rpcError(-32603, 'Internal error'));
      }
    };
    app.post(path, serve);
    app.get(path, serve);
    app.delete(path, serve);
    return;
  }

  // Stateless: one server and one transport for every request, built here once.
  const transport = new SharedHttpTransport();
  const server = options.createServer((id) => transport.requestIdOf(id));
  const connected = server.connect(transport);
  app.addHook('onClose', async () => server.close());
  const apiKeyHeader = options.auth?.type === 'apikey' && options.auth.placement !== 'query' ? options.auth.key.toLowerCase() : undefined;
  app.post(path, async (request, reply) => {
    if (parseFailure(request, reply)) return;
    const checked = checkPost(request.headers, request.body);
    if (!Array.isArray(checked)) return refuse(reply, checked);
    await connected;
    reply.hijack();
    // Who is calling, so that a cancellation reaches only the caller's own calls.
    const caller = `${request.headers.authorization ?? ''}\n${apiKeyHeader ? String(request.headers[apiKeyHeader] ?? '') : ''}`;
    try {
      transport.handle(checked, reply.raw, { requestId: request.id, caller, headers: request.headers, url: request.url });
    } catch {
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(rpcError(-32603, 'Internal error'));
    }
  });
  const notAllowed = async (_request: unknown, reply: FastifyReply) =>
    reply.code(405).header('allow', 'POST').type('application/json').send(rpcError(-32000, 'Method not allowed'));
  app.get(path, notAllowed);
  app.delete(path, notAllowed);
}

/** Serves one McpServer over stdin/stdout until stdin closes. */
export async function serveMcpStdio(createServer: () => McpServer): Promise<() => Promise<void>> {
  const server = createServer();
  const transport = new StdioServerTransport();
  await server.connect(transport);
  return () => server.close();
}

function rpcError(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
}

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase();
  return host.split(':')[0]!.toLowerCase();
}

function safeUrlHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Runs generated code that computes a JSON value (mapped outputs); failures become `isError`. */
export async function toolJson(run: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return jsonResult(await run());
  } catch (error) {
    return errorResult(error);
  }
}

/** A dynamic MCP resource: the upstream answer as text (error bodies too, as the engine does). */
export async function resourceResult(uri: string, mimeType: string, call: () => Promise<UpstreamResponse>, binary = false): Promise<ReadResourceResult> {
  let text: string;
  try {
    const response = await call();
    // A binary resource (Ikanos beta5 `binary: true`): the bytes as a base64 blob.
    if (binary) return { contents: [{ uri, mimeType, blob: Buffer.from(response.body).toString('base64') }] };
    text = response.data !== undefined ? JSON.stringify(response.data) : Buffer.from(response.body).toString('utf8');
  } catch (error) {
    if (!(error instanceof UpstreamHttpError)) throw error;
    text = Buffer.from(error.body).toString('utf8');
  }
  return { contents: [{ uri, mimeType, text }] };
}

/** Prompt templates: `{{argument}}` is replaced; a missing argument leaves its placeholder, values are never re-read. */
export function renderPrompt(template: string, args: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{\{([a-zA-Z0-9_]+)\}\}/g, (whole, name: string) => args[name] ?? whole);
}

/** Told about every tool call once it ends (logs, metrics); must not throw. */
export type ToolObserver = (tool: string, outcome: 'success' | 'error', durationMs: number, requestId?: RequestId) => void;

/**
 * Adds the spec's freshness hints (`ttlMs`, `cacheScope`: Ikanos beta5) to every result the
 * server answers after this call (tools, resources and prompts, lists and calls), as top-level
 * result fields: the MCP caching hints the reference engine appends. Call before registrations.
 */
export function cacheHints(server: McpServer, hints: { readonly ttlMs?: number; readonly cacheScope?: 'public' | 'private' }): void {
  type Handler = (request: unknown, extra: unknown) => Promise<object>;
  const inner = server.server as unknown as { setRequestHandler(schema: unknown, handler: Handler): void };
  const setHandler = inner.setRequestHandler.bind(inner);
  inner.setRequestHandler = (schema, handler) => setHandler(schema, async (request, extra) => ({ ...(await handler(request, extra)), ...hints }));
}

/**
 * Observes every `tools/call` an McpServer answers, invalid arguments and unknown tools included
 * (the SDK answers those before any tool callback runs): an `isError` result or a protocol error
 * is an error. Unknown names are reported as `(unknown)` so callers cannot invent label values.
 * Call before the generated registrations run.
 */
export function observeTools(server: McpServer, observe: ToolObserver): void {
  const known = new Set<string>();
  const register = server.registerTool.bind(server) as (name: string, ...rest: unknown[]) => unknown;
  (server as unknown as { registerTool: typeof register }).registerTool = (name, ...rest) => {
    known.add(name);
    return register(name, ...rest);
  };
  type Handler = (request: { params: { name: string } }, extra: { requestId?: RequestId }) => Promise<CallToolResult>;
  const inner = server.server as unknown as { setRequestHandler(schema: unknown, handler: Handler): void };
  const setHandler = inner.setRequestHandler.bind(inner);
  inner.setRequestHandler = (schema, handler) => {
    if (schema !== CallToolRequestSchema) return setHandler(schema, handler);
    setHandler(schema, async (request, extra) => {
      const tool = known.has(request.params.name) ? request.params.name : '(unknown)';
      const started = performance.now();
      try {
        const result = await handler(request, extra);
        observe(tool, result.isError ? 'error' : 'success', performance.now() - started, extra.requestId);
        return result;
      } catch (error) {
        observe(tool, 'error', performance.now() - started, extra.requestId);
        throw error;
      }
    });
  };
}
