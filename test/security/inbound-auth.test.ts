// The exposes `authentication` is enforced on every REST route and every MCP HTTP method, with the
// secret from binds; a failure is a 401 that does not say which part was wrong and leaks nothing.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startRecorder } from '../corpus/recorder.js';

const dir = scratchDir('auth');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 's3cret-token-value';

function spec(auth: string): string {
  return `naftiko: 1.0.0-alpha2
binds:
- namespace: env
  keys: {API_SECRET: TEST_API_SECRET, API_USER: TEST_API_USER}
capability:
  consumes:
  - {type: http, namespace: up, baseUri: 'http://127.0.0.1:9', resources: [{name: r, path: /items, operations: [{name: list, method: GET}, {name: add, method: POST}]}]}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    authentication: ${auth}
    resources:
    - {path: /items, operations: [{method: GET, name: list, call: up.list}, {method: POST, name: add, call: up.add}]}
  - type: mcp
    namespace: tools
    port: 9090
    authentication: ${auth}
    tools:
    - {name: list, description: List, call: up.list}
`;
}

const SCHEMES: [string, string, Record<string, string>, Record<string, string>][] = [
  ['bearer', '{type: bearer, token: "{{API_SECRET}}"}', { authorization: `Bearer ${SECRET}` }, { authorization: 'Bearer wrong' }],
  ['apikey', '{type: apikey, key: X-Api-Key, value: "{{env.API_SECRET}}", placement: header}', { 'x-api-key': SECRET }, { 'x-api-key': `${SECRET}x` }],
  ['basic', '{type: basic, username: "{{API_USER}}", password: "{{API_SECRET}}"}', { authorization: `Basic ${Buffer.from(`ops:${SECRET}`).toString('base64')}` }, { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` }],
];

describe.each(SCHEMES)('%s', (name, auth, good, bad) => {
  it('REST and MCP refuse missing and wrong credentials with 401, accept the right one', async () => {
    writeFileSync(join(dir, `${name}.yaml`), spec(auth));
    expect((await cli('generate', join(dir, `${name}.yaml`), '--out', join(dir, 'out'))).code).toBe(0);
    const upstream = await startRecorder();
    const running = await startGenerated(join(dir, 'out'), name, { baseUris: { up: upstream.url }, env: { TEST_API_SECRET: SECRET, TEST_API_USER: 'ops' }, retry: false });
    try {
      const rest = running.rest[0]!.url;
      const mcp = running.mcp[0]!.url;
      for (const [method, url] of [['GET', `${rest}/items`], ['POST', `${rest}/items`], ['GET', `${rest}/unknown`], ['POST', mcp], ['GET', mcp], ['DELETE', mcp]] as const) {
        for (const headers of [{}, bad]) {
          const response = await fetch(url, { method, headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, ...(method === 'POST' ? { body: '{}' } : {}) });
          const text = await response.text();
          expect(response.status, `${method} ${url}`).toBe(401);
          expect(text).not.toContain(SECRET);
          expect(text).not.toMatch(/token|password|user|key/i);
        }
      }
      expect(upstream.requests).toHaveLength(0);
      const ok = await fetch(`${rest}/items`, { headers: good });
      expect(ok.status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
      expect(upstream.requests[0]!.headers['x-api-key']).toBeUndefined();
      const rpc = await fetch(mcp, { method: 'POST', headers: { ...good, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
      expect(rpc.status).toBe(200);
      expect(await rpc.text()).toContain('"list"');
    } finally {
      await running.close();
      await upstream.close();
    }
  });
});

it('an unset secret never matches (an empty expected value is not a password)', async () => {
  writeFileSync(join(dir, 'unset.yaml'), spec(SCHEMES[0]![1]));
  expect((await cli('generate', join(dir, 'unset.yaml'), '--out', join(dir, 'out'))).code).toBe(0);
  const running = await startGenerated(join(dir, 'out'), 'unset', { env: {} });
  try {
    for (const authorization of ['Bearer ', 'Bearer {{API_SECRET}}']) {
      expect((await fetch(`${running.rest[0]!.url}/items`, { headers: { authorization } })).status).toBe(401);
    }
  } finally {
    await running.close();
  }
});
