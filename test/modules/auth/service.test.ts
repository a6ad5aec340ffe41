/**
 * AuthService and the Authenticator without HTTP (the way a job or a CLI would call them): the
 * rows a login, a rotation, a reuse and a password change write, and the errors they throw.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { RequestOrigin } from '../../../src/lib/actor.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, MINUTE, seedUser, type TestUser } from '../../helpers/auth.js';
import { rejectsWith } from '../../helpers/services.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));
const origin: RequestOrigin = { ip: '203.0.113.9', userAgent: 'service-test', requestId: 'req-auth' };

// One describe around the file: on Node 20, root-level before() hooks do not wait for each other.
describe('AuthService', () => {
  const t = useTestApp({ clock });
  const auth = () => t().services.auth;
  let user: TestUser;

  before(async () => {
    user = await seedUser(t(), 'responsable');
  });

  const auditOf = (eventType: string) =>
    t()
      .db.selectFrom('audit_events')
      .select(['outcome', 'actor_user_id', 'actor_role', 'ip', 'user_agent', 'request_id', 'resource_type', 'resource_id', 'details'])
      .where('event_type', '=', eventType)
      .orderBy('id')
      .execute();
  const session = (id: string) => t().db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const actorOfToken = (accessToken: string) => t().services.authenticator.authenticate(`Bearer ${accessToken}`, origin);

  test('login opens a session the Authenticator accepts, and records the attempt and the audit from the origin', async () => {
    const tokens = await auth().login(origin, { identifier: `  ${user.email.toUpperCase()} `, password: user.password, endpoint: 'token' });
    assert.equal(tokens.token_type, 'bearer');
    const actor = await actorOfToken(tokens.access_token);
    assert.equal(actor.userId, user.id);
    assert.equal(actor.role, 'responsable');
    assert.equal(actor.ip, origin.ip);
    const row = await session(actor.sessionId!);
    assert.equal(row.user_id, user.id);
    assert.equal(row.revoked_at, null);

    const attempts = await t().db.selectFrom('login_attempts').select(['success', 'reason', 'ip', 'endpoint']).where('user_id', '=', user.id).execute();
    assert.deepEqual(attempts.at(-1), { success: true, reason: 'ok', ip: origin.ip, endpoint: 'token' });
    const audit = (await auditOf('auth.login.success')).at(-1)!;
    assert.deepEqual(
      { ...audit },
      { outcome: 'success', actor_user_id: user.id, actor_role: 'responsable', ip: origin.ip, user_agent: 'service-test', request_id: 'req-auth', resource_type: 'user', resource_id: String(user.id), details: { endpoint: 'token' } },
    );
  });

  test('a wrong password: 401 with the endpoint’s wording, a failed attempt and a failure audit, no session', async () => {
    const sessionsBefore = await t().db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    await rejectsWith(auth().login(origin, { identifier: user.username, password: 'Mauvais#1234', endpoint: 'login' }), 401, 'Identifiants invalides');
    await rejectsWith(auth().login(origin, { identifier: 'personne@exemple.test', password: 'Mauvais#1234', endpoint: 'token' }), 401, 'Email ou mot de passe incorrect');
    const sessionsAfter = await t().db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    assert.equal(sessionsAfter.length, sessionsBefore.length);
    const failures = await auditOf('auth.login.failure');
    assert.deepEqual(
      failures.slice(-2).map((row) => [row.actor_user_id, row.details]),
      [
        [user.id, { reason: 'bad_password', endpoint: 'login' }],
        [null, { reason: 'unknown_user', endpoint: 'token' }],
      ],
    );
  });

  test('refresh rotates the token once; the consumed token presented again revokes the whole session', async () => {
    const first = await auth().login(origin, { identifier: user.email, password: user.password, endpoint: 'token' });
    const sessionId = (await actorOfToken(first.access_token)).sessionId!;
    clock.advance(MINUTE);
    const second = await auth().refresh(origin, first.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await actorOfToken(second.access_token)).sessionId, sessionId);

    await rejectsWith(auth().refresh(origin, first.refresh_token), 401, 'Refresh token invalide');
    const revoked = await session(sessionId);
    assert.equal(revoked.revoked_reason, 'reuse_detected');
    assert.notEqual(revoked.revoked_at, null);
    await rejectsWith(actorOfToken(second.access_token), 401, 'Token invalide ou expiré');
    await rejectsWith(auth().refresh(origin, second.refresh_token), 401, 'Refresh token invalide');
    const reuse = (await auditOf('auth.refresh.reuse_detected')).at(-1)!;
    assert.deepEqual([reuse.actor_user_id, reuse.resource_type, reuse.resource_id], [user.id, 'session', sessionId]);
  });

  test('logoutAll revokes every session of the caller and audits how many', async () => {
    const other = await seedUser(t(), 'technicien');
    const a = await auth().login(origin, { identifier: other.email, password: other.password, endpoint: 'token' });
    const b = await auth().login(origin, { identifier: other.email, password: other.password, endpoint: 'login' });
    await auth().logoutAll(await actorOfToken(a.access_token));
    await rejectsWith(actorOfToken(b.access_token), 401, 'Token invalide ou expiré');
    const open = await t().db.selectFrom('sessions').select('id').where('user_id', '=', other.id).where('revoked_at', 'is', null).execute();
    assert.deepEqual(open, []);
    const audit = (await auditOf('auth.logout_all')).at(-1)!;
    assert.deepEqual([audit.actor_user_id, audit.details], [other.id, { sessions: 2 }]);
  });

  test('changePassword: a wrong current password is refused and changes nothing; the right one opens the only live session', async () => {
    const owner = await seedUser(t(), 'technicien');
    const tokens = await auth().login(origin, { identifier: owner.email, password: owner.password, endpoint: 'token' });
    const actor = await actorOfToken(tokens.access_token);
    const hashBefore = (await t().db.selectFrom('users').select('hashed_password').where('id', '=', owner.id).executeTakeFirstOrThrow()).hashed_password;

    await rejectsWith(auth().changePassword(actor, { currentPassword: 'Faux#Passe123', newPassword: 'Nouveau#Passe2026', endpoint: 'change_password' }), 400, 'Mot de passe actuel incorrect');
    const hashAfterWrong = (await t().db.selectFrom('users').select('hashed_password').where('id', '=', owner.id).executeTakeFirstOrThrow()).hashed_password;
    assert.equal(hashAfterWrong, hashBefore);
    assert.equal((await actorOfToken(tokens.access_token)).userId, owner.id);

    const fresh = await auth().changePassword(actor, { currentPassword: owner.password, newPassword: 'Nouveau#Passe2026', endpoint: 'change_password' });
    await rejectsWith(actorOfToken(tokens.access_token), 401, 'Token invalide ou expiré');
    assert.equal((await actorOfToken(fresh.access_token)).userId, owner.id);
    const live = await t().db.selectFrom('sessions').select('id').where('user_id', '=', owner.id).where('revoked_at', 'is', null).execute();
    assert.equal(live.length, 1);
    await auth().login(origin, { identifier: owner.email, password: 'Nouveau#Passe2026', endpoint: 'token' });
    const audit = (await auditOf('auth.password.changed')).at(-1)!;
    assert.deepEqual([audit.actor_user_id, audit.resource_id], [owner.id, String(owner.id)]);
  });
});
