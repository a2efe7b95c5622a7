// The response cache and the upstream budget of the generated IMDS capability, over real loopback
// HTTP against the strict mock IMDS: its config caches tokens per (identity, resource) until 5 min
// before `expires_on`, honours `bypass_cache`, and keeps to 20 rps / 5 in flight. The cache and the
// mock share a controllable clock where lifetimes matter; the mock's own records are the evidence.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  Bindings,
  HttpClient,
  ResponseCache,
  startCapability,
  UpstreamBudget,
  type NamespaceSpec,
  type RunningCapability,
} from '../../generated/_runtime/index.js';
import {
  definition,
  instancemetadataclientGetTokenNamespace,
  microsoftazureidentitygettokenOperation,
  type Clients,
} from '../../generated/azure-imds-get-token/index.js';
import { DEFAULT_USER_IDENTITIES, startMockImds, type MockImds, type MockImdsOptions } from '../mock-imds/mock-imds.js';
import { AUTH, NS, PROXY_TOKEN, RESOURCE } from './stack.js';

const TOOL = 'microsoft-azure-get-identity-oauth2';
const T0 = Date.UTC(2026, 5, 1, 12);
const uami = DEFAULT_USER_IDENTITIES[0]!;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

interface Setup {
  mock: MockImds;
  running: RunningCapability<Clients>;
  rest: string;
  clock: { now: number };
  token(query?: Record<string, string>): Promise<{ status: number; cacheStatus: string | null; body: Record<string, string> }>;
  /** Upstream token requests the mock received. */
  upstream(): number;
}

/** `cache: 'server'` lets the server build its own (the one wired to /metrics). */
async function setup(options: { mock?: MockImdsOptions; cache?: false | ResponseCache | 'server'; realClock?: boolean; metrics?: boolean } = {}): Promise<Setup> {
  const clock = { now: T0 };
  const now = options.realClock ? Date.now : () => clock.now;
  const mock = await startMockImds({ now, rateLimit: true, ...options.mock });
  closers.push(() => mock.close());
  const running = await startCapability(definition, {
    restPort: 0,
    mcpPort: 0,
    baseUris: { [NS]: mock.baseUri },
    env: { IMDS_PROXY_TOKEN: PROXY_TOKEN },
    retry: false,
    ...(options.cache === 'server' ? {} : { cache: options.cache ?? new ResponseCache({ now }) }),
    metrics: options.metrics ?? false,
  });
  closers.push(() => running.close());
  const rest = running.rest[0]!.url;
  return {
    mock,
    running,
    rest,
    clock,
    async token(query = {}) {
      const search = new URLSearchParams({ resource: RESOURCE, ...query });
      const response = await fetch(`${rest}/v1/identity/oauth2/token?${search}`, { headers: AUTH });
      return { status: response.status, cacheStatus: response.headers.get('cache-status'), body: (await response.json()) as Record<string, string> };
    },
    upstream: () => mock.requests.length,
  };
}

async function mcpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'cache-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: AUTH } }));
  closers.push(() => client.close());
  return client;
}

describe('single-flight and sharing', () => {
  it('N concurrent REST callers for one key → one upstream call; MCP tools share the entry', async () => {
    const s = await setup({ mock: { faults: { always: { delayMs: 100 } } } });
    const answers = await Promise.all(Array.from({ length: 25 }, () => s.token()));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(s.upstream()).toBe(1);
    const statuses = answers.map((a) => a.cacheStatus);
    expect(statuses.filter((c) => c === 'naftiko; fwd=miss; fwd-status=200; stored')).toHaveLength(1);
    expect(statuses.filter((c) => c === 'naftiko; fwd=miss; collapsed')).toHaveLength(24);

    const later = await s.token();
    expect(later.cacheStatus).toMatch(/^naftiko; hit; ttl=\d+$/);
    const mcp = await mcpClient(s.running.mcp[0]!.url);
    const result = await mcp.callTool({ name: TOOL, arguments: { resource: RESOURCE } });
    expect(result.isError ?? false).toBe(false);
    expect((result.structuredContent as Record<string, string>).access_token).toBe(later.body.access_token);
    expect(s.upstream()).toBe(1);
  });

  it('identity selectors and resources are part of the key: no two identities share a token', async () => {
    const s = await setup();
    const selectors: Record<string, string>[] = [{}, { client_id: uami.client_id }, { object_id: uami.object_id }, { msi_res_id: uami.msi_res_id }];
    const first = await Promise.all(selectors.map((q) => s.token(q)));
    const second = await Promise.all(selectors.map((q) => s.token(q)));
    expect(first.every((a) => a.status === 200)).toBe(true);
    expect(s.upstream()).toBe(4);
    expect(second.map((a) => a.body.access_token)).toEqual(first.map((a) => a.body.access_token));
    expect(second.every((a) => a.cacheStatus?.startsWith('naftiko; hit'))).toBe(true);
    // The mock sees exactly one request per selector, each with its own query.
    expect(s.mock.requests.map((r) => r.query.filter(([n]) => n !== 'api-version' && n !== 'resource'))).toEqual([[], [['client_id', uami.client_id]], [['object_id', uami.object_id]], [['msi_res_id', uami.msi_res_id]]]);
    await s.token({ resource: 'https://vault.azure.net' });
    expect(s.upstream()).toBe(5);
  });

  it('the upstream credential is part of the key: clients with different bound secrets never share an entry', async () => {
    const mock = await startMockImds();
    closers.push(() => mock.close());
    const cache = new ResponseCache();
    const ns: NamespaceSpec = { ...instancemetadataclientGetTokenNamespace, baseUri: mock.baseUri, auth: { type: 'bearer', token: '{{env.UPSTREAM_TOKEN}}' } };
    const clientWith = (secret: string): HttpClient => {
      const http = new HttpClient(ns, { cache, retry: false, bindings: new Bindings([{ namespace: 'env', keys: { UPSTREAM_TOKEN: 'UPSTREAM_TOKEN' } }], { env: { UPSTREAM_TOKEN: secret } }) });
      closers.push(() => http.close());
      return http;
    };
    const [a, b, a2] = [clientWith('secret-a'), clientWith('secret-b'), clientWith('secret-a')];
    const input = { resource: RESOURCE };
    await a.call(microsoftazureidentitygettokenOperation, input);
    await b.call(microsoftazureidentitygettokenOperation, input);
    expect(mock.requests.map((r) => r.headers.authorization)).toEqual(['Bearer secret-a', 'Bearer secret-b']);
    const shared = await a2.call(microsoftazureidentitygettokenOperation, input);
    expect(shared.cacheStatus).toMatch(/^naftiko; hit/);
    expect(mock.requests).toHaveLength(2);
  });
});

