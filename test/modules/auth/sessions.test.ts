import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { decodeJwt, SignJWT } from 'jose';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from '../../helpers/app.js';
import { bearer, DAY, FakeClock, login, MINUTE, seedUser, type TestUser } from '../../helpers/auth.js';
import { assertError, assertIssue } from '../../helpers/http.js';

const clock = new FakeClock();
let t: TestApp;

const roleProbe: FastifyPluginAsync = async (app) => {
  app.get('/test/responsable-only', { onRequest: app.authorize('responsable') }, async (request) => ({ role: request.actor!.role }));
};

before(async () => {
  t = await createTestApp({ clock, extraRoutes: roleProbe });
});
after(async () => {
  await t.close();
});

async function me(token: string) {
  return t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
}

async function refresh(refreshToken: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: refreshToken } });
}

async function auditTypes(): Promise<string[]> {
  const rows = await t.db.selectFrom('audit_events').select('event_type').orderBy('id').execute();
  return rows.map((row) => row.event_type);
}

function assert401(response: { statusCode: number; headers: Record<string, unknown>; json: () => any }, message = 'Token invalide ou expiré') {
  assert.equal(response.statusCode, 401);
  assert.equal(response.headers['www-authenticate'], 'Bearer');
  assert.equal(response.json().error.code, 'UNAUTHORIZED');
  assert.equal(response.json().error.message, message);
}

describe('login', () => {
  let user: TestUser;
  before(async () => {
    user = await seedUser(t, 'responsable');
  });

  test('correct password → tokens with every claim, last_login set, refresh token stored only as SHA-256', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: user.email, password: user.password } });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 900);
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(body.access_token);
    assert.equal(claims.sub, user.email);
    assert.equal(claims.user_id, user.id);
    assert.equal(claims.role, 'responsable');
    assert.equal(claims.typ, 'access');
    assert.equal(claims.iss, 'mif-erp');
    assert.equal(claims.aud, 'mif-erp-api');
    assert.equal(claims.iat, Math.floor(clock.now().getTime() / 1000));
    assert.equal(claims.exp! - claims.iat!, 900);
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.match(String(claims.sid), /^[0-9a-f-]{36}$/);

    const row = await t.db.selectFrom('users').select('last_login').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.last_login?.toISOString(), clock.now().toISOString());
    const tokens = await t.db.selectFrom('refresh_tokens').select('token_hash').where('session_id', '=', String(claims.sid)).execute();
    assert.deepEqual(tokens.map((r) => r.token_hash), [createHash('sha256').update(body.refresh_token).digest('hex')]);
    const dump = JSON.stringify(await t.db.selectFrom('refresh_tokens').selectAll().execute());
    assert.ok(!dump.includes(body.refresh_token), 'raw refresh token never stored');
  });

  test('/auth/token accepts the username in `username`, and urlencoded and multipart bodies', async () => {
    const urlencoded = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${encodeURIComponent(user.username.toUpperCase())}&password=${encodeURIComponent(user.password)}`,
    });
    assert.equal(urlencoded.statusCode, 200, urlencoded.body);
    const boundary = '----mifboundary';
    const multipartBody = [
      `--${boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\n${user.email}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${user.password}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const multipart = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipartBody,
    });
    assert.equal(multipart.statusCode, 200, multipart.body);
    assert.ok(multipart.json().access_token);
  });

  test('a multipart form without a boundary is a 400, not a parser crash; an empty boundary reads as no field', async () => {
    for (const type of ['multipart/form-data', 'multipart/form-data; charset=utf-8']) {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': type }, payload: 'garbage' });
      assertError(response, 400, 'Formulaire multipart invalide');
    }
    const empty = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'Multipart/Form-Data; boundary=' }, payload: 'garbage' });
    assertIssue(empty, ['body', 'password'], 'missing');
  });

  test('wrong password and unknown account give the same 401 body; /auth/login has its own message', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.0.0.1', payload: { email: user.email, password: 'Mauvais#1Pass' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.0.0.2', payload: { email: 'personne@exemple.test', password: 'Mauvais#1Pass' } });
    assert401(wrong, 'Email ou mot de passe incorrect');
    assert401(unknown, 'Email ou mot de passe incorrect');
    const strip = (body: any) => ({ ...body.error, trace_id: undefined });
    assert.deepEqual(strip(wrong.json()), strip(unknown.json()));
    const legacy = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.3', payload: { username: user.username, password: 'Mauvais#1Pass' } });
    assert401(legacy, 'Identifiants invalides');
  });

  test('missing fields → 422', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { password: 'x' } });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(response.json().error.details[0].loc, ['body', 'username']);
    const noPassword = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x' } });
    assert.equal(noPassword.statusCode, 422);
    assert.equal(noPassword.json().error.details[0].type, 'missing');
  });

  test('a deactivated account gets 403 "Compte désactivé" only after the right password', async () => {
    const inactive = await seedUser(t, 'technicien');
    await t.db.updateTable('users').set({ is_active: false }).where('id', '=', inactive.id).execute();
    const right = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.0.0.4', payload: { email: inactive.email, password: inactive.password } });
    assert.equal(right.statusCode, 403);
    assert.equal(right.json().error.message, 'Compte désactivé');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.0.0.4', payload: { email: inactive.email, password: 'Mauvais#1Pass' } });
    assert401(wrong, 'Email ou mot de passe incorrect');
  });
});

