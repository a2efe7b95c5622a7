/**
 * `authentication: {type: oauth2}` on an exposed adapter: this server is an OAuth 2.1 resource
 * server. A caller presents `Authorization: Bearer <JWT access token>`; the token's signature is
 * checked against the authorization server's JWKS (jwks.ts fetches it, jwt.ts verifies with jose),
 * then `exp`/`nbf`, `iss`, `aud` and the configured scopes. Answers follow RFC 6750 and RFC 9728:
 * - no token → 401 `WWW-Authenticate: Bearer resource_metadata="…"` (no error code, §3.1);
 * - bad, expired or foreign token → 401 `Bearer error="invalid_token", …`;
 * - valid token without the scopes → 403 `Bearer error="insufficient_scope", scope="…", …`;
 * - keys unavailable (authorization server unreachable, nothing cached) or the adapter's own
 *   oauth2 settings unresolvable → 503 with `Retry-After`: the caller's token may well be valid,
 *   so a 401 would wrongly send it to fetch a new one.
 * What exactly was wrong goes to the server log (`reason`), never the token or key material.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthResult } from './auth.js';
import type { Bindings } from './bindings.js';
import { pathFree } from './health.js';
import { AuthorizationServerUnavailable, KeySource, OAUTH2_DEFAULTS, type OAuth2Settings } from './jwks.js';
import { parseJwt, verifyJwt, JwtError, type ExpectedClaims, type KeySet, type ParsedJwt, type Verdict } from './jwt.js';
import { problem, sendProblem } from './problem.js';
import { renderText } from './template.js';

export type { OAuth2Settings } from './jwks.js';

export interface OAuth2AuthSpec {
  readonly type: 'oauth2';
  /** Issuer URI of the authorization server (may be a `{{VAR}}` template). */
  readonly authorizationServerUri: string;
  /** Canonical URI of this server (RFC 8707/9728); the expected audience unless `audience` is set. */
  readonly resource?: string | undefined;
  readonly audience?: string | undefined;
  /** Scopes every token must carry. */
  readonly scopes?: readonly string[] | undefined;
}

export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * One key cache per running capability, shared by its adapters (a REST and an MCP adapter that
 * trust the same issuer fetch its keys once). The capability's Bindings instance is what all its
 * adapters already share, so the caches hang off it and go away with it.
 */
const contexts = new WeakMap<Bindings, { settings: OAuth2Settings; sources: Map<string, KeySource> }>();

function contextOf(bindings: Bindings): { settings: OAuth2Settings; sources: Map<string, KeySource> } {
  let context = contexts.get(bindings);
  if (!context) contexts.set(bindings, (context = { settings: {}, sources: new Map() }));
  return context;
}

/** Sets cache and clock settings for the oauth2 adapters of the capability owning `bindings`; call before they serve. */
export function configureOAuth2(bindings: Bindings, settings: OAuth2Settings): void {
  contextOf(bindings).settings = settings;
}

interface Resolved {
  readonly issuer: string;
  readonly resource?: string | undefined;
  readonly audience: string;
  readonly scopes: readonly string[];
}

