/**
 * The world the intervention tests act on (docs/security.md §5 fixtures): two client companies C1 and C2
 * with equipment, technician T1 on C1's work and T2 on C2's, managers, client users, and a few
 * misfits (inactive technician profile, technician whose user is inactive, client without company).
 */
import type { Insertable } from 'kysely';
import type { Database, StatutIntervention } from '../../../src/db/schema.js';
import type { Actor } from '../../../src/lib/actor.js';
import type { TestApp } from '../../helpers/app.js';
import { actorOf, login, seedUser, type TestUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';

/** A user of the world: the account, its tokens (HTTP tests) and the Actor the services receive (service tests). */
export interface Member {
  user: TestUser;
  tokens: Tokens;
  actor: Actor;
}

export interface World {
  admin: Member;
  resp: Member;
  resp2: Member;
  /** An inactive responsable: never notified. */
  respInactiveId: number;
  t1: Member & { technicienId: number };
  t2: Member & { technicienId: number };
  /** Profile inactive. */
  t3TechnicienId: number;
  /** Profile active, user inactive. */
  t4TechnicienId: number;
  c1: Member;
  c1b: Member;
  c2: Member;
  /** A client account without a company. */
  c0: Member;
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

export async function member(t: TestApp, role: TestUser['role'], clientId?: number): Promise<Member> {
  const user = await seedUser(t, role, { clientId: clientId ?? null });
  return { user, tokens: await login(t, user), actor: actorOf(user, { clientId }) };
}

/** A technician member with its technician profile. */
async function technicien(t: TestApp, m: Member): Promise<Member & { technicienId: number }> {
  const technicienId = await insertTechnicien(t.db, m.user.id);
  return { ...m, technicienId, actor: { ...m.actor, technicienId } };
}

export async function buildWorld(t: TestApp): Promise<World> {
  const db = t.db;
  const client1Name = `Société Un ${process.pid}`;
  const client1 = await insertClient(db, { nom_entreprise: client1Name });
  const client2 = await insertClient(db);
  const contrat1 = await insertContrat(db, client1);
  const e1 = await insertEquipement(db, { client_id: client1, contrat_id: contrat1 });
  const e2 = await insertEquipement(db, { client_id: client2 });
  const e0 = await insertEquipement(db);
  const eRetired = await insertEquipement(db, { client_id: client1, statut: 'retire' });

  const [admin, resp, resp2, t1a, t2a, c1, c1b, c2, c0] = await Promise.all([
    member(t, 'admin'),
    member(t, 'responsable'),
    member(t, 'responsable'),
    member(t, 'technicien'),
    member(t, 'technicien'),
    member(t, 'client', client1),
    member(t, 'client', client1),
    member(t, 'client', client2),
    member(t, 'client'),
  ]);
  const respInactive = await seedUser(t, 'responsable');
  await db.updateTable('users').set({ is_active: false }).where('id', '=', respInactive.id).execute();
  const t1 = await technicien(t, t1a);
  const t2 = await technicien(t, t2a);
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

export function fullName(m: Member): string {
  return `Test ${m.user.username}`;
}

/** An intervention inserted directly in a given status (C1's equipment and T1 unless told). */
export async function seedIntervention(
  t: TestApp,
  w: World,
  statut: StatutIntervention,
  values: Partial<Insertable<Database['interventions']>> = {},
): Promise<number> {
  const needsTechnicien = statut !== 'ouverte';
  return insertIntervention(t.db, values.equipement_id ?? w.e1, {
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
  const { db } = t;
  const [intervention, historique, notifications] = await Promise.all([
    db.selectFrom('interventions').selectAll().where('id', '=', interventionId).executeTakeFirst(),
    db.selectFrom('historiques_interventions').selectAll().where('intervention_id', '=', interventionId).orderBy('id').execute(),
    db.selectFrom('notifications').selectAll().where('intervention_id', '=', interventionId).orderBy('id').execute(),
  ]);
  return { intervention, historique, notifications };
}

export async function countRows(t: TestApp, table: 'interventions' | 'historiques_interventions' | 'notifications'): Promise<number> {
  const row = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
