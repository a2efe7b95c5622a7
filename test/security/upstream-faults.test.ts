// Failing upstreams: refused connections, resets (before and in the middle of the body), hangs,
// slow drips, 5xx bursts, 429 with and without Retry-After, malformed JSON and oversized
// answers. Every caller gets an answer within the deadline with the right status (REST
// problem+json, MCP tool errors), the server keeps serving, and 10 000 mixed requests leave no
// sockets, timers or heap behind.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseServerArgs } from '../../generator/runtime/server.js';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startMockImds, type Fault, type MockImds } from '../mock-imds/mock-imds.js';
import { closedPort } from '../e2e/stack.js';

const SPEC = `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: imds
    baseUri: http://127.0.0.1:9/metadata
    inputParameters:
    - {name: Metadata, in: header, value: 'true'}
    - {name: api-version, in: query, value: '2018-02-01'}
    resources:
    - name: token
      path: /identity/oauth2/token
      operations:
      - name: get-token
        method: GET
        inputParameters: [{name: resource, in: query, type: string, required: true}]
      - name: get-type
        method: GET
        inputParameters: [{name: resource, in: query, type: string, required: true}]
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - {path: /token, operations: [{method: GET, name: get-token, call: imds.get-token}]}
    - path: /type
      operations:
      - method: GET
        name: get-type
        call: imds.get-type
        outputParameters:
        - type: object
          properties:
            type: {type: string, mapping: $.token_type}
            expires: {type: string, mapping: $.expires_in}
  - type: mcp
    namespace: tools
    port: 9090
    tools:
    - {name: get-token, description: Token, call: imds.get-token}
    - name: get-type
      description: Token type
      call: imds.get-type
      outputParameters:
      - type: object
        properties:
          type: {type: string, mapping: $.token_type}
          expires: {type: string, mapping: $.expires_in}
`;

const RESOURCE = 'https://management.azure.com/';
const TIMEOUT_MS = 500;
const RETRY = { retries: 2, minDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 2_000 };
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Three attempts of TIMEOUT_MS plus backoff, with a generous margin for a loaded machine. */
const DEADLINE_MS = 3 * TIMEOUT_MS + 3 * RETRY.maxDelayMs + 2_500;

const dir = scratchDir('faults');
let mock: MockImds;
type Running = Awaited<ReturnType<typeof startGenerated>>;
let running: Running;
const start = (baseUri: string, extra: object = {}): Promise<Running> =>
  startGenerated(join(dir, 'out'), 'faults', { baseUris: { imds: baseUri }, timeoutMs: TIMEOUT_MS, retry: RETRY, maxResponseBytes: MAX_RESPONSE_BYTES, ...extra });

beforeAll(async () => {
  writeFileSync(join(dir, 'faults.yaml'), SPEC);
  const run = await cli('generate', join(dir, 'faults.yaml'), '--out', join(dir, 'out'));
  expect(run.stderr).toBe('');
  mock = await startMockImds();
  running = await start(mock.baseUri);
}, 60_000);
afterAll(async () => {
  await running?.close();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.clearFaults();
  mock.clearRequests();
});

interface Timed {
  status: number;
  type: string;
  text: string;
  ms: number;
  headers: Headers;
}

async function get(path: string, base = running.rest[0]!.url): Promise<Timed> {
  const t = Date.now();
  const response = await fetch(`${base}${path}?resource=${encodeURIComponent(RESOURCE)}`);
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, ms: Date.now() - t, headers: response.headers };
}

function expectProblem(answer: Timed, status: number, detail: RegExp): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.type).toMatch(/^application\/problem\+json/);
  expect((JSON.parse(answer.text) as { detail: string }).detail).toMatch(detail);
  expect(answer.text).not.toMatch(/\n\s+at |eyJ/);
  expect(answer.ms).toBeLessThan(DEADLINE_MS);
}

