// The response cache on its own: lifetimes, single-flight, refresh-ahead, bypass, errors, LRU bounds.
// The clock is a variable; flights are promises the test settles by hand.
import { describe, expect, it } from 'vitest';
import { lifetime, requestKey, ResponseCache, type CacheEvent, type CachedAnswer, type CachePolicy } from '../../../generator/runtime/cache.js';

const T0 = Date.UTC(2026, 0, 1);

function answer(body: unknown, headers: Record<string, string> = {}, status = 200): CachedAnswer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(options: { maxEntries?: number; maxBytes?: number } = {}) {
  let now = T0;
  const events: CacheEvent[] = [];
  const cache = new ResponseCache({ ...options, now: () => now, onEvent: (e) => events.push(e) });
  let fetches = 0;
  const request = (key: string, policy: CachePolicy, make: () => Promise<CachedAnswer>, bypass = false) =>
    cache.get({ key, policy, namespace: 'ns', operation: 'op', bypass, fetch: () => (fetches++, make()) });
  return { cache, events, request, fetches: () => fetches, advance: (ms: number) => (now += ms), now: () => now };
}

describe('lifetime', () => {
  const at = (p: CachePolicy, a: CachedAnswer) => lifetime(p, a, T0);
  it('Cache-Control s-maxage wins over max-age, minus Age', () => {
    expect(at({}, answer({}, { 'cache-control': 'max-age=10, s-maxage=100', age: '40' }))?.expiresAt).toBe(T0 + 60_000);
  });
  it('Expires relative to Date', () => {
    const date = new Date(T0 - 5_000).toUTCString();
    const expires = new Date(T0 + 25_000).toUTCString();
    expect(at({}, answer({}, { expires, date }))?.expiresAt).toBe(T0 + 30_000);
  });
  it.each(['no-store', 'no-cache', 'private', 'private, max-age=60'])('%s is never stored', (cc) => {
    expect(at({ ttlSeconds: 600 }, answer({}, { 'cache-control': cc }))).toBeUndefined();
  });
  it('absolute body expiry (epoch seconds, as a JSON string) minus the margin; refresh from half-life', () => {
    const life = at({ expiresOn: 'expires_on', marginSeconds: 300 }, answer({ expires_on: String(T0 / 1000 + 3600) }));
    expect(life?.expiresAt).toBe(T0 + 3300_000);
    expect(life?.refreshAt).toBe(T0 + 1650_000);
  });
  it('relative body expiry, nested field, explicit refresh-ahead window', () => {
    const life = at({ expiresIn: '$.token.expires_in', marginSeconds: 0, refreshAheadSeconds: 10 }, answer({ token: { expires_in: 120 } }));
    expect(life).toEqual({ expiresAt: T0 + 120_000, refreshAt: T0 + 110_000 });
  });
  it('a header lifetime shorter than the body expiry wins', () => {
    expect(at({ expiresOn: 'exp' }, answer({ exp: T0 / 1000 + 86400 }, { 'cache-control': 'max-age=30' }))?.expiresAt).toBe(T0 + 30_000);
  });
  it('a configured body expiry that is missing means: not stored (no guessing)', () => {
    expect(at({ expiresOn: 'expires_on', ttlSeconds: 600 }, answer({ other: 1 }))).toBeUndefined();
    expect(at({ expiresOn: 'expires_on' }, answer('not json'))).toBeUndefined();
  });
  it('fixed TTL when nothing else says; default 60 s', () => {
    expect(at({ ttlSeconds: 5 }, answer({}))?.expiresAt).toBe(T0 + 5_000);
    expect(at({}, answer({}))?.expiresAt).toBe(T0 + 60_000);
  });
});

describe('requestKey', () => {
  const base = ['GET', 'http://up', '/x?a=1', { accept: 'application/json', authorization: 'Bearer one' }, undefined] as const;
  it('is stable under header order and differs for any differing byte', () => {
    const key = requestKey(...base);
    expect(requestKey('GET', 'http://up', '/x?a=1', { authorization: 'Bearer one', accept: 'application/json' }, undefined)).toBe(key);
    expect(requestKey('GET', 'http://up', '/x?a=2', base[3], undefined)).not.toBe(key);
    expect(requestKey('GET', 'http://up', '/x?a=1', { ...base[3], authorization: 'Bearer two' }, undefined)).not.toBe(key);
    expect(requestKey('HEAD', 'http://up', '/x?a=1', base[3], undefined)).not.toBe(key);
    expect(requestKey('GET', 'http://up2', '/x?a=1', base[3], undefined)).not.toBe(key);
    expect(requestKey('GET', 'http://up', '/x?a=1', base[3], 'body')).not.toBe(key);
  });
  it('never holds a header value in clear', () => {
    expect(requestKey(...base)).not.toContain('one');
  });
});

