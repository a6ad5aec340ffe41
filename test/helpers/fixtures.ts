/**
 * Domain rows inserted straight into the database, for tests that need a world to act on.
 * Each function takes the fields that matter to the test and fills the rest.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database, Role } from '../../src/db/schema.js';

let sequence = 0;
const next = () => ++sequence;

type Db = Kysely<Database>;

export async function insertClient(db: Db, values: Partial<Insertable<Database['clients']>> = {}): Promise<number> {
  const n = next();
  const row = await db
    .insertInto('clients')
    .values({ nom_entreprise: `Client ${n} ${process.pid}`, nom_contact: `Contact ${n}`, email: `client${n}@exemple.test`, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertContrat(db: Db, clientId: number, values: Partial<Insertable<Database['contrats']>> = {}): Promise<number> {
  const n = next();
  const row = await db
    .insertInto('contrats')
    .values({
      numero_contrat: `CTR-T-${process.pid}-${n}`,
      nom_contrat: `Contrat ${n}`,
      type_contrat: 'maintenance_complete',
      date_debut: '2026-01-01',
      date_fin: '2026-12-31',
      client_id: clientId,
      ...values,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertEquipement(db: Db, values: Partial<Insertable<Database['equipements']>> = {}): Promise<number> {
  const n = next();
  const row = await db
    .insertInto('equipements')
    .values({ nom: `Équipement ${n} ${process.pid}`, type_equipement: 'compresseur', localisation: `Atelier ${n}`, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A technician profile for an existing user of role technicien. */
export async function insertTechnicien(db: Db, userId: number, values: Partial<Insertable<Database['techniciens']>> = {}): Promise<number> {
  const row = await db.insertInto('techniciens').values({ user_id: userId, ...values }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** A user row without a usable password (no hashing): for profiles and references that never log in. */
export async function insertUserRow(db: Db, role: Role = 'technicien', values: { isActive?: boolean; fullName?: string } = {}): Promise<number> {
  const n = next();
  const username = `fixture.${role}.${n}.${process.pid}`;
  const row = await db
    .insertInto('users')
    .values({
      username,
      full_name: values.fullName ?? `Fixture ${n}`,
      email: `${username}@exemple.test`,
      hashed_password: 'not-a-hash',
      role,
      client_id: null,
      ...(values.isActive === undefined ? {} : { is_active: values.isActive }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertCompetence(db: Db, nom: string, domaine = 'general'): Promise<number> {
  const row = await db.insertInto('competences').values({ nom, domaine }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertIntervention(db: Db, equipementId: number, values: Partial<Insertable<Database['interventions']>> = {}): Promise<number> {
  const n = next();
  const row = await db
    .insertInto('interventions')
    .values({ titre: `Intervention ${n}`, type_intervention: 'corrective', equipement_id: equipementId, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
