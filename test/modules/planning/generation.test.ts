/**
 * planning.generate on the real database with a fake clock (docs/operations.md §6 "Tested by"):
 * the catch-up of a planning 3 months behind, a replay that changes nothing, month ends, 29 Feb and
 * the Casablanca offset changes through real runs, who is assigned and notified, who is not
 * eligible, and two app instances on one database generating each occurrence once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Frequence, StatutPlanning } from '../../../src/db/schema.js';
import { formatDateTime } from '../../../src/modules/email/format.js';
import { addPeriods, zonedWallClockToInstant } from '../../../src/modules/planning/calendar.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { DAY, FakeClock, seedUser } from '../../helpers/auth.js';
import { insertEquipement, insertTechnicien } from '../../helpers/fixtures.js';

const TZ = 'Africa/Casablanca';
const clock = new FakeClock(Date.parse('2026-06-15T09:00:00.000Z'));
let t: TestApp;
let responsables: number[];
let technicien: { id: number; userId: number };

/** A local wall-clock time in Casablanca as an instant. */
function local(y: number, m: number, d: number, h = 8, mi = 0): Date {
  return new Date(zonedWallClockToInstant(Date.UTC(y, m - 1, d, h, mi), TZ));
}

before(async () => {
  t = await createTestApp({ clock });
  const [r1, r2, inactive] = await Promise.all([seedUser(t, 'responsable'), seedUser(t, 'responsable'), seedUser(t, 'responsable')]);
  await t.db.updateTable('users').set({ is_active: false }).where('id', '=', inactive.id).execute();
  responsables = [r1.id, r2.id].sort((a, b) => a - b);
  const tech = await seedUser(t, 'technicien');
  technicien = { id: await insertTechnicien(t.db, tech.id), userId: tech.id };
});
after(async () => t?.close());

interface PlanningSeed {
  frequence?: Frequence;
  anchor: Date;
  technicienId?: number | null;
  statut?: StatutPlanning;
  isActive?: boolean;
  equipementStatut?: 'operationnel' | 'retire';
}

