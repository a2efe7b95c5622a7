/**
 * The runnable side of a generated capability: reads the server options (flags with
 * environment twins), starts the REST and MCP adapters, prints where they listen, and drains
 * in-flight requests on SIGTERM/SIGINT. Adapters bind to 127.0.0.1 unless told otherwise.
 */
import { parseArgs } from 'node:util';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { DestinationStream } from 'pino';
import type { ServerAuthSpec } from './auth.js';
import { Bindings, type BindSpec } from './bindings.js';
import { mountDocsUi } from './docs-ui.js';
import { mountHealth, readiness } from './health.js';
import { ResponseCache, type CacheEvent } from './cache.js';
import type { ClientOptions, UpstreamAttempt } from './http.js';
import { createLogger, currentRequestId, installRequestLogging, LOG_LEVELS, requestId, type LogLevel } from './logging.js';
import { mountMcpHttp, observeTools, serveMcpStdio } from './mcp.js';
import { mcpClientConfig, type LaunchCommand } from './mcp-config.js';
import { createMetrics, mountMetrics } from './metrics.js';
import { configureOAuth2, mountProtectedResourceMetadata, type OAuth2Settings } from './oauth2.js';
import { problemClientErrorHandler } from './problem.js';
import type { RetryPolicy } from './retry.js';

export interface Closeable {
  close(): Promise<void>;
}

export interface RestAdapterDefinition<Clients> {
  readonly namespace: string;
  readonly port: number;
  readonly address?: string | undefined;
  readonly auth?: ServerAuthSpec | undefined;
  readonly plugin: (app: FastifyInstance, options: { clients: Clients; bindings: Bindings; auth?: ServerAuthSpec | undefined }) => Promise<void>;
}

export interface McpAdapterDefinition<Clients> {
  readonly namespace: string;
  readonly port?: number | undefined;
  readonly address?: string | undefined;
  readonly transport: 'http' | 'stdio';
  readonly auth?: ServerAuthSpec | undefined;
  readonly description?: string | undefined;
  readonly register: (server: McpServer, context: { clients: Clients; bindings: Bindings }) => void;
}

/** Everything a generated `server.ts` hands to the runtime. */
export interface CapabilityDefinition<Clients extends Record<string, Closeable>> {
  readonly name: string;
  readonly version: string;
  /** `hostInputs`: base-URI host variables every operation takes from the caller instead. */
  readonly consumes: readonly { readonly namespace: string; readonly baseUri: string; readonly hostInputs?: readonly string[] }[];
  readonly binds: readonly BindSpec[];
  /** Absolute directory relative bind files are resolved against. */
  readonly bindsBaseDir: string;
  /** Bind variables the capability's templates use (readiness waits for these only). */
  readonly requires?: readonly string[] | undefined;
  readonly createClients: (optionsFor: (namespace: string) => ClientOptions) => Clients;
  readonly rest: readonly RestAdapterDefinition<Clients>[];
  readonly mcp: readonly McpAdapterDefinition<Clients>[];
}

export interface ServerOptions {
  /** Bind address of every adapter (default 127.0.0.1; the spec's `address` wins when set). */
  readonly host?: string | undefined;
  readonly restPort?: number | undefined;
  readonly mcpPort?: number | undefined;
  /** consumes namespace → base URI (replaces the spec's, templated host included). */
  readonly baseUris?: Readonly<Record<string, string>> | undefined;
  /** Base-URI host variables. */
  readonly variables?: Readonly<Record<string, string>> | undefined;
  readonly mcpTransport?: 'http' | 'stdio' | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retry?: Partial<RetryPolicy> | false | undefined;
  /** Largest upstream answer accepted, in bytes (default 16 MiB); a larger one is a 502. */
  readonly maxResponseBytes?: number | undefined;
  /** Extra host names accepted by the MCP endpoint's Host/Origin check. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Bind variable values given directly (embedding, tests). */
  readonly bindValues?: Readonly<Record<string, string>> | undefined;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Log level; the command line defaults to info, an embedding caller to silent. */
  readonly logLevel?: LogLevel | undefined;
  /** Shorthand for `logLevel: 'info'` (kept for embedding callers). */
  readonly logger?: boolean | undefined;
  /** Where JSON log lines go (default stdout, or stderr when MCP uses stdio). */
  readonly logDestination?: DestinationStream | undefined;
  /** Serve Prometheus metrics at `/metrics` (off by default). */
  readonly metrics?: boolean | undefined;
  /** Command line only: print an `mcpServers` client config and exit. */
  readonly printMcpConfig?: boolean | undefined;
  /** Response cache of cacheable operations (docs/caching.md): on by default, `false` forwards every call; an instance replaces the default one (tests: its clock). */
  readonly cache?: boolean | ResponseCache | undefined;
  /** Upstream budgets of the config file (requests in flight and per second): on by default; `false` ignores them. */
  readonly budget?: boolean | undefined;
    /** Stateful MCP sessions over HTTP (Mcp-Session-Id, GET stream, DELETE); stateless by default. */
  readonly mcpSessions?: boolean | undefined;
  /** A session idle this long is ended (default 300000 ms). */
  readonly mcpSessionIdleMs?: number | undefined;
  /** Most MCP sessions at once; more `initialize` requests get 503 (default 1000). */
  readonly mcpMaxSessions?: number | undefined;
  /** Key cache, refresh cooldown, fetch timeout and clock tolerance of `oauth2` adapters (embedding, tests). */
  readonly oauth2?: OAuth2Settings | undefined;
}