describe('access tokens', () => {
  let user: TestUser;
  let tokens: { access_token: string; refresh_token: string };
  before(async () => {
    user = await seedUser(t, 'responsable');
    tokens = await login(t, user);
  });

  const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, secret = TEST_SECRET_KEY) => {
    const now = Math.floor(clock.now().getTime() / 1000);
    return new SignJWT({ user_id: user.id, role: 'admin', sid: decodeJwt(tokens.access_token).sid, typ: 'access', ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
      .setSubject(user.email)
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .setJti('00000000-0000-4000-8000-000000000000')
      .setIssuer((claims.iss as string) ?? 'mif-erp')
      .setAudience((claims.aud as string) ?? 'mif-erp-api')
      .sign(new TextEncoder().encode(secret));
  };

  test('a valid token reads /auth/me with the legacy fields', async () => {
    const response = await me(tokens.access_token);
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.id, user.id);
    assert.equal(body.email, user.email);
    assert.equal(body.username, user.username);
    assert.equal(body.role, 'responsable');
    assert.equal(body.technicien_id, null);
    assert.match(body.created_at, /Z$/);
  });

  test('missing token → 401 "Non authentifié"; token in the query string is ignored', async () => {
    assert401(await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' }), 'Non authentifié');
    assert401(await t.app.inject({ method: 'GET', url: `/api/v1/auth/me?access_token=${tokens.access_token}` }), 'Non authentifié');
  });

  test('forged and malformed tokens are refused with 401', async () => {
    const [header, payload] = tokens.access_token.split('.');
    const editedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(tokens.access_token), role: 'admin' })).toString('base64url');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaToken = await new SignJWT({ user_id: user.id, sid: decodeJwt(tokens.access_token).sid, typ: 'access' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setSubject(user.email)
      .setIssuedAt()
      .setExpirationTime('10m')
      .setIssuer('mif-erp')
      .setAudience('mif-erp-api')
      .sign(privateKey);
    const cases: Record<string, string> = {
      'edited role claim': `${header}.${editedPayload}.${tokens.access_token.split('.')[2]}`,
      'alg none': `${noneHeader}.${payload}.`,
      'other key': await sign({}, {}, 'another-secret-key-another-secret-key-0123'),
      'wrong iss': await sign({ iss: 'someone-else' }),
      'wrong aud': await sign({ aud: 'another-api' }),
      'typ refresh': await sign({ typ: 'refresh' }),
      'jku header': await sign({}, { jku: 'https://evil.example/keys.json' }),
      'kid header': await sign({}, { kid: '../../dev/null' }),
      'RS256 token': rsaToken,
      garbage: 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(cases)) {
      const response = await me(token);
      assert.equal(response.statusCode, 401, name);
      assert.equal(response.headers['www-authenticate'], 'Bearer', name);
    }
    // The well-formed control case passes, so the failures above are about the defect each one carries.
    assert.equal((await me(await sign({}))).statusCode, 200);
  });

  test('issue 13 finding 6: iat in the future, a lifetime above the setting, a non-UUID sid → 401', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const signed = (payload: Record<string, unknown>, iat: number, exp: number) =>
      new SignJWT({ user_id: user.id, role: 'responsable', sid: decodeJwt(tokens.access_token).sid, typ: 'access', ...payload })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.email)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti('00000000-0000-4000-8000-000000000000')
        .setIssuer('mif-erp')
        .setAudience('mif-erp-api')
        .sign(new TextEncoder().encode(TEST_SECRET_KEY));
    const cases: Record<string, string> = {
      'iat one hour ahead': await signed({}, now + 3600, now + 3600 + 900),
      'iat 6 s ahead (beyond the 5 s leeway)': await signed({}, now + 6, now + 906),
      'exp − iat of 30 days': await signed({}, now, now + 30 * 86_400),
      'exp − iat one second above 15 min': await signed({}, now, now + 901),
      'sid not a UUID': await signed({ sid: 'not-a-uuid' }, now, now + 900),
      'sid a number': await signed({ sid: 42 }, now, now + 900),
    };
    for (const [name, token] of Object.entries(cases)) {
      const response = await me(token);
      assert.equal(response.statusCode, 401, name);
      assert.equal(response.json().error.message, 'Token invalide ou expiré', name);
    }
    assert.equal((await me(await signed({}, now + 4, now + 904))).statusCode, 200, 'a clock 4 s ahead is within the leeway');
    assert.equal((await me(await signed({}, now, now + 900))).statusCode, 200, 'exactly the configured lifetime');
  });

  test('an expired token → 401 (5 s leeway)', async () => {
    const fresh = await login(t, user);
    clock.advance(15 * MINUTE + 4_000);
    assert.equal((await me(fresh.access_token)).statusCode, 200, 'within the leeway');
    clock.advance(2_000);
    assert401(await me(fresh.access_token));
  });

  test('the role comes from the database, not from the token', async () => {
    const probeUser = await seedUser(t, 'responsable');
    const probe = await login(t, probeUser);
    const before = await t.app.inject({ method: 'GET', url: '/api/v1/test/responsable-only', headers: bearer(probe) });
    assert.equal(before.statusCode, 200);
    await t.db.updateTable('users').set({ role: 'technicien' }).where('id', '=', probeUser.id).execute();
    const afterChange = await t.app.inject({ method: 'GET', url: '/api/v1/test/responsable-only', headers: bearer(probe) });
    assert.equal(afterChange.statusCode, 403);
    assert.equal(afterChange.json().error.message, 'Accès réservé aux rôles : admin, responsable');
    const denied = await t.db.selectFrom('audit_events').selectAll().where('event_type', '=', 'rbac.denied').where('actor_user_id', '=', probeUser.id).execute();
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.outcome, 'denied');
    assert.equal(denied[0]!.actor_role, 'technicien');
  });

  test('a token of a deleted or inactive user → 401', async () => {
    const doomed = await seedUser(t, 'client');
    const doomedTokens = await login(t, doomed);
    await t.db.updateTable('users').set({ is_active: false }).where('id', '=', doomed.id).execute();
    assert401(await me(doomedTokens.access_token), 'Utilisateur désactivé');
    await t.db.deleteFrom('users').where('id', '=', doomed.id).execute();
    assert401(await me(doomedTokens.access_token));
  });
});

