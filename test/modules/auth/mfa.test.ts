/**
 * TOTP two-factor sign-in (docs/security.md §3a), against a fake clock: enrolment, login in two
 * steps, recovery codes used once, drift of ±1 step accepted and ±2 refused, code guesses locked
 * like password guesses, disabling, MFA_REQUIRED_ROLES and the admin reset.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generate } from 'otplib';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, login, MINUTE, seedUser, type TestUser } from '../../helpers/auth.js';

const clock = new FakeClock();
const t = useTestApp({ clock, env: { MFA_REQUIRED_ROLES: 'admin' } });
const STEP = 30_000;

const totp = (secret: string, offsetMs = 0) => generate({ secret, epoch: Math.floor((clock.now().getTime() + offsetMs) / 1000) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let calls = 0;
/** Each call from its own address unless one is given: the tests of one file do not add up on one IP key. */
function post(url: string, payload: unknown, headers: Record<string, string> = {}, ip = `198.18.${(++calls >> 8) & 255}.${calls & 255}`) {
  return t().app.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object, headers, remoteAddress: ip });
}

/** A user with a confirmed factor: its secret and recovery codes. */
async function enrolled(role: TestUser['role'] = 'responsable') {
  const user = await seedUser(t(), role);
  const tokens = await login(t(), user);
  const enrolment = await post('/auth/mfa/enroll', undefined, bearer(tokens.access_token));
  assert.equal(enrolment.statusCode, 200, enrolment.body);
  const { secret, otpauth_uri } = enrolment.json();
  const confirmed = await post('/auth/mfa/confirm', { otp: await totp(secret) }, bearer(tokens.access_token));
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  clock.advance(2 * STEP); // the confirmation's step is spent
  return { user, secret, otpauth_uri: otpauth_uri as string, recoveryCodes: confirmed.json().recovery_codes as string[], tokens };
}

/** The first step: the password answers 401 with the challenge of the second. */
async function passwordStep(user: TestUser, ip?: string): Promise<string> {
  const response = await post('/auth/token', { username: user.email, password: user.password }, {}, ip);
  assert.equal(response.statusCode, 401, response.body);
  const { error } = response.json();
  assert.equal(error.message, 'Code de double authentification requis');
  assert.equal(error.details.mfa_required, true);
  assert.equal(error.details.expires_in, 300);
  return error.details.mfa_token;
}

