// JWS verification with node:crypto: every accepted algorithm verifies a token signed by its key,
// tampering and key/algorithm mismatches fail, `none`/HS*/`crit` and weak RSA keys are refused.
import { describe, expect, it } from 'vitest';
import { importJwk, keyFits, parseJwt, verifySignature, type Jwk } from '../../../generator/runtime/jwt.js';
import { hmacJwt, makeKey, publicJwk, signJwt, unsignedJwt, type Alg } from '../../security/auth-server.js';

const ALGS: Alg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const claims = { sub: 'x', iss: 'https://as.example', exp: 2_000_000_000 };

function jwk(alg: Alg, kid = 'k'): Jwk {
  return importJwk(publicJwk(makeKey(kid, alg)))!;
}

describe('verifySignature', () => {
  it.each(ALGS)('%s: the right key verifies, a changed payload or signature does not', (alg) => {
    const key = makeKey('k', alg);
    const token = signJwt(claims, key);
    const parsed = parseJwt(token);
    expect(parsed.alg).toBe(alg);
    expect(parsed.kid).toBe('k');
    expect(verifySignature(parsed, importJwk(publicJwk(key))!)).toBe(true);
    const [h, , s] = token.split('.');
    expect(verifySignature(parseJwt(`${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'y' })).toString('base64url')}.${s}`), jwk(alg))).toBe(false);
    const flipped = Buffer.from(s!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(verifySignature(parseJwt(`${h}.${token.split('.')[1]}.${flipped.toString('base64url')}`), jwk(alg))).toBe(false);
  });

  it('another key of the same type does not verify', () => {
    const token = parseJwt(signJwt(claims, makeKey('k', 'ES256')));
    expect(verifySignature(token, importJwk(publicJwk(makeKey('k', 'ES256', { fresh: true })))!)).toBe(false);
  });

  it('a key is only used with the algorithm family, curve and pinned alg it fits', () => {
    expect(keyFits(jwk('RS256'), 'ES256')).toBe(false);
    expect(keyFits(jwk('ES256'), 'RS256')).toBe(false);
    expect(keyFits(jwk('ES256'), 'ES384')).toBe(false);
    expect(keyFits(jwk('EdDSA'), 'ES256')).toBe(false);
    // The JWKS pins the key to RS256: a PS256 token must not use it even though the key could.
    expect(keyFits(jwk('RS256'), 'PS256')).toBe(false);
    const unpinned = importJwk({ ...publicJwk(makeKey('k', 'RS256')), alg: undefined })!;
    expect(keyFits(unpinned, 'PS256')).toBe(true);
    expect(keyFits(importJwk({ ...publicJwk(makeKey('k', 'RS256', { rsaBits: 1024 })), alg: undefined })!, 'RS256')).toBe(false);
  });

  it('JWKS entries that are not public signature keys are skipped', () => {
    const base = publicJwk(makeKey('k', 'ES256'));
    expect(importJwk({ ...base, use: 'enc' })).toBeUndefined();
    expect(importJwk({ ...base, key_ops: ['encrypt'] })).toBeUndefined();
    expect(importJwk({ kty: 'oct', k: 'c2VjcmV0' })).toBeUndefined();
    expect(importJwk({ kty: 'EC', crv: 'P-256', x: 'bad', y: 'bad' })).toBeUndefined();
    expect(importJwk('nonsense')).toBeUndefined();
  });
});

describe('parseJwt', () => {
  it('refuses none, HS256, unknown algorithms, crit headers and malformed tokens', () => {
    const key = makeKey('k', 'RS256');
    expect(() => parseJwt(unsignedJwt(claims, 'k'))).toThrow(/not a compact JWS|not accepted/);
    expect(() => parseJwt(hmacJwt(claims, key))).toThrow(/not accepted/);
    expect(() => parseJwt(signJwt(claims, key, { alg: 'RS1' }))).toThrow(/not accepted/);
    expect(() => parseJwt(signJwt(claims, key, { crit: ['exp'] }))).toThrow(/critical/);
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a.b.c', '!!.x.y', `${'a'.repeat(20_000)}.b.c`]) expect(() => parseJwt(bad), bad.slice(0, 20)).toThrow();
  });
});