describe('refresh rotation', () => {
  test('RT1 → RT2; replaying RT1 revokes the family: RT2 and its access token die, another session survives', async () => {
    const user = await seedUser(t, 'technicien');
    const first = await login(t, user);
    const other = await login(t, user);
    const rotated = await refresh(first.refresh_token);
    assert.equal(rotated.statusCode, 200);
    const second = rotated.json();
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(decodeJwt(second.access_token).sid, decodeJwt(first.access_token).sid, 'same session');
    assert.equal((await me(second.access_token)).statusCode, 200);

    assert401(await refresh(first.refresh_token), 'Refresh token invalide');
    assert401(await refresh(second.refresh_token), 'Refresh token invalide');
    assert401(await me(second.access_token));
    const reuse = await t.db.selectFrom('audit_events').selectAll().where('event_type', '=', 'auth.refresh.reuse_detected').where('actor_user_id', '=', user.id).execute();
    assert.equal(reuse.length, 1);
    assert.equal(reuse[0]!.resource_id, decodeJwt(first.access_token).sid);

    assert.equal((await me(other.access_token)).statusCode, 200, 'the other session is unaffected');
    assert.equal((await refresh(other.refresh_token)).statusCode, 200);
  });

  test('ten parallel refreshes of one token: exactly one succeeds and the session ends revoked', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(tokens.refresh_token)));
    assert.deepEqual(
      responses.map((r) => r.statusCode).sort(),
      [200, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    );
    const session = await t.db.selectFrom('sessions').selectAll().where('id', '=', String(decodeJwt(tokens.access_token).sid)).executeTakeFirstOrThrow();
    assert.ok(session.revoked_at, 'session revoked');
    assert.equal(session.revoked_reason, 'reuse_detected');
  });

  test('a refresh token expires after 7 days; a family ends after 30 days even when refreshed daily', async () => {
    const user = await seedUser(t, 'technicien');
    const idle = await login(t, user);
    clock.advance(7 * DAY + 1000);
    assert401(await refresh(idle.refresh_token), 'Refresh token invalide');

    let current = (await login(t, user)).refresh_token;
    for (let day = 1; day < 30; day++) {
      clock.advance(DAY);
      const response = await refresh(current);
      assert.equal(response.statusCode, 200, `day ${day}`);
      current = response.json().refresh_token;
    }
    clock.advance(DAY);
    assert401(await refresh(current), 'Refresh token invalide');
  });

  test('an unknown refresh token → 401 and an auth.refresh.invalid audit row', async () => {
    assert401(await refresh('x'.repeat(43)), 'Refresh token invalide');
    assert.ok((await auditTypes()).includes('auth.refresh.invalid'));
  });
});

