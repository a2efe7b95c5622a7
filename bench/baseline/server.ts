/**
 * The hand-written baseline of the REST benchmark: what a skilled engineer writes by hand for the
 * IMDS token route without a generator. Fastify, one keep-alive undici Pool to the upstream with
 * header/body timeouts (no per-request signals or listeners on the hot path), the caller's bearer
 * token checked in constant time, the query string passed through with the two constants IMDS
 * needs, status, content type and body relayed as they came.
 *
 *   UPSTREAM=http://127.0.0.1:8099/metadata IMDS_PROXY_TOKEN=x node --import tsx bench/baseline/server.ts
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'undici';

const upstream = new URL(process.env.UPSTREAM ?? 'http://169.254.169.254/metadata');
const tokenPath = `${upstream.pathname.replace(/\/$/, '')}/identity/oauth2/token?api-version=2018-02-01`;
const expected = Buffer.from(`Bearer ${process.env.IMDS_PROXY_TOKEN ?? ''}`);
const pool = new Pool(upstream.origin, { connections: 128, keepAliveTimeout: 10_000, headersTimeout: 30_000, bodyTimeout: 30_000 });

function authorized(header: string | undefined): boolean {
  if (header === undefined || process.env.IMDS_PROXY_TOKEN === undefined) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const app = Fastify({ logger: false });

app.get('/v1/identity/oauth2/token', async (request, reply) => {
  if (!authorized(request.headers.authorization)) {
    return reply.code(401).header('www-authenticate', 'Bearer').type('application/problem+json').send('{"status":401,"title":"Unauthorized"}');
  }
  const q = request.url.indexOf('?');
  const { statusCode, headers, body } = await pool.request({
    method: 'GET',
    path: q < 0 ? tokenPath : `${tokenPath}&${request.url.slice(q + 1)}`,
    headers: { metadata: 'true' },
  });
  reply.code(statusCode);
  const type = headers['content-type'];
  if (type !== undefined) reply.header('content-type', type);
  return reply.send(Buffer.from(await body.arrayBuffer()));
});

app.addHook('onClose', () => pool.close());
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(`baseline listening on ${address}`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
