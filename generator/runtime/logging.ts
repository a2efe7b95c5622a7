/**
 * Structured logs of generated servers: pino JSON lines, one per request (method, route, path,
 * status, duration, request id), upstream calls at debug. Secrets never reach a log line: request
 * and response headers, query strings and bodies are not logged at all, and the well-known
 * credential headers (plus the adapters' own API-key names) are redacted should anything try.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Header names that carry credentials whatever the spec says. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'ocp-apim-subscription-key'];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go: stdout normally, stderr when stdout carries MCP stdio; a stream in tests. */
  readonly destination: 'stdout' | 'stderr' | DestinationStream;
  /** Extra header or query names that carry secrets (the adapters' API-key names). */
  readonly secretNames?: readonly string[] | undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  const names = [...new Set([...SECRET_HEADERS, ...(options.secretNames ?? []).map((n) => n.toLowerCase())])]
    // fast-redact paths are code-like: only plain names can be written safely in brackets.
    .filter((n) => /^[a-z0-9_.-]+$/.test(n));
  const paths = names.flatMap((n) => [`req.headers["${n}"]`, `res.headers["${n}"]`, `headers["${n}"]`, `req.query["${n}"]`, `query["${n}"]`]);
  const destination =
    options.destination === 'stdout' ? pino.destination({ dest: 1, sync: true })
      : options.destination === 'stderr' ? pino.destination({ dest: 2, sync: true })
      : options.destination;
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths, censor: '[redacted]' },
      serializers: {
        // Fastify logs `req` on some errors; keep method and path only (a query may hold a key).
        req: (req: { method?: string; url?: string }) => ({ method: req.method, path: pathOf(req.url ?? '') }),
        res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}

/** An incoming `x-request-id` is kept when it is short and plain; anything else gets a fresh UUID. */
export function requestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : randomUUID();
}

/** Route config of built-in routes (health, readiness, metrics) whose successes log at debug. */
export const QUIET_ROUTE = { quiet: true } as const;

/** The request being handled, so upstream calls made on its behalf log its id. */
const context = new AsyncLocalStorage<string>();

export function currentRequestId(): string | undefined {
  return context.getStore();
}

export interface RequestLogOptions {
  /** Called once per finished request (metrics). */
  readonly onFinished?: (method: string, route: string, status: number, seconds: number) => void | undefined;
}

/**
 * Echoes the request id, runs the handler inside its context, and writes one line per request.
 * Installed on the root instance so that it covers every route, built-in or generated. Only what
 * the log level (and metrics) use is installed: the async context costs every promise of the
 * process something, and is needed only by the debug lines of upstream calls.
 */
export function installRequestLogging(app: FastifyInstance, options: RequestLogOptions = {}): void {
  app.addHook('onRequest', (request, reply, done) => {
    // On the raw response: MCP hijacks the reply and writes its own head, which merges these.
    reply.raw.setHeader('x-request-id', request.id);
    done();
  });
  if (enabled(app, 'debug')) app.addHook('preHandler', (request, _reply, done) => context.run(request.id, done));
  const logs = enabled(app, 'info');
  if (!logs && !options.onFinished) return;
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const seconds = reply.elapsedTime / 1000;
    if (logs) {
      // Probes and scrapes come every few seconds: keep them out of the info stream.
      const quiet = (request.routeOptions.config as { quiet?: boolean } | undefined)?.quiet === true && reply.statusCode < 400;
      request.log[quiet ? 'debug' : 'info'](
        { method: request.method, route, path: pathOf(request.url), status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    }
    options.onFinished?.(request.method, route, reply.statusCode, seconds);
    done();
  });
}

const LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** Whether the app's logger writes lines of `level` (a silent logger writes none). */
function enabled(app: FastifyInstance, level: 'debug' | 'info'): boolean {
  return (LEVEL_VALUES[app.log.level] ?? Infinity) <= LEVEL_VALUES[level]!;
}

/** The route pattern, never the concrete URL (bounded label values; no query). */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? '(unmatched)';
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