describe('enrolment and two-step login', () => {
  test('enrol → confirm → password → code → tokens; the challenge is single-use; the secret is encrypted at rest', async () => {
    const { user, secret, otpauth_uri, recoveryCodes } = await enrolled();
    assert.match(otpauth_uri, /^otpauth:\/\/totp\/MIF%20ERP:/);
    assert.ok(new URL(otpauth_uri).searchParams.get('secret') === secret);
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    const stored = await t().db.selectFrom('user_mfa').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.match(stored.secret_encrypted, /^v1\./);
    assert.ok(!stored.secret_encrypted.includes(secret));
    const hashes = await t().db.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    assert.equal(hashes.length, 10);
    assert.ok(hashes.every((h) => !recoveryCodes.some((code) => h.code_hash.includes(code.replace('-', '')))));

    const challenge = await passwordStep(user);
    const sessionsBefore = await t().db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    const code = await totp(secret);
    const second = await post('/auth/mfa/verify', { mfa_token: challenge, otp: code });
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().token_type, 'bearer');
    const me = await t().app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(second.json().access_token) });
    assert.equal(me.json().id, user.id);
    const sessionsAfter = await t().db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    assert.equal(sessionsAfter.length, sessionsBefore.length + 1, 'one session, opened by the second step only');
    assert.equal((await post('/auth/mfa/verify', { mfa_token: challenge, otp: code })).statusCode, 401, 'the challenge is spent');
    const replay = await post('/auth/mfa/verify', { mfa_token: await passwordStep(user), otp: code });
    assert.equal(replay.statusCode, 401, 'a code is accepted once');
    const success = await t().db.selectFrom('audit_events').select('details').where('event_type', '=', 'auth.login.success').where('resource_id', '=', String(user.id)).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(success.details.second_factor, 'totp');
  });

  test('an expired challenge is refused; an account without a factor logs in as before', async () => {
    const { user, secret } = await enrolled();
    const challenge = await passwordStep(user);
    clock.advance(5 * MINUTE + 1000);
    const late = await post('/auth/mfa/verify', { mfa_token: challenge, otp: await totp(secret) });
    assert.equal(late.statusCode, 401);
    assert.equal(late.json().error.message, 'Étape de double authentification invalide ou expirée');
    const plain = await seedUser(t(), 'technicien');
    const legacy = await post('/auth/login', { username: plain.username, password: plain.password });
    assert.equal(legacy.statusCode, 200);
    assert.deepEqual(Object.keys(legacy.json()).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
  });

  test('a recovery code works once, then is refused', async () => {
    const { user, recoveryCodes } = await enrolled();
    const code = recoveryCodes[3]!;
    const first = await post('/auth/mfa/verify', { mfa_token: await passwordStep(user), otp: code.toLowerCase() });
    assert.equal(first.statusCode, 200, first.body);
    for (let i = 0; i < 2; i++) {
      const again = await post('/auth/mfa/verify', { mfa_token: await passwordStep(user), otp: code });
      assert.equal(again.statusCode, 401, `reuse ${i + 1}`);
      assert.equal(again.json().error.message, 'Code de double authentification invalide');
    }
    const status = await t().app.inject({ method: 'GET', url: '/api/v1/auth/mfa', headers: bearer(first.json().access_token) });
    assert.deepEqual(status.json(), { enabled: true, pending: false, recovery_codes_remaining: 9 });
  });

  test('clock drift: ±1 step accepted, ±2 steps refused', async () => {
    const { user, secret } = await enrolled();
    const outcomes: Record<string, number> = {};
    // Past codes first, each later than the last accepted step; refusals are counted, so the streak is cleared between.
    for (const [name, offset] of [['-2 steps', -2 * STEP], ['-1 step', -STEP], ['+1 step', STEP], ['+2 steps', 2 * STEP]] as const) {
      clock.advance(4 * STEP);
      const response = await post('/auth/mfa/verify', { mfa_token: await passwordStep(user), otp: await totp(secret, offset) });
      outcomes[name] = response.statusCode;
    }
    assert.deepEqual(outcomes, { '-2 steps': 401, '-1 step': 200, '+1 step': 200, '+2 steps': 401 });
  });

  test('5 wrong codes → 429, then even the right code and the password are refused', async () => {
    const { user, secret } = await enrolled();
    const challenge = await passwordStep(user, '192.0.2.90');
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/auth/mfa/verify', { mfa_token: challenge, otp: String(100000 + i) }, {}, '192.0.2.90')).statusCode);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    assert.equal((await post('/auth/mfa/verify', { mfa_token: challenge, otp: await totp(secret) }, {}, '192.0.2.91')).statusCode, 429);
    assert.equal((await post('/auth/token', { username: user.email, password: user.password }, {}, '192.0.2.92')).statusCode, 429, 'the account is locked');
    const events = await t().db.selectFrom('audit_events').select(['event_type', 'details']).where('resource_id', '=', String(user.id)).where('event_type', 'in', ['auth.login.failure', 'auth.login.locked']).execute();
    assert.equal(events.filter((e) => e.event_type === 'auth.login.failure' && e.details.reason === 'bad_code').length, 5);
    assert.ok(events.some((e) => e.event_type === 'auth.login.locked' && e.details.endpoint === 'mfa'));
  });

  test('a right password does not clear the streak of wrong codes (no password + 4 guesses cycles)', async () => {
    const { user } = await enrolled();
    const statuses = [];
    for (let cycle = 0; cycle < 2; cycle++) {
      const challenge = await passwordStep(user, '192.0.2.95');
      for (let i = 0; i < 3; i++) statuses.push((await post('/auth/mfa/verify', { mfa_token: challenge, otp: String(200000 + i) }, {}, '192.0.2.95')).statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  });
});

describe('disabling, enforcement and the admin reset', () => {
  test('disable needs the password and a code; afterwards the password alone signs in', async () => {
    const { user, secret, tokens } = await enrolled();
    const session = await post('/auth/mfa/verify', { mfa_token: await passwordStep(user), otp: await totp(secret) });
    const access = session.json().access_token;
    clock.advance(2 * STEP);
    const wrong = await post('/auth/mfa/disable', { password: 'Mauvais#1Pass', otp: await totp(secret) }, bearer(access));
    assert.equal(wrong.statusCode, 400);
    const noCode = await post('/auth/mfa/disable', { password: user.password, otp: '000000' }, bearer(access));
    assert.equal(noCode.statusCode, 400);
    const done = await post('/auth/mfa/disable', { password: user.password, otp: await totp(secret) }, bearer(access));
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((await post('/auth/token', { username: user.email, password: user.password })).statusCode, 200);
    assert.ok(tokens.access_token);
    const audit = await t().db.selectFrom('audit_events').select('event_type').where('resource_id', '=', String(user.id)).where('event_type', 'like', 'auth.mfa.%').execute();
    assert.deepEqual([...new Set(audit.map((e) => e.event_type))].sort(), ['auth.mfa.challenge', 'auth.mfa.disabled', 'auth.mfa.enabled', 'auth.mfa.enrolment_started']);
  });

  test('MFA_REQUIRED_ROLES: an admin without a factor may only enrol, then has full access', async () => {
    const admin = await seedUser(t(), 'admin');
    const tokens = await login(t(), admin);
    const blocked = await t().app.inject({ method: 'GET', url: '/api/v1/users/', headers: bearer(tokens.access_token) });
    assert.equal(blocked.statusCode, 403);
    assert.match(blocked.json().error.message, /Double authentification obligatoire/);
    assert.equal((await t().app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(tokens.access_token) })).statusCode, 200);
    const { secret } = (await post('/auth/mfa/enroll', undefined, bearer(tokens.access_token))).json();
    assert.equal((await post('/auth/mfa/confirm', { otp: '000000' }, bearer(tokens.access_token))).statusCode, 400, 'a wrong first code');
    assert.equal((await post('/auth/mfa/confirm', { otp: await totp(secret) }, bearer(tokens.access_token))).statusCode, 200);
    assert.equal((await t().app.inject({ method: 'GET', url: '/api/v1/users/', headers: bearer(tokens.access_token) })).statusCode, 200);
  });

  test('an admin resets a user whose phone is lost: audited; the user signs in with the password alone', async () => {
    const { user, tokens: userTokens } = await enrolled('technicien');
    const { user: admin, secret: adminSecret } = await enrolled('admin');
    const adminSession = (await post('/auth/mfa/verify', { mfa_token: await passwordStep(admin), otp: await totp(adminSecret) })).json();
    assert.equal((await post(`/users/${admin.id}/mfa/reset`, undefined, bearer(userTokens.access_token))).statusCode, 403, 'admins only');
    const reset = await post(`/users/${user.id}/mfa/reset`, undefined, bearer(adminSession.access_token));
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((await post('/users/999999/mfa/reset', undefined, bearer(adminSession.access_token))).statusCode, 404);
    assert.equal((await post('/auth/token', { username: user.email, password: user.password })).statusCode, 200);
    const row = await t().db.selectFrom('audit_events').select(['actor_user_id', 'outcome', 'details']).where('event_type', '=', 'auth.mfa.reset').where('resource_id', '=', String(user.id)).executeTakeFirstOrThrow();
    assert.equal(row.actor_user_id, admin.id);
    assert.equal(row.outcome, 'success');
    assert.equal(row.details.had_factor, true);
  });
});
