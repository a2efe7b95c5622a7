/**
 * The response cache of generated clients and servers (docs/caching.md): single-flight,
 * expiry-aware and bounded. One instance is shared by every client of a server process, so its
 * REST routes and MCP tools reuse each other's answers.
 *
 * - An entry is keyed by the exact upstream request (method, URL with every query value, every
 *   header sent — credentials included — and the body), hashed: keys never hold secrets in clear.
 * - Only 2xx answers are stored, never one marked `no-store`, `no-cache` or `private`.
 * - Its lifetime comes from `Cache-Control: s-maxage/max-age` or `Expires`, else from the
 *   operation's policy (an expiry field of the body minus a margin, or a fixed TTL).
 * - Concurrent misses for one key share one upstream request (a "flight"); a failed flight fails
 *   its own waiters only and stores nothing.
 * - Inside its refresh-ahead window an entry is still served while one background request renews it.
 * - Least recently used entries go first once the entry count or byte budget is exceeded.
 */
import { createHash } from 'node:crypto';

/** How one operation's answers are cached (from the spec's `semantics.cacheable` or the config file). */
export interface CachePolicy {
  /** Lifetime in seconds when neither the upstream's headers nor `expiresOn`/`expiresIn` give one. Default 60. */
  readonly ttlSeconds?: number | undefined;
  /** Body field (dotted path) holding the absolute expiry in epoch seconds, e.g. `expires_on`. */
  readonly expiresOn?: string | undefined;
  /** Body field (dotted path) holding the remaining lifetime in seconds, e.g. `expires_in`. */
  readonly expiresIn?: string | undefined;
  /** Subtracted from a body expiry: the entry is served until this long before it. Default 300 when a body field is used, else 0. */
  readonly marginSeconds?: number | undefined;
  /** Window at the end of the lifetime in which a hit also starts a background renewal. Default: half the lifetime. */
  readonly refreshAheadSeconds?: number | undefined;
  /** Caller input that skips the lookup and replaces the entry when true (`bypass_cache`). */
  readonly bypassInput?: string | undefined;
}

/** What the cache stores of an upstream answer. */
export interface CachedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** How a lookup was served, for `Cache-Status` (RFC 9211) and metrics. */
export type CacheOutcome = 'hit' | 'refresh' | 'miss' | 'join' | 'stale' | 'bypass';

export type CacheEvent = CacheOutcome | 'store' | 'evict' | 'refresh-failed';

export interface CacheOptions {
  /** Most entries kept (default 10 000). */
  readonly maxEntries?: number | undefined;
  /** Most bytes kept, bodies, headers and keys counted (default 64 MiB). A larger answer is never stored. */
  readonly maxBytes?: number | undefined;
  /** Clock in epoch ms (tests replace it). */
  readonly now?: (() => number) | undefined;
  /** Told about every lookup outcome and store/eviction; must not throw. */
  readonly onEvent?: ((event: CacheEvent, namespace: string, operation: string) => void) | undefined;
}

interface Entry {
  readonly key: string;
  readonly answer: CachedAnswer;
  readonly bytes: number;
  /** Epoch ms after which the entry is not served. */
  readonly expiresAt: number;
  /** Epoch ms from which a hit also renews the entry in the background. */
  readonly refreshAt: number;
}

export interface CacheLookup {
  readonly answer: CachedAnswer;
  readonly outcome: CacheOutcome;
  /** RFC 9211 `Cache-Status` value. */
  readonly status: string;
}

/** The origin of an upstream request: what it is, who asks, and how to fetch it again. */
export interface CacheRequest {
  readonly key: string;
  readonly policy: CachePolicy;
  readonly namespace: string;
  readonly operation: string;
  /** Skip the lookup (bypass input), fetch and replace. */
  readonly bypass?: boolean | undefined;
  /** Sends the request upstream; resolves with a 2xx-or-3xx answer or rejects. */
  readonly fetch: () => Promise<CachedAnswer>;
}

const CACHE_NAME = 'naftiko';
const DEFAULT_TTL_SECONDS = 60;
const DEFAULT_BODY_MARGIN_SECONDS = 300;

