// The upstream of the REST and MCP benchmarks: the strict mock IMDS of the test suite (it checks
// `Metadata: true` and `api-version`, and mints a signed-looking token per request), quiet, with
// no request log kept. Prints its URL, then serves until SIGTERM.
// UPSTREAM_RATE_LIMIT=1 makes it enforce real IMDS's budget (20 rps, 5 in flight, 429 beyond).
// On SIGUSR2 it prints `upstream stats {json}`: requests received, how many were throttled, and
// the count per `resource`.
import { startMockImds } from '../../test/mock-imds/mock-imds.js';

let total = 0;
let throttled = 0;
const byResource: Record<string, number> = {};
const mock = await startMockImds({
  port: 0,
  rateLimit: process.env.UPSTREAM_RATE_LIMIT === '1',
  onRequestComplete: (request) => {
    total += 1;
    if (request.fault === 'rate-limit') throttled += 1;
    const resource = request.query.find(([name]) => name === 'resource')?.[1] ?? '';
    byResource[resource] = (byResource[resource] ?? 0) + 1;
    mock.clearRequests();
  },
});
console.log(`upstream listening on ${mock.url}`);
process.on('SIGUSR2', () => console.log(`upstream stats ${JSON.stringify({ total, throttled, byResource })}`));
process.once('SIGTERM', () => void mock.close().then(() => process.exit(0)));