describe('lifetime on a controllable clock', () => {
  it('served until 5 min before expires_on, renewed ahead in the background, then fetched again', async () => {
    const s = await setup();
    const first = await s.token();
    const expiresOn = Number(first.body.expires_on) * 1000;
    expect(expiresOn).toBe(T0 + 86_400_000);
    s.clock.now = T0 + 3_600_000;
    expect((await s.token()).cacheStatus).toMatch(/^naftiko; hit; ttl=\d+$/);
    expect(s.upstream()).toBe(1);

    // Past half the lifetime: still served from the cache while one background request renews it.
    s.clock.now = T0 + 13 * 3_600_000;
    const ahead = await Promise.all([s.token(), s.token(), s.token()]);
    expect(ahead.map((a) => a.body.access_token)).toEqual([first.body.access_token, first.body.access_token, first.body.access_token]);
    expect(ahead.filter((a) => a.cacheStatus?.includes('detail=refresh-ahead'))).toHaveLength(1);
    while (s.upstream() < 2) await new Promise((r) => setTimeout(r, 5));
    expect(s.upstream()).toBe(2);

    // Within 5 minutes of expires_on the token is no longer handed out: the next call goes upstream.
    s.clock.now = expiresOn - 299_000;
    s.mock.clearTokenCache();
    const renewed = await s.token();
    expect(renewed.cacheStatus).toBe('naftiko; fwd=stale; fwd-status=200; stored');
    expect(renewed.body.access_token).not.toBe(first.body.access_token);
    expect(s.upstream()).toBe(3);
    expect((await s.token()).body.access_token).toBe(renewed.body.access_token);
    expect(s.upstream()).toBe(3);
  });

  it('bypass_cache=true goes upstream (with the parameter) and replaces the entry', async () => {
    const s = await setup();
    const first = await s.token();
    const bypassed = await s.token({ bypass_cache: 'true' });
    expect(bypassed.cacheStatus).toBe('naftiko; fwd=request; fwd-status=200; stored');
    expect(s.mock.requests[1]!.query).toContainEqual(['bypass_cache', 'true']);
    expect(bypassed.body.access_token).not.toBe(first.body.access_token);
    const after = await s.token();
    expect(after.cacheStatus).toMatch(/^naftiko; hit/);
    expect(after.body.access_token).toBe(bypassed.body.access_token);
    expect(s.upstream()).toBe(2);
  });

  it('errors are never cached: a 500 is relayed, the next call goes upstream again', async () => {
    const s = await setup();
    s.mock.setFaults([{ status: 500 }]);
    const failed = await s.token();
    expect(failed.status).toBe(500);
    expect(failed.cacheStatus).toBeNull();
    const ok = await s.token();
    expect(ok.status).toBe(200);
    expect(ok.cacheStatus).toContain('fwd=miss');
    const bad = await s.token({ client_id: 'nope' });
    expect(bad.status).toBe(400);
    expect((await s.token({ client_id: 'nope' })).status).toBe(400);
    expect(s.upstream()).toBe(4);
  });

  it('bounded: with room for two entries, a third key evicts the least recently used', async () => {
    const s = await setup({ cache: new ResponseCache({ maxEntries: 2, now: () => T0 }) });
    await s.token({ resource: 'https://vault.azure.net' });
    await s.token({ resource: 'https://storage.azure.com/' });
    await s.token({ resource: 'https://vault.azure.net' });
    await s.token({ resource: 'https://graph.microsoft.com' });
    expect(s.upstream()).toBe(3);
    expect((await s.token({ resource: 'https://vault.azure.net' })).cacheStatus).toMatch(/hit/);
    expect((await s.token({ resource: 'https://storage.azure.com/' })).cacheStatus).toMatch(/fwd=miss/);
    expect(s.upstream()).toBe(4);
  });

  it('cache off: every call is forwarded and no Cache-Status is sent', async () => {
    const s = await setup({ cache: false });
    const answers = [await s.token(), await s.token()];
    expect(answers.map((a) => a.cacheStatus)).toEqual([null, null]);
    expect(s.upstream()).toBe(2);
  });

  it('/metrics counts hits, misses and joins', async () => {
    const s = await setup({ mock: { faults: { always: { delayMs: 50 } } }, cache: 'server', metrics: true, realClock: true });
    await Promise.all([s.token(), s.token(), s.token()]);
    await s.token();
    const text = await (await fetch(`${s.rest}/metrics`)).text();
    const count = (event: string): number => Number(new RegExp(`naftiko_cache_events_total\\{namespace="${NS}",event="${event}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect([count('miss'), count('join'), count('hit'), count('store')]).toEqual([1, 2, 1, 1]);
  });
});

describe('upstream budget (mock IMDS enforcing 20 rps / 5 in flight)', () => {
  it('distinct keys beyond the budget wait their turn: no request is ever throttled', async () => {
    const s = await setup({ realClock: true, mock: { acceptedResources: '*', faults: { always: { delayMs: 40 } } } });
    const resources = Array.from({ length: 45 }, (_, i) => `https://app-${i}.example/`);
    const answers = await Promise.all(resources.map((resource) => s.token({ resource })));
    expect(answers.map((a) => a.status)).toEqual(resources.map(() => 200));
    expect(s.mock.requests).toHaveLength(45);
    expect(s.mock.requests.filter((r) => r.fault === 'rate-limit' || r.status === 429)).toEqual([]);
  }, 20_000);

  it('a call the budget cannot take in time fails with 503 + Retry-After (REST) and a tool error (MCP), sending nothing', async () => {
    const mock = await startMockImds({ faults: { always: { delayMs: 300 } } });
    closers.push(() => mock.close());
    const tight: typeof definition = {
      ...definition,
      createClients: (optionsFor) => definition.createClients((ns) => ({ ...optionsFor(ns), budget: new UpstreamBudget(ns, { maxInFlight: 1, maxQueue: 0 }) })),
    };
    const running = await startCapability(tight, { restPort: 0, mcpPort: 0, baseUris: { [NS]: mock.baseUri }, env: { IMDS_PROXY_TOKEN: PROXY_TOKEN }, retry: false, cache: false });
    closers.push(() => running.close());
    const url = `${running.rest[0]!.url}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`;
    const busy = fetch(url, { headers: AUTH });
    while (mock.requests.length < 1) await new Promise((r) => setTimeout(r, 2));
    const refused = await fetch(url, { headers: AUTH });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { detail: string }).detail).toContain('budget');
    const mcp = await mcpClient(running.mcp[0]!.url);
    const tool = await mcp.callTool({ name: TOOL, arguments: { resource: RESOURCE } });
    expect(tool.isError).toBe(true);
    expect((tool.content as { text: string }[])[0]!.text).toMatch(/budget .* retry after \d+ s/);
    expect((await busy).status).toBe(200);
    expect(mock.requests).toHaveLength(1);
  });

  it('retries count against the budget (client level)', async () => {
    const mock = await startMockImds({ faults: [{ status: 500 }, { status: 500 }] });
    closers.push(() => mock.close());
    const budget = new UpstreamBudget(NS, { maxInFlight: 1 });
    const http = new HttpClient({ ...instancemetadataclientGetTokenNamespace, baseUri: mock.baseUri }, { budget, cache: false, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    closers.push(() => http.close());
    const seen: number[] = [];
    mock.options.onRequestComplete = () => seen.push(budget.stats.inFlight);
    const response = await http.call(microsoftazureidentitygettokenOperation, { resource: RESOURCE });
    expect(response.status).toBe(200);
    expect(mock.requests).toHaveLength(3);
    expect(budget.stats.peakInFlight).toBe(1);
    expect(seen).toEqual([1, 1, 1]);
    // A budget that another call holds refuses the retrying call's attempts too.
    const held = new UpstreamBudget(NS, { maxInFlight: 1, maxQueue: 0 });
    const release = await held.acquire();
    const blocked = new HttpClient({ ...instancemetadataclientGetTokenNamespace, baseUri: mock.baseUri }, { budget: held, cache: false });
    closers.push(() => blocked.close());
    await expect(blocked.call(microsoftazureidentitygettokenOperation, { resource: RESOURCE })).rejects.toBeInstanceOf(BudgetExceededError);
    release();
    expect(mock.requests).toHaveLength(3);
  });
});