export interface RunningCapability<Clients> {
  readonly rest: readonly { namespace: string; url: string }[];
  readonly mcp: readonly { namespace: string; url: string }[];
  readonly clients: Clients;
  close(): Promise<void>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const SERVER_USAGE = `Options (each has an environment twin):
  --host <address>            bind address (NAFTIKO_HOST; default 127.0.0.1)
  --rest-port <port>          REST port (NAFTIKO_REST_PORT; default: the spec's; 0 = any free port)
  --mcp-port <port>           MCP port (NAFTIKO_MCP_PORT; default: the spec's; 0 = any free port)
  --base-uri <ns>=<url>       base URI of a consumes namespace, repeatable (NAFTIKO_BASE_URI="ns=url,...")
  --var <name>=<value>        base-URI host variable, repeatable (NAFTIKO_VAR_<name>)
  --mcp-transport http|stdio  MCP transport (NAFTIKO_MCP_TRANSPORT; default: the spec's)
  --timeout-ms <ms>           upstream timeout per attempt (NAFTIKO_TIMEOUT_MS; default 30000)
  --max-response-bytes <n>    largest upstream answer accepted, else 502 (NAFTIKO_MAX_RESPONSE_BYTES; default 16777216)
  --mcp-sessions              stateful MCP sessions over HTTP: Mcp-Session-Id, GET stream, DELETE (NAFTIKO_MCP_SESSIONS=1; default stateless)
  --mcp-session-idle-ms <ms>  end a session idle this long (NAFTIKO_MCP_SESSION_IDLE_MS; default 300000)
  --mcp-max-sessions <n>      most sessions at once, then 503 (NAFTIKO_MCP_MAX_SESSIONS; default 1000)
  --allowed-host <name>       extra Host accepted by /mcp, repeatable (NAFTIKO_ALLOWED_HOSTS="a,b")
  --log-level <level>         ${LOG_LEVELS.join('|')} (NAFTIKO_LOG_LEVEL; default info); JSON lines on stdout
  --metrics                   serve Prometheus metrics at /metrics (NAFTIKO_METRICS=1; default off)
  --cache on|off              cache what the spec and config mark cacheable (NAFTIKO_CACHE; default on)
  --budget on|off             keep to the config's upstream budgets (NAFTIKO_BUDGET; default on)
  --print-mcp-config          print an mcpServers client config (stdio and HTTP) and exit
  --help                      this text`;

/** Flags first, then `NAFTIKO_*` environment variables, then defaults. */
export function parseServerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): ServerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        'rest-port': { type: 'string' },
        'mcp-port': { type: 'string' },
        'base-uri': { type: 'string', multiple: true },
        var: { type: 'string', multiple: true },
        'mcp-transport': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-response-bytes': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        'mcp-sessions': { type: 'boolean' },
        'mcp-session-idle-ms': { type: 'string' },
        'mcp-max-sessions': { type: 'string' },
        'log-level': { type: 'string' },
        metrics: { type: 'boolean' },
        cache: { type: 'string' },
        budget: { type: 'string' },
        'print-mcp-config': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  const transport = values['mcp-transport'] ?? env.NAFTIKO_MCP_TRANSPORT;
  if (transport !== undefined && transport !== 'http' && transport !== 'stdio') {
    throw new UsageError(`--mcp-transport must be http or stdio, not "${transport}"`);
  }
  const level = values['log-level'] ?? (env.NAFTIKO_LOG_LEVEL || 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${level}"`);
  }
  const cache = (values.cache ?? env.NAFTIKO_CACHE ?? 'on').toLowerCase();
  if (cache !== 'on' && cache !== 'off') throw new UsageError(`--cache must be on or off, not "${cache}"`);
  const budget = (values.budget ?? env.NAFTIKO_BUDGET ?? 'on').toLowerCase();
  if (budget !== 'on' && budget !== 'off') throw new UsageError(`--budget must be on or off, not "${budget}"`);
  return {
    host: values.host ?? env.NAFTIKO_HOST,
    restPort: port('--rest-port', values['rest-port'] ?? env.NAFTIKO_REST_PORT),
    mcpPort: port('--mcp-port', values['mcp-port'] ?? env.NAFTIKO_MCP_PORT),
    baseUris: pairs('--base-uri', values['base-uri'] ?? split(env.NAFTIKO_BASE_URI)),
    variables: pairs('--var', values.var ?? []),
    mcpTransport: transport,
    timeoutMs: port('--timeout-ms', values['timeout-ms'] ?? env.NAFTIKO_TIMEOUT_MS, Number.MAX_SAFE_INTEGER),
    maxResponseBytes: port('--max-response-bytes', values['max-response-bytes'] ?? env.NAFTIKO_MAX_RESPONSE_BYTES, Number.MAX_SAFE_INTEGER),
    allowedHosts: values['allowed-host'] ?? split(env.NAFTIKO_ALLOWED_HOSTS),
    logLevel: level as LogLevel,
    metrics: values.metrics ?? flag('NAFTIKO_METRICS', env.NAFTIKO_METRICS),
    cache: cache === 'on',
    budget: budget === 'on',
    printMcpConfig: values['print-mcp-config'] ?? false,
    mcpSessions: values['mcp-sessions'] ?? flag('NAFTIKO_MCP_SESSIONS', env.NAFTIKO_MCP_SESSIONS),
    mcpSessionIdleMs: port('--mcp-session-idle-ms', values['mcp-session-idle-ms'] ?? env.NAFTIKO_MCP_SESSION_IDLE_MS, Number.MAX_SAFE_INTEGER),
    mcpMaxSessions: port('--mcp-max-sessions', values['mcp-max-sessions'] ?? env.NAFTIKO_MCP_MAX_SESSIONS, Number.MAX_SAFE_INTEGER),
    env,
  };
}

