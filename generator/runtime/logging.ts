/**
 * What request logs may say. Fastify's default request serializer logs the whole URL, so a
 * caller who puts a credential in the query string (by mistake, or as an adapter's query apikey)
 * would have it written to the log. Values of credential-like query parameters are replaced;
 * names, paths and the other values stay, so logs remain useful.
 */
import type { FastifyRequest } from 'fastify';

const CREDENTIAL_NAME = /token|secret|passw|pwd|key$|^sig$|signature|^code$|credential|session|^auth$|authorization/i;

/** A Fastify `serializers.req` that redacts credential-like query values (and `secretNames`). */
export function requestLogSerializer(secretNames: readonly string[] = []): (request: FastifyRequest) => Record<string, unknown> {
  const extra = new Set(secretNames.map((n) => n.toLowerCase()));
  return (request) => ({
    method: request.method,
    url: redactUrl(request.url, extra),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  });
}

/** The URL with the values of credential-like query parameters replaced by `[redacted]`. */
export function redactUrl(url: string, secretNames: ReadonlySet<string> = new Set()): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    const raw = pair.slice(0, eq);
    let name = raw;
    try {
      name = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      // an undecodable name is judged as written
    }
    return CREDENTIAL_NAME.test(name) || secretNames.has(name.toLowerCase()) ? `${raw}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}