export class ResponseCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #onEvent: CacheOptions['onEvent'];
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #flights = new Map<string, Promise<CachedAnswer>>();
  #bytes = 0;

  constructor(options: CacheOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.#maxBytes = Math.max(1, options.maxBytes ?? 64 * 1024 * 1024);
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
  }

  /** Entries and bytes held now. */
  get size(): { entries: number; bytes: number; flights: number } {
    return { entries: this.#entries.size, bytes: this.#bytes, flights: this.#flights.size };
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Serves the request from the cache, from a flight in progress, or by fetching it (one flight per key). */
  async get(request: CacheRequest): Promise<CacheLookup> {
    const now = this.#now();
    const entry = request.bypass ? undefined : this.#entries.get(request.key);
    let expired = false;
    if (entry) {
      if (now < entry.expiresAt) {
        // Most recently used goes last.
        this.#entries.delete(entry.key);
        this.#entries.set(entry.key, entry);
        const ttl = Math.max(0, Math.floor((entry.expiresAt - now) / 1000));
        if (now >= entry.refreshAt && !this.#flights.has(request.key)) {
          this.#event('refresh', request);
          // In the background: the caller is served now; a failure keeps the entry until it expires.
          this.#fly(request).catch(() => this.#event('refresh-failed', request));
          return { answer: entry.answer, outcome: 'refresh', status: `${CACHE_NAME}; hit; ttl=${ttl}; detail=refresh-ahead` };
        }
        this.#event('hit', request);
        return { answer: entry.answer, outcome: 'hit', status: `${CACHE_NAME}; hit; ttl=${ttl}` };
      }
      this.#remove(entry);
      expired = true;
    }
    const flight = request.bypass ? undefined : this.#flights.get(request.key);
    if (flight) {
      this.#event('join', request);
      return { answer: await flight, outcome: 'join', status: `${CACHE_NAME}; fwd=miss; collapsed` };
    }
    const outcome: CacheOutcome = request.bypass ? 'bypass' : expired ? 'stale' : 'miss';
    this.#event(outcome, request);
    const answer = await this.#fly(request);
    const fwd = outcome === 'bypass' ? 'request' : outcome === 'stale' ? 'stale' : 'miss';
    const stored = this.#entries.get(request.key)?.answer === answer;
    return { answer, outcome, status: `${CACHE_NAME}; fwd=${fwd}; fwd-status=${answer.status}${stored ? '; stored' : ''}` };
  }

  /** One upstream request for the key; its answer is stored when the policy and headers allow. */
  #fly(request: CacheRequest): Promise<CachedAnswer> {
    const flight = request.fetch().then(
      (answer) => {
        if (this.#flights.get(request.key) === flight) this.#flights.delete(request.key);
        this.#store(request, answer);
        return answer;
      },
      (error: unknown) => {
        if (this.#flights.get(request.key) === flight) this.#flights.delete(request.key);
        throw error;
      },
    );
    this.#flights.set(request.key, flight);
    return flight;
  }

  #store(request: CacheRequest, answer: CachedAnswer): void {
    if (answer.status < 200 || answer.status > 299) return;
    const now = this.#now();
    const life = lifetime(request.policy, answer, now);
    if (life === undefined || life.expiresAt <= now) {
      // Not storable, or already expired: a bypass must not leave an older entry behind either.
      const old = this.#entries.get(request.key);
      if (old) this.#remove(old);
      return;
    }
    const bytes = request.key.length + answer.body.byteLength + headerBytes(answer.headers) + 64;
    if (bytes > this.#maxBytes) return;
    const old = this.#entries.get(request.key);
    if (old) this.#remove(old);
    this.#entries.set(request.key, { key: request.key, answer, bytes, expiresAt: life.expiresAt, refreshAt: life.refreshAt });
    this.#bytes += bytes;
    this.#event('store', request);
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.values().next().value as Entry | undefined;
      if (!oldest) break;
      this.#remove(oldest);
      this.#onEvent?.('evict', request.namespace, request.operation);
    }
  }

  #remove(entry: Entry): void {
    if (this.#entries.get(entry.key) !== entry) return;
    this.#entries.delete(entry.key);
    this.#bytes -= entry.bytes;
  }

  #event(event: CacheEvent, request: CacheRequest): void {
    this.#onEvent?.(event, request.namespace, request.operation);
  }
}

