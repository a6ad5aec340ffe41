/**
 * GET /interventions/{id} reads the caller's principal in the same statement as the intervention
 * (docs/decisions.md "Per-request cost"). One round trip, and every rule of the separate read
 * (docs/security.md §1) still holds: a deactivated user, a revoked session, a token older than
 * `tokens_valid_after`, a deleted user and a changed role all take effect at once, and nothing about
 * the row (404, audit) is decided before the caller is admitted.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, MINUTE } from '../../helpers/auth.js';
import { call, errorOf } from '../../helpers/http.js';
import { countQueries } from '../../helpers/queries.js';
import { buildWorld, member, seedIntervention, type Member, type World } from './world.js';

const clock = new FakeClock();
let w: World;
/** C1's, assigned to T1. */
let i1: number;

const t = useTestApp({ clock }, async () => {
  w = await buildWorld(t());
  i1 = await seedIntervention(t(), w, 'en_cours');
});

const read = (who: Member | string, id = i1) => call(t(), 'GET', `/api/v1/interventions/${id}`, { as: typeof who === 'string' ? who : who.tokens });

async function deniedAudits(userId: number) {
  return t().db.selectFrom('audit_events').select(['actor_role', 'resource_id']).where('event_type', '=', 'rbac.denied').where('actor_user_id', '=', userId).execute();
}

describe('GET /interventions/{id}: the principal carried by the read', () => {
  test('one SQL statement per read, in scope, out of scope and unknown', async () => {
    for (const [who, id, status] of [
      [w.t1, i1, 200],
      [w.c2, i1, 404],
    ] as const) {
      const { result, queries } = await countQueries(t().db, () => read(who, id));
      assert.equal(result.statusCode, status, result.body);
      // The out-of-scope 404 adds its audit row, after the caller was admitted.
      assert.equal(queries, status === 200 ? 1 : 2, `${status}: ${queries} statements`);
    }
    const unknown = await countQueries(t().db, () => read(w.t1, 999_999));
    assert.equal(unknown.result.statusCode, 404);
    assert.equal(unknown.queries, 1);
  });

  test('a deactivated user: 401, neither the row nor an audit of its scope', async () => {
    const doomed = await member(t(), 'client', w.client2);
    assert.equal((await read(doomed)).statusCode, 404, 'out of scope while active');
    const auditsBefore = (await deniedAudits(doomed.user.id)).length;
    await t().db.updateTable('users').set({ is_active: false }).where('id', '=', doomed.user.id).execute();
    for (const id of [i1, 999_999]) {
      const response = await read(doomed, id);
      assert.equal(response.statusCode, 401);
      assert.equal(errorOf(response).message, 'Utilisateur désactivé');
    }
    assert.equal((await deniedAudits(doomed.user.id)).length, auditsBefore, 'nothing decided about the row');
  });

  test('a deleted user, a revoked session and a token older than tokens_valid_after: 401', async () => {
    const deleted = await member(t(), 'responsable');
    await t().db.deleteFrom('users').where('id', '=', deleted.user.id).execute();
    const revoked = await member(t(), 'responsable');
    assert.equal((await call(t(), 'POST', '/api/v1/auth/logout', { as: revoked.tokens, payload: {} })).statusCode, 200);
    const stale = await member(t(), 'responsable');
    await t().db.updateTable('users').set({ tokens_valid_after: new Date(clock.now().getTime() + MINUTE) }).where('id', '=', stale.user.id).execute();
    for (const who of [deleted, revoked, stale]) {
      const response = await read(who);
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(errorOf(response).message, 'Token invalide ou expiré');
    }
  });

  test('a role changed in the database takes effect on the next read', async () => {
    const changing = await member(t(), 'responsable');
    assert.equal((await read(changing)).statusCode, 200);
    await t().db.updateTable('users').set({ role: 'client', client_id: w.client2 }).where('id', '=', changing.user.id).execute();
    const response = await read(changing);
    assert.equal(response.statusCode, 404, 'the client of another company does not see it');
    assert.deepEqual(await deniedAudits(changing.user.id), [{ actor_role: 'client', resource_id: String(i1) }]);
    await t().db.updateTable('users').set({ client_id: w.client1 }).where('id', '=', changing.user.id).execute();
    const body = (await read(changing)).json();
    assert.equal(body.id, i1);
    assert.equal('cout_estime' in body, false, 'read as a client: no costs');
  });

  test('a generated password to change first: 403, as on every other route', async () => {
    const pending = await member(t(), 'technicien');
    await t().db.updateTable('users').set({ must_change_password: true }).where('id', '=', pending.user.id).execute();
    const response = await read(pending);
    assert.equal(response.statusCode, 403);
    assert.match(errorOf(response).message, /Changement de mot de passe obligatoire/);
  });

  test('no token, a malformed or a forged one: 401 before any SQL', async () => {
    const forged = `${w.t1.tokens.access_token.slice(0, -4)}AAAA`;
    for (const as of [null, 'pas-un-jeton', forged]) {
      const { result, queries } = await countQueries(t().db, () => call(t(), 'GET', `/api/v1/interventions/${i1}`, { as }));
      assert.equal(result.statusCode, 401);
      assert.equal(queries, 0);
    }
  });
});
