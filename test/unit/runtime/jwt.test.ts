// Access-token verification (jose behind runtime/jwt.ts): every accepted algorithm verifies a token
// signed by its key, tampering and key/algorithm mismatches fail, `none`/HS*/`crit` and weak RSA
// keys are refused, claims are checked with clock skew. Tokens are signed with node:crypto
// (test/security/auth-server.ts), independently of the library under test.
import { describe, expect, it } from 'vitest';
import { keySet, parseJwt, verifyJwt, type ExpectedClaims, type Verdict } from '../../../generator/runtime/jwt.js';
import { hmacJwt, makeKey, publicJwk, signJwt, unsignedJwt, type Alg } from '../../security/auth-server.js';

const ALGS: Alg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const claims = { sub: 'x', iss: 'https://as.example', aud: 'https://api.example', exp: 2_000_000_000 };
const expected: ExpectedClaims = { issuer: 'https://as.example', audience: 'https://api.example', clockToleranceSec: 30 };

function check(token: string, jwks: readonly unknown[], want: ExpectedClaims = expected): Promise<Verdict> {
  return verifyJwt(parseJwt(token), keySet(jwks), want);
}
const fits = async (token: string, jwks: readonly unknown[]): Promise<boolean> => (await check(token, jwks)).ok;

describe('verifyJwt', () => {
  it.each(ALGS)('%s: the right key verifies, a changed payload or signature does not', async (alg) => {
    const key = makeKey('k', alg);
    const token = signJwt(claims, key);
    const parsed = parseJwt(token);
    expect(parsed.alg).toBe(alg);
    expect(parsed.kid).toBe('k');
    expect(await check(token, [publicJwk(key)])).toMatchObject({ ok: true, claims: { sub: 'x' } });
    const [h, , s] = token.split('.');
    expect(await check(`${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'y' })).toString('base64url')}.${s}`, [publicJwk(key)])).toMatchObject({ ok: false, reason: 'bad signature' });
    const flipped = Buffer.from(s!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(await fits(`${h}.${token.split('.')[1]}.${flipped.toString('base64url')}`, [publicJwk(key)])).toBe(false);
  });

  it('another key of the same type does not verify', async () => {
    const token = signJwt(claims, makeKey('k', 'ES256'));
    expect(await check(token, [publicJwk(makeKey('k', 'ES256', { fresh: true }))])).toMatchObject({ ok: false, verdict: 'invalid', reason: 'bad signature' });
  });

  it('a key is only used with the algorithm family, curve and pinned alg it fits', async () => {
    const with_ = (alg: Alg, header: Record<string, unknown> = {}) => signJwt(claims, makeKey('k', alg), header);
    // An ES256 token against the RS256 key of the same kid: no key fits.
    expect(await check(with_('ES256'), [publicJwk(makeKey('k', 'RS256'))])).toMatchObject({ ok: false, verdict: 'no key' });
    expect(await check(with_('RS256'), [publicJwk(makeKey('k', 'ES256'))])).toMatchObject({ ok: false, verdict: 'no key' });
    expect(await check(with_('ES384'), [{ ...publicJwk(makeKey('k', 'ES256')), alg: undefined }])).toMatchObject({ ok: false, verdict: 'no key' });
    expect(await check(with_('ES256'), [publicJwk(makeKey('k', 'EdDSA'))])).toMatchObject({ ok: false, verdict: 'no key' });
    // The JWKS pins the key to RS256: a PS256 token must not use it even though the key could.
    const rsa = makeKey('k', 'RS256');
    const ps256 = signJwt(claims, { ...rsa, alg: 'PS256' });
    expect(await check(ps256, [publicJwk(rsa)])).toMatchObject({ ok: false, verdict: 'no key' });
    expect(await fits(ps256, [{ ...publicJwk(rsa), alg: undefined }])).toBe(true);
    const weak = makeKey('k', 'RS256', { rsaBits: 1024 });
    expect(await fits(signJwt(claims, weak), [{ ...publicJwk(weak), alg: undefined }])).toBe(false);
  });

  it('without a kid, the key that verifies among several that fit is used', async () => {
    const a = makeKey('a', 'ES256');
    const b = makeKey('b', 'ES256', { fresh: true });
    const token = signJwt(claims, b, { kid: undefined });
    expect(await fits(token, [{ ...publicJwk(a), kid: undefined }, { ...publicJwk(b), kid: undefined }])).toBe(true);
    expect(await check(token, [{ ...publicJwk(a), kid: undefined }, { ...publicJwk(makeKey('c', 'ES256', { fresh: true })), kid: undefined }])).toMatchObject({ ok: false, reason: 'bad signature' });
  });

  it('JWKS entries that are not public signature keys are skipped', () => {
    const base = publicJwk(makeKey('k', 'ES256'));
    expect(keySet([{ ...base, use: 'enc' }]).size).toBe(0);
    expect(keySet([{ ...base, key_ops: ['encrypt'] }]).size).toBe(0);
    expect(keySet([{ kty: 'oct', k: 'c2VjcmV0' }]).size).toBe(0);
    expect(keySet([{ kty: 'EC', crv: 'P-256', x: 'bad', y: 'bad' }]).size).toBe(0);
    expect(keySet(['nonsense', null, []]).size).toBe(0);
    expect(keySet([base, { ...base, use: 'enc' }]).size).toBe(1);
  });

  it('claims: exp and nbf with clock skew, iss (with or without a trailing slash), aud', async () => {
    const key = makeKey('k', 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const reason = async (c: Record<string, unknown>, want = expected) => {
      const verdict = await check(signJwt(c, key), [publicJwk(key)], want);
      return verdict.ok ? 'ok' : verdict.reason;
    };
    expect(await reason({ ...claims, exp: now - 10 })).toBe('ok'); // within the 30 s skew
    expect(await reason({ ...claims, exp: now - 60 })).toBe('expired');
    expect(await reason({ ...claims, exp: undefined })).toBe('no exp claim');
    expect(await reason({ ...claims, nbf: now + 10 })).toBe('ok');
    expect(await reason({ ...claims, nbf: now + 120 })).toBe('not valid yet (nbf)');
    expect(await reason({ ...claims, iss: 'https://as.example/' })).toBe('ok');
    expect(await reason(claims, { ...expected, issuer: 'https://as.example/' })).toBe('ok');
    expect(await reason({ ...claims, iss: 'https://other.example' })).toBe('wrong issuer');
    expect(await reason({ ...claims, aud: ['https://other.example', 'https://api.example'] })).toBe('ok');
    expect(await reason({ ...claims, aud: 'https://other.example' })).toBe('wrong audience');
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