function headerBytes(headers: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [name, value] of Object.entries(headers)) n += name.length + value.length + 4;
  return n;
}

/**
 * When an answer stops being served and when its renewal starts, or undefined when it must not
 * be stored. Header lifetimes and a body expiry both count (the earlier wins); the fixed TTL only
 * when neither is present.
 */
export function lifetime(policy: CachePolicy, answer: CachedAnswer, now: number): { expiresAt: number; refreshAt: number } | undefined {
  const control = parseCacheControl(answer.headers['cache-control']);
  if (control.has('no-store') || control.has('no-cache') || control.has('private')) return undefined;
  const candidates: number[] = [];
  const age = Math.max(0, Number(answer.headers.age) || 0);
  const shared = control.get('s-maxage') ?? control.get('max-age');
  if (shared !== undefined) {
    candidates.push(now + (shared - age) * 1000);
  } else if (answer.headers.expires !== undefined) {
    const expires = Date.parse(answer.headers.expires);
    const date = answer.headers.date !== undefined ? Date.parse(answer.headers.date) : NaN;
    // An invalid Expires (often "0") means already expired.
    candidates.push(Number.isNaN(expires) ? now : now + (expires - (Number.isNaN(date) ? now : date)));
  }
  const body = policy.expiresOn !== undefined || policy.expiresIn !== undefined ? bodyExpiry(policy, answer, now) : undefined;
  if (body !== undefined) candidates.push(body - (policy.marginSeconds ?? DEFAULT_BODY_MARGIN_SECONDS) * 1000);
  else if (policy.expiresOn !== undefined || policy.expiresIn !== undefined) {
    // The policy expects an expiry in the body and there is none: do not guess.
    if (candidates.length === 0) return undefined;
  }
  if (candidates.length === 0) candidates.push(now + ((policy.ttlSeconds ?? DEFAULT_TTL_SECONDS) - (policy.marginSeconds ?? 0)) * 1000);
  const expiresAt = Math.min(...candidates);
  const life = expiresAt - now;
  const ahead = policy.refreshAheadSeconds !== undefined ? policy.refreshAheadSeconds * 1000 : life / 2;
  return { expiresAt, refreshAt: expiresAt - Math.min(Math.max(0, ahead), life) };
}

/** `Cache-Control` directives → lower-cased name → delta-seconds (NaN for valueless ones). */
function parseCacheControl(value: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!value) return out;
  for (const part of value.split(',')) {
    const [rawName, rawValue] = part.split('=', 2) as [string, string | undefined];
    const name = rawName.trim().toLowerCase();
    if (!name) continue;
    const seconds = rawValue === undefined ? NaN : Number(rawValue.trim().replace(/^"|"$/g, ''));
    out.set(name, seconds);
  }
  for (const name of ['max-age', 's-maxage']) {
    const seconds = out.get(name);
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 0)) out.set(name, 0);
  }
  return out;
}

/** The body's expiry in epoch ms, or undefined when the field is missing or not a number. */
function bodyExpiry(policy: CachePolicy, answer: CachedAnswer, now: number): number | undefined {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (policy.expiresOn !== undefined) {
    const seconds = numberAt(data, policy.expiresOn);
    if (seconds !== undefined) return seconds * 1000;
  }
  if (policy.expiresIn !== undefined) {
    const seconds = numberAt(data, policy.expiresIn);
    if (seconds !== undefined) return now + seconds * 1000;
  }
  return undefined;
}

function numberAt(data: unknown, path: string): number | undefined {
  let current = data;
  for (const part of path.replace(/^\$\.?/, '').split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  const n = typeof current === 'number' ? current : typeof current === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(current) ? Number(current) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The cache key of an upstream request: a hash of every byte that can change the answer. */
export function requestKey(method: string, origin: string, path: string, headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined): string {
  const hash = createHash('sha256');
  hash.update(method).update('\0').update(origin).update(path).update('\0');
  for (const name of Object.keys(headers).sort()) hash.update(name).update(':').update(headers[name]!).update('\n');
  hash.update('\0');
  if (body !== undefined) hash.update(body);
  return hash.digest('base64url');
}
