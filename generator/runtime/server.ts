/**
 * The runnable side of a generated capability: reads the server options (flags with
 * environment twins), starts the REST and MCP adapters, prints where they listen, and drains
 * in-flight requests on SIGTERM/SIGINT. Adapters bind to 127.0.0.1 unless told otherwise.
 */
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerAuthSpec } from './auth.js';
import { Bindings, type BindSpec } from './bindings.js';
import type { ClientOptions } from './http.js';
import { requestLogSerializer } from './logging.js';
import { mountMcpHttp, serveMcpStdio } from './mcp.js';
import { problemClientErrorHandler } from './problem.js';
import type { RetryPolicy } from './retry.js';

export interface Closeable {
  close(): Promise<void>;
}

export interface RestAdapterDefinition<Clients> {
  readonly namespace: string;
  readonly port: number;
  readonly address?: string;
  readonly auth?: ServerAuthSpec;
  readonly plugin: (app: FastifyInstance, options: { clients: Clients; bindings: Bindings; auth?: ServerAuthSpec }) => Promise<void>;
}

export interface McpAdapterDefinition<Clients> {
  readonly namespace: string;
  readonly port?: number;
  readonly address?: string;
  readonly transport: 'http' | 'stdio';
  readonly auth?: ServerAuthSpec;
  readonly description?: string;
  readonly register: (server: McpServer, context: { clients: Clients; bindings: Bindings }) => void;
}

/** Everything a generated `server.ts` hands to the runtime. */
export interface CapabilityDefinition<Clients extends Record<string, Closeable>> {
  readonly name: string;
  readonly version: string;
  readonly consumes: readonly { readonly namespace: string; readonly baseUri: string }[];
  readonly binds: readonly BindSpec[];
  /** Absolute directory relative bind files are resolved against. */
  readonly bindsBaseDir: string;
  readonly createClients: (optionsFor: (namespace: string) => ClientOptions) => Clients;
  readonly rest: readonly RestAdapterDefinition<Clients>[];
  readonly mcp: readonly McpAdapterDefinition<Clients>[];
}

export interface ServerOptions {
  /** Bind address of every adapter (default 127.0.0.1; the spec's `address` wins when set). */
  readonly host?: string;
  readonly restPort?: number;
  readonly mcpPort?: number;
  /** consumes namespace → base URI (replaces the spec's, templated host included). */
  readonly baseUris?: Readonly<Record<string, string>>;
  /** Base-URI host variables. */
  readonly variables?: Readonly<Record<string, string>>;
  readonly mcpTransport?: 'http' | 'stdio';
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy> | false;
  /** Largest upstream answer accepted, in bytes (default 16 MiB); a larger one is a 502. */
  readonly maxResponseBytes?: number;
  /** Extra host names accepted by the MCP endpoint's Host/Origin check. */
  readonly allowedHosts?: readonly string[];
  /** Bind variable values given directly (embedding, tests). */
  readonly bindValues?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Fastify request logging (off by default). */
  readonly logger?: boolean;
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
  --allowed-host <name>       extra Host accepted by /mcp, repeatable (NAFTIKO_ALLOWED_HOSTS="a,b")
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
    env,
  };
}

function port(flag: string, text: string | undefined, max = 65535): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${flag} must be a whole number from 0 to ${max}, not "${text}"`);
  return n;
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
  const clients = def.createClients((namespace) => ({
    baseUri: options.baseUris?.[namespace],
    variables: options.variables,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    maxResponseBytes: options.maxResponseBytes,
    bindings,
    env,
  }));

  const apps: FastifyInstance[] = [];
  const rest: { namespace: string; url: string }[] = [];
  const mcp: { namespace: string; url: string }[] = [];
  let stopStdio: (() => Promise<void>) | undefined;
  const newApp = (auth: ServerAuthSpec | undefined): FastifyInstance => {
    // A query apikey is a credential in every URL: its value never reaches the log.
    const queryKey = auth?.type === 'apikey' && auth.placement === 'query' ? [auth.key] : [];
    const app = Fastify({
      logger: options.logger ? { serializers: { req: requestLogSerializer(queryKey) } } : false,
      routerOptions: { ignoreTrailingSlash: true },
      bodyLimit: 1024 * 1024,
      requestTimeout: 120_000,
      forceCloseConnections: 'idle',
      return503OnClosing: true,
      clientErrorHandler: problemClientErrorHandler,
    });
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
      const app = newApp(adapter.auth);
      await app.register(adapter.plugin, { clients, bindings, auth: adapter.auth });
      const host = options.host ?? adapter.address ?? '127.0.0.1';
      rest.push({ namespace: adapter.namespace, url: await listen(app, host, options.restPort ?? adapter.port) });
    }
    for (const adapter of def.mcp) {
      const createServer = (): McpServer => {
        const server = new McpServer(
          { name: adapter.namespace, version: def.version },
          adapter.description ? { instructions: adapter.description } : {},
        );
        adapter.register(server, { clients, bindings });
        return server;
      };
      if ((options.mcpTransport ?? adapter.transport) === 'stdio') {
        if (stopStdio) throw new UsageError('only one MCP adapter can use stdio');
        stopStdio = await serveMcpStdio(createServer);
        mcp.push({ namespace: adapter.namespace, url: 'stdio' });
        continue;
      }
      const app = newApp(adapter.auth);
      const host = options.host ?? adapter.address ?? '127.0.0.1';
      const wildcard = host === '0.0.0.0' || host === '::';
      const extra = options.allowedHosts ?? [];
      const allowedHosts = wildcard && extra.length === 0 ? [] : [...LOOPBACK, host, ...extra];
      await app.register(async (scope) =>
        mountMcpHttp(scope, { createServer, auth: adapter.auth, bindings, allowedHosts }),
      );
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

/** CLI entry of a generated `server.ts`: start, print URLs, drain on SIGTERM/SIGINT, exit 0. */
export async function runCapability<Clients extends Record<string, Closeable>>(
  def: CapabilityDefinition<Clients>,
  argv: readonly string[] = process.argv.slice(2),
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
