/**
 * Inbound authentication of generated REST and MCP servers (the spec's `exposes[].authentication`).
 * Secrets come from binds; comparison is constant-time; a failure never says which part was wrong.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Bindings } from './bindings.js';
import { renderText } from './template.js';

export type ServerAuthSpec =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'apikey'; readonly key: string; readonly value: string; readonly placement?: 'header' | 'query' }
  | { readonly type: 'basic'; readonly username: string; readonly password: string };

/**
 * Returns a checker for one request's headers and URL (its query is parsed only for an API key
 * in the query), or undefined when no auth is declared.
 */
export function authChecker(
  spec: ServerAuthSpec | undefined,
  bindings: Bindings,
): ((headers: IncomingHttpHeaders, url: string) => boolean) | undefined {
  if (!spec) return undefined;
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

/** `WWW-Authenticate` value for a 401 of this scheme. */
export function challenge(spec: ServerAuthSpec): string | undefined {
  if (spec.type === 'bearer') return 'Bearer';
  if (spec.type === 'basic') return 'Basic realm="naftiko"';
  return undefined;
}

function queryOf(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Constant-time comparison of two strings of any length (both are hashed, so the length of the
 * secret does not leak either); an empty expected secret never matches. The expected secret's
 * digest is kept while the secret stays the same (it is re-read on every request).
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
    const a = hash('sha256', given, 'buffer');
    return timingSafeEqual(a, lastDigest!) && given.length === expected.length;
  };
}
