/**
 * The synchronous HS256 verification of access tokens (src/modules/auth/tokens.ts, docs/security.md
 * §1): what jose's jwtVerify used to refuse is still refused, and the token this server signs passes.
 * The HTTP-level cases (forged, other key, kid/jku, iat ahead, lifetime) are in sessions.test.ts.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signAccessToken, verifyAccessToken } from '../../../src/modules/auth/tokens.js';
import { TEST_SECRET_KEY, testConfig } from '../../helpers/app.js';

const settings = testConfig({}).auth;
const now = new Date('2026-06-01T10:00:00Z');
const nowSeconds = now.getTime() / 1000;
const SID = '6f1c2b8e-2d4f-4a8e-9d2c-1e5b7a9c0d3f';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hmac = (input: string, secret = TEST_SECRET_KEY) => createHmac('sha256', secret).update(input).digest('base64url');

/** A token signed by hand, so that each case changes exactly one thing. */
function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const payload = {
    sub: 'a@example.com',
    user_id: 7,
    role: 'admin',
    sid: SID,
    typ: 'access',
    iat: nowSeconds,
    exp: nowSeconds + 900,
    jti: '00000000-0000-4000-8000-000000000000',
    iss: 'mif-erp',
    aud: 'mif-erp-api',
    ...claims,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hmac(input)}`;
}

const without = (name: string) => token({ [name]: undefined });

describe('verifyAccessToken', () => {
  test('the token the server signs passes, with its claims', async () => {
    const signed = await signAccessToken(settings, { userId: 7, email: 'a@example.com', role: 'admin', sessionId: SID }, now);
    assert.deepEqual(verifyAccessToken(settings, signed, now), { userId: 7, role: 'admin', sessionId: SID, issuedAt: nowSeconds });
    assert.deepEqual(verifyAccessToken(settings, token(), now), { userId: 7, role: 'admin', sessionId: SID, issuedAt: nowSeconds });
  });

  test('a list audience that contains ours passes; nbf up to the leeway passes', () => {
    assert.notEqual(verifyAccessToken(settings, token({ aud: ['other', 'mif-erp-api'] }), now), null);
    assert.notEqual(verifyAccessToken(settings, token({ nbf: nowSeconds + 5 }), now), null);
  });

  test('exp: valid up to 5 s after it, refused from then on', () => {
    const expiring = token();
    assert.notEqual(verifyAccessToken(settings, expiring, new Date((nowSeconds + 904) * 1000)), null);
    assert.equal(verifyAccessToken(settings, expiring, new Date((nowSeconds + 905) * 1000)), null);
  });

  test('refused: any header but {alg: HS256, typ: JWT}, a missing claim, nbf ahead, a signature not in canonical form', () => {
    const valid = token();
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    // The last character of a 32-byte base64url signature carries 2 unused bits: another letter decodes the same bytes.
    const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(signature.at(-1)!);
    const sameBytes = signature.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex ^ 1];
    assert.deepEqual(Buffer.from(sameBytes, 'base64url'), Buffer.from(signature, 'base64url'));
    const cases: Record<string, string> = {
      'crit header': token({}, { alg: 'HS256', typ: 'JWT', crit: ['exp'] }),
      'b64 header': token({}, { alg: 'HS256', typ: 'JWT', b64: false }),
      'x5u header': token({}, { alg: 'HS256', typ: 'JWT', x5u: 'https://evil.example/cert' }),
      'jwk header': token({}, { alg: 'HS256', typ: 'JWT', jwk: { kty: 'oct', k: 'AA' } }),
      'typ jwt lower-case': token({}, { alg: 'HS256', typ: 'jwt' }),
      'no typ': token({}, { alg: 'HS256' }),
      'alg HS512': token({}, { alg: 'HS512', typ: 'JWT' }),
      'header not an object': `${b64('"HS256"')}.${payload}.${hmac(`${b64('"HS256"')}.${payload}`)}`,
      'payload an array': `${header}.${b64([1])}.${hmac(`${header}.${b64([1])}`)}`,
      'payload not JSON': `${header}.${b64('{')}.${hmac(`${header}.${b64('{')}`)}`,
      'no sub': without('sub'),
      'no jti': without('jti'),
      'no iat': without('iat'),
      'no exp': without('exp'),
      'no iss': without('iss'),
      'no aud': without('aud'),
      'sub a number': token({ sub: 7 }),
      'exp a string': token({ exp: String(nowSeconds + 900) }),
      'nbf 6 s ahead': token({ nbf: nowSeconds + 6 }),
      'nbf a string': token({ nbf: 'soon' }),
      'user_id a string': token({ user_id: '7' }),
      'user_id fractional': token({ user_id: 7.5 }),
      'signature with the same bytes, other text': `${header}.${payload}.${sameBytes}`,
      'signature padded': `${valid}=`,
      'signature empty': `${header}.${payload}.`,
      'four segments': `${valid}.${signature}`,
      'whitespace inside': `${header}.${payload} .${signature}`,
      'another key': `${header}.${payload}.${hmac(`${header}.${payload}`, 'another-secret-key-another-secret-key-0123')}`,
    };
    for (const [name, candidate] of Object.entries(cases)) assert.equal(verifyAccessToken(settings, candidate, now), null, name);
    assert.notEqual(verifyAccessToken(settings, valid, now), null, 'the control case passes');
  });
});
