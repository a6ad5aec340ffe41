/**
 * UsersService without HTTP (the way `npm run user:create` and the seed call it): the rows and audit
 * events of each administration use case, and the errors thrown before anything is written.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Actor } from '../../../src/lib/actor.js';
import { useTestApp } from '../../helpers/app.js';
import { actorOf, FakeClock, seedUser } from '../../helpers/auth.js';
import { insertClient } from '../../helpers/fixtures.js';
import { appErrorOf, rejectsWith } from '../../helpers/services.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));
const origin = { ip: '198.51.100.4', userAgent: 'service-test', requestId: 'req-users' };

// One describe around the file: on Node 20, root-level before() hooks do not wait for each other.
describe('UsersService', () => {
  const t = useTestApp({ clock });
  const users = () => t().services.users;
  let admin: Actor;
  let clientId: number;

  before(async () => {
    admin = actorOf(await seedUser(t(), 'admin'), origin);
    clientId = await insertClient(t().db);
  });

  const userRow = (id: number) => t().db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const countUsers = async () => Number((await t().db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const auditOf = (eventType: string, userId: number) =>
    t()
      .db.selectFrom('audit_events')
      .select(['outcome', 'actor_user_id', 'actor_role', 'ip', 'request_id', 'details'])
      .where('event_type', '=', eventType)
      .where('resource_type', '=', 'user')
      .where('resource_id', '=', String(userId))
      .orderBy('id')
      .execute();
  const openSessions = (userId: number) => t().db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  const login = (email: string, password: string) => t().services.auth.login(origin, { identifier: email, password, endpoint: 'token' });

  test('create: normalised row with an argon2 hash, audited user.created by the actor, the UserOut returned', async () => {
    const out = await users().create(admin, { username: '  k.client ', fullName: ' Karim Client ', email: ' K.Client@Exemple.TEST ', role: 'client', password: 'Client#Passe2026', clientId });
    assert.deepEqual([out.username, out.full_name, out.email, out.role, out.client_id, out.is_active], ['k.client', 'Karim Client', 'k.client@exemple.test', 'client', clientId, true]);
    const row = await userRow(out.id);
    assert.match(row.hashed_password, /^\$argon2id\$/);
    assert.equal(row.hashed_password.includes('Client#Passe2026'), false);
    assert.deepEqual(await auditOf('user.created', out.id), [
      { outcome: 'success', actor_user_id: admin.userId, actor_role: 'admin', ip: origin.ip, request_id: origin.requestId, details: { role: 'client', client_id: clientId } },
    ]);
    await login('k.client@exemple.test', 'Client#Passe2026');
  });

  test('create refusals write nothing: taken e-mail 409, unknown client 404, bad role 422, weak password 400', async () => {
    const existing = await seedUser(t(), 'technicien');
    const before = await countUsers();
    const base = { username: 'nouveau.compte', fullName: 'Nouveau Compte', email: 'nouveau@exemple.test', role: 'technicien', password: 'Valide#Passe2026' };
    await rejectsWith(users().create(admin, { ...base, email: existing.email.toUpperCase() }), 409, 'Email déjà utilisé.');
    await rejectsWith(users().create(admin, { ...base, username: existing.username }), 409, 'Username déjà utilisé.');
    await rejectsWith(users().create(admin, { ...base, role: 'client', clientId: 999_999 }), 404, 'Client introuvable');
    const badRole = await rejectsWith(users().create(admin, { ...base, role: 'superviseur' }), 422, 'Erreur de validation des données');
    assert.deepEqual((badRole.details as { loc: unknown[] }[]).map((issue) => issue.loc), [['body', 'role']]);
    assert.equal((await appErrorOf(users().create(admin, { ...base, password: 'court' }))).status, 400);
    assert.equal(await countUsers(), before);
  });

  test('patch: a role change and a rename give user.role_changed and user.updated with the field names', async () => {
    const target = await seedUser(t(), 'technicien');
    const out = await users().patch(admin, target.id, { role: 'responsable', fullName: 'Nom Changé' });
    assert.deepEqual([out.role, out.full_name], ['responsable', 'Nom Changé']);
    assert.deepEqual((await auditOf('user.role_changed', target.id)).map((row) => row.details), [{ old_role: 'technicien', new_role: 'responsable' }]);
    assert.deepEqual((await auditOf('user.updated', target.id)).map((row) => row.details), [{ fields: ['full_name'] }]);
  });

  test('deactivate revokes the sessions and counts them; an admin cannot deactivate itself', async () => {
    const target = await seedUser(t(), 'responsable');
    await login(target.email, target.password);
    await login(target.email, target.password);
    await users().deactivate(admin, target.id);
    assert.equal((await userRow(target.id)).is_active, false);
    assert.deepEqual(await openSessions(target.id), []);
    assert.deepEqual((await auditOf('user.deactivated', target.id)).map((row) => row.details), [{ sessions: 2 }]);
    await rejectsWith(login(target.email, target.password), 403, 'Compte désactivé');
    await rejectsWith(users().deactivate(admin, admin.userId!), 409, 'Vous ne pouvez pas désactiver votre propre compte');
    await rejectsWith(users().deactivate(admin, 999_999), 404, 'Utilisateur non trouvé.');
  });

  test('resetPassword: the new password opens a session, the old one no longer does, every session is revoked', async () => {
    const target = await seedUser(t(), 'technicien');
    await login(target.email, target.password);
    await users().resetPassword(admin, target.id, 'Remise#Passe2026');
    assert.deepEqual(await openSessions(target.id), []);
    await rejectsWith(login(target.email, target.password), 401, 'Email ou mot de passe incorrect');
    await login(target.email, 'Remise#Passe2026');
    assert.deepEqual((await auditOf('auth.password.reset', target.id)).map((row) => row.details), [{ sessions: 1 }]);
  });

  test('list returns the page with its total', async () => {
    const page = await users().list({ roles: ['admin'] }, { limit: 1, offset: 0, sort: 'id' });
    assert.equal(page.rows.length, 1);
    assert.equal(page.rows[0]!.role, 'admin');
    const all = await users().list({}, { limit: 500, offset: 0 });
    assert.equal(all.total, await countUsers());
    assert.equal(all.rows.length, all.total);
  });
});
