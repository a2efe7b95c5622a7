/**
 * Streamable HTTP for MCP without per-request rebuilds. Stateless mode (the default) serves every
 * POST from one McpServer built at start-up (one tool table, zod validators compiled once)
 * through `SharedHttpTransport`: a JSON-RPC exchange per HTTP request, answered as JSON, or as
 * an SSE stream when a request asks for progress. Request ids are renumbered on the way in so
 * that callers cannot collide in the shared server, and restored on the way out. Stateful mode
 * (`--mcp-sessions`) keeps the SDK's own transport, one per session, for the GET stream and
 * DELETE, with an idle timeout and a cap on the number of sessions.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The most messages one POST may carry (the SDK's own limit). */
const MAX_BATCH = 100;

/** An answer written before any JSON-RPC exchange starts (header checks). */
export interface HttpRefusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

interface Exchange {
  readonly res: ServerResponse;
  /** The Fastify request id, for the tool-call log line. */
  readonly requestId: string;
  /** Who sent it (credential digest), so a `notifications/cancelled` reaches only its own calls. */
  readonly caller: string;
  readonly stream: boolean;
  readonly answers: (JSONRPCMessage | undefined)[];
  readonly internal: number[];
  remaining: number;
  finished: boolean;
}

interface Pending {
  readonly exchange: Exchange;
  readonly index: number;
  readonly original: RequestId;
}

function isRequest(m: JSONRPCMessage): m is Extract<JSONRPCMessage, { method: string; id: RequestId }> {
  return 'method' in m && 'id' in m;
}

function isResponse(m: JSONRPCMessage): boolean {
  return 'id' in m && ('result' in m || 'error' in m);
}