function port(flag: string, text: string | undefined, max = 65535): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${flag} must be a whole number from 0 to ${max}, not "${text}"`);
  return n;
}

function flag(name: string, text: string | undefined): boolean {
  if (text === undefined || /^(|0|false|no|off)$/i.test(text)) return false;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  throw new UsageError(`${name} must be 1 or 0, not "${text}"`);
}

function split(text: string | undefined): string[] {
  return text ? text.split(/[\s,]+/).filter(Boolean) : [];
}

function pairs(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} takes <name>=<value>, not "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

function mcpSessionOptions(options: ServerOptions): { idleMs: number; max: number } {
  return { idleMs: options.mcpSessionIdleMs || 300_000, max: Math.max(1, options.mcpMaxSessions ?? 1000) };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Starts every adapter of a capability; `close()` drains and stops them. */
export async function startCapability<Clients extends Record<string, Closeable>>(
  def: CapabilityDefinition<Clients>,
  options: ServerOptions = {},
): Promise<RunningCapability<Clients>> {
  const env = options.env ?? process.env;
  for (const ns of Object.keys(options.baseUris ?? {})) {
    if (!def.consumes.some((c) => c.namespace === ns)) {
      throw new UsageError(`--base-uri names "${ns}", which is not a consumes namespace of ${def.name} (${def.consumes.map((c) => c.namespace).join(', ')})`);
    }
  }
  const bindings = new Bindings(def.binds, { env, baseDir: def.bindsBaseDir, values: options.bindValues });
  if (options.oauth2) configureOAuth2(bindings, options.oauth2);
  const usesStdio = def.mcp.some((m) => (options.mcpTransport ?? m.transport) === 'stdio');
  const logger = createLogger({
    level: options.logLevel ?? (options.logger ? 'info' : 'silent'),
    // stdout belongs to the MCP stdio transport when it is used.
    destination: options.logDestination ?? (usesStdio ? 'stderr' : 'stdout'),
    secretNames: [...def.rest, ...def.mcp].flatMap((a) => (a.auth?.type === 'apikey' ? [a.auth.key] : [])),
  });
  const metrics = options.metrics ? await createMetrics() : undefined;
  const onAttempt =
    metrics || logger.isLevelEnabled('debug')
      ? (a: UpstreamAttempt): void => {
          logger.debug({ requestId: currentRequestId(), namespace: a.namespace, operation: a.operation, method: a.method, status: a.status, durationMs: round(a.durationMs) }, 'upstream call');
          metrics?.upstream(a.namespace, a.operation, String(a.status), a.durationMs / 1000);
        }
      : undefined;
  // One cache for every client, so REST routes and MCP tools share answers (and one set of counters).
  const onCacheEvent = metrics ? (event: CacheEvent, namespace: string): void => metrics.cache(namespace, event) : undefined;
  const cache = options.cache === false ? false : options.cache instanceof ResponseCache ? options.cache : new ResponseCache(onCacheEvent ? { onEvent: onCacheEvent } : {});
  const clients = def.createClients((namespace) => ({
    baseUri: options.baseUris?.[namespace],
    variables: options.variables,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    maxResponseBytes: options.maxResponseBytes,
    bindings,
    env,
    cache,
    ...(options.budget === false ? { budget: false as const } : {}),
    ...(onAttempt ? { onAttempt } : {}),
  }));
  const check = () =>
    readiness({ consumes: def.consumes, requires: def.requires ?? [], baseUris: options.baseUris ?? {}, variables: options.variables ?? {}, env, bindings });
  /** Built-ins go after the generated routes so that a spec's own /health, /ready... wins. */
  const mountBuiltIns = (app: FastifyInstance): void => {
    mountHealth(app, check);
    if (metrics) mountMetrics(app, metrics);
  };

  const apps: FastifyInstance[] = [];
  const rest: { namespace: string; url: string }[] = [];
  const mcp: { namespace: string; url: string }[] = [];
  let stopStdio: (() => Promise<void>) | undefined;
  const newApp = (): FastifyInstance => {
    const app = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      // Our own one line per request (logging.ts) replaces Fastify's incoming/completed pair.
      logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
      requestIdHeader: false,
      genReqId: (req) => requestId(req.headers['x-request-id']),
      routerOptions: { ignoreTrailingSlash: true },
      bodyLimit: 1024 * 1024,
      requestTimeout: 120_000,
      forceCloseConnections: 'idle',
      return503OnClosing: true,
      clientErrorHandler: problemClientErrorHandler,
    });
    installRequestLogging(app, metrics ? { onFinished: (m, route, status, seconds) => metrics.request(m, route, status, seconds) } : {});
    apps.push(app);
    return app;
  };
  const listen = async (app: FastifyInstance, host: string, portNumber: number): Promise<string> => {
    await app.listen({ host, port: portNumber });
    const address = app.server.address();
    const actual = typeof address === 'object' && address ? address.port : portNumber;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return `http://${shownHost}:${actual}`;
  };

  try {
    for (const adapter of def.rest) {
      const app = newApp();
      await app.register(adapter.plugin, { clients, bindings, auth: adapter.auth });
      // Outside the plugin, so outside its authentication: clients read it before they have a token.
      if (adapter.auth?.type === 'oauth2') mountProtectedResourceMetadata(app, adapter.auth, bindings, { adapterPath: '' });
      mountBuiltIns(app);
      mountDocsUi(app);
      const host = options.host ?? adapter.address ?? '127.0.0.1';
      rest.push({ namespace: adapter.namespace, url: await listen(app, host, options.restPort ?? adapter.port) });
    }
    for (const adapter of def.mcp) {
      // Stateless HTTP serves every request from one server; sessions build one each. They share
      // one JSON Schema validator, which the SDK would otherwise create (a new Ajv) per server.
      const jsonSchemaValidator = new AjvJsonSchemaValidator();
      const createServer = (requestIdOf?: (id: RequestId) => string | undefined): McpServer => {
        const server = new McpServer(
          { name: adapter.namespace, version: def.version },
          { jsonSchemaValidator, ...(adapter.description ? { instructions: adapter.description } : {}) },
        );
        observeTools(server, (tool, outcome, ms, id) => {
          logger.info({ requestId: (id !== undefined ? requestIdOf?.(id) : undefined) ?? currentRequestId(), tool, outcome, durationMs: round(ms) }, 'tool call');
          metrics?.tool(tool, outcome, ms / 1000);
        });
        adapter.register(server, { clients, bindings });
        return server;
      };
      if ((options.mcpTransport ?? adapter.transport) === 'stdio') {
        if (stopStdio) throw new UsageError('only one MCP adapter can use stdio');
        stopStdio = await serveMcpStdio(createServer);
        mcp.push({ namespace: adapter.namespace, url: 'stdio' });
        continue;
      }
      const app = newApp();
      const host = options.host ?? adapter.address ?? '127.0.0.1';
      const wildcard = host === '0.0.0.0' || host === '::';
      const extra = options.allowedHosts ?? [];
      const allowedHosts = wildcard && extra.length === 0 ? [] : [...LOOPBACK, host, ...extra];
      await app.register(async (scope) =>
        mountMcpHttp(scope, { createServer, auth: adapter.auth, bindings, allowedHosts, ...(options.mcpSessions ? { sessions: mcpSessionOptions(options) } : {}) }),
      );
      if (adapter.auth?.type === 'oauth2') mountProtectedResourceMetadata(app, adapter.auth, bindings, { adapterPath: '/mcp' });
      mountBuiltIns(app);
      mcp.push({ namespace: adapter.namespace, url: `${await listen(app, host, options.mcpPort ?? adapter.port ?? 0)}/mcp` });
    }
  } catch (error) {
    await Promise.allSettled(apps.map((a) => a.close()));
    await Promise.allSettled(Object.values(clients).map((c) => c.close()));
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    rest,
    mcp,
    clients,
    close() {
      closing ??= (async () => {
        // Keep-alive sockets that finish their in-flight request become idle after close()
        // started; close them as they do so the drain ends when the last response is sent.
        const sweep = setInterval(() => apps.forEach((a) => a.server.closeIdleConnections()), 25);
        await Promise.allSettled(apps.map((a) => a.close()));
        clearInterval(sweep);
        if (stopStdio) await stopStdio();
        await Promise.allSettled(Object.values(clients).map((c) => c.close()));
      })();
      return closing;
    },
  };
}

