// REST `forward` (cases R5, R6, R21 — with our deliberate differences): method, path, query,
// body and trusted headers go upstream; nothing else does; the answer comes back unchanged.
import { request as httpRequest } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startRecorder, type Recorder } from './recorder.js';

const dir = scratchDir('forward');
let upstream: Recorder;
let running: { readonly rest: readonly { url: string }[]; close(): Promise<void> };

beforeAll(async () => {
  writeFileSync(join(dir, 'proxy.yaml'), `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: notion
    baseUri: http://127.0.0.1:9/v1
    inputParameters:
    - {name: Notion-Version, in: header, value: '2025-09-03'}
  exposes:
  - type: rest
    namespace: docs
    port: 8080
    resources:
    - path: /proxy/{{path}}
      forward: {targetNamespace: notion, trustedHeaders: [X-Trace]}
`);
  expect((await cli('generate', join(dir, 'proxy.yaml'), '--out', join(dir, 'out'))).code).toBe(0);
  upstream = await startRecorder();
  running = await startGenerated(join(dir, 'out'), 'proxy', { baseUris: { notion: `${upstream.url}/v1` }, retry: false });
});
afterAll(async () => {
  await running?.close();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('R5/R6: forwards path, query and trusted headers, adds the namespace header; relays the answer', async () => {
  upstream.reply = () => ({ status: 201, contentType: 'text/plain', body: 'made' });
  const response = await fetch(`${running.rest[0]!.url}/proxy/pages/a%2Fb?filter=x%20y&n=1`, {
    headers: { 'X-Trace': 'abc-123', 'X-Other': 'no', Authorization: 'Bearer caller', Cookie: 'c=1' },
  });
  expect(response.status).toBe(201);
  expect(response.headers.get('content-type')).toBe('text/plain');
  expect(await response.text()).toBe('made');
  const got = upstream.requests.at(-1)!;
  expect(got.url).toBe('/v1/pages/a%2Fb?filter=x%20y&n=1');
  expect(got.headers['x-trace']).toBe('abc-123');
  expect(got.headers['notion-version']).toBe('2025-09-03');
  // differs: the reference engine relays an untrusted Authorization when the namespace has no auth; we never do.
  expect(got.headers.authorization).toBeUndefined();
  expect(got.headers['x-other']).toBeUndefined();
  expect(got.headers.cookie).toBeUndefined();
  upstream.reply = undefined;
});

it('forwards the method and body', async () => {
  const response = await fetch(`${running.rest[0]!.url}/proxy/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'ü' }) });
  expect(response.status).toBe(200);
  const got = upstream.requests.at(-1)!;
  expect(got.method).toBe('POST');
  expect(JSON.parse(got.body.toString('utf8'))).toEqual({ a: 'ü' });
  expect(got.headers['content-type']).toBe('application/json');
});

it('dot segments cannot climb above the base path', async () => {
  const url = new URL(running.rest[0]!.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/proxy/%2e%2e/%2E%2E/secret', method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(200);
  expect(upstream.requests.at(-1)!.path).toBe('/v1/%2E%2E/%2E%2E/secret');
});
