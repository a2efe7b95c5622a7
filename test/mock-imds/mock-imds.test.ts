/**
 * Tests of the mock IMDS itself, over real loopback HTTP (node:http, no
 * mocking). Scenario ids (S01–S09, E01–E23) refer to
 * the IMDS notes (imds.md §6.2).
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SYSTEM_IDENTITY,
  DEFAULT_USER_IDENTITIES,
  IMDS_ERRORS,
  SUPPORTED_API_VERSIONS,
  TOKEN_PATH,
  decodeJwtPayload,
  startMockImds,
} from './mock-imds.js';
import type { Fault, MockImds, MockImdsOptions, UserAssignedIdentity } from './mock-imds.js';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const MGMT = 'https://management.azure.com/';
const GOOD_QUERY = `api-version=2018-02-01&resource=${encodeURIComponent(MGMT)}`;
const UAMI1 = DEFAULT_USER_IDENTITIES[0] as UserAssignedIdentity;
const UAMI2 = DEFAULT_USER_IDENTITIES[1] as UserAssignedIdentity;
const T0 = 1_760_000_000_000; // fixed epoch ms for clock-driven tests

interface Req {
  method?: string;
  /** Path (default the token path). */
  path?: string;
  /** Raw query string without '?' (default GOOD_QUERY; null = no query). */
  query?: string | null;
  /** Headers merged over `{Metadata: 'true'}`; `undefined` removes one. */
  headers?: Record<string, string | undefined>;
  body?: string;
  signal?: AbortSignal;
}

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON, or undefined if the body is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const mocks: MockImds[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function start(options: MockImdsOptions = {}): Promise<MockImds> {
  const m = await startMockImds(options);
  mocks.push(m);
  return m;
}

/** One raw HTTP request on a fresh connection; rejects on socket errors. */
function send(mock: MockImds, r: Req = {}): Promise<Res> {
  const query = r.query === undefined ? GOOD_QUERY : r.query;
  const path = (r.path ?? TOKEN_PATH) + (query === null ? '' : `?${query}`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ Metadata: 'true', ...r.headers })) if (v !== undefined) headers[k] = v;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: mock.port, method: r.method ?? 'GET', path, headers, agent: false, signal: r.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          if (!res.complete) return reject(new Error('response incomplete'));
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Token-endpoint query with overrides; `null` drops a parameter. */
function q(extra: Record<string, string | null> = {}): string {
  const params: Record<string, string | null> = { 'api-version': '2018-02-01', resource: MGMT, ...extra };
  return Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

async function waitFor(cond: () => boolean, timeoutMs = 1000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---------------------------------------------------------------------------
// Success scenarios
// ---------------------------------------------------------------------------

describe('success scenarios', () => {
  it('S01: system-assigned identity, good request → 200 with string fields and IMDS headers', async () => {
    const mock = await start({ now: () => T0 });
    const res = await send(mock);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['server']).toMatch(/^IMDS\/150\.870\.65\.\d+$/);
    expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(res.json)).toEqual([
      'access_token',
      'client_id',
      'expires_in',
      'expires_on',
      'ext_expires_in',
      'not_before',
      'resource',
      'token_type',
    ]);
    for (const v of Object.values(res.json)) expect(typeof v).toBe('string');
    const nowSec = T0 / 1000;
    expect(res.json).toMatchObject({
      client_id: DEFAULT_SYSTEM_IDENTITY.client_id,
      expires_in: '86400',
      expires_on: String(nowSec + 86400),
      ext_expires_in: '86400',
      not_before: String(nowSec - 300),
      resource: MGMT,
      token_type: 'Bearer',
    });
    expect(res.json.access_token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(decodeJwtPayload(res.json.access_token)).toMatchObject({
      aud: MGMT,
      appid: DEFAULT_SYSTEM_IDENTITY.client_id,
      oid: DEFAULT_SYSTEM_IDENTITY.object_id,
      exp: nowSec + 86400,
      nbf: nowSec - 300,
    });
    expect(mock.requests[0]?.requestId).toBe(res.headers['x-ms-request-id']);
  });

  const selectorCases: Array<{ id: string; query: string; want: UserAssignedIdentity }> = [
    { id: 'S02 client_id', query: q({ client_id: UAMI1.client_id }), want: UAMI1 },
    { id: 'S03 object_id', query: q({ object_id: UAMI2.object_id }), want: UAMI2 },
    // msal-node sends msi_res_id percent-encoded; matching is case-insensitive.
    { id: 'S04 msi_res_id (other case)', query: q({ msi_res_id: UAMI1.msi_res_id.toUpperCase() }), want: UAMI1 },
  ];
  it.each(selectorCases)('$id selects the user-assigned identity', async ({ query, want }) => {
    const mock = await start();
    const res = await send(mock, { query });
    expect(res.status).toBe(200);
    expect(res.json.client_id).toBe(want.client_id);
    expect(decodeJwtPayload(res.json.access_token)).toMatchObject({ oid: want.object_id, appid: want.client_id });
  });

  it('S05: single user-assigned identity, no selector → 200 (or 400 with the reject knob)', async () => {
    const mock = await start({ systemAssigned: null, userAssigned: [UAMI2] });
    const ok = await send(mock);
    expect(ok.status).toBe(200);
    expect(ok.json.client_id).toBe(UAMI2.client_id);

    mock.options.singleUserAssignedWithoutSelector = 'reject';
    const rejected = await send(mock);
    expect(rejected.status).toBe(400);
    expect(rejected.json).toEqual(IMDS_ERRORS.identityNotFound);
  });

  it('S06: unencoded resource, trailing slash, extra SDK headers → 200, resource echoed decoded', async () => {
    const mock = await start();
    const res = await send(mock, {
      path: `${TOKEN_PATH}/`,
      query: 'api-version=2018-02-01&resource=https://management.azure.com/',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8',
        'x-client-SKU': 'msal.js.node',
        'x-client-VER': '7.2.3',
        'x-ms-client-request-id': '0f5d7a0e-0000-4000-8000-000000000000',
        'User-Agent': 'test',
        Accept: 'application/json',
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.resource).toBe('https://management.azure.com/');

    // `/.default` stripped by SDKs: no trailing slash, echoed exactly as sent.
    const noSlash = await send(mock, { query: q({ resource: 'https://management.azure.com' }) });
    expect(noSlash.status).toBe(200);
    expect(noSlash.json.resource).toBe('https://management.azure.com');
    expect(decodeJwtPayload(noSlash.json.access_token)['aud']).toBe('https://management.azure.com');
  });

  it('S07: same request twice → same token and expires_on, expires_in counts down; new token after expiry', async () => {
    let now = T0;
    const mock = await start({ now: () => now });
    const first = await send(mock);
    now += 10_500;
    const second = await send(mock);
    expect(second.json.access_token).toBe(first.json.access_token);
    expect(second.json.expires_on).toBe(first.json.expires_on);
    expect(second.json.expires_in).toBe('86390');
    expect(second.json.ext_expires_in).toBe('86390');

    // Cache is per (identity, resource).
    const other = await send(mock, { query: q({ client_id: UAMI1.client_id }) });
    expect(other.json.access_token).not.toBe(first.json.access_token);

    now = T0 + 86_400_000; // expired
    const third = await send(mock);
    expect(third.json.access_token).not.toBe(first.json.access_token);
    expect(third.json.expires_in).toBe('86400');
    expect(Number(third.json.expires_on)).toBe(T0 / 1000 + 2 * 86400);
  });

  it('S08: bypass_cache=true mints a fresh token; any other value → 400', async () => {
    let now = T0;
    const mock = await start({ now: () => now });
    const first = await send(mock);
    now += 5_000;
    const fresh = await send(mock, { query: q({ bypass_cache: 'true' }) });
    expect(fresh.status).toBe(200);
    expect(fresh.json.access_token).not.toBe(first.json.access_token);
    expect(Number(fresh.json.expires_on)).toBe(Number(first.json.expires_on) + 5);
    expect(fresh.json.expires_in).toBe('86400');
    // The fresh token replaces the cached one.
    const again = await send(mock);
    expect(again.json.access_token).toBe(fresh.json.access_token);

    for (const bad of ['false', 'True', '1', '']) {
      const res = await send(mock, { query: q({ bypass_cache: bad }) });
      expect(res.status, `bypass_cache=${bad}`).toBe(400);
      expect(res.json.error).toBe('invalid_request');
    }
  });

  it.each(['2021-02-01', '2019-08-15', SUPPORTED_API_VERSIONS[0] as string])(
    'S09: api-version=%s → 200',
    async (v) => {
      const mock = await start();
      expect((await send(mock, { query: q({ 'api-version': v }) })).status).toBe(200);
    },
  );

  it('E24: short-lived tokens via tokenLifetimeSec', async () => {
    const mock = await start({ now: () => T0, tokenLifetimeSec: 200 });
    const res = await send(mock);
    expect(res.json.expires_in).toBe('200');
  });

  it('ignores unknown query parameters (xms_cc) unless rejectUnknownParams', async () => {
    const mock = await start();
    expect((await send(mock, { query: q({ xms_cc: 'cp1', authority: 'x' }) })).status).toBe(200);
    mock.options.rejectUnknownParams = true;
    const res = await send(mock, { query: q({ xms_cc: 'cp1' }) });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
  });

  it('accepts resources modulo one trailing slash, and any resource with "*"', async () => {
    const mock = await start();
    expect((await send(mock, { query: q({ resource: 'https://vault.azure.net/' }) })).status).toBe(200);
    mock.options.acceptedResources = '*';
    const res = await send(mock, { query: q({ resource: 'api://my-app' }) });
    expect(res.status).toBe(200);
    expect(res.json.resource).toBe('api://my-app');
  });
});

// ---------------------------------------------------------------------------
// Error scenarios
// ---------------------------------------------------------------------------

interface ErrorCase {
  id: string;
  setup?: MockImdsOptions;
  req: Req;
  status: number;
  /** Exact body expected. */
  body?: unknown;
  /** Partial match, when the text is not fixed. */
  match?: Record<string, unknown>;
}

const imdsVersionBody = {
  error:
    'Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds',
  'newest-versions': ['2025-04-07', '2024-07-17', '2024-03-15'],
};

const errorCases: ErrorCase[] = [
  { id: 'E01 no Metadata header', req: { headers: { Metadata: undefined } }, status: 400, body: IMDS_ERRORS.metadataHeader },
  { id: 'E01 probe (no query, no header)', req: { query: null, headers: { Metadata: undefined } }, status: 400, body: IMDS_ERRORS.metadataHeader },
  { id: 'E02 Metadata: false', req: { headers: { Metadata: 'false' } }, status: 400, body: IMDS_ERRORS.metadataHeader },
  { id: 'E02 Metadata: 1', req: { headers: { Metadata: '1' } }, status: 400, body: IMDS_ERRORS.metadataHeader },
  { id: 'E02 Metadata: empty', req: { headers: { Metadata: '' } }, status: 400, body: IMDS_ERRORS.metadataHeader },
  { id: 'E02 Metadata: True (strict)', req: { headers: { Metadata: 'True' } }, status: 400, body: IMDS_ERRORS.metadataHeader },
  { id: 'E02 Metadata: True (lenient)', setup: { lenientMetadataHeader: true }, req: { headers: { Metadata: 'True' } }, status: 200 },
  { id: 'E03 X-Forwarded-For', req: { headers: { 'X-Forwarded-For': '1.2.3.4' } }, status: 400, body: IMDS_ERRORS.forwardedFor },
  { id: 'E04 no api-version (imds body)', req: { query: q({ 'api-version': null }) }, status: 400, body: imdsVersionBody },
  {
    id: 'E04 no api-version (oauth body)',
    setup: { apiVersionErrorStyle: 'oauth' },
    req: { query: q({ 'api-version': null }) },
    status: 400,
    body: IMDS_ERRORS.apiVersionMissing,
  },
  { id: 'E05 api-version=2017-12-01', req: { query: q({ 'api-version': '2017-12-01' }) }, status: 400, body: imdsVersionBody },
  { id: 'E05 api-version=2099-01-01', req: { query: q({ 'api-version': '2099-01-01' }) }, status: 400, body: imdsVersionBody },
  {
    id: 'E05 unsupported (oauth body)',
    setup: { apiVersionErrorStyle: 'oauth' },
    req: { query: q({ 'api-version': '2017-12-01' }) },
    status: 400,
    body: IMDS_ERRORS.apiVersionInvalid,
  },
  { id: 'E06 no resource', req: { query: q({ resource: null }) }, status: 400, body: IMDS_ERRORS.resourceMissing },
  { id: 'E06 empty resource', req: { query: q({ resource: '' }) }, status: 400, body: IMDS_ERRORS.resourceMissing },
  {
    id: 'E07 unknown resource',
    req: { query: q({ resource: 'https://nonexistent.example/' }) },
    status: 400,
    match: {
      error: 'invalid_resource',
      error_description: expect.stringMatching(
        /^AADSTS500011: The resource principal named https:\/\/nonexistent\.example\/ was not found in the tenant named \S+\./,
      ),
    },
  },
  {
    id: 'E07 /.default not stripped',
    req: { query: q({ resource: 'https://management.azure.com/.default' }) },
    status: 400,
    match: { error: 'invalid_resource' },
  },
  { id: 'E08 no identity at all', setup: { systemAssigned: null, userAssigned: [] }, req: {}, status: 400, body: IMDS_ERRORS.identityNotFound },
  { id: 'E09 unknown client_id', req: { query: q({ client_id: 'deadbeef-0000-4000-8000-000000000000' }) }, status: 400, body: IMDS_ERRORS.identityNotFound },
  { id: 'E09 unknown object_id', req: { query: q({ object_id: 'deadbeef-0000-4000-8000-000000000000' }) }, status: 400, body: IMDS_ERRORS.identityNotFound },
  { id: 'E09 unknown msi_res_id', req: { query: q({ msi_res_id: '/subscriptions/x/nope' }) }, status: 400, body: IMDS_ERRORS.identityNotFound },
  { id: 'E09 client_id of another case', req: { query: q({ client_id: UAMI1.client_id.toUpperCase() }) }, status: 400, body: IMDS_ERRORS.identityNotFound },
  { id: 'E10 several user identities, no selector', setup: { systemAssigned: null }, req: {}, status: 400, body: IMDS_ERRORS.multipleIdentities },
  {
    id: 'E11 two selectors',
    req: { query: q({ client_id: UAMI1.client_id, object_id: UAMI1.object_id }) },
    status: 400,
    body: IMDS_ERRORS.multipleSelectors,
  },
  { id: 'E12 resource twice', req: { query: `${GOOD_QUERY}&resource=${encodeURIComponent(MGMT)}` }, status: 400, match: { error: 'invalid_request' } },
  { id: 'E12 api-version twice', req: { query: `api-version=2018-02-01&${GOOD_QUERY}` }, status: 400, match: { error: 'invalid_request' } },
  { id: 'E13 POST', req: { method: 'POST', body: 'resource=x' }, status: 405, body: IMDS_ERRORS.methodNotAllowed },
  { id: 'E13 PUT', req: { method: 'PUT' }, status: 405, body: IMDS_ERRORS.methodNotAllowed },
  { id: 'E13 DELETE', req: { method: 'DELETE' }, status: 405, body: IMDS_ERRORS.methodNotAllowed },
  { id: 'unknown path', req: { path: '/metadata/instance' }, status: 404, body: IMDS_ERRORS.notFound },
  { id: 'bad percent-encoding', req: { query: `${GOOD_QUERY}&x=%E0%A4%A` }, status: 400, body: IMDS_ERRORS.malformedQuery },
];

describe('error scenarios', () => {
  it.each(errorCases)('$id → $status', async ({ setup, req, status, body, match }) => {
    const mock = await start(setup);
    const res = await send(mock, req);
    expect(res.status).toBe(status);
    expect(res.headers['server']).toMatch(/^IMDS\//);
    if (status !== 200) expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    if (body !== undefined) expect(res.json).toEqual(body);
    if (match !== undefined) expect(res.json).toMatchObject(match);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.status).toBe(status);
  });

  it('E01/E10 bodies have the observed Content-Length (88 and 168)', async () => {
    const mock = await start({ systemAssigned: null });
    expect((await send(mock, { headers: { Metadata: undefined } })).headers['content-length']).toBe('88');
    expect((await send(mock)).headers['content-length']).toBe('168');
  });
});

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

describe('faults', () => {
  it('status sequence with and without Retry-After, then normal answers', async () => {
    const mock = await start();
    mock.setFaults([
      { status: 500 },
      { status: 503, retryAfter: 2 },
      { status: 404 },
      { status: 410 },
      { status: 429 },
      { status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' },
      { status: 502 },
      { status: 504 },
    ]);
    const want: Array<[number, unknown, string | undefined]> = [
      [500, IMDS_ERRORS.serverError, undefined],
      [503, IMDS_ERRORS.serviceUnavailable, '2'],
      [404, IMDS_ERRORS.notFound, undefined],
      [410, IMDS_ERRORS.gone, undefined],
      [429, IMDS_ERRORS.tooManyRequests, undefined],
      [429, IMDS_ERRORS.tooManyRequests, 'Wed, 21 Oct 2015 07:28:00 GMT'],
      [502, IMDS_ERRORS.serviceUnavailable, undefined],
      [504, IMDS_ERRORS.serviceUnavailable, undefined],
    ];
    for (const [status, body, retryAfter] of want) {
      const res = await send(mock);
      expect(res.status).toBe(status);
      expect(res.json).toEqual(body);
      expect(res.headers['retry-after']).toBe(retryAfter);
    }
    expect(mock.pendingFaults()).toBe(0);
    expect((await send(mock)).status).toBe(200);
    expect(mock.requests.map((r) => r.fault)).toEqual([
      'status:500',
      'status:503',
      'status:404',
      'status:410',
      'status:429',
      'status:429',
      'status:502',
      'status:504',
      undefined,
    ]);
    // Faults apply even to requests that would be rejected; normal handling resumes afterwards.
    mock.setFaults([{ status: 500 }]);
    expect((await send(mock, { headers: { Metadata: undefined } })).status).toBe(500);
    expect((await send(mock, { headers: { Metadata: undefined } })).status).toBe(400);
  });

  it('times repeats an entry; forMs keeps it for a span of the mock clock', async () => {
    let now = T0;
    const mock = await start({ now: () => now, faults: [{ status: 410, times: 2 }, { status: 404, forMs: 70_000 }] });
    const statuses: number[] = [];
    for (const advance of [0, 0, 0, 30_000, 39_999, 1]) {
      now += advance;
      statuses.push((await send(mock)).status);
    }
    // 410 ×2, then 404 from t (first use) until t+70 s, then 200.
    expect(statuses).toEqual([410, 410, 404, 404, 404, 200]);
  });

  it('always fault applies after the sequence; clearFaults restores normal answers', async () => {
    const mock = await start();
    mock.setFaults({ sequence: [{ status: 404 }], always: { status: 500 } });
    expect((await send(mock)).status).toBe(404);
    expect((await send(mock)).status).toBe(500);
    expect((await send(mock)).status).toBe(500);
    mock.clearFaults();
    expect((await send(mock)).status).toBe(200);
  });

  it('non-JSON bodies, custom content type and headers (E22)', async () => {
    const mock = await start();
    mock.setFaults([
      { status: 500, body: 'pod list is empty' },
      {
        status: 403,
        body: 'connecting to 169.254.169.254:80: A socket operation was attempted to an unreachable network.',
        headers: { Server: null, 'X-Extra': 'yes' },
      },
      { status: 200, body: 'not json', contentType: 'application/json' },
      { status: 400, body: { error: 'custom', error_description: 'custom text' } },
    ]);
    const a = await send(mock);
    expect([a.status, a.text, a.headers['content-type']]).toEqual([500, 'pod list is empty', 'text/plain; charset=utf-8']);
    const b = await send(mock);
    expect(b.status).toBe(403);
    expect(b.text).toContain('unreachable network');
    expect(b.headers['server']).toBeUndefined();
    expect(b.headers['x-extra']).toBe('yes');
    const c = await send(mock);
    expect([c.status, c.text, c.headers['content-type'], c.json]).toEqual([200, 'not json', 'application/json', undefined]);
    const d = await send(mock);
    expect(d.json).toEqual({ error: 'custom', error_description: 'custom text' });
  });

  it('delay then normal answer (E19)', async () => {
    const mock = await start({ faults: [{ delayMs: 150 }] });
    const t = Date.now();
    const res = await send(mock);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    expect(mock.requests[0]?.fault).toBe('delay:150');
  });

  it('hang: the client has to abort; the request is recorded; later requests are served (E20)', async () => {
    const mock = await start({ faults: [{ hang: true }] });
    const t = Date.now();
    await expect(send(mock, { signal: AbortSignal.timeout(100) })).rejects.toThrow(/abort/i);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(mock.requests[0]?.fault).toBe('hang');
    expect(mock.requests[0]?.status).toBeUndefined();
    expect((await send(mock)).status).toBe(200);
  });

  it('close() destroys hung sockets promptly', async () => {
    const mock = await startMockImds({ faults: { always: { hang: true } } });
    const pending = send(mock).catch((e: unknown) => e);
    await waitFor(() => mock.requests.length === 1);
    const t = Date.now();
    await mock.close();
    expect(Date.now() - t).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
    await mock.close(); // idempotent
  });

  it('reset: the connection is reset without an answer (E21)', async () => {
    const mock = await start({ faults: [{ reset: true }] });
    await expect(send(mock)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET/) });
    expect(mock.requests[0]?.fault).toBe('reset');
    expect(mock.requests[0]?.status).toBeUndefined();
    expect((await send(mock)).status).toBe(200);
  });

  it('resetMidBody: headers and part of the body, then a reset (E21)', async () => {
    const mock = await start({ faults: [{ resetMidBody: true }] });
    let gotHeaders = false;
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: mock.port, path: `${TOKEN_PATH}?${GOOD_QUERY}`, headers: { Metadata: 'true' }, agent: false },
        (res) => {
          gotHeaders = res.statusCode === 200;
          res.on('data', () => undefined);
          res.on('error', (e) => resolve(`error:${e.message}`));
          res.on('aborted', () => resolve('aborted'));
          res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete'));
        },
      );
      req.on('error', (e) => resolve(`error:${e.message}`));
      req.end();
    });
    expect(gotHeaders).toBe(true);
    expect(outcome).not.toBe('complete');
    expect(mock.requests[0]).toMatchObject({ fault: 'resetMidBody', status: 200 });
  });

  const malformedCases: Array<{ fault: Fault; check: (r: Res) => void }> = [
    { fault: { malformed: 'missing_access_token' }, check: (r) => expect(r.json).not.toHaveProperty('access_token') },
    { fault: { malformed: 'empty_access_token' }, check: (r) => expect(r.json.access_token).toBe('') },
    {
      fault: { malformed: 'expires_on_number' },
      check: (r) => {
        expect(typeof r.json.expires_on).toBe('number');
        expect(typeof r.json.expires_in).toBe('string');
      },
    },
    { fault: { malformed: 'expires_on_iso' }, check: (r) => expect(r.json.expires_on).toMatch(/^\d{4}-\d\d-\d\dT/) },
    {
      fault: { malformed: 'numeric_fields' },
      check: (r) => {
        expect(r.json.expires_in).toBe(86400);
        expect(typeof r.json.not_before).toBe('number');
        expect(r.json.access_token).toMatch(/^eyJ/);
      },
    },
    {
      fault: { malformed: 'invalid_json' },
      check: (r) => {
        expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(() => JSON.parse(r.text)).toThrow();
      },
    },
    { fault: { malformed: 'empty_body' }, check: (r) => expect(r.text).toBe('') },
  ];
  it.each(malformedCases)('malformed success $fault.malformed (E23)', async ({ fault, check }) => {
    const mock = await start({ faults: [fault] });
    const res = await send(mock);
    expect(res.status).toBe(200);
    check(res);
    expect(mock.requests[0]?.fault).toBe(`malformed:${(fault as { malformed: string }).malformed}`);
  });
});

