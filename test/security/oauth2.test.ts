// `authentication: {type: oauth2}` on generated REST and MCP adapters, against a real local
// authorization server (metadata + JWKS over loopback) and tokens signed with node:crypto: valid
// tokens pass (REST and the SDK's MCP client), every kind of bad token is a 401 with the RFC 6750
// challenge, a missing scope a 403, an unreachable authorization server a 503; keys are fetched
// once for many requests and refetched once when a new key id appears.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OAuth2Settings } from '../../generator/runtime/oauth2.js';
import { startRecorder, type Recorder } from '../corpus/recorder.js';
import { cli, scratchDir, startGenerated, typecheck } from '../helpers/cli.js';
import { hmacJwt, makeKey, signJwt, startAuthServer, unsignedJwt, type AuthServer, type SigningKey } from './auth-server.js';

const dir = scratchDir('oauth2');
const out = join(dir, 'out');
const REST_RESOURCE = 'https://api.example.test';
const MCP_RESOURCE = 'https://mcp.example.test/mcp';
const MCP_AUDIENCE = 'tools-api';
const REST_METADATA = 'https://api.example.test/.well-known/oauth-protected-resource';
const MCP_METADATA = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';

const SPEC = `naftiko: 1.0.0-alpha2
binds:
- namespace: env
  keys: {OAUTH_ISSUER: TEST_OAUTH_ISSUER}
capability:
  consumes:
  - {type: http, namespace: up, baseUri: 'http://127.0.0.1:9', resources: [{name: r, path: /items, operations: [{name: list, method: GET}]}]}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    authentication: {type: oauth2, authorizationServerUri: "{{OAUTH_ISSUER}}", resource: "${REST_RESOURCE}", scopes: [items:read], tokenValidation: jwks}
    resources:
    - {path: /items, operations: [{method: GET, name: list, call: up.list}]}
  - type: mcp
    namespace: tools
    port: 9090
    authentication: {type: oauth2, authorizationServerUri: "{{OAUTH_ISSUER}}", resource: "${MCP_RESOURCE}", audience: ${MCP_AUDIENCE}, scopes: [items:read], tokenEndpoint: "https://as.example.test/token"}
    tools:
    - {name: list, description: List, call: up.list}
`;

const rsa = makeKey('rsa-1', 'RS256');
const pss = makeKey('pss-1', 'PS384');
const ec = makeKey('ec-1', 'ES256');
const ec384 = makeKey('ec-2', 'ES384');
const ed = makeKey('ed-1', 'EdDSA');
const KEYS = [rsa, pss, ec, ec384, ed];

let upstream: Recorder;
beforeAll(async () => {
  writeFileSync(join(dir, 'oauth.yaml'), SPEC);
  const generated = await cli('generate', join(dir, 'oauth.yaml'), '--out', out);
  expect(generated.stderr).toBe('');
  expect(generated.code).toBe(0);
  upstream = await startRecorder();
});
afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

const now = (): number => Math.floor(Date.now() / 1000);
const claims = (as: AuthServer, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: as.issuer, aud: REST_RESOURCE, sub: 'user-1', exp: now() + 300, iat: now(), scope: 'openid items:read', ...extra,
});

async function start(as: AuthServer | string, settings?: OAuth2Settings, logs?: string[]) {
  return startGenerated(out, 'oauth', {
    baseUris: { up: upstream.url },
    env: { TEST_OAUTH_ISSUER: typeof as === 'string' ? as : as.issuer },
    retry: false,
    ...(settings ? { oauth2: settings } : {}),
    ...(logs ? { logLevel: 'debug' as const, logDestination: { write: (line: string) => void logs.push(line) } } : {}),
  });
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const rpc = (mcp: string, headers: Record<string, string>): Promise<Response> =>
  fetch(mcp, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });

