/**
 * Compact JWS (JWT) parsing and signature verification with node:crypto only. The accepted
 * algorithms are the asymmetric ones an OAuth authorization server signs access tokens with;
 * `none` and the HMAC family are refused outright (a resource server holds no shared secret, and
 * accepting HS* with a public key as the secret is the classic algorithm-confusion attack).
 * Each algorithm is bound to the key type and curve it needs, so a key is never used with another.
 */
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';

type Algorithm = { readonly hash: string | null; readonly kind: 'rsa' | 'pss' | 'ec' | 'okp'; readonly curve?: string };

const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  RS256: { hash: 'sha256', kind: 'rsa' },
  RS384: { hash: 'sha384', kind: 'rsa' },
  RS512: { hash: 'sha512', kind: 'rsa' },
  PS256: { hash: 'sha256', kind: 'pss' },
  PS384: { hash: 'sha384', kind: 'pss' },
  PS512: { hash: 'sha512', kind: 'pss' },
  ES256: { hash: 'sha256', kind: 'ec', curve: 'prime256v1' },
  ES384: { hash: 'sha384', kind: 'ec', curve: 'secp384r1' },
  ES512: { hash: 'sha512', kind: 'ec', curve: 'secp521r1' },
  EdDSA: { hash: null, kind: 'okp' },
};

export const JWS_ALGORITHMS: readonly string[] = Object.keys(ALGORITHMS);

/** Tokens larger than this are refused before any parsing (a bearer token is a few KiB at most). */
const MAX_TOKEN_LENGTH = 16 * 1024;
const MIN_RSA_BITS = 2048;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

export interface ParsedJwt {
  readonly alg: string;
  readonly kid?: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
  /** `header.payload` as sent: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Why a token was refused; for the server log only (never sent, never contains the token). */
export class JwtError extends Error {
  override name = 'JwtError';
}

/** Splits and decodes a compact JWS; throws JwtError for anything malformed or an unaccepted `alg`. */
export function parseJwt(token: string): ParsedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw new JwtError('token too large');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw new JwtError('not a compact JWS');
  const header = decodeJson(parts[0]!, 'header');
  const claims = decodeJson(parts[1]!, 'payload');
  const alg = header.alg;
  if (typeof alg !== 'string' || !Object.prototype.hasOwnProperty.call(ALGORITHMS, alg)) {
    throw new JwtError(`algorithm ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 20)) : 'missing'} is not accepted`);
  }
  // Critical extensions we do not implement must make the token invalid (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw new JwtError('unsupported critical header parameters');
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  return { alg, ...(kid !== undefined ? { kid } : {}), claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** A verification key from a JWKS, already imported. */
export interface Jwk {
  readonly kid?: string | undefined;
  /** The `alg` the JWKS pins this key to, if any. */
  readonly alg?: string | undefined;
  readonly key: KeyObject;
}

/** Imports one JWKS entry; undefined for keys that are not public signature keys we can use. */
export function importJwk(entry: unknown): Jwk | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const jwk = entry as Record<string, unknown>;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return undefined;
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') return undefined;
  // Only the public members: a JWKS that (wrongly) publishes private parts must not make us hold them.
  const publicMembers = ['kty', 'n', 'e', 'crv', 'x', 'y'];
  const pub = Object.fromEntries(publicMembers.filter((k) => typeof jwk[k] === 'string').map((k) => [k, jwk[k] as string]));
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pub as never, format: 'jwk' });
  } catch {
    return undefined;
  }
  return {
    key,
    ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}),
    ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}),
  };
}

/** True when `jwk` may verify tokens signed with `alg` (key type, curve, size, pinned alg). */
export function keyFits(jwk: Jwk, alg: string): boolean {
  const spec = ALGORITHMS[alg];
  if (!spec || (jwk.alg !== undefined && jwk.alg !== alg)) return false;
  const type = jwk.key.asymmetricKeyType;
  const details = jwk.key.asymmetricKeyDetails ?? {};
  switch (spec.kind) {
    case 'rsa':
      return type === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
    case 'pss':
      return (type === 'rsa' || type === 'rsa-pss') && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
    case 'ec':
      return type === 'ec' && details.namedCurve === spec.curve;
    case 'okp':
      return type === 'ed25519' || type === 'ed448';
  }
}

/** Checks the token's signature with one key (the key must fit the algorithm; see keyFits). */
export function verifySignature(jwt: ParsedJwt, jwk: Jwk): boolean {
  const spec = ALGORITHMS[jwt.alg];
  if (!spec || !keyFits(jwk, jwt.alg)) return false;
  const data = Buffer.from(jwt.signingInput, 'ascii');
  try {
    switch (spec.kind) {
      case 'rsa':
        return verify(spec.hash, data, jwk.key, jwt.signature);
      case 'pss':
        return verify(spec.hash, data, { key: jwk.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature);
      case 'ec':
        // JWS carries r||s (IEEE P1363), not DER.
        return verify(spec.hash, data, { key: jwk.key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
      case 'okp':
        return verify(null, data, jwk.key, jwt.signature);
    }
  } catch {
    return false;
  }
}
