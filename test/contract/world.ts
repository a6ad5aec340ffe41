/**
 * The data the contract test and the fuzz act on: one user per role (the technician with a profile,
 * the client with a company), throwaway users for the routes that disable or revoke, and one row of
 * every resource; plus the hints that fill id and unique fields with values of this world.
 */
import type { Role } from '../../src/db/schema.js';
import type { TestApp } from '../helpers/app.js';
import { login, seedUser, type TestUser, type Tokens } from '../helpers/auth.js';
import { insertClient, insertCompetence, insertContrat, insertEquipement, insertIntervention, insertTechnicien, insertUserRow } from '../helpers/fixtures.js';
import { call } from '../helpers/http.js';
import type { Hints, Rng } from './generate.js';

export type Caller = Role | 'anonyme';

export interface World {
  users: Record<Role, TestUser>;
  tokens: Record<Role, Tokens>;
  clientId: number;
  contratId: number;
  equipementId: number;
  technicienId: number;
  interventionId: number;
  planningId: number;
  notificationId: number;
  competenceId: number;
  auditEventId: number;
  /** Users of role technicien without a profile (POST /techniciens/ needs one each). */
  freeTechnicienUserIds: number[];
  /** A user the admin may change, disable and revoke without locking the callers out. */
  spareUserId: number;
  /** Logs `role` in again (after a route revoked its session). */
  relogin(role: Role): Promise<void>;
}

let unique = 0;
/** A value no other request of this process used (e-mails, usernames, numbers that must be unique). */
export function uniqueSuffix(): string {
  unique++;
  return `${process.pid}.${unique}`;
}

let relogins = 0;

export async function buildWorld(t: TestApp): Promise<World> {
  const db = t.db;
  const clientId = await insertClient(db);
  const users = {
    admin: await seedUser(t, 'admin'),
    responsable: await seedUser(t, 'responsable'),
    technicien: await seedUser(t, 'technicien'),
    client: await seedUser(t, 'client', { clientId }),
  };
  const tokens = {} as Record<Role, Tokens>;
  for (const role of Object.keys(users) as Role[]) tokens[role] = await login(t, users[role]);
  const technicienId = await insertTechnicien(db, users.technicien.id);
  const contratId = await insertContrat(db, clientId);
  const equipementId = await insertEquipement(db, { client_id: clientId, contrat_id: contratId });
  const interventionId = await insertIntervention(db, equipementId, { technicien_id: technicienId, statut: 'affectee', client_id: clientId });
  const competenceId = await insertCompetence(db, `Compétence ${uniqueSuffix()}`);
  const planning = await call(t, 'POST', '/api/v1/planning/', { as: tokens.admin, payload: { frequence: 'mensuel', equipement_id: equipementId } });
  const notification = await call(t, 'POST', '/api/v1/notifications/', { as: tokens.admin, payload: { type: 'information', canal: 'log', user_id: users.client.id } });
  if (planning.statusCode !== 201 || notification.statusCode !== 201) throw new Error(`world: ${planning.body} ${notification.body}`);
  const audit = await db.selectFrom('audit_events').select('id').orderBy('id').executeTakeFirstOrThrow();
  const freeTechnicienUserIds: number[] = [];
  for (let i = 0; i < 40; i++) freeTechnicienUserIds.push(await insertUserRow(db, 'technicien'));
  return {
    users,
    tokens,
    clientId,
    contratId,
    equipementId,
    technicienId,
    interventionId,
    planningId: planning.json().id,
    notificationId: notification.json().id,
    competenceId,
    auditEventId: audit.id,
    freeTechnicienUserIds,
    spareUserId: (await seedUser(t, 'technicien')).id,
    async relogin(role) {
      // The fuzz may have changed the caller's password, disabled it or locked it (or 127.0.0.1)
      // out: restore the account, then log in from an address of its own.
      const user = users[role];
      await db.updateTable('users').set({ is_active: true, hashed_password: await t.app.hasher.hash(user.password) }).where('id', '=', user.id).execute();
      await db.deleteFrom('lockouts').execute();
      relogins++;
      tokens[role] = await login(t, user, `10.77.${relogins >> 8}.${relogins & 255}`);
    },
  };
}

/** The Authorization header value of a caller (none for the anonymous one). */
export function tokenOf(world: World, caller: Caller): string | null {
  return caller === 'anonyme' ? null : world.tokens[caller].access_token;
}

/** Ids of this world (and, now and then, an unknown one), unique texts where the schema wants them. */
export function worldHints(world: World, options: { unknownIds: boolean }): Hints {
  const id = (value: (rng: Rng) => number) => (rng: Rng) => (options.unknownIds && rng.chance(0.15) ? rng.pick([999_999, 2_147_483_647, 1]) : value(rng));
  return {
    client_id: id(() => world.clientId),
    contrat_id: id(() => world.contratId),
    equipement_id: id(() => world.equipementId),
    technicien_id: id(() => world.technicienId),
    intervention_id: id(() => world.interventionId),
    planning_id: id(() => world.planningId),
    notification_id: id(() => world.notificationId),
    competence_id: id(() => world.competenceId),
    event_id: id(() => world.auditEventId),
    actor_user_id: id(() => world.users.admin.id),
    // Never a caller of the world: the admin may disable or revoke the user it names.
    user_id: id((rng) => rng.pick([world.spareUserId, ...world.freeTechnicienUserIds])),
    competences_ids: (rng) => (rng.chance(0.5) ? [world.competenceId] : []),
    email: () => `fuzz.${uniqueSuffix()}@exemple.test`,
    username: () => `fuzz.${uniqueSuffix()}`,
    numero_contrat: () => `CTR-${uniqueSuffix()}`,
    numero_badge: () => `B-${uniqueSuffix()}`,
    numero_serie: () => `SN-${uniqueSuffix()}`,
    code_interne: () => `CI-${uniqueSuffix()}`,
    ice: () => String(rngDigits(15)),
    nom: () => `Nom ${uniqueSuffix()}`,
    nom_entreprise: () => `Entreprise ${uniqueSuffix()}`,
    password: () => `Valide#${uniqueSuffix()}Pass`,
    new_password: () => `Nouveau#${uniqueSuffix()}Pass`,
    devise: () => 'MAD',
    date_debut: () => '2026-01-01',
    date_fin: () => '2026-12-31',
    frequence: (rng) => rng.pick(['mensuel', 'hebdomadaire', 'annuelle']),
    frequence_entretien: (rng) => rng.pick([30, '90', null]),
    role: (rng) => rng.pick(['responsable', 'technicien']),
  };
}

let digits = 0;
/** 15 digits, different at each call (an ICE). */
function rngDigits(count: number): string {
  digits++;
  return `${process.pid}${digits}`.padStart(count, '7').slice(-count);
}
