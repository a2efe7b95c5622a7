// The generated consumer client against the strict mock IMDS over real loopback HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError, UpstreamHttpError, UpstreamTimeoutError, UpstreamUnreachableError } from '../../generated/_runtime/index.js';
import type { MicrosoftazureidentitygettokenInput } from '../../generated/azure-imds-get-token/index.js';
import { DEFAULT_SYSTEM_IDENTITY, DEFAULT_USER_IDENTITIES, startMockImds, type MockImds } from '../mock-imds/mock-imds.js';
import { client, closedPort, FAST_RETRY, RESOURCE } from './stack.js';

let mock: MockImds;
beforeAll(async () => {
  mock = await startMockImds();
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.clearFaults();
  mock.clearRequests();
});

const uami = DEFAULT_USER_IDENTITIES[0]!;

describe('success', () => {
  it.each([
    ['system identity', {}, DEFAULT_SYSTEM_IDENTITY.client_id],
    ['client_id', { client_id: uami.client_id }, uami.client_id],
    ['object_id', { object_id: uami.object_id }, uami.client_id],
    ['msi_res_id', { msi_res_id: uami.msi_res_id }, uami.client_id],
  ])('with %s', async (_name, selector, clientId) => {
    const response = await client(mock.baseUri).microsoftazureidentitygettoken({ resource: RESOURCE, ...selector });
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ resource: RESOURCE, token_type: 'Bearer', client_id: clientId });
    expect(typeof response.data?.expires_in).toBe('string');
    expect(String(response.data?.access_token)).toMatch(/^eyJ/);
    const [request] = mock.requests;
    expect(request!.headers.metadata).toBe('true');
    expect(request!.query).toContainEqual(['api-version', '2018-02-01']);
    expect(request!.query).toContainEqual(['resource', RESOURCE]);
    expect(request!.headers['x-forwarded-for']).toBeUndefined();
  });
});

describe('typed errors', () => {
  it('an identity that is not assigned → UpstreamHttpError 400 with the upstream body', async () => {
    const error = await client(mock.baseUri).microsoftazureidentitygettoken({ resource: RESOURCE, client_id: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(400);
    expect((error as UpstreamHttpError).data).toMatchObject({ error: 'invalid_request', error_description: 'Identity not found' });
    expect((error as Error).message).toContain('Identity not found');
  });

  it.each([404, 410, 429, 500, 503])('upstream %i → UpstreamHttpError with that status', async (status) => {
    mock.setFaults([{ status }]);
    const error = await client(mock.baseUri).microsoftazureidentitygettoken({ resource: RESOURCE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(status);
    expect(mock.requests).toHaveLength(1);
  });

  it('a missing required input is an InputError and nothing is sent', async () => {
    const error = await client(mock.baseUri).microsoftazureidentitygettoken({} as MicrosoftazureidentitygettokenInput).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(mock.requests).toHaveLength(0);
  });

  it('a hanging upstream → UpstreamTimeoutError', async () => {
    mock.setFaults([{ hang: true }]);
    const error = await client(mock.baseUri, { timeoutMs: 150 }).microsoftazureidentitygettoken({ resource: RESOURCE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
  });

  it('nothing listening → UpstreamUnreachableError; a reset → UpstreamUnreachableError', async () => {
    const refused = await client(`http://127.0.0.1:${await closedPort()}/metadata`).microsoftazureidentitygettoken({ resource: RESOURCE }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamUnreachableError);
    mock.setFaults([{ reset: true }]);
    const reset = await client(mock.baseUri).microsoftazureidentitygettoken({ resource: RESOURCE }).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(UpstreamUnreachableError);
  });

  it('the caller AbortSignal cancels the call', async () => {
    mock.setFaults([{ delayMs: 500 }]);
    const controller = new AbortController();
    const pending = client(mock.baseUri).microsoftazureidentitygettoken({ resource: RESOURCE }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
  });
});

describe('retries', () => {
  it('retries a 503 and succeeds', async () => {
    mock.setFaults([{ status: 503 }]);
    const response = await client(mock.baseUri, { retry: FAST_RETRY }).microsoftazureidentitygettoken({ resource: RESOURCE });
    expect(response.status).toBe(200);
    expect(mock.requests).toHaveLength(2);
  });

  it('honours Retry-After (the wait asked for is at least its value)', async () => {
    mock.setFaults([{ status: 429, retryAfter: 1 }]);
    const waits: number[] = [];
    const response = await client(mock.baseUri, { retry: FAST_RETRY, sleep: async (ms: number) => void waits.push(ms) }).microsoftazureidentitygettoken({ resource: RESOURCE });
    expect(response.status).toBe(200);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
  });

  it('does not retry a 400', async () => {
    const error = await client(mock.baseUri, { retry: FAST_RETRY }).microsoftazureidentitygettoken({ resource: RESOURCE, client_id: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(mock.requests).toHaveLength(1);
  });

  it('retried statuses and budget are configurable (IMDS guidance: 410 too)', async () => {
    mock.setFaults([{ status: 410 }, { status: 410 }]);
    const response = await client(mock.baseUri, { retry: { ...FAST_RETRY, statuses: [404, 410], retries: 3 } }).microsoftazureidentitygettoken({ resource: RESOURCE });
    expect(response.status).toBe(200);
    expect(mock.requests).toHaveLength(3);
    mock.clearRequests();
    mock.setFaults([{ status: 410 }]);
    await expect(client(mock.baseUri, { retry: FAST_RETRY }).microsoftazureidentitygettoken({ resource: RESOURCE })).rejects.toBeInstanceOf(UpstreamHttpError);
  });

  it('retries a timeout, then gives up with UpstreamTimeoutError', async () => {
    mock.setFaults([{ hang: true }, { hang: true }]);
    const error = await client(mock.baseUri, { timeoutMs: 100, retry: { ...FAST_RETRY, retries: 1 } }).microsoftazureidentitygettoken({ resource: RESOURCE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(mock.requests).toHaveLength(2);
  });
});