/** Why a POST is refused before any message is dispatched (the same checks as the SDK's transport). */
export function checkPost(headers: IncomingMessage['headers'], body: unknown): HttpRefusal | JSONRPCMessage[] {
  const accept = headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return { status: 406, code: -32000, message: 'Not Acceptable: Client must accept both application/json and text/event-stream' };
  }
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return { status: 415, code: -32000, message: 'Unsupported Media Type: Content-Type must be application/json' };
  const raw = Array.isArray(body) ? body : [body];
  if (raw.length > MAX_BATCH) return { status: 400, code: -32600, message: `Invalid Request: Batch must not exceed ${MAX_BATCH} messages` };
  const messages: JSONRPCMessage[] = [];
  for (const item of raw) {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) return { status: 400, code: -32700, message: 'Parse error: Invalid JSON-RPC message' };
    messages.push(parsed.data);
  }
  const initialize = messages.some((m) => isRequest(m) && m.method === 'initialize');
  if (initialize && messages.length > 1) return { status: 400, code: -32600, message: 'Invalid Request: Only one initialization request is allowed' };
  if (!initialize) {
    const version = headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return { status: 400, code: -32000, message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})` };
    }
  }
  return messages;
}

/**
 * One long-lived transport under one McpServer, shared by every stateless HTTP request. The
 * server sees internal request ids only; an exchange's answers go back to its own HTTP response
 * with the caller's ids. A caller that disconnects cancels its calls (their AbortSignal fires,
 * so upstream requests are abandoned), as does a `notifications/cancelled` from the same caller
 * naming exactly one of its calls in flight.
 */
export class SharedHttpTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void | undefined;
  onclose?: () => void | undefined;
  onerror?: (error: Error) => void | undefined;
  private next = 0;
  private readonly pending = new Map<number, Pending>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.cancel(id, 'the server is closing');
    this.onclose?.();
  }

  /** The HTTP request id behind an internal request id (for logs). */
  requestIdOf(internal: RequestId): string | undefined {
    return typeof internal === 'number' ? this.pending.get(internal)?.exchange.requestId : undefined;
  }

  /** Calls of the server in flight (tests, metrics). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Dispatches one POST's messages; answers `res` (202, JSON or SSE) when they are done. */
  handle(messages: readonly JSONRPCMessage[], res: ServerResponse, context: { requestId: string; caller: string; headers: IncomingMessage['headers']; url: string }): void {
    const extra: MessageExtraInfo = { requestInfo: { headers: context.headers, url: new URL(context.url, 'http://localhost') } };
    const requests = messages.filter(isRequest);
    if (requests.length === 0) {
      for (const message of messages) this.deliver(message, context.caller, extra);
      res.writeHead(202).end();
      return;
    }
    const stream = requests.some((r) => (r.params?._meta as { progressToken?: unknown } | undefined)?.progressToken !== undefined);
    const exchange: Exchange = { res, requestId: context.requestId, caller: context.caller, stream, answers: [], internal: [], remaining: requests.length, finished: false };
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    }
    res.on('close', () => {
      if (exchange.finished) return;
      exchange.finished = true;
      for (const id of exchange.internal) this.cancel(id, 'the client disconnected');
    });
    for (const message of messages) {
      if (!isRequest(message)) {
        this.deliver(message, context.caller, extra);
        continue;
      }
      const id = (this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER);
      this.pending.set(id, { exchange, index: exchange.internal.length, original: message.id });
      exchange.internal.push(id);
      this.onmessage?.({ ...message, id }, extra);
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const id = (message as { id: RequestId }).id;
      const entry = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (!entry) return;
      this.pending.delete(id as number);
      const { exchange } = entry;
      if (exchange.finished) return;
      const answer = { ...message, id: entry.original } as JSONRPCMessage;
      exchange.remaining -= 1;
      if (exchange.stream) {
        exchange.res.write(sse(answer));
        if (exchange.remaining === 0) this.finish(exchange);
        return;
      }
      exchange.answers[entry.index] = answer;
      if (exchange.remaining === 0) {
        this.finish(exchange);
      }
      return;
    }
    // Notifications (progress) and server requests travel on the stream of the call they belong to.
    const related = options?.relatedRequestId;
    const entry = typeof related === 'number' ? this.pending.get(related) : undefined;
    if (entry?.exchange.stream && !entry.exchange.finished) entry.exchange.res.write(sse(message));
  }

  private finish(exchange: Exchange): void {
    exchange.finished = true;
    if (exchange.stream) {
      exchange.res.end();
      return;
    }
    const answers = exchange.answers.filter((a) => a !== undefined);
    if (answers.length === 0) {
      exchange.res.writeHead(202).end();
      return;
    }
    // A single request is answered with its response; a batch with the list (the SDK does the same).
    const body = exchange.internal.length === 1 ? JSON.stringify(answers[0]) : JSON.stringify(answers);
    exchange.res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  private deliver(message: JSONRPCMessage, caller: string, extra: MessageExtraInfo): void {
    if ('method' in message && message.method === 'notifications/cancelled') {
      // The caller's id names its own call: cancel it only when exactly one of its calls in flight has it.
      const wanted = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      const matches = [...this.pending].filter(([, p]) => p.exchange.caller === caller && p.original === wanted);
      if (matches.length === 1) this.cancel(matches[0]![0], (message.params as { reason?: string }).reason ?? 'cancelled by the client');
      return;
    }
    this.onmessage?.(message, extra);
  }

  private cancel(id: number, reason: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
    const { exchange } = entry;
    exchange.remaining -= 1;
    if (!exchange.finished && exchange.remaining === 0) {
      // Cancelled calls get no answer (JSON-RPC); an exchange left with none answers 202 or ends its stream.
      this.finish(exchange);
    }
  }
}

function sse(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

export interface McpSessionOptions {
  /** A session without a request for this long is ended (ms). */
  readonly idleMs: number;
  /** Most sessions alive at once; an `initialize` beyond it is refused with 503. */
  readonly max: number;
}

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
  open: number;
  timer?: NodeJS.Timeout | undefined;
}

/**
 * Stateful Streamable HTTP: a session (its own McpServer and the SDK's transport) per
 * `initialize`, found by `Mcp-Session-Id`; ended by DELETE, by the idle timeout, or at shutdown.
 */
export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being initialized (counted against the cap until they are known). */
  private starting = 0;

  constructor(
    private readonly createServer: () => McpServer,
    private readonly options: McpSessionOptions,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Handles a POST, GET or DELETE; `refuse` writes a JSON-RPC error with an HTTP status. */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, refuse: (r: HttpRefusal) => void): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const id = typeof header === 'string' ? header : undefined;
    if (id === undefined) {
      const initialize = req.method === 'POST' && !Array.isArray(body) && (body as { method?: unknown } | null)?.method === 'initialize';
      if (!initialize) return refuse({ status: 400, code: -32000, message: 'Bad Request: Mcp-Session-Id header is required' });
      if (this.sessions.size + this.starting >= this.options.max) {
        return refuse({ status: 503, code: -32000, message: 'Service unavailable: too many MCP sessions; retry later', headers: { 'retry-after': String(Math.ceil(this.options.idleMs / 1000)) } });
      }
      return this.start(req, res, body);
    }
    const session = this.sessions.get(id);
    if (!session) return refuse({ status: 404, code: -32001, message: 'Session not found' });
    this.touch(id, session, res);
    await session.transport.handleRequest(req, res, body);
  }

  private async start(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const server = this.createServer();
    let session: Session | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { server, transport, open: 0 };
        this.sessions.set(id, session);
        this.touch(id, session, res);
      },
      onsessionclosed: (id) => this.end(id),
    });
    this.starting += 1;
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      this.starting -= 1;
      if (!session) void server.close();
    }
  }

  /** Counts the request as activity: the idle clock runs only while no request of the session is open. */
  private touch(id: string, session: Session, res: ServerResponse): void {
    clearTimeout(session.timer);
    session.timer = undefined;
    session.open += 1;
    res.once('close', () => {
      session.open -= 1;
      if (session.open === 0 && this.sessions.get(id) === session) {
        session.timer = setTimeout(() => this.end(id), this.options.idleMs);
        session.timer.unref();
      }
    });
  }

  private end(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    clearTimeout(session.timer);
    void session.server.close();
  }

  /** Ends every session (shutdown). */
  close(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
  }
}
