// The generated REST route in front of the strict mock IMDS, over real loopback HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTH, closedPort, RESOURCE, startStack } from './stack.js';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
const route = (query = `resource=${encodeURIComponent(RESOURCE)}`) => `${stack.rest}/v1/identity/oauth2/token?${query}`;
/** fetch with the caller token the capability requires. */
const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { ...AUTH, ...headers } });

beforeAll(async () => {
  stack = await startStack({ timeoutMs: 300 });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.mock.clearFaults();
  stack.mock.clearRequests();
});

describe('REST → mock IMDS', () => {
  it('binds to 127.0.0.1 by default', () => {
    expect(new URL(stack.rest).hostname).toBe('127.0.0.1');
    expect(new URL(stack.mcp).hostname).toBe('127.0.0.1');
  });

  it('returns the token with the upstream status and content type', async () => {
    const response = await get(route());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ resource: RESOURCE, token_type: 'Bearer' });
  });

  it('missing resource → 400 problem+json naming it; the upstream is not called', async () => {
    const response = await get(route(''));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { status: number; detail: string; errors: { name: string }[] };
    expect(body.status).toBe(400);
    expect(body.detail).toContain('resource');
    expect(body.errors[0]!.name).toBe('resource');
    expect(stack.mock.requests).toHaveLength(0);
  });

  it('passes an upstream 400 through (status, body, content type)', async () => {
    const response = await get(route(`resource=${encodeURIComponent(RESOURCE)}&client_id=nope`));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'Identity not found' });
  });

  it('a hanging upstream → 504 problem+json', async () => {
    stack.mock.setFaults([{ hang: true }]);
    const response = await get(route());
    expect(response.status).toBe(504);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('never relays inbound headers upstream; sends its own Metadata and api-version; drops unknown inputs', async () => {
    const response = await get(route(`resource=${encodeURIComponent(RESOURCE)}&api-version=1999-01-01&evil=1`), {
      'X-Forwarded-For': '10.0.0.1', Metadata: 'false', Cookie: 'a=b',
    });
    expect(response.status).toBe(200);
    const [request] = stack.mock.requests;
    expect(request!.headers.metadata).toBe('true');
    expect(request!.headers['x-forwarded-for']).toBeUndefined();
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.headers.cookie).toBeUndefined();
    expect(request!.query).toEqual([['api-version', '2018-02-01'], ['resource', RESOURCE]]);
  });

  it('relays non-JSON answers unchanged: text and binary bodies keep their content type', async () => {
    stack.mock.setFaults([{ status: 200, body: 'plain text answer', contentType: 'text/plain; charset=utf-8' }]);
    let response = await get(route());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('plain text answer');
    stack.mock.setFaults([{ status: 503, body: 'not json {', contentType: 'application/json' }]);
    response = await get(route());
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('not json {');
  });

  it('refuses callers without the proxy token (401), and never with the token in the answer', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }];
    for (const headers of attempts) {
      const response = await fetch(route(), { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toContain('e2e-proxy-token');
    }
    expect(stack.mock.requests).toHaveLength(0);
  });

  it('an unknown route → 404 problem+json', async () => {
    const response = await get(`${stack.rest}/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('REST → unreachable upstream', () => {
  it('answers 502 problem+json', async () => {
    const down = await startStack({ baseUri: `http://127.0.0.1:${await closedPort()}/metadata` });
    try {
      const response = await fetch(`${down.rest}/v1/identity/oauth2/token?resource=x`, { headers: AUTH });
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/unreachable/);
    } finally {
      await down.close();
    }
  });
});