/**
 * CLI entry of a generated `server.ts`: start, print URLs, drain on SIGTERM/SIGINT, exit 0.
 * `launch` says how this server is started (for `--print-mcp-config`); by default the same
 * node, node options and entry file as this process.
 */
export async function runCapability<Clients extends Record<string, Closeable>>(
  def: CapabilityDefinition<Clients>,
  argv: readonly string[] = process.argv.slice(2),
  launch: LaunchCommand = { command: process.execPath, args: [...process.execArgv, ...(process.argv[1] ? [process.argv[1]] : [])] },
  /** Options a wrapper fixes on top of the command line (e.g. `logger`). */
  overrides: Partial<ServerOptions> = {},
): Promise<void> {
  let options: ServerOptions;
  try {
    options = { ...parseServerArgs(argv), ...overrides };
  } catch (error) {
    const message = (error as Error).message;
    process.stderr.write(`${message ? `error: ${message}\n\n` : ''}Usage: server [options]\n${SERVER_USAGE}\n`);
    process.exit(message ? 2 : 0);
  }
  if (options.printMcpConfig) {
    // Exit once written: on some platforms a pipe is asynchronous and an early exit truncates.
    process.stdout.write(`${JSON.stringify(mcpClientConfig(def, options, launch), null, 2)}\n`, () => process.exit(0));
    return;
  }
  let running: RunningCapability<Clients>;
  try {
    running = await startCapability(def, options);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // stdout belongs to the MCP stdio transport when it is used.
  const usesStdio = running.mcp.some((m) => m.url === 'stdio');
  const print = (line: string): void => void (usesStdio ? process.stderr : process.stdout).write(`${line}\n`);
  for (const r of running.rest) print(`REST ${r.namespace} listening on ${r.url}`);
  for (const m of running.mcp) print(m.url === 'stdio' ? `MCP ${m.namespace} on stdio` : `MCP ${m.namespace} listening on ${m.url}`);
  // On every interface the server cannot know its own names, so /mcp checks no Host (DNS rebinding).
  const open = running.mcp.filter((m) => /^http:\/\/(0\.0\.0\.0|\[::\]):/.test(m.url));
  if (open.length > 0 && (options.allowedHosts ?? []).length === 0) {
    process.stderr.write(`warning: MCP listens on all interfaces without --allowed-host: Host and Origin are not checked (DNS rebinding); pass --allowed-host <name>\n`);
  }

  const graceMs = Number(process.env.NAFTIKO_SHUTDOWN_GRACE_MS ?? 10_000);
  const shutdown = (signal: string): void => {
    print(`${signal}: draining and shutting down`);
    const timer = setTimeout(() => {
      process.stderr.write('shutdown grace period elapsed; exiting\n');
      process.exit(1);
    }, graceMs);
    timer.unref();
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (usesStdio) process.stdin.once('end', () => shutdown('stdin closed'));
}