/** The spec with its `{{VAR}}` templates filled; throws when a value is unset or malformed. */
function resolveSpec(spec: OAuth2AuthSpec, bindings: Bindings): Resolved {
  const fill = (template: string): string => renderText(template, (name) => bindings.get(name));
  const issuer = fill(spec.authorizationServerUri);
  if (!/^https?:\/\/[^/?#]/i.test(issuer) || !URL.canParse(issuer)) throw new Error('authorizationServerUri is not an http(s) URI');
  const resource = spec.resource !== undefined ? fill(spec.resource) : undefined;
  if (resource !== undefined && (!/^https?:\/\/[^/?#]/i.test(resource) || !URL.canParse(resource))) throw new Error('resource is not an http(s) URI');
  const audience = spec.audience !== undefined ? fill(spec.audience) : resource ?? '';
  if (audience === '') throw new Error('no audience to check tokens against');
  return { issuer, ...(resource !== undefined ? { resource } : {}), audience, scopes: spec.scopes ?? [] };
}

/** The resource identifier this adapter stands for: the configured one, else derived from the request. */
function resourceOf(config: Resolved, host: string | undefined, adapterPath: string): string {
  // Host is caller-supplied: only a plain host[:port] is used (the MCP endpoint checks it against its allow-list too).
  const safeHost = host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : 'localhost';
  return config.resource ?? `http://${safeHost}${adapterPath}`;
}

/** RFC 9728 §3.1: the well-known path inserted between the resource's host and path. */
function metadataUrlOf(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${PROTECTED_RESOURCE_METADATA_PATH}${path}`;
}

/** An auth-param quoted-string (RFC 9110 §5.6.4) of printable ASCII. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/(["\\])/g, '\\$1')}"`;
}

export interface OAuth2CheckContext {
  /** Path the adapter serves under (`/mcp`; '' for REST), for the derived resource identifier. */
  readonly adapterPath: string;
}

/** The request check of an oauth2 adapter (see the module comment for the answers). */
export function oauth2Checker(
  spec: OAuth2AuthSpec,
  bindings: Bindings,
  context: OAuth2CheckContext,
): (headers: IncomingHttpHeaders) => Promise<AuthResult> {
  const shared = contextOf(bindings);
  const sourceFor = (issuer: string): KeySource => {
    let source = shared.sources.get(issuer);
    if (!source) shared.sources.set(issuer, (source = new KeySource(issuer, shared.settings)));
    return source;
  };
  const retryAfter = String(Math.max(1, Math.ceil((shared.settings.refreshCooldownMs ?? OAUTH2_DEFAULTS.refreshCooldownMs) / 1000)));
  const unavailable = (reason: string): AuthResult => ({
    ok: false,
    status: 503,
    detail: 'the access token cannot be verified right now; try again later',
    headers: { 'retry-after': retryAfter },
    reason,
    severity: 'error',
  });

  return async (headers) => {
    let config: Resolved;
    try {
      config = resolveSpec(spec, bindings);
    } catch (error) {
      return unavailable(`oauth2 authentication is misconfigured: ${(error as Error).message}`);
    }
    const metadata = `resource_metadata=${quoted(metadataUrlOf(resourceOf(config, headers.host, context.adapterPath)))}`;
    const invalid = (reason: string): AuthResult => ({
      ok: false,
      status: 401,
      detail: 'missing, invalid or expired access token',
      headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="invalid or expired access token", ${metadata}` },
      reason,
      severity: 'debug',
    });

    const header = Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      return { ok: false, status: 401, detail: 'missing, invalid or expired access token', headers: { 'www-authenticate': `Bearer ${metadata}` }, reason: 'no bearer token', severity: 'debug' };
    }
    let jwt: ParsedJwt;
    try {
      jwt = parseJwt(match[1]!);
    } catch (error) {
      return invalid(error instanceof JwtError ? error.message : 'malformed token');
    }

    const source = sourceFor(config.issuer);
    let keys: KeySet;
    try {
      keys = await source.keys();
    } catch (error) {
      if (error instanceof AuthorizationServerUnavailable) return unavailable(`authorization server keys unavailable: ${error.message}`);
      throw error;
    }
    const expected: ExpectedClaims = { issuer: config.issuer, audience: config.audience, clockToleranceSec: shared.settings.clockToleranceSec ?? OAUTH2_DEFAULTS.clockToleranceSec };
    let verdict: Verdict = await verifyJwt(jwt, keys, expected);
    if (!verdict.ok && verdict.verdict === 'no key') {
      // A key id we do not hold: the authorization server may have rotated its keys.
      const fresh = await source.keys(true).catch(() => keys);
      if (fresh !== keys) verdict = await verifyJwt(jwt, fresh, expected);
    }
    if (!verdict.ok) return invalid(verdict.reason);

    const granted = grantedScopes(verdict.claims);
    const missing = config.scopes.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      return {
        ok: false,
        status: 403,
        detail: `the access token lacks a required scope (required: ${config.scopes.join(' ')})`,
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope=${quoted(config.scopes.join(' '))}, ${metadata}` },
        reason: `missing scopes ${missing.join(' ')}`,
        severity: 'debug',
      };
    }
    return { ok: true };
  };
}

/** `scope` (space-separated, RFC 9068) or `scp` (array, or string as some servers send it). */
function grantedScopes(claims: Readonly<Record<string, unknown>>): Set<string> {
  const split = (value: unknown): string[] =>
    typeof value === 'string' ? value.split(' ').filter(Boolean) : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return new Set([...split(claims.scope), ...split(claims.scp)]);
}

/**
 * RFC 9728 Protected Resource Metadata at `/.well-known/oauth-protected-resource` and under it
 * at the resource's path (and the adapter's), without authentication: it is how a client learns
 * which authorization server to get a token from. Call outside the authenticated scope.
 */
export function mountProtectedResourceMetadata(app: FastifyInstance, spec: OAuth2AuthSpec, bindings: Bindings, context: OAuth2CheckContext): void {
  const base = PROTECTED_RESOURCE_METADATA_PATH;
  if (!pathFree(app, base) || !pathFree(app, `${base}/*`)) return;
  const answer = async (request: { url: string; headers: IncomingHttpHeaders }, reply: import('fastify').FastifyReply) => {
    let config: Resolved;
    try {
      config = resolveSpec(spec, bindings);
    } catch {
      return sendProblem(reply, problem(503, 'the protected resource metadata is not configured'));
    }
    const resource = resourceOf(config, request.headers.host, context.adapterPath);
    const suffix = request.url.split('?')[0]!.slice(base.length).replace(/\/$/, '');
    const known = new Set(['', new URL(resource).pathname.replace(/\/$/, ''), context.adapterPath]);
    if (!known.has(suffix)) return sendProblem(reply, problem(404, `no protected resource metadata at ${base}${suffix}`));
    return reply
      .code(200)
      .header('cache-control', 'public, max-age=300')
      .type('application/json')
      .send({
        resource,
        authorization_servers: [config.issuer],
        ...(config.scopes.length > 0 ? { scopes_supported: config.scopes } : {}),
        bearer_methods_supported: ['header'],
      });
  };
  app.get(base, answer);
  app.get(`${base}/*`, answer);
}