async function connect(mcp: string, token: string): Promise<Client> {
  const client = new Client({ name: 'oauth2-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp), { requestInit: { headers: bearer(token) } }));
  return client;
}

it('the generated capability with oauth2 adapters type-checks', () => {
  expect(() => typecheck(out)).not.toThrow();
});

describe('valid tokens', () => {
  it('pass for every key type on REST and MCP; one metadata and one JWKS fetch serve all requests, concurrent cold ones included', async () => {
    const as = await startAuthServer(KEYS, { delayMs: 50 });
    const logs: string[] = [];
    const running = await start(as, undefined, logs);
    const before = upstream.requests.length;
    try {
      const rest = `${running.rest[0]!.url}/items`;
      const first = signJwt(claims(as), rsa);
      const cold = await Promise.all(Array.from({ length: 12 }, () => fetch(rest, { headers: bearer(first) })));
      expect(cold.map((r) => r.status)).toEqual(Array(12).fill(200));
      for (const key of KEYS) {
        const response = await fetch(rest, { headers: bearer(signJwt(claims(as), key)) });
        expect(response.status, key.alg).toBe(200);
      }
      // The issuer with a trailing slash is the same issuer; `scp` arrays count as scopes.
      const variant = signJwt(claims(as, { iss: `${as.issuer}/`, scope: undefined, scp: ['items:read'], aud: ['other', REST_RESOURCE] }), ec);
      expect((await fetch(rest, { headers: bearer(variant) })).status).toBe(200);

      const mcpToken = signJwt(claims(as, { aud: MCP_AUDIENCE }), ed);
      const client = await connect(running.mcp[0]!.url, mcpToken);
      const result = await client.callTool({ name: 'list', arguments: {} });
      expect(result.isError ?? false).toBe(false);
      await client.close();

      expect(as.hitsOf('/.well-known/oauth-authorization-server')).toBe(1);
      expect(as.hitsOf('/jwks')).toBe(1);
      const relayed = upstream.requests.slice(before);
      expect(relayed.length).toBeGreaterThanOrEqual(12 + KEYS.length + 2);
      expect(relayed.every((r) => r.headers.authorization === undefined)).toBe(true);
      expect(logs.join('\n')).not.toContain(first.split('.')[2]);
    } finally {
      await running.close();
      await as.close();
    }
  });

  it('OpenID-only discovery with an issuer path: RFC 8414 forms first, then openid-configuration', async () => {
    const as = await startAuthServer([ec], { oidcOnly: true, issuerPath: '/tenant-a' });
    const running = await start(as);
    try {
      expect((await fetch(`${running.rest[0]!.url}/items`, { headers: bearer(signJwt(claims(as), ec)) })).status).toBe(200);
      expect(as.hitsOf('/.well-known/oauth-authorization-server/tenant-a')).toBe(1);
      expect(as.hitsOf('/tenant-a/.well-known/oauth-authorization-server')).toBe(1);
      expect(as.hitsOf('/tenant-a/.well-known/openid-configuration')).toBe(1);
      expect(as.hitsOf('/jwks')).toBe(1);
    } finally {
      await running.close();
      await as.close();
    }
  });
});

describe('refused tokens', () => {
  let as: AuthServer;
  let running: Awaited<ReturnType<typeof start>>;
  const logs: string[] = [];
  beforeAll(async () => {
    as = await startAuthServer(KEYS);
    running = await start(as, undefined, logs);
  });
  afterAll(async () => {
    await running.close();
    await as.close();
  });

  const stranger = makeKey('rsa-1', 'RS256', { fresh: true });
  const cases: [string, (aud: string) => string][] = [
    ['expired', (aud) => signJwt(claims(as, { aud, exp: now() - 3600 }), rsa)],
    ['not valid yet', (aud) => signJwt(claims(as, { aud, nbf: now() + 3600 }), rsa)],
    ['without exp', (aud) => signJwt(claims(as, { aud, exp: undefined }), ec)],
    ['wrong issuer', (aud) => signJwt(claims(as, { aud, iss: 'http://127.0.0.1:1' }), rsa)],
    ['wrong audience', (aud) => signJwt(claims(as, { aud: `${aud}-other` }), ec)],
    ['bad signature (another key under a known kid)', (aud) => signJwt(claims(as, { aud }), stranger)],
    ['alg none', (aud) => unsignedJwt(claims(as, { aud }), 'rsa-1')],
    ['alg none with a signature', (aud) => `${unsignedJwt(claims(as, { aud }), 'rsa-1')}c2ln`],
    ['HS256 keyed with the public key', (aud) => hmacJwt(claims(as, { aud }), rsa)],
    ['RS256 header on an EC key id', (aud) => signJwt(claims(as, { aud }), { ...ec, alg: 'RS256' } as SigningKey)],
    ['unknown kid', (aud) => signJwt(claims(as, { aud }), makeKey('nobody', 'ES256', { fresh: true }))],
    ['not a JWT', () => 'opaque-token-value'],
  ];

  it.each(cases)('%s → 401 invalid_token with the resource metadata, on REST and MCP, nothing sent upstream', async (_name, make) => {
    const before = upstream.requests.length;
    const restToken = make(REST_RESOURCE);
    const denied = await fetch(`${running.rest[0]!.url}/items`, { headers: bearer(restToken) });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer error="invalid_token", error_description="invalid or expired access token", resource_metadata="${REST_METADATA}"`);
    expect(await denied.text()).not.toContain(restToken.slice(-20));
    const mcpToken = make(MCP_AUDIENCE);
    const mcpDenied = await rpc(running.mcp[0]!.url, bearer(mcpToken));
    expect(mcpDenied.status).toBe(401);
    expect(mcpDenied.headers.get('www-authenticate')).toBe(`Bearer error="invalid_token", error_description="invalid or expired access token", resource_metadata="${MCP_METADATA}"`);
    expect(await mcpDenied.text()).not.toContain(mcpToken.slice(-20));
    expect(upstream.requests.length).toBe(before);
  });

  it('no token → 401 with a bare Bearer challenge naming the metadata (RFC 6750 §3.1), on every MCP method', async () => {
    const denied = await fetch(`${running.rest[0]!.url}/items`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${REST_METADATA}"`);
    for (const method of ['POST', 'GET', 'DELETE']) {
      const response = await fetch(running.mcp[0]!.url, { method, headers: { authorization: 'Basic dXNlcjpwdw==' } });
      expect(response.status, method).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${MCP_METADATA}"`);
    }
  });

  it('a valid token without the required scope → 403 insufficient_scope', async () => {
    const token = signJwt(claims(as, { scope: 'openid items:write' }), rsa);
    const denied = await fetch(`${running.rest[0]!.url}/items`, { headers: bearer(token) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="items:read", resource_metadata="${REST_METADATA}"`);
    const mcpDenied = await rpc(running.mcp[0]!.url, bearer(signJwt(claims(as, { aud: MCP_AUDIENCE, scope: undefined }), ec)));
    expect(mcpDenied.status).toBe(403);
    expect(mcpDenied.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
  });

  it('unknown key ids refetch the JWKS at most once per cooldown; the log says why, never the token', async () => {
    // Every refusal above ran against the same server: one initial fetch, no refetch within the cooldown.
    expect(as.hitsOf('/jwks')).toBe(1);
    const text = logs.join('\n');
    expect(text).toContain('expired');
    expect(text).toContain('unknown key id');
    expect(text).toContain('wrong audience');
    expect(text).not.toContain('opaque-token-value');
  });
});

it('protected resource metadata (RFC 9728) is served without a token, at the root and under the resource path', async () => {
  const as = await startAuthServer([rsa]);
  const running = await start(as);
  try {
    const mcpOrigin = new URL(running.mcp[0]!.url).origin;
    const want = { resource: MCP_RESOURCE, authorization_servers: [as.issuer], scopes_supported: ['items:read'], bearer_methods_supported: ['header'] };
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(`${mcpOrigin}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.json()).toEqual(want);
    }
    expect((await fetch(`${mcpOrigin}/.well-known/oauth-protected-resource/other`)).status).toBe(404);
    const rest = await fetch(`${running.rest[0]!.url}/.well-known/oauth-protected-resource`);
    expect(await rest.json()).toEqual({ ...want, resource: REST_RESOURCE });
    expect(as.hits.size).toBe(0);
  } finally {
    await running.close();
    await as.close();
  }
});

it('key rotation: a token with a new kid makes one JWKS refetch and passes; the retired key is refused', async () => {
  const as = await startAuthServer([rsa]);
  const running = await start(as, { refreshCooldownMs: 0 });
  const rest = `${running.rest[0]!.url}/items`;
  try {
    expect((await fetch(rest, { headers: bearer(signJwt(claims(as), rsa)) })).status).toBe(200);
    expect(as.hitsOf('/jwks')).toBe(1);
    const next = makeKey('ec-next', 'ES256', { fresh: true });
    as.publish([next]);
    const rotated = await Promise.all(Array.from({ length: 5 }, () => fetch(rest, { headers: bearer(signJwt(claims(as), next)) })));
    expect(rotated.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(as.hitsOf('/jwks')).toBe(2);
    expect((await fetch(rest, { headers: bearer(signJwt(claims(as), rsa)) })).status).toBe(401);
    expect(as.hitsOf('/.well-known/oauth-authorization-server')).toBe(1);
  } finally {
    await running.close();
    await as.close();
  }
});

describe('authorization server unavailable', () => {
  it('with no keys held → 503 with Retry-After on REST and MCP, the token in neither body nor log', async () => {
    const gone = await startAuthServer([rsa]);
    const issuer = gone.issuer;
    await gone.close();
    const logs: string[] = [];
    const running = await start(issuer, { timeoutMs: 2000 }, logs);
    try {
      const token = signJwt({ iss: issuer, aud: REST_RESOURCE, exp: now() + 300, scope: 'items:read' }, rsa);
      const response = await fetch(`${running.rest[0]!.url}/items`, { headers: bearer(token) });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.text()).not.toContain(token.slice(-20));
      const mcp = await rpc(running.mcp[0]!.url, bearer(token));
      expect(mcp.status).toBe(503);
      const text = logs.join('\n');
      expect(text).toContain('could not be reached');
      expect(text).not.toContain(token.slice(-20));
    } finally {
      await running.close();
    }
  });

  it('with keys held → keys past their TTL are refreshed in the background and stay in use while the refresh fails', async () => {
    const as = await startAuthServer([rsa]);
    const running = await start(as, { cacheTtlMs: 1, refreshCooldownMs: 0 });
    try {
      const token = signJwt(claims(as), rsa);
      const rest = `${running.rest[0]!.url}/items`;
      expect((await fetch(rest, { headers: bearer(token) })).status).toBe(200);
      expect(as.hitsOf('/jwks')).toBe(1);
      // Past the TTL the held keys answer at once and the refresh runs behind them.
      await new Promise((r) => setTimeout(r, 5));
      expect((await fetch(rest, { headers: bearer(token) })).status).toBe(200);
      await vi.waitFor(() => expect(as.hitsOf('/jwks')).toBe(2));
      await as.close();
      await new Promise((r) => setTimeout(r, 5));
      expect((await fetch(rest, { headers: bearer(token) })).status).toBe(200);
      expect((await fetch(rest, { headers: bearer(token) })).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

describe('spec diagnostics', () => {
  const cases: [string, string, RegExp][] = [
    ['introspection', '{type: oauth2, authorizationServerUri: "https://as.example", resource: "https://api.example", tokenValidation: introspection}', /tokenValidation "introspection" is not supported/],
    ['no audience', '{type: oauth2, authorizationServerUri: "https://as.example"}', /needs resource or audience/],
    ['bad issuer', '{type: oauth2, authorizationServerUri: "as.example", resource: "https://api.example"}', /authorizationServerUri "as\.example" is not an absolute http\(s\) URI/],
    ['bad scope', '{type: oauth2, authorizationServerUri: "https://as.example", resource: "https://api.example", scopes: ["a b"]}', /a scope is a non-empty name/],
  ];
  it.each(cases)('%s → a positioned error, nothing generated', async (name, auth, message) => {
    const file = join(dir, `bad-${name.replace(/ /g, '-')}.yaml`);
    writeFileSync(file, SPEC.replace(/authentication: \{type: oauth2[^\n]*scopes: \[items:read\], tokenValidation: jwks\}/, `authentication: ${auth}`));
    const run = await cli('generate', file, '--out', join(dir, 'bad-out'));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(new RegExp(`bad-${name.replace(/ /g, '-')}\\.yaml:1[0-9]:\\d+`));
  });
});
