/**
 * InterventionsService without HTTP (the way the planning job will call it): creation, a status
 * change, the scoped reads and their audit, with the rows each writes on the real database.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SYSTEM_ACTOR } from '../../../src/lib/actor.js';
import { parseSort } from '../../../src/lib/listing.js';
import { INTERVENTION_SORT } from '../../../src/modules/interventions/repository.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock } from '../../helpers/auth.js';
import { rejectsWith } from '../../helpers/services.js';
import { buildWorld, seedIntervention, type World } from './world.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));

// One describe around the file: on Node 20, root-level before() hooks do not wait for each other.
describe('InterventionsService', () => {
  let w: World;
  const t = useTestApp({ clock }, async (app) => {
    w = await buildWorld(app);
  });
  const interventions = () => t().services.interventions;
  const history = (id: number) =>
    t().db.selectFrom('historiques_interventions').select(['statut', 'statut_precedent', 'user_id']).where('intervention_id', '=', id).orderBy('id').execute();
  const notified = (id: number) => t().db.selectFrom('notifications').select(['user_id', 'type']).where('intervention_id', '=', id).orderBy('id').execute();

  test('create with a technician: affectee, the creation in the history by the actor, the technician notified', async () => {
    const out = await interventions().create(w.resp.actor, { titre: '  Fuite vanne ', type: 'corrective', equipementId: w.e1, technicienId: w.t1.technicienId });
    assert.deepEqual([out.titre, out.statut, out.technicien_id, out.client_id], ['Fuite vanne', 'affectee', w.t1.technicienId, w.client1]);
    assert.deepEqual(await history(out.id), [{ statut: 'affectee', statut_precedent: null, user_id: w.resp.user.id }]);
    assert.deepEqual(await notified(out.id), [{ user_id: w.t1.user.id, type: 'affectation' }]);
  });

  test('create refusals write nothing: inactive technician 404, retired equipment 409, blank title 422', async () => {
    const count = async () => Number((await t().db.selectFrom('interventions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    await rejectsWith(interventions().create(w.resp.actor, { titre: 'x', type: 'corrective', equipementId: w.e1, technicienId: w.t3TechnicienId }), 404, 'Technicien assigné introuvable');
    await rejectsWith(interventions().create(w.resp.actor, { titre: 'x', type: 'corrective', equipementId: w.eRetired }), 409, 'Équipement retiré du service');
    const blank = await rejectsWith(interventions().create(w.resp.actor, { titre: '   ', type: 'corrective', equipementId: w.e1 }), 422, 'Erreur de validation des données');
    assert.deepEqual((blank.details as { loc: unknown[] }[]).map((issue) => issue.loc), [['body', 'titre']]);
    assert.equal(await count(), before);
  });

  test('the system actor (a job) changes a status: history row without a user', async () => {
    const id = await seedIntervention(t(), w, 'affectee');
    const result = await interventions().changeStatus(SYSTEM_ACTOR, id, { statut: 'en_cours' });
    assert.deepEqual([result.from, result.to], ['affectee', 'en_cours']);
    const row = await t().db.selectFrom('interventions').select(['statut', 'date_debut_travaux']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.statut, 'en_cours');
    assert.equal(row.date_debut_travaux?.toISOString(), '2026-06-15T08:00:00.000Z');
    assert.deepEqual((await history(id)).at(-1), { statut: 'en_cours', statut_precedent: 'affectee', user_id: null });
  });

  test('scope: another company’s intervention is a 404 audited rbac.denied; lists count only rows in scope', async () => {
    const other = await seedIntervention(t(), w, 'ouverte', { equipement_id: w.e2, client_id: w.client2, contrat_id: null });
    await rejectsWith(interventions().get(w.c1.actor, other), 404, 'Intervention introuvable');
    const denied = await t()
      .db.selectFrom('audit_events')
      .select(['actor_user_id', 'details'])
      .where('event_type', '=', 'rbac.denied')
      .where('resource_type', '=', 'intervention')
      .where('resource_id', '=', String(other))
      .execute();
    assert.deepEqual(denied.map((row) => [row.actor_user_id, (row.details as { reason: string }).reason]), [[w.c1.user.id, 'hors_perimetre']]);

    const mine = await interventions().list(w.c1.actor, {}, { limit: 500, offset: 0, sort: parseSort(undefined, INTERVENTION_SORT) });
    assert.ok(mine.rows.length > 0);
    assert.ok(mine.rows.every((row) => row.client_id === w.client1));
    assert.equal(mine.total, mine.rows.length);
    const all = await interventions().list(w.admin.actor, {}, { limit: 500, offset: 0, sort: parseSort(undefined, INTERVENTION_SORT) });
    assert.ok(all.total > mine.total);
    assert.ok(all.rows.some((row) => row.id === other));
  });
});
