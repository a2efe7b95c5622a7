// Hostile callers get a clean 4xx and the upstream is untouched (or gets a correctly encoded
// request). REST answers problem+json; MCP answers tool error results through the official SDK
// client (or a JSON-RPC error when the request is not even a request). Complements
// test/e2e/rest.test.ts (missing input, unknown inputs on IMDS, relayed headers) and
// test/corpus/forward-proxy.test.ts (dot segments through `forward`).
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startRecorder, type Recorder } from '../corpus/recorder.js';

const SPEC = `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://127.0.0.1:9/base
    resources:
    - name: items
      path: /items/{id}
      operations:
      - name: get-item
        method: GET
        inputParameters:
        - {name: q, in: query, type: string, required: true}
        - {name: limit, in: query, type: integer}
        - {name: flag, in: query, type: boolean}
        - {name: X-Trace, in: header, type: string}
        - {name: session, in: cookie, type: string}
    - name: create
      path: /items
      operations:
      - name: add-item
        method: POST
        inputParameters:
        - {name: body, in: body, type: object, required: true}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /v1/items/{id}
      operations: [{method: GET, name: get-item, call: up.get-item}]
    - path: /v1/traced/{id}
      operations:
      - method: GET
        name: traced
        inputParameters: [{name: trace, in: query, type: string}]
        call: up.get-item
        with: {id: rest.id, q: fixed, X-Trace: rest.trace}
    - path: /v1/items
      operations: [{method: POST, name: add-item, call: up.add-item}]
  - type: mcp
    namespace: tools
    port: 9090
    tools:
    - {name: get-item, description: Get an item, call: up.get-item}
    - {name: add-item, description: Add an item, call: up.add-item}
`;

const dir = scratchDir('callers');
let upstream: Recorder;
let running: Awaited<ReturnType<typeof startGenerated>>;
let rest: string;

beforeAll(async () => {
  writeFileSync(join(dir, 'callers.yaml'), SPEC);
  const run = await cli('generate', join(dir, 'callers.yaml'), '--out', join(dir, 'out'));
  expect(run.stderr).toBe('');
  upstream = await startRecorder();
  running = await startGenerated(join(dir, 'out'), 'callers', { baseUris: { up: `${upstream.url}/base` }, retry: false, timeoutMs: 5_000 });
  rest = running.rest[0]!.url;
}, 60_000);
afterAll(async () => {
  await running?.close();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  upstream.requests.length = 0;
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** A request with the path exactly as given (fetch would normalise `..` and some escapes). */
function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}, base = rest): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Bytes straight onto a socket, for requests no HTTP client would send. */
function socket(bytes: string, base = rest): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const s = connect(Number(url.port), url.hostname);
    let data = '';
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), type: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '', body });
    });
    s.on('error', reject);
    s.end(bytes);
  });
}

function expectProblem(answer: Answer, status: number, mentions?: RegExp): void {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.type).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(answer.body) as { status: number; title: string; detail?: string };
  expect(problem.status).toBe(status);
  expect(answer.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (mentions) expect(problem.detail ?? '').toMatch(mentions);
}