describe('ResponseCache', () => {
  it('single-flight: concurrent misses make one fetch; later calls hit', async () => {
    const t = setup();
    const flight = deferred<CachedAnswer>();
    const waiting = Array.from({ length: 10 }, () => t.request('k', { ttlSeconds: 60 }, () => flight.promise));
    flight.resolve(answer({ v: 1 }));
    const results = await Promise.all(waiting);
    expect(t.fetches()).toBe(1);
    expect(results.map((r) => r.outcome)).toEqual(['miss', ...Array(9).fill('join')]);
    expect(results[0]!.status).toBe('naftiko; fwd=miss; fwd-status=200; stored');
    expect(results[1]!.status).toBe('naftiko; fwd=miss; collapsed');
    const hit = await t.request('k', { ttlSeconds: 60 }, () => Promise.reject(new Error('not called')));
    expect(hit.outcome).toBe('hit');
    expect(hit.status).toBe('naftiko; hit; ttl=60');
    expect(t.fetches()).toBe(1);
  });

  it('a failed flight fails its waiters only and stores nothing; the next call fetches again', async () => {
    const t = setup();
    const flight = deferred<CachedAnswer>();
    const waiting = [t.request('k', {}, () => flight.promise), t.request('k', {}, () => flight.promise)];
    flight.reject(new Error('upstream 503'));
    for (const w of waiting) await expect(w).rejects.toThrow('upstream 503');
    const next = await t.request('k', {}, async () => answer({ ok: true }));
    expect(next.outcome).toBe('miss');
    expect(t.fetches()).toBe(2);
  });

  it('errors (non-2xx answers) are not stored', async () => {
    const t = setup();
    await t.request('k', {}, async () => answer({}, {}, 304));
    await t.request('k', {}, async () => answer({}));
    expect(t.fetches()).toBe(2);
  });

  it('expiry: served until the end of its lifetime, then fetched again (fwd=stale)', async () => {
    const t = setup();
    const policy: CachePolicy = { ttlSeconds: 10, refreshAheadSeconds: 0 };
    await t.request('k', policy, async () => answer({ n: 1 }));
    t.advance(9_999);
    expect((await t.request('k', policy, async () => answer({ n: 2 }))).outcome).toBe('hit');
    t.advance(1);
    const after = await t.request('k', policy, async () => answer({ n: 2 }));
    expect(after.outcome).toBe('stale');
    expect(after.status).toContain('fwd=stale');
    expect(JSON.parse(Buffer.from(after.answer.body).toString())).toEqual({ n: 2 });
    expect(t.fetches()).toBe(2);
  });

  it('refresh-ahead: inside the window the entry is served while one background fetch renews it', async () => {
    const t = setup();
    const policy: CachePolicy = { ttlSeconds: 100, refreshAheadSeconds: 20 };
    await t.request('k', policy, async () => answer({ n: 1 }));
    t.advance(85_000);
    const renewal = deferred<CachedAnswer>();
    const served = await Promise.all([1, 2, 3].map(() => t.request('k', policy, () => renewal.promise)));
    expect(served.map((s) => s.outcome)).toEqual(['refresh', 'hit', 'hit']);
    expect(served.every((s) => JSON.parse(Buffer.from(s.answer.body).toString()).n === 1)).toBe(true);
    expect(served[0]!.status).toBe('naftiko; hit; ttl=15; detail=refresh-ahead');
    expect(t.fetches()).toBe(2);
    renewal.resolve(answer({ n: 2 }));
    await renewal.promise;
    await new Promise((r) => setImmediate(r));
    const fresh = await t.request('k', policy, async () => answer({ n: 3 }));
    expect(fresh.outcome).toBe('hit');
    expect(JSON.parse(Buffer.from(fresh.answer.body).toString()).n).toBe(2);
    expect(t.events.filter((e) => e === 'refresh')).toHaveLength(1);
  });

  it('a failed background refresh keeps the entry until it expires', async () => {
    const t = setup();
    const policy: CachePolicy = { ttlSeconds: 100, refreshAheadSeconds: 50 };
    await t.request('k', policy, async () => answer({ n: 1 }));
    t.advance(60_000);
    expect((await t.request('k', policy, async () => Promise.reject(new Error('down')))).outcome).toBe('refresh');
    await new Promise((r) => setImmediate(r));
    expect(t.events).toContain('refresh-failed');
    expect((await t.request('k', policy, async () => answer({ n: 2 }))).outcome).toBe('refresh');
  });

  it('bypass skips the lookup, fetches and replaces the entry', async () => {
    const t = setup();
    await t.request('k', {}, async () => answer({ n: 1 }));
    const bypass = await t.request('k', {}, async () => answer({ n: 2 }), true);
    expect(bypass.outcome).toBe('bypass');
    expect(bypass.status).toBe('naftiko; fwd=request; fwd-status=200; stored');
    const hit = await t.request('k', {}, async () => answer({ n: 3 }));
    expect(JSON.parse(Buffer.from(hit.answer.body).toString()).n).toBe(2);
    expect(t.fetches()).toBe(2);
  });

  it('LRU by entry count: the least recently used goes first', async () => {
    const t = setup({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) await t.request(k, {}, async () => answer({ k }));
    await t.request('a', {}, async () => answer({}));
    await t.request('d', {}, async () => answer({ k: 'd' }));
    expect(t.cache.size.entries).toBe(3);
    expect(t.fetches()).toBe(4);
    expect((await t.request('a', {}, async () => answer({}))).outcome).toBe('hit');
    expect((await t.request('b', {}, async () => answer({}))).outcome).toBe('miss');
  });

  it('LRU by bytes: memory stays within the bound over many distinct keys; a too-large answer is not stored', async () => {
    const t = setup({ maxBytes: 20_000 });
    const body = 'x'.repeat(900);
    for (let i = 0; i < 5_000; i++) await t.request(`key-${i}`, {}, async () => answer(body));
    expect(t.cache.size.bytes).toBeLessThanOrEqual(20_000);
    expect(t.cache.size.entries).toBeGreaterThan(10);
    expect(t.cache.size.entries).toBeLessThan(25);
    expect(t.cache.size.flights).toBe(0);
    await t.request('huge', {}, async () => answer('y'.repeat(30_000)));
    expect((await t.request('huge', {}, async () => answer(''))).outcome).toBe('miss');
  });
});
