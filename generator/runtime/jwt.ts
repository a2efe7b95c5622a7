/**
 * Access-token (JWT) verification with jose: key selection from a JWKS (`kid`, key type, curve,
 * `alg` pinning, `use`/`key_ops`), the signature, then `exp`/`nbf` with clock skew, `iss` and
 * `aud`. The accepted algorithms are the asymmetric ones an OAuth authorization server signs
 * access tokens with; `none` and the HMAC family are refused outright (a resource server holds no
 * shared secret, and accepting HS* with a public key as the secret is the classic
 * algorithm-confusion attack); jose refuses RSA keys under 2048 bits.
 */
import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const JWS_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Tokens larger than this are refused before any parsing (a bearer token is a few KiB at most). */
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ParsedJwt {
  readonly alg: string;
  readonly kid?: string | undefined;
  /** The compact token itself. */
  readonly token: string;
}

/** Why a token was refused; for the server log only (never sent, never contains the token). */
export class JwtError extends Error {
  override name = 'JwtError';
}

/** A cheap look at the header before any key is fetched: throws JwtError for anything malformed, an unaccepted `alg` or `crit`. */
export function parseJwt(token: string): ParsedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw new JwtError('token too large');
  if (!COMPACT_JWS.test(token)) throw new JwtError('not a compact JWS');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    throw new JwtError('header is not a JSON object');
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !JWS_ALGORITHMS.includes(alg)) {
    throw new JwtError(`algorithm ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 20)) : 'missing'} is not accepted`);
  }
  // Critical extensions we do not implement must make the token invalid (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw new JwtError('unsupported critical header parameters');
  return { alg, ...(typeof header.kid === 'string' ? { kid: header.kid } : {}), token };
}

/** The verification keys of one JWKS document, ready for jose (which caches each key's import). */
export interface KeySet {
  /** How many usable keys the document held. */
  readonly size: number;
  readonly resolve: ReturnType<typeof createLocalJWKSet>;
}

/**
 * The public signature keys of a JWKS `keys` array: other uses, private-key-only or symmetric
 * entries and keys Node cannot import are left out, and only public members are kept (a JWKS that
 * wrongly publishes private parts must not make us hold them).
 */
export function keySet(entries: readonly unknown[]): KeySet {
  const keys: JWK[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const jwk = entry as Record<string, unknown>;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) continue;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') continue;
    const pub = Object.fromEntries(['kty', 'n', 'e', 'crv', 'x', 'y'].filter((k) => typeof jwk[k] === 'string').map((k) => [k, jwk[k] as string]));
    try {
      createPublicKey({ key: pub as never, format: 'jwk' });
    } catch {
      continue;
    }
    keys.push({ ...pub, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}), ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}), use: 'sig' });
  }
  return { size: keys.length, resolve: createLocalJWKSet({ keys }) };
}

export interface ExpectedClaims {
  readonly issuer: string;
  readonly audience: string;
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. */
  readonly clockToleranceSec: number;
}

export type Verdict =
  | { readonly ok: true; readonly claims: Readonly<JWTPayload> }
  /** `no key`: the set holds no key for this token (maybe rotated); `invalid`: the token is refused. */
  | { readonly ok: false; readonly verdict: 'no key' | 'invalid'; readonly reason: string };

/** `https://as.example/` and `https://as.example` name the same issuer. */
const issuerForms = (issuer: string): string[] => {
  const bare = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
  return [bare, `${bare}/`];
};

/** Verifies the token's signature with the set's keys, then its claims. */
export async function verifyJwt(jwt: ParsedJwt, keys: KeySet, expected: ExpectedClaims): Promise<Verdict> {
  const options = {
    algorithms: [...JWS_ALGORITHMS],
    issuer: issuerForms(expected.issuer),
    audience: expected.audience,
    clockTolerance: expected.clockToleranceSec,
    requiredClaims: ['exp'],
  };
  try {
    return { ok: true, claims: (await jwtVerify(jwt.token, keys.resolve, options)).payload };
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) return refusal(error, jwt);
    // Several keys fit (no `kid`): the token is good when one of them verifies it.
    let last: unknown = error;
    for await (const key of error as unknown as AsyncIterable<CryptoKey>) {
      try {
        return { ok: true, claims: (await jwtVerify(jwt.token, key, options)).payload };
      } catch (failure) {
        last = failure;
        if (!(failure instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    return refusal(last, jwt);
  }
}

/** A jose error as the reason the server logs. */
function refusal(error: unknown, jwt: ParsedJwt): Verdict {
  const invalid = (reason: string): Verdict => ({ ok: false, verdict: 'invalid', reason });
  if (error instanceof errors.JWKSNoMatchingKey) {
    return { ok: false, verdict: 'no key', reason: jwt.kid !== undefined ? `unknown key id ${JSON.stringify(jwt.kid.slice(0, 64))}` : `no key for ${jwt.alg}` };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('bad signature');
  if (error instanceof errors.JWTExpired) return invalid('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return invalid('no exp claim');
    if (error.claim === 'nbf') return invalid('not valid yet (nbf)');
    if (error.claim === 'iss') return invalid('wrong issuer');
    if (error.claim === 'aud') return invalid('wrong audience');
    return invalid(`invalid ${error.claim} claim`);
  }
  if (error instanceof errors.JOSEError) return invalid(`${error.code}: ${error.message}`.slice(0, 200));
  // jose's TypeErrors: a key the algorithm must not use (RSA under 2048 bits, another curve).
  return invalid(`key not usable: ${(error as Error).message}`.slice(0, 200));
}
