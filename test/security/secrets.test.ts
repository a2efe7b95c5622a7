// Secrets stay secret. The generated IMDS server runs as a process with request logging on,
// against the mock IMDS minting real-looking tokens; it serves successes, 401s, bad inputs,
// upstream errors, resets, hangs and malformed answers over REST and MCP, then drains on SIGTERM.
// Its whole stdout/stderr and every answer are searched for the access tokens, the caller's
// Authorization value and the bound secret (IMDS_PROXY_TOKEN): none may appear, except the token
// in the body of a successful token request — the one place it is meant to be.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockImds, type Fault, type MockImds } from '../mock-imds/mock-imds.js';
import { NS, RESOURCE } from '../e2e/stack.js';

const SECRET = `imds-proxy-${randomBytes(12).toString('hex')}`;
const AUTH = { authorization: `Bearer ${SECRET}` };
const TOOL = 'microsoft-azure-get-identity-oauth2';
/** Any JWT-shaped string (every token the mock mints is one). */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

let mock: MockImds;
beforeAll(async () => {
  mock = await startMockImds();
});
afterAll(() => mock?.close());

interface Seen {
  what: string;
  text: string;
  /** The body of a successful token request: the token is meant to be there. */
  tokenExpected: boolean;
}

it('no token, Authorization value or bound secret in logs, error bodies or tool errors', async () => {
  const child = spawn(process.execPath, [
    'node_modules/tsx/dist/cli.mjs', 'test/security/fixtures/logged-server.ts',
    '--rest-port', '0', '--mcp-port', '0', '--base-uri', `${NS}=${mock.baseUri}`, '--timeout-ms', '1000', '--cache', 'off',
  ], { env: { ...process.env, IMDS_PROXY_TOKEN: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { rest, mcp } = await new Promise<{ rest: string; mcp: string }>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const r = /REST \S+ listening on (\S+)/.exec(stdout)?.[1];
      const m = /MCP \S+ listening on (\S+)/.exec(stdout)?.[1];
      if (r && m) resolve({ rest: r, mcp: m });
    });
    child.once('exit', () => reject(new Error(`server exited early:\n${stdout}\n${stderr}`)));
  });

  const seen: Seen[] = [];
  const tokens = new Set<string>();
  const route = `${rest}/v1/identity/oauth2/token`;
  const q = (extra = ''): string => `?resource=${encodeURIComponent(RESOURCE)}${extra}`;
  async function restCall(what: string, url: string, headers: Record<string, string>, fault?: Fault): Promise<number> {
    if (fault) mock.setFaults({ always: fault });
    const response = await fetch(url, { headers });
    const text = await response.text();
    mock.clearFaults();
    const tokenExpected = response.status === 200;
    if (tokenExpected) {
      try {
        tokens.add((JSON.parse(text) as { access_token: string }).access_token);
      } catch {
        // a malformed answer relayed as it came: its token still counts as one to look for
        for (const m of text.matchAll(new RegExp(JWT.source, 'g'))) tokens.add(m[0]);
      }
    }
    seen.push({ what: `REST ${what} → ${response.status}`, text, tokenExpected });
    return response.status;
  }

  // REST: successes (two identities), refusals, bad inputs, upstream failures.
  expect(await restCall('success', `${route}${q()}`, AUTH)).toBe(200);
  expect(await restCall('user identity', `${route}${q('&client_id=aaaaaaaa-0000-4000-8000-000000000001')}`, AUTH)).toBe(200);
  expect(tokens.size).toBe(2);
  expect(await restCall('no credentials', `${route}${q()}`, {})).toBe(401);
  expect(await restCall('wrong bearer', `${route}${q()}`, { authorization: 'Bearer wrong' })).toBe(401);
  expect(await restCall('secret in the query string', `${route}${q(`&access_token=${SECRET}&api_key=${SECRET}`)}`, {})).toBe(401);
  expect(await restCall('secret as basic password', `${route}${q()}`, { authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` })).toBe(401);
  expect(await restCall('secret in another header', `${route}${q()}`, { 'x-api-key': SECRET })).toBe(401);
  expect(await restCall('missing input', route, AUTH)).toBe(400);
  expect(await restCall('unknown route', `${rest}/v1/nothing?token=${SECRET}`, AUTH)).toBe(404);
  expect(await restCall('unknown identity', `${route}${q('&client_id=nope')}`, AUTH)).toBe(400);
  expect(await restCall('upstream 500', `${route}${q()}`, AUTH, { status: 500 })).toBe(500);
  expect(await restCall('reset mid-body (half a token sent)', `${route}${q()}`, AUTH, { resetMidBody: true })).toBe(502);
  expect(await restCall('hang', `${route}${q()}`, AUTH, { hang: true })).toBe(504);
  expect(await restCall('malformed token answer', `${route}${q()}`, AUTH, { malformed: 'invalid_json' })).toBe(200);

  // MCP: a success, tool errors, and a refused client.
  const client = new Client({ name: 'secrets', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp), { requestInit: { headers: AUTH } }));
  async function toolCall(what: string, args: Record<string, unknown>, fault?: Fault): Promise<boolean> {
    if (fault) mock.setFaults({ always: fault });
    const result = await client.callTool({ name: TOOL, arguments: args });
    mock.clearFaults();
    const text = JSON.stringify(result);
    if (!result.isError) tokens.add((result.structuredContent as { access_token: string }).access_token);
    seen.push({ what: `MCP ${what}${result.isError ? ' (error)' : ''}`, text, tokenExpected: !result.isError });
    return result.isError === true;
  }
  try {
    expect(await toolCall('success', { resource: RESOURCE })).toBe(false);
    expect(await toolCall('unknown identity', { resource: RESOURCE, client_id: 'nope' })).toBe(true);
    expect(await toolCall('missing input', {})).toBe(true);
    expect(await toolCall('reset mid-body', { resource: RESOURCE }, { resetMidBody: true })).toBe(true);
    expect(await toolCall('upstream 503', { resource: RESOURCE }, { status: 503 })).toBe(true);
  } finally {
    await client.close();
  }
  const refused = new Client({ name: 'secrets-refused', version: '1.0.0' });
  const refusal = await refused.connect(new StreamableHTTPClientTransport(new URL(mcp), { requestInit: { headers: { authorization: 'Bearer wrong' } } })).then(() => 'connected', (error: Error) => error.message);
  seen.push({ what: 'MCP wrong token', text: refusal, tokenExpected: false });
  expect(refusal).toMatch(/401|Unauthorized/);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  // Logging really was on, and saw the failures.
  const logs = `${stdout}\n${stderr}`;
  expect(logs).toMatch(/"msg":"request"/);
  expect(logs).toMatch(/"status":504/);
  expect(logs).toMatch(/SIGTERM: draining/);

  const parts = [...tokens].flatMap((t) => t.split('.').slice(1)).filter((part) => part.length > 8);
  const secrets = [SECRET, ...tokens, ...parts];
  expect(tokens.size).toBeGreaterThanOrEqual(3);
  for (const secret of secrets) expect(logs.includes(secret), `a secret is in the server's output:\n${logs.slice(0, 3000)}`).toBe(false);
  expect(logs).not.toMatch(JWT);
  for (const { what, text, tokenExpected } of seen) {
    expect(text.includes(SECRET), what).toBe(false);
    if (!tokenExpected) {
      expect(text, what).not.toMatch(JWT);
      for (const part of parts) expect(text.includes(part), what).toBe(false);
    }
  }
  // The caller's credential is never relayed to IMDS.
  for (const request of mock.requests) {
    expect(JSON.stringify(request.rawHeaders)).not.toContain(SECRET);
    expect(request.rawQuery).not.toContain(SECRET);
  }
}, 60_000);

