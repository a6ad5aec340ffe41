/**
 * interventions.overdue (docs/operations.md §6 "Overdue"): one `retard` per overdue intervention to
 * its technician and the responsables, sent once; plannings to `en_retard` (notified on entry) and
 * back to `actif`; `suspendu` plannings untouched; two concurrent runs notify once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { FakeClock, seedUser } from '../../helpers/auth.js';
import { insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';

const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse('2026-06-15T09:00:00.000Z'));
let t: TestApp;
let responsables: number[];
let tech: { id: number; userId: number };
let equipementId: number;

before(async () => {
  t = await createTestApp({ clock });
  const [r1, r2] = await Promise.all([seedUser(t, 'responsable'), seedUser(t, 'responsable')]);
  responsables = [r1.id, r2.id].sort((a, b) => a - b);
  const user = await seedUser(t, 'technicien');
  tech = { id: await insertTechnicien(t.db, user.id), userId: user.id };
  equipementId = await insertEquipement(t.db, { nom: `Four ${process.pid}` });
});
after(async () => t?.close());

const retardsOf = (interventionId: number) =>
  t.db.selectFrom('notifications').select(['type', 'user_id', 'contenu', 'canal']).where('intervention_id', '=', interventionId).where('type', '=', 'retard').orderBy('user_id').execute();

async function insertPlanning(statut: 'actif' | 'suspendu' = 'actif') {
  const row = await t.db
    .insertInto('plannings')
    .values({ equipement_id: equipementId, frequence: 'mensuel', prochaine_date: new Date(clock.now().getTime() + 30 * 24 * HOUR), statut })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('overdue interventions', () => {
  test('notified once to the technician and each responsable; date_notification_retard set; not again on the next run', async () => {
    const id = await insertIntervention(t.db, equipementId, { titre: 'Fuite', statut: 'affectee', technicien_id: tech.id, date_limite: new Date('2026-06-15T08:30:00.000Z') });
    const notYet = await insertIntervention(t.db, equipementId, { statut: 'ouverte', date_limite: new Date(clock.now().getTime() + HOUR) });
    const closed = await insertIntervention(t.db, equipementId, { statut: 'cloturee', technicien_id: tech.id, date_limite: new Date('2026-06-01T00:00:00.000Z') });
    const first = await t.services.overdue.run();
    assert.ok(first.interventions >= 1);
    const expected = [tech.userId, ...responsables].sort((a, b) => a - b);
    const contenu = `Intervention n°${id} « Fuite » en retard (date limite 15/06/2026 09:30)`;
    assert.deepEqual(await retardsOf(id), expected.map((userId) => ({ type: 'retard', user_id: userId, contenu, canal: 'email' })));
    const row = await t.db.selectFrom('interventions').select('date_notification_retard').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.date_notification_retard?.getTime(), clock.now().getTime());
    assert.deepEqual(await retardsOf(notYet), []);
    assert.deepEqual(await retardsOf(closed), []);
    const outbox = await t.db.selectFrom('email_outbox as o').innerJoin('notifications as n', 'n.id', 'o.notification_id').select('o.subject').where('n.intervention_id', '=', id).execute();
    assert.deepEqual(outbox.map((o) => o.subject), expected.map(() => '[MIF] Intervention en retard : Fuite'));

    clock.advance(2 * HOUR);
    await t.services.overdue.run();
    assert.equal((await retardsOf(id)).length, expected.length, 'sent once');
    // The one that was not due yet is now.
    assert.equal((await retardsOf(notYet)).length, responsables.length);
  });

  test('two concurrent runs notify each overdue intervention once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await insertIntervention(t.db, equipementId, { statut: 'ouverte', date_limite: new Date(clock.now().getTime() - HOUR) }));
    await Promise.all([t.services.overdue.run(), t.services.overdue.run()]);
    for (const id of ids) assert.equal((await retardsOf(id)).length, responsables.length, `intervention ${id}`);
  });
});

describe('plannings en_retard', () => {
  test('a planning with an overdue generated intervention → en_retard with one retard to the responsables; back to actif once it is closed', async () => {
    const planningId = await insertPlanning();
    const suspended = await insertPlanning('suspendu');
    const generated = await insertIntervention(t.db, equipementId, { statut: 'ouverte', planning_id: planningId, date_occurrence: clock.now(), date_limite: new Date(clock.now().getTime() - HOUR) });
    await insertIntervention(t.db, equipementId, { statut: 'ouverte', planning_id: suspended, date_occurrence: clock.now(), date_limite: new Date(clock.now().getTime() - HOUR) });
    await t.services.overdue.run();
    const planning = await t.db.selectFrom('plannings').select(['statut', 'date_retard_notifiee']).where('id', '=', planningId).executeTakeFirstOrThrow();
    assert.deepEqual([planning.statut, planning.date_retard_notifiee?.getTime()], ['en_retard', clock.now().getTime()]);
    const planningNotices = () => t.db.selectFrom('notifications').select(['user_id', 'contenu', 'type']).where('planning_id', '=', planningId).where('intervention_id', 'is', null).orderBy('user_id').execute();
    assert.deepEqual(await planningNotices(), responsables.map((userId) => ({ user_id: userId, type: 'retard', contenu: `Planning #${planningId} (Four ${process.pid}) en retard` })));
    assert.equal((await t.db.selectFrom('plannings').select('statut').where('id', '=', suspended).executeTakeFirstOrThrow()).statut, 'suspendu');

    clock.advance(HOUR);
    await t.services.overdue.run();
    assert.equal((await planningNotices()).length, responsables.length, 'notified on entry only');

    await t.db.updateTable('interventions').set({ statut: 'cloturee' }).where('id', '=', generated).execute();
    await t.services.overdue.run();
    assert.equal((await t.db.selectFrom('plannings').select('statut').where('id', '=', planningId).executeTakeFirstOrThrow()).statut, 'actif');
  });
});
