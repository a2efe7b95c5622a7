// The IMDS stack for end-to-end tests: the strict mock IMDS plus the generated capability
// started in-process on free loopback ports.
import { createServer } from 'node:net';
import { startCapability } from '../../generated/_runtime/index.js';
import { definition, InstancemetadataclientGetTokenClient } from '../../generated/azure-imds-get-token/index.js';
import { startMockImds, type MockImds } from '../mock-imds/mock-imds.js';

export const NS = 'instancemetadataclient-get-token';
export const RESOURCE = 'https://management.azure.com/';
export const FAST_RETRY = { minDelayMs: 5, maxDelayMs: 20 };
/** The caller token the capability's adapters require (bind `proxy.IMDS_PROXY_TOKEN`). */
export const PROXY_TOKEN = 'e2e-proxy-token';
export const AUTH = { authorization: `Bearer ${PROXY_TOKEN}` };

/**
 * `cache` is off unless asked for: these tests are about forwarding each call (the IMDS
 * capability's config caches tokens; test/e2e/cache.test.ts covers that).
 */
export async function startStack(options: { baseUri?: string; timeoutMs?: number; retry?: false | Record<string, unknown>; cache?: boolean; mcpSessions?: boolean; mcpMaxSessions?: number } = {}) {
  const mock = await startMockImds();
  const running = await startCapability(definition, {
    restPort: 0,
    mcpPort: 0,
    baseUris: { [NS]: options.baseUri ?? mock.baseUri },
    timeoutMs: options.timeoutMs ?? 2_000,
    retry: options.retry ?? false,
    env: { IMDS_PROXY_TOKEN: PROXY_TOKEN },
    cache: options.cache ?? false,
    ...(options.mcpSessions ? { mcpSessions: true, mcpMaxSessions: options.mcpMaxSessions } : {}),
  });
  return {
    mock,
    running,
    rest: running.rest[0]!.url,
    mcp: running.mcp[0]!.url,
    async close() {
      await running.close();
      await mock.close();
    },
  };
}

export function client(baseUri: string, options: Record<string, unknown> = {}): InstancemetadataclientGetTokenClient {
  return new InstancemetadataclientGetTokenClient({ baseUri, retry: false, timeoutMs: 2_000, cache: false, ...options });
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type { MockImds };