describe('revocation', () => {
  test('logout kills the access token and the refresh token of the session at once', async () => {
    const user = await seedUser(t, 'client');
    const tokens = await login(t, user);
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...bearer(tokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Déconnexion réussie' });
    assert401(await me(tokens.access_token));
    assert401(await refresh(tokens.refresh_token), 'Refresh token invalide');
  });

  test('logout with another session’s refresh token of the caller ends that session too', async () => {
    const user = await seedUser(t, 'client');
    const a = await login(t, user);
    const b = await login(t, user);
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(a), payload: { refresh_token: b.refresh_token } });
    assert.equal(response.statusCode, 200);
    assert401(await refresh(b.refresh_token), 'Refresh token invalide');
    assert401(await me(b.access_token));
  });

  test('logout-all from device A kills device B’s tokens', async () => {
    const user = await seedUser(t, 'technicien');
    const a = await login(t, user);
    const b = await login(t, user);
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: bearer(a) });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Toutes les sessions ont été fermées' });
    assert401(await me(b.access_token));
    assert401(await refresh(b.refresh_token), 'Refresh token invalide');
    assert401(await me(a.access_token));
    const row = await t.db.selectFrom('users').select('tokens_valid_after').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.tokens_valid_after?.toISOString(), clock.now().toISOString());
  });

  test('change-password: old tokens die, the returned pair works, wrong current password → 400', async () => {
    const user = await seedUser(t, 'responsable');
    const old = await login(t, user);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: bearer(old),
      remoteAddress: '10.9.9.9',
      payload: { current_password: 'Pas#Le1Bon', new_password: 'Nouveau#Pass2027' },
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.message, 'Mot de passe actuel incorrect');

    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: bearer(old), payload: { current_password: user.password, new_password: 'abc' } });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.json().error.message, /^Mot de passe invalide: /);
    assert.ok(weak.json().error.details.includes('min_length'));

    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: { ...bearer(old), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `current_password=${encodeURIComponent(user.password)}&new_password=${encodeURIComponent('Nouveau#Pass2027')}`,
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const body = changed.json();
    assert.equal(body.message, 'Mot de passe changé avec succès');
    assert401(await me(old.access_token));
    assert401(await refresh(old.refresh_token), 'Refresh token invalide');
    assert.equal((await me(body.access_token)).statusCode, 200);
    assert.equal((await refresh(body.refresh_token)).statusCode, 200);
    const relogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: user.email, password: 'Nouveau#Pass2027' } });
    assert.equal(relogin.statusCode, 200);
    const types = await auditTypes();
    for (const type of ['auth.password.changed', 'auth.password.policy_violation', 'auth.logout', 'auth.logout_all', 'auth.token.refreshed', 'auth.login.success', 'auth.login.failure']) {
      assert.ok(types.includes(type), `${type} audited`);
    }
  });
});