async function insertPlanning(seed: PlanningSeed): Promise<number> {
  const equipementId = await insertEquipement(t.db, { statut: seed.equipementStatut ?? 'operationnel' });
  const row = await t.db
    .insertInto('plannings')
    .values({
      equipement_id: equipementId,
      frequence: seed.frequence ?? 'mensuel',
      date_reference: seed.anchor,
      prochaine_date: seed.anchor,
      statut: seed.statut ?? 'actif',
      is_active: seed.isActive ?? true,
      technicien_id: seed.technicienId ?? null,
      priorite: 'haute',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const interventionsOf = (planningId: number) => t.db.selectFrom('interventions').selectAll().where('planning_id', '=', planningId).orderBy('date_occurrence').execute();
const planningRow = (id: number) => t.db.selectFrom('plannings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('catch-up and idempotence', () => {
  test('a monthly planning 3 months behind → one intervention for the latest occurrence, 3 skipped, dates advanced', async () => {
    clock.advance(0);
    const anchor = new Date(clock.now().getTime() - 92 * DAY);
    const id = await insertPlanning({ anchor });
    const summary = await t.services.planningGeneration.generateDue();
    const expected = addPeriods(anchor, 'mensuel', 3, TZ);
    assert.ok(expected <= clock.now() && addPeriods(anchor, 'mensuel', 4, TZ) > clock.now());
    assert.ok(summary.skipped >= 3 && summary.generated >= 1);

    const [intervention, ...others] = await interventionsOf(id);
    assert.equal(others.length, 0);
    assert.equal(intervention!.date_occurrence!.getTime(), expected.getTime());
    assert.equal(intervention!.date_limite!.getTime(), addPeriods(anchor, 'mensuel', 4, TZ).getTime());
    assert.equal(intervention!.description, `Intervention générée automatiquement depuis le planning #${id}\n3 occurrence(s) manquée(s) non générée(s).`);
    assert.deepEqual([intervention!.type_intervention, intervention!.priorite, intervention!.urgence, intervention!.created_by_id], ['preventive', 'haute', false, null]);
    assert.match(intervention!.titre, /^Maintenance préventive - Équipement /);
    const planning = await planningRow(id);
    assert.equal(planning.derniere_date!.getTime(), expected.getTime());
    assert.equal(planning.prochaine_date!.getTime(), addPeriods(anchor, 'mensuel', 4, TZ).getTime());
    assert.equal(planning.date_reference!.getTime(), anchor.getTime(), 'the anchor does not move');
  });

  test('replaying the job is a no-op: no intervention, history or notification added', async () => {
    const id = await insertPlanning({ anchor: new Date(clock.now().getTime() - DAY) });
    await t.services.planningGeneration.generateDue();
    const count = async (table: 'interventions' | 'historiques_interventions' | 'notifications' | 'email_outbox') =>
      Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await Promise.all([count('interventions'), count('historiques_interventions'), count('notifications'), count('email_outbox')]);
    const replay = await t.services.planningGeneration.generateDue();
    assert.equal(replay.generated, 0);
    assert.deepEqual(await Promise.all([count('interventions'), count('historiques_interventions'), count('notifications'), count('email_outbox')]), before);
    assert.equal((await interventionsOf(id)).length, 1);
  });

  test('an occurrence that already has its intervention is not generated again, and the dates still advance', async () => {
    const anchor = new Date(clock.now().getTime() - 2 * DAY);
    const id = await insertPlanning({ frequence: 'hebdomadaire', anchor });
    await t.services.planningGeneration.generateDue();
    // Someone moves prochaine_date back to the generated occurrence (without resetting the anchor).
    await t.db.updateTable('plannings').set({ prochaine_date: anchor }).where('id', '=', id).execute();
    await t.services.planningGeneration.generateDue();
    assert.equal((await interventionsOf(id)).length, 1);
    assert.equal((await planningRow(id)).prochaine_date!.getTime(), addPeriods(anchor, 'hebdomadaire', 1, TZ).getTime());
  });
});

describe('assignment, history and notifications', () => {
  test('with an active technician: affectee, history by the system, affectation to the technician with its e-mail', async () => {
    const id = await insertPlanning({ anchor: new Date(clock.now().getTime() - 3600_000), technicienId: technicien.id });
    await t.services.planningGeneration.generateDue();
    const [intervention] = await interventionsOf(id);
    assert.deepEqual([intervention!.statut, intervention!.technicien_id], ['affectee', technicien.id]);
    assert.equal(intervention!.date_affectation!.getTime(), clock.now().getTime());
    const history = await t.db.selectFrom('historiques_interventions').selectAll().where('intervention_id', '=', intervention!.id).execute();
    assert.deepEqual(
      history.map((h) => [h.statut_precedent, h.statut, h.user_id, h.remarque]),
      [[null, 'affectee', null, 'Intervention générée par le scheduler depuis le planning']],
    );
    const notifications = await t.db.selectFrom('notifications').selectAll().where('intervention_id', '=', intervention!.id).execute();
    assert.deepEqual(
      notifications.map((n) => [n.type, n.canal, n.user_id, n.planning_id, n.contenu]),
      [['affectation', 'email', technicien.userId, id, `Intervention n°${intervention!.id} « ${intervention!.titre} » vous a été affectée`]],
    );
    const outbox = await t.db.selectFrom('email_outbox').selectAll().where('notification_id', '=', notifications[0]!.id).executeTakeFirstOrThrow();
    assert.equal(outbox.subject, `[MIF] Nouvelle intervention assignée : ${intervention!.titre}`);
  });

  test('without a technician, or with an inactive one: ouverte and a rappel to each active responsable', async () => {
    const inactiveUser = await seedUser(t, 'technicien');
    const inactiveTech = await insertTechnicien(t.db, inactiveUser.id, { is_active: false });
    for (const technicienId of [null, inactiveTech]) {
      const id = await insertPlanning({ anchor: new Date(clock.now().getTime() - 3600_000), technicienId });
      await t.services.planningGeneration.generateDue();
      const [intervention] = await interventionsOf(id);
      assert.deepEqual([intervention!.statut, intervention!.technicien_id], ['ouverte', null]);
      const notifications = await t.db.selectFrom('notifications').selectAll().where('intervention_id', '=', intervention!.id).orderBy('user_id').execute();
      assert.deepEqual(
        notifications.map((n) => [n.type, n.user_id, n.planning_id, n.contenu]),
        responsables.map((userId) => ['rappel', userId, id, `Intervention préventive n°${intervention!.id} générée (planning #${id}) : à affecter`]),
      );
    }
  });

  test('not eligible: suspendu, termine, inactive, retired equipment, not yet due', async () => {
    const past = new Date(clock.now().getTime() - DAY);
    const ids = await Promise.all([
      insertPlanning({ anchor: past, statut: 'suspendu' }),
      insertPlanning({ anchor: past, statut: 'termine' }),
      insertPlanning({ anchor: past, isActive: false }),
      insertPlanning({ anchor: past, equipementStatut: 'retire' }),
      insertPlanning({ anchor: new Date(clock.now().getTime() + 3600_000) }),
    ]);
    await t.services.planningGeneration.generateDue();
    for (const id of ids) assert.equal((await interventionsOf(id)).length, 0, `planning ${id}`);
    // en_retard plannings are still generated.
    const late = await insertPlanning({ anchor: past, statut: 'en_retard' });
    await t.services.planningGeneration.generateDue();
    assert.equal((await interventionsOf(late)).length, 1);
  });
});

describe('calendar through real runs (APP_TIMEZONE Africa/Casablanca)', () => {
  /** Runs the generation just after each occurrence and returns the local times generated. */
  async function runThrough(id: number, instants: Date[]): Promise<string[]> {
    for (const instant of instants) {
      clock.advance(instant.getTime() + 60_000 - clock.now().getTime());
      await t.services.planningGeneration.generateDue();
    }
    return (await interventionsOf(id)).map((i) => formatDateTime(i.date_occurrence, TZ));
  }

  test('monthly from 31 Jan 08:00 → 28 Feb (Ramadan offset +00), 31 Mar, 30 Apr, 31 May, each at 08:00 local', async () => {
    clock.advance(Date.parse('2026-01-01T00:00:00Z') - clock.now().getTime());
    const id = await insertPlanning({ anchor: local(2026, 1, 31) });
    const occurrences = [local(2026, 1, 31), local(2026, 2, 28), local(2026, 3, 31), local(2026, 4, 30), local(2026, 5, 31)];
    assert.deepEqual(await runThrough(id, occurrences), ['31/01/2026 08:00', '28/02/2026 08:00', '31/03/2026 08:00', '30/04/2026 08:00', '31/05/2026 08:00']);
    assert.equal(formatDateTime((await planningRow(id)).prochaine_date, TZ), '30/06/2026 08:00');
  });

  test('weekly 08:00 across both Casablanca changes of 2026 (to +00 on 15 Feb, back to +01 on 22 Mar)', async () => {
    clock.advance(Date.parse('2026-02-01T00:00:00Z') - clock.now().getTime());
    const id = await insertPlanning({ frequence: 'hebdomadaire', anchor: local(2026, 2, 8) });
    const weeks = [8, 15, 22].map((d) => local(2026, 2, d)).concat([1, 8, 15, 22, 29].map((d) => local(2026, 3, d)));
    const generated = await runThrough(id, weeks);
    assert.deepEqual(generated, ['08/02/2026 08:00', '15/02/2026 08:00', '22/02/2026 08:00', '01/03/2026 08:00', '08/03/2026 08:00', '15/03/2026 08:00', '22/03/2026 08:00', '29/03/2026 08:00']);
    const utcHours = (await interventionsOf(id)).map((i) => i.date_occurrence!.getUTCHours());
    assert.deepEqual(utcHours, [7, 8, 8, 8, 8, 8, 7, 7], 'the instant moves with the offset, the local time does not');
  });

  test('annual from 29 Feb 2028 → 28 Feb 2029 (one intervention a year later), 29 Feb again in 2032', async () => {
    clock.advance(Date.parse('2028-02-01T00:00:00Z') - clock.now().getTime());
    const id = await insertPlanning({ frequence: 'annuel', anchor: local(2028, 2, 29) });
    assert.deepEqual(await runThrough(id, [local(2028, 2, 29), local(2029, 2, 28)]), ['29/02/2028 08:00', '28/02/2029 08:00']);
    assert.equal(formatDateTime((await planningRow(id)).prochaine_date, TZ), '28/02/2030 08:00');
    assert.equal(formatDateTime(addPeriods(local(2028, 2, 29), 'annuel', 4, TZ), TZ), '29/02/2032 08:00');
  });
});

describe('two app instances on one database', () => {
  test('the same tick on both generates exactly one intervention per occurrence', async () => {
    const second = await createTestApp({ clock, database: t.database });
    try {
      clock.advance(Date.parse('2030-06-01T08:00:00Z') - clock.now().getTime());
      // Everything already due is generated first, so the count below is this test's own.
      await t.services.planningGeneration.generateDue();
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) ids.push(await insertPlanning({ frequence: 'journalier', anchor: new Date(clock.now().getTime() - (i % 5) * DAY - 1000), technicienId: i % 2 === 0 ? technicien.id : null }));
      const [a, b] = await Promise.all([t.services.planningGeneration.generateDue(), second.services.planningGeneration.generateDue()]);
      assert.equal(a.generated + b.generated, 60);
      const rows = await t.db.selectFrom('interventions').select(['planning_id', 'date_occurrence']).where('planning_id', 'in', ids).execute();
      assert.equal(rows.length, 60);
      assert.equal(new Set(rows.map((r) => r.planning_id)).size, 60);
      const notifications = await t.db.selectFrom('notifications').select('id').where('planning_id', 'in', ids).execute();
      assert.equal(notifications.length, 30 + 30 * responsables.length, 'one affectation per assigned planning, one rappel per responsable otherwise');
    } finally {
      await second.close();
    }
  });
});
