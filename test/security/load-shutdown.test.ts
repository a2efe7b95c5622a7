// SIGTERM under load (the short, untimed twin of `npm run load`): the generated server process is
// busy with 30 keep-alive callers whose upstream calls take 300 ms; on SIGTERM every request it
// had accepted completes with 200, every request sent once it is draining is refused (503 on a
// kept-alive connection, or the connection refused), and it exits 0 within its grace period.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { classify, hammer, spawnImdsServer } from '../helpers/load.js';
import { startMockImds, type MockImds } from '../mock-imds/mock-imds.js';
import { AUTH, NS, PROXY_TOKEN, RESOURCE } from '../e2e/stack.js';

let mock: MockImds;
beforeAll(async () => {
  mock = await startMockImds();
});
afterAll(() => mock?.close());

it('in-flight requests complete, new ones are refused, exit 0', async () => {
  mock.setFaults({ always: { delayMs: 300 } });
  const server = await spawnImdsServer(['--rest-port', '0', '--mcp-port', '0', '--base-uri', `${NS}=${mock.baseUri}`], { IMDS_PROXY_TOKEN: PROXY_TOKEN, NAFTIKO_SHUTDOWN_GRACE_MS: '20000' });
  let exitedAt: number | undefined;
  void server.exited.then(() => (exitedAt = Date.now()));
  const load = hammer(`${server.rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, AUTH, 30, () => exitedAt !== undefined && Date.now() - exitedAt > 200);
  // Let the callers reach a steady state. They move in waves (all upstream calls take 300 ms):
  // signal 200 ms into a wave, so the wave's requests are well past the race window and still open.
  while (mock.requests.length < 60) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 200));
  const signalAt = Date.now();
  server.child.kill('SIGTERM');
  const code = await server.exited;
  const outcomes = await load;
  // 150 ms margins: a request sent that long before the signal has surely reached the server (upstream calls take 300 ms).
  const report = classify(outcomes, signalAt, server.drainingAt() ?? Number.NaN, 150);
  expect(code, server.output()).toBe(0);
  expect(server.drainingAt()).toBeDefined();
  expect(report.inFlight).toBeGreaterThan(0);
  expect(report.inFlightOk, JSON.stringify(report)).toBe(report.inFlight);
  expect(report.afterDrain).toBeGreaterThan(0);
  expect(report.afterDrainRefused, JSON.stringify(report)).toBe(report.afterDrain);
  // Nothing else went wrong: every answer was a 200 or a refusal.
  expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200 && o.status !== 503)).toEqual([]);
}, 60_000);
