/**
 * The signing keys of one OAuth authorization server: `jwks_uri` discovered from its metadata
 * (RFC 8414 `/.well-known/oauth-authorization-server`, then OpenID `/.well-known/openid-configuration`),
 * then the JWKS itself. Both are cached for a TTL. Concurrent callers share one in-flight fetch
 * (no thundering herd on a cold start or expiry); fetches triggered by an unknown `kid` or after
 * a failure are spaced by a cooldown, so tokens with invented key ids cannot turn this server
 * into a load generator against the authorization server. When a refresh fails, the keys already
 * held stay in use (an authorization server blip must not lock every caller out), and keys past
 * their TTL keep serving while the refresh runs in the background.
 */
import { request } from 'undici';
import { keySet, type KeySet } from './jwt.js';

export interface OAuth2Settings {
  /** How long discovered metadata and keys are reused, in ms (default 10 minutes). */
  readonly cacheTtlMs?: number | undefined;
  /** Least time between two fetches not due to the TTL (unknown `kid`, retry after a failure), in ms (default 10 s). */
  readonly refreshCooldownMs?: number | undefined;
  /** Timeout of one metadata or JWKS fetch, in ms (default 5 s). */
  readonly timeoutMs?: number | undefined;
  /** Clock skew tolerated on `exp` and `nbf`, in seconds (default 30). */
  readonly clockToleranceSec?: number | undefined;
}

export const OAUTH2_DEFAULTS = { cacheTtlMs: 600_000, refreshCooldownMs: 10_000, timeoutMs: 5_000, clockToleranceSec: 30 } as const;

/** Metadata and key documents larger than this are refused. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

/** The authorization server could not be reached or answered nonsense, and no keys are held. */
export class AuthorizationServerUnavailable extends Error {
  override name = 'AuthorizationServerUnavailable';
}

/** `https://as.example/` and `https://as.example` name the same issuer. */
export function normaliseIssuer(issuer: string): string {
  return issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
}

export class KeySource {
  readonly #issuer: string;
  readonly #ttl: number;
  readonly #cooldown: number;
  readonly #timeout: number;
  #jwksUri: string | undefined;
  #metadataAt = -Infinity;
  #keys: KeySet | undefined;
  #keysAt = -Infinity;
  #lastAttempt = -Infinity;
  #lastError = '';
  #inFlight: Promise<void> | undefined;

  constructor(issuer: string, settings: OAuth2Settings = {}) {
    this.#issuer = issuer;
    this.#ttl = settings.cacheTtlMs ?? OAUTH2_DEFAULTS.cacheTtlMs;
    this.#cooldown = settings.refreshCooldownMs ?? OAUTH2_DEFAULTS.refreshCooldownMs;
    this.#timeout = settings.timeoutMs ?? OAUTH2_DEFAULTS.timeoutMs;
  }

  /**
   * The current keys, fetched first when none are held or they are older than the TTL.
   * `refresh` (the token names a key we do not hold) asks for a refetch, honoured at most once
   * per cooldown. Throws AuthorizationServerUnavailable only when no keys are held at all.
   */
  async keys(refresh = false): Promise<KeySet> {
    const now = Date.now();
    const due = this.#keys === undefined || refresh || now - this.#keysAt >= this.#ttl;
    if (!this.#inFlight && due && now - this.#lastAttempt >= this.#cooldown) {
      this.#inFlight = this.#fetch().finally(() => (this.#inFlight = undefined));
    }
    // Keys past their TTL are still good while the refresh runs: only a caller with no keys, or
    // one whose key id we lack, waits for the fetch.
    if (this.#inFlight && (this.#keys === undefined || refresh)) await this.#inFlight;
    if (this.#keys === undefined) throw new AuthorizationServerUnavailable(this.#lastError || 'no keys fetched yet');
    return this.#keys;
  }

  /** Why the last fetch failed (for the server log), or '' when it succeeded. */
  get lastError(): string {
    return this.#lastError;
  }

  async #fetch(): Promise<void> {
    this.#lastAttempt = Date.now();
    try {
      if (this.#jwksUri === undefined || Date.now() - this.#metadataAt >= this.#ttl) {
        this.#jwksUri = await this.#discover();
        this.#metadataAt = Date.now();
      }
      let document: unknown;
      try {
        document = await fetchJson(this.#jwksUri, this.#timeout);
      } catch (error) {
        // The JWKS may have moved: discover again next time.
        this.#jwksUri = undefined;
        throw error;
      }
      const entries = typeof document === 'object' && document !== null && Array.isArray((document as { keys?: unknown }).keys)
        ? ((document as { keys: unknown[] }).keys)
        : undefined;
      if (!entries) throw new Error(`JWKS at ${this.#jwksUri} has no "keys" array`);
      const keys = keySet(entries);
      if (keys.size === 0) throw new Error(`JWKS at ${this.#jwksUri} has no usable signature keys`);
      this.#keys = keys;
      this.#keysAt = Date.now();
      this.#lastError = '';
    } catch (error) {
      this.#lastError = (error as Error).message;
    }
  }

  /** `jwks_uri` from the first metadata document that answers for this issuer. */
  async #discover(): Promise<string> {
    const failures: string[] = [];
    for (const url of metadataUrls(this.#issuer)) {
      let document: unknown;
      try {
        document = await fetchJson(url, this.#timeout);
      } catch (error) {
        // The same host will not answer the next well-known path either; only HTTP errors move on.
        if (!(error instanceof HttpStatusError)) throw error;
        failures.push((error as Error).message);
        continue;
      }
      const metadata = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
      // RFC 8414 §3.3: the metadata must be about the issuer we asked for.
      if (typeof metadata.issuer === 'string' && normaliseIssuer(metadata.issuer) !== normaliseIssuer(this.#issuer)) {
        failures.push(`${url} describes another issuer`);
        continue;
      }
      const jwksUri = metadata.jwks_uri;
      if (typeof jwksUri === 'string' && /^https?:\/\//i.test(jwksUri)) return jwksUri;
      failures.push(`${url} has no http(s) jwks_uri`);
    }
    throw new Error(`no authorization server metadata for ${this.#issuer}: ${failures.join('; ')}`);
  }
}

/** RFC 8414 form (well-known inserted before the issuer's path), then the appended forms. */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const base = `${url.origin}${path}`;
  return [
    ...new Set([
      `${url.origin}/.well-known/oauth-authorization-server${path}`,
      `${base}/.well-known/oauth-authorization-server`,
      `${base}/.well-known/openid-configuration`,
    ]),
  ];
}

class HttpStatusError extends Error {
  override name = 'HttpStatusError';
}

/** GET a JSON document: no redirects, a timeout for the whole exchange, a size cap. */
async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response;
  try {
    // `reset`: no keep-alive socket outlives a fetch that happens every few minutes at most.
    response = await request(url, { method: 'GET', headers: { accept: 'application/json' }, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, reset: true });
  } catch (error) {
    throw new Error(`${url} could not be reached (${signal.aborted ? 'timeout' : ((error as { code?: string }).code ?? 'network error')})`);
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw new HttpStatusError(`${url} answered HTTP ${response.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_DOCUMENT_BYTES) {
        response.body.destroy();
        throw new Error(`${url} sent more than ${MAX_DOCUMENT_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw new Error(signal.aborted ? `${url} timed out` : (error as Error).message);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Error(`${url} did not send JSON`);
  }
}
