/**
 * Inbound authentication of generated REST and MCP servers (the spec's `exposes[].authentication`).
 * Shared secrets come from binds; comparison is constant-time; a failure never says which part was
 * wrong. `oauth2` (bearer JWTs from an authorization server) lives in oauth2.ts.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Bindings } from './bindings.js';
import { oauth2Checker, type OAuth2AuthSpec } from './oauth2.js';
import { renderText } from './template.js';

export type ServerAuthSpec =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'apikey'; readonly key: string; readonly value: string; readonly placement?: 'header' | 'query' }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | OAuth2AuthSpec;

/** What the adapter answers a request with, before any route runs. */
export type AuthResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly status: 401 | 403 | 503;
      /** Safe to send: says nothing about the expected secret. */
      readonly detail: string;
      /** Response headers (`WWW-Authenticate`, `Retry-After`). */
      readonly headers?: Readonly<Record<string, string>> | undefined;
      /** What exactly was wrong, for the server log only (never a credential). */
      readonly reason?: string | undefined;
      readonly severity?: 'debug' | 'error' | undefined;
    };

/** Checks one request; shared-secret schemes answer at once, oauth2 may fetch keys first. */
export type AuthCheck = (headers: IncomingHttpHeaders, url: string) => AuthResult | Promise<AuthResult>;

export interface AuthCheckContext {
  /** Path the adapter serves under (`/mcp`; '' for REST), for oauth2's resource identifier. */
  readonly adapterPath?: string | undefined;
}

/** Returns the request check of an adapter, or undefined when no auth is declared. */
export function authChecker(spec: ServerAuthSpec | undefined, bindings: Bindings, context: AuthCheckContext = {}): AuthCheck | undefined {
  if (!spec) return undefined;
  if (spec.type === 'oauth2') return oauth2Checker(spec, bindings, { adapterPath: context.adapterPath ?? '' });
  const matches = secretMatcher(spec, bindings);
  const denied: AuthResult = {
    ok: false,
    status: 401,
    detail: 'missing or invalid credentials',
    ...(spec.type === 'bearer' ? { headers: { 'www-authenticate': 'Bearer' } } : {}),
    ...(spec.type === 'basic' ? { headers: { 'www-authenticate': 'Basic realm="naftiko"' } } : {}),
  };
  const ok: AuthResult = { ok: true };
  return (headers, url) => (matches(headers, url) ? ok : denied);
}

/**
 * Continues with a check's result: at once for the shared-secret schemes (so an adapter's hook
 * needs no promise per request), when it resolves for oauth2.
 */
export function whenChecked(result: AuthResult | Promise<AuthResult>, then: (result: AuthResult) => void, fail: (error: Error) => void): void {
  if (result instanceof Promise) result.then(then, fail);
  else then(result);
}

/**
 * Logs a refusal: routine ones at debug, an authorization server we cannot use at error (the
 * operator must act). Only the reason is logged, never a credential.
 */
export function logAuthFailure(
  log: { debug(obj: object, msg: string): void; error(obj: object, msg: string): void },
  result: AuthResult,
): void {
  if (result.ok || !result.reason) return;
  if (result.severity === 'error') log.error({ status: result.status, reason: result.reason }, 'authentication unavailable');
  else log.debug({ status: result.status, reason: result.reason }, 'authentication refused');
}

/** Shared-secret schemes: true when the request carries the configured secret. */
function secretMatcher(
  spec: Exclude<ServerAuthSpec, OAuth2AuthSpec>,
  bindings: Bindings,
): (headers: IncomingHttpHeaders, url: string) => boolean {
  // A secret that cannot be resolved (unset bind variable) is empty, and an empty secret never matches:
  // the server refuses every caller rather than failing open or telling callers what is missing.
  const secret = (template: string): string => {
    try {
      return renderText(template, (name) => (bindings.has(name) ? bindings.get(name) : undefined));
    } catch {
      return '';
    }
  };
  const safeEqual = constantTimeEquals();
  switch (spec.type) {
    case 'bearer':
      return (headers) => {
        const header = firstHeader(headers.authorization);
        const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
        return safeEqual(match?.[1]?.trim() ?? '', secret(spec.token));
      };
    case 'apikey':
      return (headers, url) => {
        const given =
          spec.placement === 'query' ? queryOf(url).get(spec.key) ?? '' : firstHeader(headers[spec.key.toLowerCase()]) ?? '';
        return safeEqual(given, secret(spec.value));
      };
    case 'basic':
      return (headers) => {
        const header = firstHeader(headers.authorization);
        const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
        const expected = `${secret(spec.username)}:${secret(spec.password)}`;
        return safeEqual(match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '', expected);
      };
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The query of a request URL, parsed only by the schemes that read it (an API key in the query). */
function queryOf(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

/**
 * Constant-time comparison of two strings of any length (both are hashed, so the secret's length
 * does not leak either); an empty expected secret never matches. The expected secret is re-read
 * on every request; its digest is kept while it stays the same.
 */
function constantTimeEquals(): (given: string, expected: string) => boolean {
  let lastExpected: string | undefined;
  let lastDigest: Buffer | undefined;
  return (given, expected) => {
    if (expected === '') return false;
    if (expected !== lastExpected) {
      lastExpected = expected;
      lastDigest = hash('sha256', expected, 'buffer');
    }
    return timingSafeEqual(hash('sha256', given, 'buffer'), lastDigest!) && given.length === expected.length;
  };
}