// ---------------------------------------------------------------------------
// Rate limiter
// ---------------------------------------------------------------------------

describe('rate limiter (E17)', () => {
  it('off by default', async () => {
    const mock = await start({ now: () => T0 });
    const statuses = await Promise.all(Array.from({ length: 25 }, () => send(mock).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('over the per-second budget → 429 with optional Retry-After; the window slides with the clock', async () => {
    let now = T0;
    const mock = await start({ now: () => now, rateLimit: { rps: 3, retryAfter: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(mock)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await send(mock);
    expect(throttled.json).toEqual(IMDS_ERRORS.tooManyRequests);
    expect(throttled.headers['retry-after']).toBe('1');
    expect(mock.requests.at(-1)?.fault).toBe('rate-limit');
    now += 1000;
    expect((await send(mock)).status).toBe(200);

    mock.options.rateLimit = { rps: 1 };
    now += 1000;
    await send(mock);
    const noRetryAfter = await send(mock);
    expect(noRetryAfter.status).toBe(429);
    expect(noRetryAfter.headers['retry-after']).toBeUndefined();
  });

  it('more than maxInFlight concurrent requests → 429', async () => {
    const mock = await start({ rateLimit: { maxInFlight: 2 }, faults: [{ delayMs: 150, times: 2 }] });
    const slow = [send(mock), send(mock)];
    await waitFor(() => mock.requests.length === 2);
    const third = await send(mock);
    expect(third.status).toBe(429);
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
    expect((await send(mock)).status).toBe(200); // slots freed
  });

  it('rateLimit: true uses 20 rps', async () => {
    const mock = await start({ now: () => T0, rateLimit: true });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await send(mock)).status);
    expect(statuses.filter((s) => s === 429)).toEqual([429]);
    expect(statuses[20]).toBe(429);
  });
});

// ---------------------------------------------------------------------------
// Recording and robustness
// ---------------------------------------------------------------------------

describe('recording', () => {
  it('records method, raw path/query, decoded pairs, headers, time and body for every request', async () => {
    let now = T0;
    const mock = await start({ now: () => now, faults: [{ status: 503 }] });
    await send(mock, {
      query: `api-version=2018-02-01&resource=${encodeURIComponent(MGMT)}&msi_res_id=%2Fsubscriptions%2Fabc&flag`,
      headers: { 'X-Client-SKU': 'sku', 'x-multi': 'a' },
    });
    now += 1234;
    await send(mock, { method: 'POST', path: '/metadata/identity/oauth2/token/', query: null, body: 'a=b' });

    expect(mock.requests).toHaveLength(2);
    const [a, b] = mock.requests;
    expect(a).toMatchObject({
      seq: 1,
      method: 'GET',
      path: TOKEN_PATH,
      rawQuery: `api-version=2018-02-01&resource=${encodeURIComponent(MGMT)}&msi_res_id=%2Fsubscriptions%2Fabc&flag`,
      query: [
        ['api-version', '2018-02-01'],
        ['resource', MGMT],
        ['msi_res_id', '/subscriptions/abc'],
        ['flag', ''],
      ],
      time: T0,
      status: 503,
      fault: 'status:503',
      body: '',
    });
    expect(a?.headers).toMatchObject({ metadata: 'true', 'x-client-sku': 'sku', host: `127.0.0.1:${mock.port}` });
    expect(a?.rawHeaders).toContainEqual(['X-Client-SKU', 'sku']);
    expect(b).toMatchObject({ seq: 2, method: 'POST', path: `${TOKEN_PATH}/`, rawQuery: '', query: [], time: T0 + 1234, status: 405 });
    await waitFor(() => b?.body === 'a=b');

    mock.clearRequests();
    expect(mock.requests).toHaveLength(0);
    await send(mock);
    expect(mock.requests[0]?.seq).toBe(3);
  });

  it('calls onRequestComplete once per request, without exposing the token', async () => {
    const seen: Array<[number, number | undefined]> = [];
    const mock = await start({ onRequestComplete: (r) => seen.push([r.seq, r.status]) });
    await send(mock);
    await send(mock, { headers: { Metadata: undefined } });
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([
      [1, 200],
      [2, 400],
    ]);
    expect(JSON.stringify(mock.requests)).not.toContain('eyJ');
  });

  it('never crashes on garbage input and keeps serving', async () => {
    const { connect } = await import('node:net');
    const mock = await start();
    const garbage = [
      'NOT HTTP AT ALL\r\n\r\n',
      'GET /metadata/identity/oauth2/token?%%%%=%%% HTTP/1.1\r\nHost: x\r\nMetadata: true\r\n\r\n',
      'GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net HTTP/1.1\r\nHost: x\r\nMetadata: true\r\nConnection: close\r\n\r\n',
      'GET /metadata/identity/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab', // truncated body, then hang up
    ];
    const replies = await Promise.all(
      garbage.map(
        (g) =>
          new Promise<string>((resolve) => {
            const s = connect(mock.port, '127.0.0.1', () => s.end(g));
            let data = '';
            s.on('data', (d: Buffer) => (data += d.toString()));
            s.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
            s.on('error', () => resolve('error'));
          }),
      ),
    );
    expect(replies[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(replies[1]).toBe('HTTP/1.1 400 Bad Request');
    expect(replies[2]).toBe('HTTP/1.1 200 OK'); // absolute-form target
    expect((await send(mock)).status).toBe(200);
  });

  it('exposes url, baseUri and tokenUrl', async () => {
    const mock = await start();
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
    expect(mock.baseUri).toBe(`${mock.url}/metadata`);
    expect(mock.tokenUrl).toBe(`${mock.url}/metadata/identity/oauth2/token`);
    const res = await fetch(`${mock.tokenUrl}?${GOOD_QUERY}`, { headers: { Metadata: 'true' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('Bearer');
  });
});
