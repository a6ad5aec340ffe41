/**
 * PlanningService without HTTP (the scheduler's way in): writes and their rows, the audit of a
 * deletion, the calendar rules in APP_TIMEZONE, lists with their total, and the errors thrown.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { mapConstraintViolation } from '../../../src/db/constraints.js';
import { createStore } from '../../../src/db/store.js';
import { SYSTEM_ACTOR, type Actor } from '../../../src/lib/actor.js';
import { AppError } from '../../../src/lib/errors.js';
import { AuditRepository } from '../../../src/modules/audit/repository.js';
import { PLANNING_CONSTRAINT_ERRORS, PlanningRepository } from '../../../src/modules/planning/repository.js';
import { PlanningService } from '../../../src/modules/planning/service.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, seedUser } from '../../helpers/auth.js';
import { rejection } from '../../helpers/services.js';
import { insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));

// One describe around the file: on Node 20, root-level before() hooks do not wait for each other.
describe('PlanningService', () => {
  const t = useTestApp({ clock });
  const planning = () => t().services.planning;
  let actor: Actor;
  let equipementId: number;
  let technicienId: number;

  before(async () => {
    const responsable = await seedUser(t(), 'responsable');
    actor = { ...SYSTEM_ACTOR, userId: responsable.id, role: 'responsable', ip: '203.0.113.7', userAgent: 'service-test', requestId: 'req-planning' };
    technicienId = await insertTechnicien(t().db, (await seedUser(t(), 'technicien')).id);
    equipementId = await insertEquipement(t().db);
  });

  const row = (id: number) => t().db.selectFrom('plannings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const countPlannings = async () => Number((await t().db.selectFrom('plannings').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const auditOf = (id: number) =>
    t()
      .db.selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_user_id', 'actor_role', 'ip', 'user_agent', 'request_id', 'resource_type', 'resource_id', 'details'])
      .where('resource_type', '=', 'planning')
      .where('resource_id', '=', String(id))
      .execute();

  describe('create', () => {
    test('writes the row (stored frequency, anchor = prochaine_date, timestamps from the clock) and answers PlanningOut; not audited', async () => {
      const out = await planning().create({
        frequence: 'Trimestrielle',
        equipement_id: equipementId,
        prochaine_date: '2026-07-01T08:00:00Z',
        commentaire: '  graissage  ',
        technicien_id: technicienId,
        priorite: 'haute',
      });
      assert.equal(out.frequence, 'trimestrielle');
      assert.equal(out.commentaire, 'graissage');
      const stored = await row(out.id);
      assert.equal(stored.frequence, 'trimestriel');
      assert.equal(stored.statut, 'actif');
      assert.equal(stored.priorite, 'haute');
      assert.equal(stored.technicien_id, technicienId);
      assert.equal(stored.prochaine_date?.toISOString(), '2026-07-01T08:00:00.000Z');
      assert.equal(stored.date_reference?.toISOString(), '2026-07-01T08:00:00.000Z');
      assert.equal(stored.date_creation.toISOString(), clock.now().toISOString());
      assert.equal(stored.date_modification.toISOString(), clock.now().toISOString());
      assert.deepEqual(await auditOf(out.id), []);
    });

    test('refusals: 404 equipment, 400 frequency, 404 technician, 422 date at its body location; nothing written', async () => {
      const before = await countPlannings();
      assert.deepEqual(await rejection(planning().create({ frequence: 'mensuel', equipement_id: 999_999 })), { status: 404, message: 'Équipement introuvable', details: null });
      assert.deepEqual(await rejection(planning().create({ frequence: 'bimensuel', equipement_id: equipementId })), { status: 400, message: 'Fréquence invalide', details: null });
      assert.deepEqual(await rejection(planning().create({ frequence: 'mensuel', equipement_id: equipementId, technicien_id: 999_999 })), {
        status: 404,
        message: 'Technicien assigné introuvable',
        details: null,
      });
      const badDate = await rejection(planning().create({ frequence: 'mensuel', equipement_id: equipementId, derniere_date: '2026-02-30' }));
      assert.equal(badDate.status, 422);
      assert.deepEqual(badDate.details, [{ loc: ['body', 'derniere_date'], msg: 'Date invalide', type: 'format' }]);
      assert.equal(await countPlannings(), before);
    });

    test('a foreign key lost to a race gets the pre-check’s 404 (PLANNING_CONSTRAINT_ERRORS, real constraint names)', async () => {
      const plannings = new PlanningRepository(t().db);
      const base = { frequence: 'mensuel' as const, prochaineDate: clock.now(), derniereDate: null, commentaire: null, statut: 'actif' as const, priorite: 'normale' as const, now: clock.now() };
      const lost = async (values: { equipementId: number; technicienId: number | null }) => {
        const error = await plannings.insert({ ...base, ...values }).then(() => assert.fail('insert should fail'), (e: unknown) => e);
        return mapConstraintViolation(error, PLANNING_CONSTRAINT_ERRORS) as AppError;
      };
      const equipement = await lost({ equipementId: 999_999, technicienId: null });
      assert.deepEqual([equipement.status, equipement.message], [404, 'Équipement introuvable']);
      const technicien = await lost({ equipementId, technicienId: 999_999 });
      assert.deepEqual([technicien.status, technicien.message], [404, 'Technicien assigné introuvable']);
    });
  });

  describe('calendar rules in APP_TIMEZONE (Africa/Casablanca)', () => {
    test('prochaine_date defaults to now + one period, else derniere_date + one period (month end clamped, 08:00 local kept)', async () => {
      assert.deepEqual((await planning().create({ frequence: 'hebdomadaire', equipement_id: equipementId })).prochaine_date, new Date('2026-06-22T08:00:00.000Z'));
      // 31 Jan 2026 08:00 local (+01) → 28 Feb 08:00 local (+00 during Ramadan 2026).
      const fromLast = await planning().create({ frequence: 'mensuel', equipement_id: equipementId, derniere_date: '2026-01-31T07:00:00Z' });
      assert.deepEqual(fromLast.prochaine_date, new Date('2026-02-28T08:00:00.000Z'));
      assert.equal((await row(fromLast.id)).date_reference?.toISOString(), '2026-02-28T08:00:00.000Z');
    });

    test('another zone gives other instants: a service built on Europe/Paris keeps 08:00 across the DST change', async () => {
      const paris = new PlanningService({
        store: createStore(t().db, (x) => ({ plannings: new PlanningRepository(x), audit: new AuditRepository(x) })),
        clock,
        timeZone: 'Europe/Paris',
      });
      // 28 Mar 2026 08:00 in Paris (+01) → 29 Mar 08:00 (+02).
      const out = await paris.create({ frequence: 'journalier', equipement_id: equipementId, derniere_date: '2026-03-28T07:00:00Z' });
      assert.deepEqual(out.prochaine_date, new Date('2026-03-29T06:00:00.000Z'));
    });

    test('update: a frequency change re-anchors on the current prochaine_date, the same frequency keeps the anchor, an explicit date re-anchors', async () => {
      const { id } = await planning().create({ frequence: 'mensuel', equipement_id: equipementId, prochaine_date: '2026-07-01T08:00:00Z' });
      await t().db.updateTable('plannings').set({ date_reference: new Date('2026-01-01T08:00:00Z') }).where('id', '=', id).execute();
      clock.advance(60_000);
      const same = await planning().update(id, { frequence: 'monthly' });
      assert.deepEqual(same.date_modification, clock.now());
      assert.equal((await row(id)).date_reference?.toISOString(), '2026-01-01T08:00:00.000Z');
      assert.equal((await planning().update(id, { frequence: 'annuel' })).frequence, 'annuelle');
      assert.equal((await row(id)).date_reference?.toISOString(), '2026-07-01T08:00:00.000Z');
      await planning().update(id, { prochaine_date: '2026-08-15T08:00:00Z' });
      assert.equal((await row(id)).date_reference?.toISOString(), '2026-08-15T08:00:00.000Z');
    });

    test('moveDates: derniere_date ← old prochaine_date; en_retard → actif only without an overdue generated intervention', async () => {
      const { id } = await planning().create({ frequence: 'mensuel', equipement_id: equipementId, prochaine_date: '2026-07-01T08:00:00Z' });
      await t().db.updateTable('plannings').set({ statut: 'en_retard' }).where('id', '=', id).execute();
      const interventionId = await insertIntervention(t().db, equipementId, { planning_id: id, statut: 'ouverte', date_limite: new Date(clock.now().getTime() - 1000) });
      const late = await planning().moveDates(id, { value: '2026-07-05T08:00:00Z', location: 'body' });
      assert.deepEqual([late.statut, late.derniere_date, late.prochaine_date], ['en_retard', new Date('2026-07-01T08:00:00Z'), new Date('2026-07-05T08:00:00Z')]);
      assert.equal((await row(id)).date_reference?.toISOString(), '2026-07-05T08:00:00.000Z');
      await t().db.updateTable('interventions').set({ statut: 'cloturee', date_cloture: clock.now() }).where('id', '=', interventionId).execute();
      assert.equal((await planning().moveDates(id, { value: '2026-07-06T08:00:00Z', location: 'query' })).statut, 'actif');
    });

    test('moveDates refusals: 422 missing or invalid at the given location, 404 unknown planning', async () => {
      assert.deepEqual((await rejection(planning().moveDates(1, undefined))).details, [{ loc: ['query', 'nouvelle_date'], msg: 'Champ obligatoire', type: 'missing' }]);
      assert.deepEqual((await rejection(planning().moveDates(1, { value: '2026-02-30', location: 'body' }))).details, [{ loc: ['body', 'nouvelle_date'], msg: 'Date invalide', type: 'format' }]);
      assert.equal((await rejection(planning().moveDates(999_999, { value: '2026-07-05', location: 'query' }))).message, 'Planning introuvable');
    });
  });

  describe('update', () => {
    test('writes every given field; null clears technicien_id; refusals leave the row unchanged', async () => {
      const { id } = await planning().create({ frequence: 'mensuel', equipement_id: equipementId, technicien_id: technicienId, commentaire: 'avant' });
      const other = await insertEquipement(t().db);
      await planning().update(id, { equipement_id: other, statut: 'suspendu', priorite: 'basse', technicien_id: null, commentaire: ' après ' });
      const stored = await row(id);
      assert.deepEqual([stored.equipement_id, stored.statut, stored.priorite, stored.technicien_id, stored.commentaire], [other, 'suspendu', 'basse', null, 'après']);
      assert.deepEqual(await auditOf(id), []);
      for (const [body, message] of [
        [{ equipement_id: 999_999 }, 'Équipement introuvable'],
        [{ technicien_id: 999_999 }, 'Technicien assigné introuvable'],
        [{ frequence: 'horaire' }, 'Fréquence invalide'],
      ] as const) {
        assert.equal((await rejection(planning().update(id, body))).message, message);
      }
      assert.deepEqual(await row(id), stored);
      assert.deepEqual(await rejection(planning().update(999_999, {})), { status: 404, message: 'Planning introuvable', details: null });
    });
  });

  describe('delete', () => {
    test('deletes the row, keeps the generated interventions, and writes one data.deleted row naming the actor', async () => {
      const { id } = await planning().create({ frequence: 'semestriel', equipement_id: equipementId });
      const interventionId = await insertIntervention(t().db, equipementId, { planning_id: id, type_intervention: 'preventive' });
      await planning().delete(actor, id);
      assert.equal(await t().db.selectFrom('plannings').select('id').where('id', '=', id).executeTakeFirst(), undefined);
      const intervention = await t().db.selectFrom('interventions').select('planning_id').where('id', '=', interventionId).executeTakeFirstOrThrow();
      assert.equal(intervention.planning_id, null);
      assert.deepEqual(await auditOf(id), [
        {
          event_type: 'data.deleted',
          outcome: 'success',
          actor_user_id: actor.userId,
          actor_role: 'responsable',
          ip: '203.0.113.7',
          user_agent: 'service-test',
          request_id: 'req-planning',
          resource_type: 'planning',
          resource_id: String(id),
          details: { equipement_id: equipementId, frequence: 'semestriel' },
        },
      ]);
    });

    test('404 for an unknown planning, and no audit row; the system deletes with a null actor', async () => {
      assert.deepEqual(await rejection(planning().delete(actor, 999_999)), { status: 404, message: 'Planning introuvable', details: null });
      assert.deepEqual(await auditOf(999_999), []);
      const { id } = await planning().create({ frequence: 'annuel', equipement_id: equipementId });
      await planning().delete(SYSTEM_ACTOR, id);
      const [audit] = await auditOf(id);
      assert.deepEqual([audit?.event_type, audit?.actor_user_id, audit?.actor_role], ['data.deleted', null, null]);
    });
  });

  describe('get and list', () => {
    let equipement: number;
    const ids: number[] = [];

    before(async () => {
      equipement = await insertEquipement(t().db);
      for (const [frequence, prochaine] of [
        ['mensuel', '2026-09-01T08:00:00Z'],
        ['weekly', '2026-07-01T08:00:00Z'],
        ['annuelle', '2026-08-01T08:00:00Z'],
      ] as const) {
        ids.push((await planning().create({ frequence, equipement_id: equipement, prochaine_date: prochaine })).id);
      }
    });

    test('get: PlanningOut with the label; 404 "Planning introuvable"', async () => {
      assert.equal((await planning().get(ids[0]!)).frequence, 'mensuelle');
      assert.deepEqual(await rejection(planning().get(999_999)), { status: 404, message: 'Planning introuvable', details: null });
    });

    test('rows of the page and the total before paging; filters with aliases; sort', async () => {
      const page = await planning().list({ equipement_id: equipement, limit: 2, offset: 1, sort: '-prochaine_date' });
      assert.equal(page.total, 3);
      assert.deepEqual(
        page.rows.map((p) => p.id),
        [ids[2], ids[1]],
      );
      const monthly = await planning().list({ equipement_id: equipement, frequence: ['Monthly', 'annual'], limit: 500, offset: 0 });
      assert.deepEqual(
        monthly.rows.map((p) => [p.id, p.frequence]),
        [
          [ids[0], 'mensuelle'],
          [ids[2], 'annuelle'],
        ],
      );
      assert.equal(monthly.total, 2);
      const due = await planning().list({ equipement_id: equipement, prochaine_date_max: '2026-08-01T08:00:00Z', limit: 500, offset: 0 });
      assert.deepEqual([due.total, due.rows.map((p) => p.id)], [2, [ids[1], ids[2]]]);
    });

    test('bad filters and sort → 422 with the query location', async () => {
      const base = { equipement_id: equipement, limit: 500, offset: 0 };
      assert.deepEqual((await rejection(planning().list({ ...base, frequence: ['mensuel', 'bimensuel'] }))).details, [
        { loc: ['query', 'frequence', 1], msg: 'Fréquence invalide', type: 'enum' },
      ]);
      assert.deepEqual((await rejection(planning().list({ ...base, prochaine_date_max: '2026-02-30' }))).details, [
        { loc: ['query', 'prochaine_date_max'], msg: 'Date invalide', type: 'format' },
      ]);
      assert.equal((await rejection(planning().list({ ...base, sort: 'frequence' }))).status, 422);
    });
  });
});
