// Cancellation reaches the upstream: when a REST caller goes away, or an MCP client's request is
// aborted, the upstream request of the generated server is abandoned (its connection closes)
// long before the upstream timeout.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTH, RESOURCE, startStack } from './stack.js';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ timeoutMs: 20_000 });
});
afterAll(() => stack.close());

/** Resolves when the mock sees its current request end (answered, reset or abandoned). */
function upstreamRequestEnds(): Promise<number> {
  return new Promise((resolve) => {
    stack.mock.options.onRequestComplete = () => resolve(performance.now());
  });
}

it('a REST caller that disconnects abandons the upstream request', async () => {
  stack.mock.setFaults([{ hang: true }]);
  const ended = upstreamRequestEnds();
  const controller = new AbortController();
  const started = performance.now();
  const call = fetch(`${stack.rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, { headers: AUTH, signal: controller.signal });
  setTimeout(() => controller.abort(), 200);
  await expect(call).rejects.toThrow();
  expect((await ended) - started).toBeLessThan(5_000);
});

it('a REST call that completes leaves nothing behind: the next one is served', async () => {
  stack.mock.clearFaults();
  const response = await fetch(`${stack.rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, { headers: AUTH });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer');
});