/** An upstream that sends headers, then one body byte every `everyMs`, forever. */
async function startDrip(everyMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), everyMs);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('REST: every caller gets the right status within the deadline', () => {
  it('connection refused → 502 after the retries; nothing hangs', async () => {
    const down = await start(`http://127.0.0.1:${await closedPort()}/metadata`);
    try {
      expectProblem(await get('/token', down.rest[0]!.url), 502, /unreachable \(ECONNREFUSED\)/);
    } finally {
      await down.close();
    }
  });

  it.each([
    ['a reset before any answer', { reset: true } as Fault, 502, /unreachable/],
    ['a reset in the middle of the body', { resetMidBody: true } as Fault, 502, /unreachable/],
    ['a hang (per-attempt timeout)', { hang: true } as Fault, 504, new RegExp(`did not answer within ${TIMEOUT_MS} ms`)],
  ])('%s on every attempt → $2 problem+json after 3 attempts', async (_name, fault, status, detail) => {
    mock.setFaults({ always: fault });
    expectProblem(await get('/token'), status, detail);
    expect(mock.requests).toHaveLength(3);
  });

  it('a slow drip that never finishes → 504 within the deadline (the timeout covers the body)', async () => {
    const drip = await startDrip(20);
    const slow = await start(drip.url, { retry: false });
    try {
      expectProblem(await get('/token', slow.rest[0]!.url), 504, /did not answer/);
    } finally {
      await slow.close();
      await drip.close();
    }
  });

  it('a 5xx burst is retried through; a lasting 5xx is relayed with its status and body', async () => {
    mock.setFaults([{ status: 503, times: 2 }]);
    const ok = await get('/token');
    expect(ok.status).toBe(200);
    expect(mock.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    mock.clearRequests();
    mock.setFaults({ always: { status: 500 } });
    const failed = await get('/token');
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toHaveProperty('error');
    expect(mock.requests).toHaveLength(3);
  });

  it('429 with Retry-After is honoured; one longer than allowed is relayed at once; 429 without it backs off', async () => {
    mock.setFaults([{ status: 429, retryAfter: 1 }]);
    const honoured = await get('/token');
    expect(honoured.status).toBe(200);
    expect(honoured.ms).toBeGreaterThanOrEqual(900);
    mock.clearRequests();
    mock.setFaults({ always: { status: 429, retryAfter: 120 } });
    const relayed = await get('/token');
    expect(relayed.status).toBe(429);
    expect(relayed.headers.get('retry-after')).toBe('120');
    expect(mock.requests).toHaveLength(1);
    mock.clearRequests();
    mock.setFaults({ always: { status: 429 } });
    expect((await get('/token')).status).toBe(429);
    expect(mock.requests).toHaveLength(3);
  });

  it('malformed JSON with a JSON content type: relayed as bytes when passed through, 502 when it must be mapped', async () => {
    mock.setFaults({ always: { malformed: 'invalid_json' } });
    const passed = await get('/token');
    expect(passed.status).toBe(200);
    expect(passed.type).toMatch(/^application\/json/);
    expect(() => JSON.parse(passed.text)).toThrow();
    expectProblem(await get('/type'), 502, /not valid JSON/);
  });

  it('an answer over --max-response-bytes → 502 problem+json', async () => {
    mock.setFaults({ always: { status: 200, body: { padding: 'x'.repeat(MAX_RESPONSE_BYTES) } } });
    expectProblem(await get('/token'), 502, new RegExp(`exceeds ${MAX_RESPONSE_BYTES} bytes`));
    mock.setFaults({ always: { status: 200, body: { padding: 'x'.repeat(MAX_RESPONSE_BYTES - 100) } } });
    expect((await get('/token')).status).toBe(200);
  });

  it('keeps serving other callers while one upstream call hangs', async () => {
    mock.setFaults([{ hang: true }]);
    let hungDone = 0;
    const hung = get('/token').then((answer) => ((hungDone = Date.now()), answer));
    while (mock.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const other = await get('/type');
    const otherDone = Date.now();
    expect(other.status).toBe(200);
    expect(JSON.parse(other.text)).toEqual({ type: 'Bearer', expires: expect.any(String) });
    // The hung call is retried after its timeout and then succeeds; the other caller did not wait for it.
    expect((await hung).status).toBe(200);
    expect(otherDone).toBeLessThan(hungDone);
  });
});

describe('MCP: the same failures are tool errors, never a broken session', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: 'faults', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
  });
  afterAll(() => client?.close());

  it.each([
    ['hang', 'get-token', { hang: true } as Fault, /did not answer within/],
    ['reset mid-body', 'get-token', { resetMidBody: true } as Fault, /unreachable/],
    ['lasting 503', 'get-token', { status: 503 } as Fault, /HTTP 503/],
    ['malformed JSON to map', 'get-type', { malformed: 'invalid_json' } as Fault, /not valid JSON/],
    ['oversized answer', 'get-token', { status: 200, body: { padding: 'x'.repeat(MAX_RESPONSE_BYTES) } } as Fault, /exceeds/],
  ])('%s → isError', async (_name, tool, fault, text) => {
    mock.setFaults({ always: fault });
    const t = Date.now();
    const result = await client.callTool({ name: tool, arguments: { resource: RESOURCE } });
    expect(Date.now() - t).toBeLessThan(DEADLINE_MS);
    expect(result.isError).toBe(true);
    const message = (result.content as { text: string }[])[0]!.text;
    expect(message).toMatch(text);
    expect(message).not.toMatch(/\n\s+at |eyJ/);
    mock.clearFaults();
    const ok = await client.callTool({ name: tool, arguments: { resource: RESOURCE } });
    expect(ok.isError ?? false).toBe(false);
  });
});

