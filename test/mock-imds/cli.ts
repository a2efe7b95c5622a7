/**
 * Run the mock IMDS standalone:
 *
 *   npm run mock-imds -- --port 8099 [--host 127.0.0.1] [--lenient] [--lifetime 86400]
 *
 * Prints one line with the listening URL on stdout and logs one line per
 * request on stderr (method, path, query, status, fault). Tokens are never
 * logged: only request data is printed, never response bodies.
 */
import { startMockImds, TOKEN_PATH } from './mock-imds.js';
import type { RecordedRequest } from './mock-imds.js';

interface CliArgs {
  port: number;
  host: string;
  lenient: boolean;
  lifetime?: number;
}

const USAGE = `usage: mock-imds [--port N] [--host ADDR] [--lenient] [--lifetime SECONDS]
  --port N           port to listen on (default 0 = pick a free port)
  --host ADDR        bind address (default 127.0.0.1; keep it on loopback)
  --lenient          accept the Metadata header case-insensitively
  --lifetime SECONDS lifetime of minted tokens (default 86400)`;

function fail(message: string): never {
  process.stderr.write(`mock-imds: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { port: 0, host: '127.0.0.1', lenient: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') fail(`${flag} needs a value`);
      return v;
    };
    const int = (v: string, max: number): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > max) fail(`invalid value for ${flag}: ${v}`);
      return n;
    };
    switch (flag) {
      case '--port':
        args.port = int(value(), 65535);
        break;
      case '--host':
        args.host = value();
        break;
      case '--lenient':
        args.lenient = true;
        break;
      case '--lifetime':
        args.lifetime = int(value(), 10 * 365 * 86400);
        break;
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        fail(`unknown argument: ${arg}`);
    }
  }
  return args;
}

/** One log line per request; contains no token (responses are not recorded). */
function logLine(r: RecordedRequest): string {
  const query = r.rawQuery ? `?${r.rawQuery}` : '';
  const status = r.status === undefined ? '-' : String(r.status);
  const fault = r.fault ? ` fault=${r.fault}` : '';
  return `${new Date().toISOString()} #${r.seq} ${r.method} ${r.path}${query} -> ${status}${fault} metadata=${
    r.headers['metadata'] ?? '(none)'
  } request-id=${r.requestId}\n`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loopback = args.host === '127.0.0.1' || args.host === '::1' || args.host === 'localhost';
  if (!loopback) {
    process.stderr.write(`mock-imds: warning: binding ${args.host}; anyone who can reach it can get (fake) tokens\n`);
  }
  const mock = await startMockImds({
    host: args.host,
    port: args.port,
    lenientMetadataHeader: args.lenient,
    ...(args.lifetime !== undefined ? { tokenLifetimeSec: args.lifetime } : {}),
    onRequestComplete: (r) => {
      process.stderr.write(logLine(r));
      // Standalone runs can last long; do not keep every request in memory.
      mock.clearRequests();
    },
  });
  process.stdout.write(`mock IMDS listening on ${mock.url} (token endpoint: ${mock.url}${TOKEN_PATH})\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`mock-imds: ${signal}, shutting down\n`);
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`mock-imds: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
