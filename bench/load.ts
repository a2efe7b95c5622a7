// `npm run load`: the generated IMDS server (a child process, as operators run it) in front of the
// mock IMDS, under autocannon at high concurrency on the REST token route; then SIGTERM during
// load. Prints requests served, errors, p50/p99 latency, the server's RSS before and after, and
// what happened to in-flight and new requests at shutdown.
//   LOAD_CONNECTIONS (100), LOAD_SECONDS (10), LOAD_UPSTREAM_DELAY_MS (300, shutdown phase only)
import { createRequire } from 'node:module';
import { classify, hammer, rssMiB, spawnImdsServer } from '../test/helpers/load.js';
import { startMockImds } from '../test/mock-imds/mock-imds.js';

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (options: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<AutocannonResult>;
// autocannon ships no type declarations; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 100);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const DELAY_MS = Number(process.env.LOAD_UPSTREAM_DELAY_MS ?? 300);
const GRACE_MS = 10_000;
const TOKEN = 'load-proxy-token';
const HEADERS = { authorization: `Bearer ${TOKEN}` };
const NS = 'instancemetadataclient-get-token';
const mib = (n: number | undefined): string => (n === undefined ? 'n/a' : `${n.toFixed(1)} MiB`);

const mock = await startMockImds();
// The mock records every request; keep its memory flat during long runs.
const trim = setInterval(() => mock.clearRequests(), 1_000);
const server = await spawnImdsServer(['--rest-port', '0', '--mcp-port', '0', '--base-uri', `${NS}=${mock.baseUri}`], {
  IMDS_PROXY_TOKEN: TOKEN,
  NAFTIKO_SHUTDOWN_GRACE_MS: String(GRACE_MS),
});
const url = `${server.rest}/v1/identity/oauth2/token?resource=${encodeURIComponent('https://management.azure.com/')}`;
const pid = server.child.pid!;
console.log(`server pid ${pid} at ${server.rest}; ${CONNECTIONS} connections, ${SECONDS} s`);

const rssIdle = rssMiB(pid);
await autocannon({ url, connections: CONNECTIONS, duration: 2, headers: HEADERS }); // warm-up (JIT, pools)
const rssWarm = rssMiB(pid);
const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: HEADERS });
const rssAfter = rssMiB(pid);
const ok = result.statusCodeStats?.['200']?.count ?? result.requests.total - result.non2xx;
console.log(`load: ${result.requests.total} requests served (${ok} × 200) in ${SECONDS} s = ${Math.round(result.requests.average)} req/s`);
console.log(`      errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}`);
console.log(`      latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
console.log(`      server RSS idle ${mib(rssIdle)}, after warm-up ${mib(rssWarm)}, after load ${mib(rssAfter)}`);

// Shutdown under load: upstream calls now take DELAY_MS, so SIGTERM lands on requests in flight.
mock.setFaults({ always: { delayMs: DELAY_MS } });
let exitedAt: number | undefined;
void server.exited.then(() => (exitedAt = Date.now()));
const load = hammer(url, HEADERS, CONNECTIONS, () => exitedAt !== undefined && Date.now() - exitedAt > 200);
await new Promise((r) => setTimeout(r, 3 * DELAY_MS + 500));
const signalAt = Date.now();
server.child.kill('SIGTERM');
const code = await server.exited;
const outcomes = await load;
const drainingAt = server.drainingAt();
const report = classify(outcomes, signalAt, drainingAt ?? signalAt);
const other = outcomes.filter((o) => o.status !== undefined && o.status !== 200 && o.status !== 503).length;
console.log(`shutdown: SIGTERM with ${report.inFlight} requests in flight → ${report.inFlightOk} completed with 200`);
console.log(`      ${report.afterDrain} sent while draining → ${report.afterDrainRefused} refused (503 or connection refused); ${report.racing} raced the signal; ${other} other statuses`);
console.log(`      exit code ${code} after ${exitedAt! - signalAt} ms (grace period ${GRACE_MS} ms; handler ran ${drainingAt === undefined ? 'n/a' : `${drainingAt - signalAt} ms`} after the signal)`);

clearInterval(trim);
await mock.close();
const failed = code !== 0 || report.inFlightOk !== report.inFlight || report.afterDrainRefused !== report.afterDrain || other > 0;
if (failed) {
  console.log('shutdown: NOT clean');
  process.exitCode = 1;
}
