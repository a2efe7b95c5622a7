// Structured logs of the generated IMDS server as an operator runs it (a spawned process, the
// mock IMDS, real tokens): one JSON line per request with its id, upstream calls at debug, the
// request id echoed, and no secret anywhere in the output — neither the caller's token nor the
// access token IMDS hands out.
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestId } from '../../generator/runtime/logging.js';
import { startMockImds, type MockImds } from '../mock-imds/mock-imds.js';

const SERVER = ['node_modules/tsx/dist/cli.mjs', 'generated/azure-imds-get-token/server.ts'];
const NS = 'instancemetadataclient-get-token';
const PROXY_TOKEN = 'logs-proxy-token-5f2b9c';
const RESOURCE = 'https://management.azure.com/';
const TOOL = 'microsoft-azure-get-identity-oauth2';

let mock: MockImds;
let child: ChildProcess;
let stdout = '';
let stderr = '';
let rest: string;
let mcp: string;

beforeAll(async () => {
  mock = await startMockImds();
  child = spawn(process.execPath, [...SERVER, '--rest-port', '0', '--mcp-port', '0', '--base-uri', `${NS}=${mock.baseUri}`, '--log-level', 'debug'], {
    env: { ...process.env, IMDS_PROXY_TOKEN: PROXY_TOKEN, NAFTIKO_LOG_LEVEL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const r = /REST \S+ listening on (\S+)/.exec(stdout)?.[1];
      const m = /MCP \S+ listening on (\S+)/.exec(stdout)?.[1];
      if (r && m) {
        rest = r;
        mcp = m;
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`server exited early: ${stdout}${stderr}`)));
  });
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await mock.close();
});

/** The JSON log records printed so far (the human "listening on" lines are not JSON). */
function records(): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i += 1) await new Promise((r) => setTimeout(r, 20));
}

describe('request logs', () => {
  let accessToken: string;

  it('one JSON line per request with method, route, status, duration and the echoed request id', async () => {
    const response = await fetch(`${rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, {
      headers: { authorization: `Bearer ${PROXY_TOKEN}`, 'x-request-id': 'ops-test-1', cookie: 'session=cookie-secret-77' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('ops-test-1');
    accessToken = ((await response.json()) as { access_token: string }).access_token;
    expect(accessToken).toMatch(/^eyJ/);

    await until(() => records().some((r) => r.requestId === 'ops-test-1' && r.msg === 'request'));
    const line = records().find((r) => r.requestId === 'ops-test-1' && r.msg === 'request')!;
    expect(line).toMatchObject({ level: 'info', method: 'GET', route: '/v1/identity/oauth2/token', path: '/v1/identity/oauth2/token', status: 200 });
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.time).toBe('string');
    // The upstream call, at debug, carries the same request id.
    const upstream = records().find((r) => r.requestId === 'ops-test-1' && r.msg === 'upstream call')!;
    expect(upstream).toMatchObject({ level: 'debug', namespace: NS, operation: 'microsoftazureidentitygettoken', method: 'GET', status: 200 });
    expect(typeof upstream.durationMs).toBe('number');
  });

  it('an insane x-request-id is replaced by a generated one; a refused caller is logged too', async () => {
    const response = await fetch(`${rest}/v1/identity/oauth2/token?resource=x`, { headers: { 'x-request-id': 'two words\u00e9', authorization: 'Bearer wrong-token-3a1' } });
    expect(response.status).toBe(401);
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => records().some((r) => r.requestId === id));
    expect(records().find((r) => r.requestId === id)).toMatchObject({ status: 401, route: '/v1/identity/oauth2/token' });
  });

  it('MCP tool calls are logged with their outcome and the request id of the /mcp call', async () => {
    const client = new Client({ name: 'ops-logs', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp), { requestInit: { headers: { authorization: `Bearer ${PROXY_TOKEN}` } } }));
    try {
      const result = await client.callTool({ name: TOOL, arguments: { resource: RESOURCE } });
      expect(result.isError ?? false).toBe(false);
      const failed = await client.callTool({ name: TOOL, arguments: { resource: RESOURCE, client_id: 'nope' } });
      expect(failed.isError).toBe(true);
    } finally {
      await client.close();
    }
    await until(() => records().filter((r) => r.msg === 'tool call').length >= 2);
    const calls = records().filter((r) => r.msg === 'tool call');
    expect(calls.map((c) => [c.tool, c.outcome])).toEqual([[TOOL, 'success'], [TOOL, 'error']]);
    const mcpRequest = records().find((r) => r.msg === 'request' && r.route === '/mcp' && r.requestId === calls[0]!.requestId);
    expect(mcpRequest).toMatchObject({ method: 'POST', status: 200 });
  });

  it('no secret, header, query string or body reaches the output', () => {
    const output = stdout + stderr;
    expect(accessToken.length).toBeGreaterThan(20);
    for (const secret of [PROXY_TOKEN, accessToken, 'wrong-token-3a1', 'cookie-secret-77', 'Bearer ']) expect(output).not.toContain(secret);
    // Query strings are never logged (a query may carry an API key): neither the raw nor the decoded resource.
    expect(output).not.toContain('resource=');
    expect(output).not.toContain('management.azure.com');
    expect(output).not.toMatch(/authorization|cookie/i);
  });
});

describe('request id of an incoming header', () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['trace:01.02_x', 'trace:01.02_x'],
    ['a'.repeat(128), 'a'.repeat(128)],
  ])('keeps %s', (given, kept) => expect(requestId(given)).toBe(kept));
  it.each([['a'.repeat(129)], ['two words'], ['new\nline'], [''], ['{"json":1}']])('replaces %j', (given) => {
    expect(requestId(given)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
  it('takes the first of repeated headers and generates one when absent', () => {
    expect(requestId(['first', 'second'])).toBe('first');
    expect(requestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
