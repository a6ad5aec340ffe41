/**
 * The world the intervention tests act on (security.md §5 fixtures): two client companies C1 and C2
 * with equipment, technician T1 on C1's work and T2 on C2's, managers, client users, and a few
 * misfits (inactive technician profile, technician whose user is inactive, client without company).
 */
import type { Insertable } from 'kysely';
import type { Database, StatutIntervention } from '../../../src/db/schema.js';
import type { TestApp } from '../../helpers/app.js';
import { bearer, login, seedUser, type TestUser } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';

export interface Actor {
  user: TestUser;
  headers: { authorization: string };
}

export interface World {
  admin: Actor;
  resp: Actor;
  resp2: Actor;
  /** An inactive responsable: never notified. */
  respInactiveId: number;
  t1: Actor & { technicienId: number };
  t2: Actor & { technicienId: number };
  /** Profile inactive. */
  t3TechnicienId: number;
  /** Profile active, user inactive. */
  t4TechnicienId: number;
  c1: Actor;
  c1b: Actor;
  c2: Actor;
  /** A client account without a company. */
  c0: Actor;
  client1: number;
  client2: number;
  client1Name: string;
  contrat1: number;
  /** C1's equipment, under contract 1. */
  e1: number;
  /** C2's equipment. */
  e2: number;
  /** MIF's own equipment (no client). */
  e0: number;
  /** Retired equipment of C1. */
  eRetired: number;
}

async function actor(t: TestApp, role: TestUser['role'], clientId?: number): Promise<Actor> {
  const user = await seedUser(t, role, { clientId: clientId ?? null });
  return { user, headers: bearer(await login(t, user)) };
}

export async function buildWorld(t: TestApp): Promise<World> {
  const db = t.app.db;
  const client1Name = `Société Un ${process.pid}`;
  const client1 = await insertClient(db, { nom_entreprise: client1Name });
  const client2 = await insertClient(db);
  const contrat1 = await insertContrat(db, client1);
  const e1 = await insertEquipement(db, { client_id: client1, contrat_id: contrat1 });
  const e2 = await insertEquipement(db, { client_id: client2 });
  const e0 = await insertEquipement(db);
  const eRetired = await insertEquipement(db, { client_id: client1, statut: 'retire' });

  const [admin, resp, resp2, t1a, t2a, c1, c1b, c2, c0] = await Promise.all([
    actor(t, 'admin'),
    actor(t, 'responsable'),
    actor(t, 'responsable'),
    actor(t, 'technicien'),
    actor(t, 'technicien'),
    actor(t, 'client', client1),
    actor(t, 'client', client1),
    actor(t, 'client', client2),
    actor(t, 'client'),
  ]);
  const respInactive = await seedUser(t, 'responsable');
  await db.updateTable('users').set({ is_active: false }).where('id', '=', respInactive.id).execute();
  const t1 = { ...t1a, technicienId: await insertTechnicien(db, t1a.user.id) };
  const t2 = { ...t2a, technicienId: await insertTechnicien(db, t2a.user.id) };
  const t3User = await seedUser(t, 'technicien');
  const t3TechnicienId = await insertTechnicien(db, t3User.id, { is_active: false });
  const t4User = await seedUser(t, 'technicien');
  const t4TechnicienId = await insertTechnicien(db, t4User.id);
  await db.updateTable('users').set({ is_active: false }).where('id', '=', t4User.id).execute();

  return {
    admin,
    resp,
    resp2,
    respInactiveId: respInactive.id,
    t1,
    t2,
    t3TechnicienId,
    t4TechnicienId,
    c1,
    c1b,
    c2,
    c0,
    client1,
    client2,
    client1Name,
    contrat1,
    e1,
    e2,
    e0,
    eRetired,
  };
}

export function fullName(actor: Actor): string {
  return `Test ${actor.user.username}`;
}

/** An intervention inserted directly in a given status (C1's equipment and T1 unless told). */
export async function seedIntervention(
  t: TestApp,
  w: World,
  statut: StatutIntervention,
  values: Partial<Insertable<Database['interventions']>> = {},
): Promise<number> {
  const needsTechnicien = statut !== 'ouverte';
  return insertIntervention(t.app.db, values.equipement_id ?? w.e1, {
    statut,
    technicien_id: needsTechnicien ? w.t1.technicienId : null,
    client_id: w.client1,
    contrat_id: w.contrat1,
    created_by_id: w.resp.user.id,
    ...values,
  });
}

/** A snapshot of everything a refused request must leave untouched. */
export async function snapshot(t: TestApp, interventionId: number) {
  const db = t.app.db;
  const [intervention, historique, notifications] = await Promise.all([
    db.selectFrom('interventions').selectAll().where('id', '=', interventionId).executeTakeFirst(),
    db.selectFrom('historiques_interventions').selectAll().where('intervention_id', '=', interventionId).orderBy('id').execute(),
    db.selectFrom('notifications').selectAll().where('intervention_id', '=', interventionId).orderBy('id').execute(),
  ]);
  return { intervention, historique, notifications };
}

export async function countRows(t: TestApp, table: 'interventions' | 'historiques_interventions' | 'notifications'): Promise<number> {
  const row = await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function errorOf(response: { json: () => unknown }): { code: string; message: string; details: unknown } {
  return (response.json() as { error: { code: string; message: string; details: unknown } }).error;
}
