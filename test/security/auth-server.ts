// A small OAuth authorization server on 127.0.0.1 for resource-server tests: it publishes RFC 8414
// (or only OpenID) metadata and a JWKS of keys made with node:crypto, counts every request, and
// signs JWT access tokens with crypto.sign. Keys can be rotated while it runs.
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Alg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface SigningKey {
  readonly kid: string;
  readonly alg: Alg;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const pairs = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

/** A key pair for `alg` (RSA pairs are reused per size: generating them is the slow part). */
export function makeKey(kid: string, alg: Alg, options: { fresh?: boolean; rsaBits?: number } = {}): SigningKey {
  const family = alg.startsWith('RS') || alg.startsWith('PS') ? `rsa${options.rsaBits ?? 2048}` : alg;
  let pair = options.fresh ? undefined : pairs.get(family);
  if (!pair) {
    if (family.startsWith('rsa')) pair = generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 2048 });
    else if (alg === 'EdDSA') pair = generateKeyPairSync('ed25519');
    else pair = generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'] });
    if (!options.fresh) pairs.set(family, pair);
  }
  return { kid, alg, ...pair };
}

/** The public JWK of a key, as an authorization server publishes it. */
export function publicJwk(key: SigningKey): Record<string, unknown> {
  return { ...(key.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: key.kid, use: 'sig', alg: key.alg };
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** A compact JWS over `claims`; `header` fields override the defaults (alg, kid, typ). */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header })}.${b64(claims)}`;
  const data = Buffer.from(input);
  const hash = HASH[key.alg.slice(2)] ?? null;
  const signature =
    key.alg === 'EdDSA' ? sign(null, data, key.privateKey)
      : key.alg.startsWith('ES') ? sign(hash, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : key.alg.startsWith('PS') ? sign(hash, data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
      : sign(hash, data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned token (`alg: none`), the classic downgrade. */
export function unsignedJwt(claims: Record<string, unknown>, kid: string): string {
  return `${b64({ alg: 'none', kid })}.${b64(claims)}.`;
}

/** HS256 with the public key's PEM as the secret: the algorithm-confusion attack. */
export function hmacJwt(claims: Record<string, unknown>, key: SigningKey): string {
  const input = `${b64({ alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
  const secret = key.publicKey.export({ format: 'pem', type: 'spki' });
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export interface AuthServer {
  /** Issuer URI (with `issuerPath` when given). */
  readonly issuer: string;
  /** Requests per path, e.g. `/jwks`. */
  readonly hits: Map<string, number>;
  hitsOf(path: string): number;
  /** Replaces the published keys. */
  publish(keys: readonly SigningKey[]): void;
  close(): Promise<void>;
}

export interface AuthServerOptions {
  /** Publish only `/.well-known/openid-configuration` (no RFC 8414 document). */
  readonly oidcOnly?: boolean;
  readonly issuerPath?: string;
  /** Delay before every answer (to make concurrent requests overlap). */
  readonly delayMs?: number;
}

export async function startAuthServer(keys: readonly SigningKey[], options: AuthServerOptions = {}): Promise<AuthServer> {
  let published = keys;
  const hits = new Map<string, number>();
  let issuer = '';
  const path = options.issuerPath ?? '';
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]!;
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const json = (body: unknown): void => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, options.delayMs ?? 0);
    };
    const metadata = { issuer, jwks_uri: `${issuer.replace(path, '')}/jwks`, token_endpoint: `${issuer}/token`, response_types_supported: ['code'] };
    if (!options.oidcOnly && url === `/.well-known/oauth-authorization-server${path}`) return json(metadata);
    if (url === `${path}/.well-known/openid-configuration`) return json(metadata);
    if (url === '/jwks') return json({ keys: published.map(publicJwk) });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return {
    issuer,
    hits,
    hitsOf: (p) => hits.get(p) ?? 0,
    publish(next) {
      published = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
