/**
 * GET /dashboard/stats (docs/api.md §4.9): numbers checked against the fixtures below, for each role's
 * scope, with a clock in January (the 6 months cross a year boundary) and APP_TIMEZONE
 * Africa/Casablanca (UTC+1 on these dates).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Insertable } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import { createStore } from '../../../src/db/store.js';
import { DashboardRepository } from '../../../src/modules/dashboard/repository.js';
import { DashboardService } from '../../../src/modules/dashboard/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { bearer, FakeClock, login, seedUser, type TestUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';

const JANUARY_NOW = Date.parse('2026-01-15T10:00:00.000Z');
const clock = new FakeClock(JANUARY_NOW);
let t: TestApp;

const users: Record<'admin' | 'responsable' | 't1' | 't2' | 't0' | 'u1' | 'u1b' | 'u2' | 'uc0', TestUser> = {} as never;
const tokens: Partial<Record<keyof typeof users, Tokens>> = {};

const z = (iso: string) => new Date(iso);

before(async () => {
  t = await createTestApp({ clock, env: { APP_TIMEZONE: 'Africa/Casablanca' } });
  const db = t.db;
  const c1 = await insertClient(db);
  const c2 = await insertClient(db);
  const equipment = {
    e1: { id: await insertEquipement(db, { client_id: c1, statut: 'operationnel' }), client: c1 },
    e2: { id: await insertEquipement(db, { client_id: c2, statut: 'panne' }), client: c2 },
    e3: { id: await insertEquipement(db, { statut: 'maintenance' }), client: null },
    e4: { id: await insertEquipement(db, { client_id: c1, statut: 'retire' }), client: c1 },
    e5: { id: await insertEquipement(db, { statut: 'operationnel' }), client: null },
  };

  users.admin = await seedUser(t, 'admin');
  users.responsable = await seedUser(t, 'responsable');
  users.t1 = await seedUser(t, 'technicien');
  users.t2 = await seedUser(t, 'technicien');
  users.t0 = await seedUser(t, 'technicien'); // no technician profile
  users.u1 = await seedUser(t, 'client', { clientId: c1 });
  users.u1b = await seedUser(t, 'client', { clientId: c1 });
  users.u2 = await seedUser(t, 'client', { clientId: c2 });
  users.uc0 = await seedUser(t, 'client'); // no company
  await db.updateTable('users').set({ is_active: false }).where('id', '=', users.u1b.id).execute();
  const t1 = await insertTechnicien(db, users.t1.id);
  const t2 = await insertTechnicien(db, users.t2.id);

  const iv = (e: keyof typeof equipment, values: Partial<Insertable<Database['interventions']>>) =>
    insertIntervention(db, equipment[e].id, { client_id: equipment[e].client, ...values });
  // I1 … I13. Local months are Africa/Casablanca (UTC+1).
  await iv('e1', { statut: 'ouverte', priorite: 'urgente', date_creation: z('2026-01-10T08:00:00Z'), date_limite: z('2026-01-14T00:00:00Z') });
  await iv('e1', { statut: 'affectee', technicien_id: t1, priorite: 'haute', date_creation: z('2026-01-05T08:00:00Z'), date_limite: z('2026-01-20T00:00:00Z') });
  await iv('e2', { statut: 'en_cours', technicien_id: t2, priorite: 'normale', date_creation: z('2025-12-20T08:00:00Z'), date_limite: z('2026-01-01T00:00:00Z') });
  await iv('e3', { statut: 'en_attente', technicien_id: t1, priorite: 'basse', date_creation: z('2025-11-03T08:00:00Z') });
  await iv('e1', { statut: 'cloturee', technicien_id: t1, priorite: 'normale', date_creation: z('2025-10-10T08:00:00Z'), date_cloture: z('2026-01-03T12:00:00Z'), date_limite: z('2025-10-01T00:00:00Z') });
  await iv('e2', { statut: 'archivee', technicien_id: t2, priorite: 'programmee', date_creation: z('2025-08-01T00:30:00Z'), date_cloture: z('2025-09-01T00:00:00Z'), date_archivage: z('2025-10-01T00:00:00Z') });
  // I7: 2025-07-31 23:30 local → July, outside the window; I8: 2025-08-01 00:30 local → August.
  await iv('e3', { statut: 'annulee', priorite: 'haute', date_creation: z('2025-07-31T22:30:00Z') });
  // I8 closed 2026-01-01 00:30 local → this month; I9 closed 2025-12-31 23:30 local → not this month.
  await iv('e5', { statut: 'cloturee', technicien_id: t2, priorite: 'normale', date_creation: z('2025-07-31T23:30:00Z'), date_cloture: z('2025-12-31T23:30:00Z') });
  await iv('e5', { statut: 'cloturee', technicien_id: t1, priorite: 'urgente', date_creation: z('2024-06-01T08:00:00Z'), date_cloture: z('2025-12-31T22:30:00Z') });
  // I10: created 2026-01-01 00:30 local → January; deadline one second before "now" → overdue.
  await iv('e1', { statut: 'en_cours', technicien_id: t2, priorite: 'haute', date_creation: z('2025-12-31T23:30:00Z'), date_limite: z('2026-01-15T09:59:59Z') });
  await iv('e4', { statut: 'archivee', technicien_id: t1, priorite: 'basse', date_creation: z('2025-09-15T08:00:00Z'), date_cloture: z('2025-09-20T08:00:00Z'), date_archivage: z('2025-10-20T08:00:00Z') });
  await iv('e2', { statut: 'ouverte', priorite: 'normale', date_creation: z('2025-11-20T08:00:00Z') });
  await iv('e2', { statut: 'annulee', priorite: 'basse', date_creation: z('2025-12-05T08:00:00Z') });

  for (const key of Object.keys(users) as (keyof typeof users)[]) {
    if (key !== 'u1b') tokens[key] = await login(t, users[key]);
  }
});
after(async () => {
  await t.close();
});

async function stats(who: keyof typeof users, url = '/api/v1/dashboard/stats') {
  const response = await t.app.inject({ method: 'GET', url, headers: bearer(tokens[who]!) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

const months = (totals: number[], first: { month: number; year: number }) =>
  totals.map((total, i) => {
    const index = first.month - 1 + i;
    return { month: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][index % 12], total, year: first.year + Math.floor(index / 12) };
  });
const AUGUST_2025 = { month: 8, year: 2025 };

const ALL_EQUIPMENT = { total: 5, operationnel: 2, maintenance: 1, panne: 1, retire: 1 };
const ALL_USERS = { total: 9, actifs: 8 };

describe('shape', () => {
  test('exactly the keys of docs/api.md §4.9 (legacy + additions), every nested object present', async () => {
    const body = await stats('admin');
    assert.deepEqual(Object.keys(body).sort(), ['equipements', 'evolution_mensuelle', 'interventions', 'priorites', 'taux_resolution', 'utilisateurs']);
    assert.deepEqual(Object.keys(body.interventions).sort(), [
      'affectee', 'annulee', 'archivee', 'en_attente', 'en_cours', 'en_retard', 'ouverte', 'terminees', 'terminees_mensuel', 'total', 'total_mensuel',
    ]);
    assert.deepEqual(Object.keys(body.priorites).sort(), ['basse', 'haute', 'normale', 'programmee', 'urgente']);
    assert.deepEqual(Object.keys(body.equipements).sort(), ['maintenance', 'operationnel', 'panne', 'retire', 'total']);
    assert.deepEqual(Object.keys(body.utilisateurs).sort(), ['actifs', 'total']);
    assert.equal(body.evolution_mensuelle.length, 6);
    for (const entry of body.evolution_mensuelle) assert.deepEqual(Object.keys(entry).sort(), ['month', 'total', 'year']);
    assert.equal(typeof body.taux_resolution, 'number');
  });

  test('the same keys, all zero, for a caller with an empty scope', async () => {
    const body = await stats('uc0');
    assert.deepEqual(Object.keys(body).sort(), ['equipements', 'evolution_mensuelle', 'interventions', 'priorites', 'taux_resolution', 'utilisateurs']);
    assert.equal(Object.keys(body.interventions).length, 11);
    assert.equal(body.evolution_mensuelle.length, 6);
  });

  test('without a token → 401', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/dashboard/stats' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.message, 'Non authentifié');
  });

  test('served at the root too, with or without a trailing slash', async () => {
    const reference = await stats('admin');
    assert.deepEqual(await stats('admin', '/dashboard/stats'), reference);
    assert.deepEqual(await stats('admin', '/api/v1/dashboard/stats/'), reference);
    assert.deepEqual(await stats('admin', '/dashboard/stats/'), reference);
  });
});

describe('scope per role (clock 2026-01-15, Africa/Casablanca)', () => {
  const everything = {
    interventions: {
      ouverte: 2, en_cours: 2, en_attente: 1, terminees: 5, total_mensuel: 3, terminees_mensuel: 2,
      affectee: 1, annulee: 2, archivee: 2, en_retard: 3, total: 13,
    },
    taux_resolution: 45.5, // 5 / (13 − 2) = 45.45…
    evolution_mensuelle: months([2, 1, 1, 2, 2, 3], AUGUST_2025),
    priorites: { urgente: 2, haute: 3, normale: 4, basse: 3, programmee: 1 },
    equipements: ALL_EQUIPMENT,
    utilisateurs: ALL_USERS,
  };

  test('admin: everything; months oldest first across the year boundary (Aug 2025 … Jan 2026)', async () => {
    assert.deepEqual(await stats('admin'), everything);
  });

  test('responsable: everything, the same figures as admin', async () => {
    assert.deepEqual(await stats('responsable'), everything);
  });

  test('technicien: only the interventions assigned to them; all equipment and users', async () => {
    assert.deepEqual(await stats('t1'), {
      interventions: {
        ouverte: 0, en_cours: 0, en_attente: 1, terminees: 3, total_mensuel: 1, terminees_mensuel: 1,
        affectee: 1, annulee: 0, archivee: 1, en_retard: 0, total: 5,
      },
      taux_resolution: 60,
      evolution_mensuelle: months([0, 1, 1, 1, 0, 1], AUGUST_2025),
      priorites: { urgente: 1, haute: 1, normale: 1, basse: 2, programmee: 0 },
      equipements: ALL_EQUIPMENT,
      utilisateurs: ALL_USERS,
    });
    const t2 = await stats('t2');
    assert.deepEqual(t2.interventions, {
      ouverte: 0, en_cours: 2, en_attente: 0, terminees: 2, total_mensuel: 1, terminees_mensuel: 1,
      affectee: 0, annulee: 0, archivee: 1, en_retard: 2, total: 4,
    });
    assert.deepEqual(t2.evolution_mensuelle, months([2, 0, 0, 0, 1, 1], AUGUST_2025));
  });

  test('technicien without a technician profile: zero interventions, taux 0, still all equipment and users', async () => {
    assert.deepEqual(await stats('t0'), {
      interventions: {
        ouverte: 0, en_cours: 0, en_attente: 0, terminees: 0, total_mensuel: 0, terminees_mensuel: 0,
        affectee: 0, annulee: 0, archivee: 0, en_retard: 0, total: 0,
      },
      taux_resolution: 0,
      evolution_mensuelle: months([0, 0, 0, 0, 0, 0], AUGUST_2025),
      priorites: { urgente: 0, haute: 0, normale: 0, basse: 0, programmee: 0 },
      equipements: ALL_EQUIPMENT,
      utilisateurs: ALL_USERS,
    });
  });

  test("client: their company's interventions, equipment and users (inactive accounts counted in total only)", async () => {
    assert.deepEqual(await stats('u1'), {
      interventions: {
        ouverte: 1, en_cours: 1, en_attente: 0, terminees: 2, total_mensuel: 3, terminees_mensuel: 1,
        affectee: 1, annulee: 0, archivee: 1, en_retard: 2, total: 5,
      },
      taux_resolution: 40,
      evolution_mensuelle: months([0, 1, 1, 0, 0, 3], AUGUST_2025),
      priorites: { urgente: 1, haute: 2, normale: 1, basse: 1, programmee: 0 },
      equipements: { total: 2, operationnel: 1, maintenance: 0, panne: 0, retire: 1 },
      utilisateurs: { total: 2, actifs: 1 },
    });
  });

  test('client of the other company: its own figures; taux 1 / (4 − 1 cancelled) = 33.3', async () => {
    assert.deepEqual(await stats('u2'), {
      interventions: {
        ouverte: 1, en_cours: 1, en_attente: 0, terminees: 1, total_mensuel: 0, terminees_mensuel: 0,
        affectee: 0, annulee: 1, archivee: 1, en_retard: 1, total: 4,
      },
      taux_resolution: 33.3,
      evolution_mensuelle: months([1, 0, 0, 1, 2, 0], AUGUST_2025),
      priorites: { urgente: 0, haute: 0, normale: 2, basse: 1, programmee: 1 },
      equipements: { total: 1, operationnel: 0, maintenance: 0, panne: 1, retire: 0 },
      utilisateurs: { total: 1, actifs: 1 },
    });
  });

  test('client without a company: zeros everywhere, equipment and users included', async () => {
    assert.deepEqual(await stats('uc0'), {
      interventions: {
        ouverte: 0, en_cours: 0, en_attente: 0, terminees: 0, total_mensuel: 0, terminees_mensuel: 0,
        affectee: 0, annulee: 0, archivee: 0, en_retard: 0, total: 0,
      },
      taux_resolution: 0,
      evolution_mensuelle: months([0, 0, 0, 0, 0, 0], AUGUST_2025),
      priorites: { urgente: 0, haute: 0, normale: 0, basse: 0, programmee: 0 },
      equipements: { total: 0, operationnel: 0, maintenance: 0, panne: 0, retire: 0 },
      utilisateurs: { total: 0, actifs: 0 },
    });
  });
});

describe('time-zone edges (clock moved to 2026-02-10)', () => {
  before(async () => {
    clock.advance(Date.parse('2026-02-10T12:00:00.000Z') - JANUARY_NOW);
    const e5 = await t.db.selectFrom('equipements').select('id').where('statut', '=', 'operationnel').where('client_id', 'is', null).executeTakeFirstOrThrow();
    // 2026-02-01 00:30 in Casablanca → February; 2026-01-31 23:30 in Casablanca → January.
    await insertIntervention(t.db, e5.id, { statut: 'ouverte', priorite: 'normale', date_creation: z('2026-01-31T23:30:00Z') });
    await insertIntervention(t.db, e5.id, { statut: 'ouverte', priorite: 'normale', date_creation: z('2026-01-31T22:30:00Z') });
    tokens.admin = await login(t, users.admin); // the January tokens have expired
  });

  test('created at 2026-01-31T23:30Z counts in February in Africa/Casablanca; the window moves to Sep … Feb', async () => {
    const body = await stats('admin');
    assert.deepEqual(body.evolution_mensuelle, months([1, 1, 2, 2, 4, 1], { month: 9, year: 2025 }));
    assert.equal(body.interventions.total_mensuel, 1);
    assert.equal(body.interventions.terminees_mensuel, 0);
    // I2's deadline (2026-01-20) has now passed too.
    assert.equal(body.interventions.en_retard, 4);
    assert.equal(body.interventions.total, 15);
  });

  test('with APP_TIMEZONE=UTC the same rows fall in other months', async () => {
    // The service with another time zone, on the same data and clock (no second app needed).
    const utc = new DashboardService({ store: createStore(t.db, (x) => ({ dashboard: new DashboardRepository(x) })), clock, timeZone: 'UTC' });
    const body = await utc.stats({ role: 'admin', clientId: null, technicienId: null });
    // December gains I10 (2025-12-31T23:30Z); January keeps both 2026-01-31 rows; February is empty.
    assert.deepEqual(body.evolution_mensuelle, months([1, 1, 2, 3, 4, 0], { month: 9, year: 2025 }));
    assert.equal(body.interventions.total_mensuel, 0);
  });
});