describe('REST', () => {
  it.each([
    ['a non-integer integer', '/v1/items/1?q=x&limit=abc', /limit/],
    ['a fractional integer', '/v1/items/1?q=x&limit=1.5', /limit/],
    ['a non-boolean boolean', '/v1/items/1?q=x&flag=maybe', /flag/],
    ['a missing required input', '/v1/items/1?limit=2', /"q" is required/],
    ['a repeated scalar input', '/v1/items/1?q=a&q=b', /q/],
    ['CRLF in a value bound for an upstream header', '/v1/traced/1?trace=ok%0D%0AInjected:%201', /X-Trace.*line break/],
    ['NUL in a value bound for an upstream header', '/v1/traced/1?trace=a%00b', /X-Trace/],
  ])('%s → 400 problem+json naming the input; nothing sent', async (_name, path, mentions) => {
    expectProblem(await raw(path), 400, mentions);
    expect(upstream.requests).toHaveLength(0);
  });

  it.each([
    ['../ encoded as %2F', '/v1/items/..%2F..%2Fadmin?q=x', '/base/items/..%2F..%2Fadmin'],
    ['a bare ..', '/v1/items/..?q=x', '/base/items/%2E%2E'],
    ['an encoded ..', '/v1/items/%2e%2E?q=x', '/base/items/%2E%2E'],
    ['a single .', '/v1/items/.?q=x', '/base/items/%2E'],
    ['? and # inside the value', '/v1/items/a%3Fb%23c?q=x', '/base/items/a%3Fb%23c'],
    ['NUL and a backslash', '/v1/items/a%00%5C..?q=x', '/base/items/a%00%5C..'],
  ])('a path value with %s stays one encoded segment upstream', async (_name, path, upstreamPath) => {
    const answer = await raw(path);
    expect(answer.status, answer.body).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.path).toBe(upstreamPath);
  });

  it('unknown inputs (query, headers, a huge query string) are ignored and never forwarded', async () => {
    const junk = Array.from({ length: 600 }, (_, i) => `junk${i}=${'v'.repeat(10)}`).join('&');
    expect(junk.length).toBeGreaterThan(10_000);
    const answer = await raw(`/v1/items/1?${junk}&q=x&api-version=evil`, { headers: { 'x-evil': '1', 'x-forwarded-for': '10.0.0.1', authorization: 'Bearer caller' } });
    expect(answer.status).toBe(200);
    const got = upstream.requests[0]!;
    expect(got.query).toEqual([['q', 'x']]);
    expect(got.headers['x-evil']).toBeUndefined();
    expect(got.headers['x-forwarded-for']).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
  });

  it('a request target larger than the server accepts → 431 problem+json', async () => {
    const answer = await socket(`GET /v1/items/1?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expectProblem(answer, 431);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a malformed request line or header → 400 problem+json', async () => {
    expectProblem(await socket('GET /v1/items/1?q=x HTTP/1.1\r\nHost: localhost\r\nX-Bad\u0001: 1\r\nConnection: close\r\n\r\n'), 400);
    expectProblem(await socket('GARBAGE\r\n\r\n'), 400);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a body over the limit → 413 problem+json; nothing sent', async () => {
    const body = JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) });
    expectProblem(await raw('/v1/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 413);
    expect(upstream.requests).toHaveLength(0);
  });

  it('invalid JSON, a prototype-poisoning body and a broken multipart body → 400 problem+json; nothing sent', async () => {
    expectProblem(await raw('/v1/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a": ' }), 400);
    expectProblem(await raw('/v1/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__": {"polluted": 1}}' }), 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectProblem(await raw('/v1/items', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nbroken' }), 400);
    expectProblem(await raw('/v1/items', { method: 'POST', headers: { 'content-type': 'application/json' } }), 400, /body/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('another content type is relayed as the same bytes, never reinterpreted', async () => {
    const answer = await raw('/v1/items', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a>"}, {"x": 1</a>' });
    expect(answer.status).toBe(200);
    expect(upstream.requests[0]!.body.toString('utf8')).toBe('<a>"}, {"x": 1</a>');
  });

  it('a cookie value with broken percent-encoding is data, not a 500', async () => {
    const answer = await raw('/v1/items/1?q=x', { headers: { cookie: 'session=%E0%A4%A; other=1' } });
    expect(answer.status, answer.body).toBe(200);
    expect(upstream.requests[0]!.headers.cookie).toBe('session=%25E0%25A4%25A');
  });

  it('keeps serving after all of that', async () => {
    expect((await raw('/v1/items/1?q=x')).status).toBe(200);
  });
});

describe('MCP (official SDK client)', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: 'hostile', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
  });
  afterAll(() => client?.close());

  const errorText = (result: Awaited<ReturnType<Client['callTool']>>): string => (result.content as { text: string }[]).map((c) => c.text).join('\n');

  it.each([
    ['a string for an integer', { id: '1', q: 'x', limit: 'abc' }, /limit/],
    ['a fraction for an integer', { id: '1', q: 'x', limit: 1.5 }, /limit/],
    ['a string for a boolean', { id: '1', q: 'x', flag: 'yes' }, /flag/],
    ['a missing required argument', { id: '1' }, /q/],
    ['an object for a string', { id: { toString: 'x' }, q: 'x' }, /id/],
    ['CRLF in a header-bound argument', { id: '1', q: 'x', 'X-Trace': 'ok\r\nInjected: 1' }, /X-Trace.*line break/],
    ['an empty path argument', { id: '', q: 'x' }, /id/],
  ])('%s → tool error result naming it; nothing sent', async (_name, args, mentions) => {
    const result = await client.callTool({ name: 'get-item', arguments: args as Record<string, unknown> });
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(mentions);
    expect(errorText(result)).not.toMatch(/\n\s+at |node_modules/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('path arguments cannot climb; unknown arguments are not forwarded; lone surrogates are encoded', async () => {
    for (const [id, path] of [['../../admin', '/base/items/..%2F..%2Fadmin'], ['..', '/base/items/%2E%2E'], ['a/b?c#d', '/base/items/a%2Fb%3Fc%23d'], ['\ud800x', '/base/items/%EF%BF%BDx']] as const) {
      const result = await client.callTool({ name: 'get-item', arguments: { id, q: 'x', evil: 1, 'api-version': 'evil', __proto__: { polluted: 1 } } });
      expect(result.isError ?? false, errorText(result)).toBe(false);
      const got = upstream.requests.at(-1)!;
      expect(got.path).toBe(path);
      expect(got.query).toEqual([['q', 'x']]);
    }
  });

  it('a request over the body limit fails cleanly and the server keeps serving', async () => {
    await expect(client.callTool({ name: 'add-item', arguments: { body: { big: 'x'.repeat(1024 * 1024 + 10) } } })).rejects.toThrow();
    expect(upstream.requests).toHaveLength(0);
    const ok = await client.callTool({ name: 'add-item', arguments: { body: { a: 1 } } });
    expect(ok.isError ?? false).toBe(false);
    expect(JSON.parse(upstream.requests[0]!.body.toString('utf8'))).toEqual({ a: 1 });
  });

  it('invalid JSON, a wrong content type or an oversized body → a JSON-RPC error, not a Fastify error page', async () => {
    const mcp = running.mcp[0]!.url;
    const headers = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const cases: [Answer, number, number][] = [
      [await raw('/mcp', { method: 'POST', headers, body: '{"jsonrpc": "2.0", ' }, mcp), 400, -32700],
      [await raw('/mcp', { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'hello' }, mcp), 415, -32000],
      [await raw('/mcp', { method: 'POST', headers: { ...headers, 'content-type': 'application/xml' }, body: '<a/>' }, mcp), 415, -32000],
      [await raw('/mcp', { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: { big: 'x'.repeat(1024 * 1024 + 10) } }) }, mcp), 413, -32000],
    ];
    for (const [answer, status, code] of cases) {
      expect(answer.status, answer.body).toBe(status);
      const body = JSON.parse(answer.body) as { jsonrpc: string; error: { code: number; message: string } };
      expect(body.jsonrpc).toBe('2.0');
      expect(body.error.code).toBe(code);
    }
    expect(upstream.requests).toHaveLength(0);
  });
});
