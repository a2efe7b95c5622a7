// The upstream of the REST and MCP benchmarks: the strict mock IMDS of the test suite (it checks
// `Metadata: true` and `api-version`, and mints a signed-looking token per request), quiet, with
// no request log kept. Prints its URL, then serves until SIGTERM.
import { startMockImds } from '../../test/mock-imds/mock-imds.js';

const mock = await startMockImds({ port: 0, onRequestComplete: () => mock.clearRequests() });
console.log(`upstream listening on ${mock.url}`);
process.once('SIGTERM', () => void mock.close().then(() => process.exit(0)));