describe('--max-response-bytes', () => {
  it('has an environment twin and is validated', () => {
    expect(parseServerArgs(['--max-response-bytes', '1024'], {}).maxResponseBytes).toBe(1024);
    expect(parseServerArgs([], { NAFTIKO_MAX_RESPONSE_BYTES: '2048' }).maxResponseBytes).toBe(2048);
    expect(parseServerArgs([], {}).maxResponseBytes).toBeUndefined();
    expect(() => parseServerArgs(['--max-response-bytes', 'lots'], {})).toThrow(/--max-response-bytes must be a whole number/);
  });
});

describe('10 000 mixed requests leave nothing behind', () => {
  /** Tiny seeded generator so the mix is the same on every run. */
  function lcg(seed: number): () => number {
    let s = seed;
    return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  }
  const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  const settle = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 200));
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
  };

  it('mixed success and failure at concurrency 50: right statuses, sockets and timers back to baseline, bounded heap', async () => {
    const before = { sockets: sockets(), timers: timers() };
    const upstream = await startMockImds();
    const injected = new Map<string, number>();
    upstream.options.onRequestComplete = (r) => {
      if (r.fault && r.fault !== 'delay:0') injected.set(r.fault, (injected.get(r.fault) ?? 0) + 1);
    };
    const server = await start(upstream.baseUri);
    const base = server.rest[0]!.url;
    const agent = new Agent({ connections: 50, keepAliveTimeout: 1_000 });
    const random = lcg(42);
    const faults: Fault[] = [{ malformed: 'invalid_json' }, { status: 503 }, { reset: true }, { resetMidBody: true }, { status: 400 }, { hang: true }];
    const counts = new Map<string, number>();
    const route = (): string => {
      const r = random();
      if (r < 0.55) return `/token?resource=${encodeURIComponent(RESOURCE)}`;
      if (r < 0.75) return `/type?resource=${encodeURIComponent(RESOURCE)}`;
      if (r < 0.85) return '/token';
      if (r < 0.9) return '/nowhere';
      return `/token?resource=${encodeURIComponent(RESOURCE)}&client_id=nope`;
    };
    const allowed = new Set([200, 400, 404, 500, 502, 503, 504]);
    async function run(total: number): Promise<void> {
      // About one upstream call in five meets a fault; a few of them hang until the timeout.
      upstream.setFaults(Array.from({ length: total * 2 }, () => (random() < 0.2 ? faults[Math.floor(random() * (random() < 0.05 ? faults.length : faults.length - 1))]! : { delayMs: 0 })));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          next += 1;
          const { statusCode, body } = await request(`${base}${route()}`, { dispatcher: agent });
          await body.text();
          expect(allowed.has(statusCode), String(statusCode)).toBe(true);
          counts.set(String(statusCode), (counts.get(String(statusCode)) ?? 0) + 1);
          if (next % 1000 === 0) upstream.clearRequests();
        }
      };
      await Promise.all(Array.from({ length: 50 }, worker));
      upstream.clearRequests();
    }
    try {
      await run(500); // warm-up: JIT, pools, caches
      await settle();
      const heapBefore = process.memoryUsage().heapUsed;
      counts.clear();
      injected.clear();
      const t = Date.now();
      const cpu = process.cpuUsage();
      await run(10_000);
      const ms = Date.now() - t;
      const used = process.cpuUsage(cpu);
      const cpuMs = Math.round((used.user + used.system) / 1000);
      await agent.close();
      await settle();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      // eslint-disable-next-line no-console
      console.log(`10k mixed requests in ${ms} ms (${cpuMs} ms CPU); statuses ${JSON.stringify(Object.fromEntries([...counts].sort()))}; upstream faults injected ${JSON.stringify(Object.fromEntries([...injected].sort()))}; heap growth ${(heapGrowth / 1048576).toFixed(1)} MiB; sockets open while idle ${sockets() - before.sockets}`);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
      for (const status of ['200', '400', '404', '502']) expect(counts.get(status), status).toBeGreaterThan(0);
      expect(heapGrowth).toBeLessThan(24 * 1024 * 1024);
      // Idle keep-alive connections to the upstream stay bounded by the pool (both ends are in this process).
      expect(sockets() - before.sockets).toBeLessThanOrEqual(2 * 128 + 4);
      // The scripted sequence is longer than the calls made: drop what is left so the last request meets no fault.
      upstream.clearFaults();
      expect(upstream.pendingFaults()).toBe(0);
      expect((await get('/token', base)).status).toBe(200);
    } finally {
      await agent.close().catch(() => {});
      await server.close();
      await upstream.close();
    }
    await settle();
    expect(sockets()).toBeLessThanOrEqual(before.sockets);
    expect(timers()).toBeLessThanOrEqual(before.timers);
  }, 300_000);
});
