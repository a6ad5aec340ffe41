/**
 * Every SQL statement of the technicians and skills module. Lists load a page of technicians, then
 * the users and the skills of the whole page in one query each (no N+1).
 */
import { sql, type Kysely } from 'kysely';
import {
  STATUTS_INTERVENTION_ACTIFS,
  type Database,
  type Disponibilite,
  type Niveau,
  type Role,
} from '../../db/schema.js';
import { containsPattern, type SortSpec } from '../../lib/listing.js';
import { selectUserOut } from '../users/repository.js';

type Db = Kysely<Database>;

// --- technicians ---------------------------------------------------------------------------------

/** Sort fields of GET /techniciens/ (api.md §4.3); nulls last, ties by id. */
export const TECHNICIEN_SORT: SortSpec = {
  fields: { id: 't.id', equipe: 't.equipe', disponibilite: 't.disponibilite' },
  defaultSort: 'id',
  idColumn: 't.id',
};

const TECHNICIEN_COLUMNS = [
  't.id',
  't.user_id',
  't.equipe',
  't.disponibilite',
  't.niveau_technicien',
  't.numero_badge',
  't.zone_intervention',
  't.telephone_urgence',
  't.astreinte',
  't.is_active',
] as const;

/** The technician columns of TechnicienOut (without the user and the skills). */
export function selectTechniciens(db: Db) {
  return db.selectFrom('techniciens as t').select(TECHNICIEN_COLUMNS);
}

export type TechniciensQuery = ReturnType<typeof selectTechniciens>;
export type TechnicienRow = Awaited<ReturnType<TechniciensQuery['executeTakeFirstOrThrow']>>;

export interface TechnicienFilters {
  equipe?: string;
  disponibilites?: Disponibilite[];
  competenceId?: number;
  isActive?: boolean;
}

/** The filters of GET /techniciens/, combined with AND (no join: `listPage` counts the same query). */
export function filterTechniciens(query: TechniciensQuery, filters: TechnicienFilters): TechniciensQuery {
  let q = query;
  if (filters.equipe !== undefined) q = q.where('t.equipe', '=', filters.equipe);
  if (filters.disponibilites && filters.disponibilites.length > 0) q = q.where('t.disponibilite', 'in', filters.disponibilites);
  if (filters.isActive !== undefined) q = q.where('t.is_active', '=', filters.isActive);
  if (filters.competenceId !== undefined) {
    const competenceId = filters.competenceId;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('technicien_competence as tc')
          .select(sql.lit(1).as('one'))
          .whereRef('tc.technicien_id', '=', 't.id')
          .where('tc.competence_id', '=', competenceId),
      ),
    );
  }
  return q;
}

export async function findTechnicien(db: Db, id: number): Promise<TechnicienRow | undefined> {
  return selectTechniciens(db).where('t.id', '=', id).executeTakeFirst();
}

/** The technician row a write works on, locked until the end of the transaction. */
export async function lockTechnicien(db: Db, id: number): Promise<TechnicienRow | undefined> {
  return selectTechniciens(db).where('t.id', '=', id).forUpdate().executeTakeFirst();
}

/** UserOut of each given user, in one query. */
export async function findUsersOut(db: Db, userIds: readonly number[]) {
  if (userIds.length === 0) return [];
  return selectUserOut(db).where('u.id', 'in', [...userIds]).execute();
}

export type UserOutRow = Awaited<ReturnType<typeof findUsersOut>>[number];

/** The skills of each given technician (CompetenceOut + technicien_id), in one query, by skill id. */
export async function findCompetencesOf(db: Db, technicienIds: readonly number[]) {
  if (technicienIds.length === 0) return [];
  return db
    .selectFrom('technicien_competence as tc')
    .innerJoin('competences as c', 'c.id', 'tc.competence_id')
    .select(['tc.technicien_id', 'c.id', 'c.nom', 'c.domaine', 'c.description'])
    .where('tc.technicien_id', 'in', [...technicienIds])
    .orderBy('tc.technicien_id')
    .orderBy('c.id')
    .execute();
}

/**
 * The user a profile is created for, with its role, share-locked so that a concurrent role change
 * (which locks the user FOR UPDATE and refuses when a profile exists) waits for this transaction.
 */
export async function lockUserForProfile(db: Db, userId: number): Promise<{ id: number; role: Role } | undefined> {
  return db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).forShare().executeTakeFirst();
}

export async function technicienIdOfUser(db: Db, userId: number): Promise<number | undefined> {
  const row = await db.selectFrom('techniciens').select('id').where('user_id', '=', userId).executeTakeFirst();
  return row?.id;
}

/** Whether another technician (not `exceptId`) already has this badge number. */
export async function badgeTaken(db: Db, badge: string, exceptId: number | null = null): Promise<boolean> {
  let query = db.selectFrom('techniciens').select('id').where('numero_badge', '=', badge);
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export interface TechnicienValues {
  equipe?: string | null;
  disponibilite?: Disponibilite;
  niveauTechnicien?: Niveau;
  numeroBadge?: string | null;
  zoneIntervention?: string | null;
  telephoneUrgence?: string | null;
  astreinte?: boolean;
  isActive?: boolean;
}

function technicienColumns(values: TechnicienValues) {
  return {
    ...(values.equipe !== undefined ? { equipe: values.equipe } : {}),
    ...(values.disponibilite !== undefined ? { disponibilite: values.disponibilite } : {}),
    ...(values.niveauTechnicien !== undefined ? { niveau_technicien: values.niveauTechnicien } : {}),
    ...(values.numeroBadge !== undefined ? { numero_badge: values.numeroBadge } : {}),
    ...(values.zoneIntervention !== undefined ? { zone_intervention: values.zoneIntervention } : {}),
    ...(values.telephoneUrgence !== undefined ? { telephone_urgence: values.telephoneUrgence } : {}),
    ...(values.astreinte !== undefined ? { astreinte: values.astreinte } : {}),
    ...(values.isActive !== undefined ? { is_active: values.isActive } : {}),
  };
}

export async function insertTechnicien(db: Db, userId: number, values: TechnicienValues, now: Date): Promise<number> {
  const row = await db
    .insertInto('techniciens')
    .values({ user_id: userId, ...technicienColumns(values), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Applies the given columns and sets updated_at. */
export async function updateTechnicien(db: Db, id: number, values: TechnicienValues, now: Date): Promise<void> {
  await db
    .updateTable('techniciens')
    .set({ ...technicienColumns(values), updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Which of the given skills exist; they are key-share locked so that none is deleted before the links are written. */
export async function existingCompetenceIds(db: Db, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('competences').select('id').where('id', 'in', [...ids]).forKeyShare().execute();
  return rows.map((row) => row.id);
}

export async function competenceIdsOf(db: Db, technicienId: number): Promise<number[]> {
  const rows = await db.selectFrom('technicien_competence').select('competence_id').where('technicien_id', '=', technicienId).execute();
  return rows.map((row) => row.competence_id);
}

/** New links with the default level (`intermediaire`), acquired `now`. */
export async function insertCompetenceLinks(db: Db, technicienId: number, competenceIds: readonly number[], now: Date): Promise<void> {
  if (competenceIds.length === 0) return;
  await db
    .insertInto('technicien_competence')
    .values(competenceIds.map((competenceId) => ({ technicien_id: technicienId, competence_id: competenceId, date_acquisition: now })))
    .execute();
}

export async function deleteCompetenceLinks(db: Db, technicienId: number, competenceIds: readonly number[]): Promise<void> {
  if (competenceIds.length === 0) return;
  await db.deleteFrom('technicien_competence').where('technicien_id', '=', technicienId).where('competence_id', 'in', [...competenceIds]).execute();
}

/** Interventions of this technician in an active status (domain.md §2), locked against concurrent changes. */
export async function countActiveInterventions(db: Db, technicienId: number): Promise<number> {
  const rows = await db
    .selectFrom('interventions')
    .select('id')
    .where('technicien_id', '=', technicienId)
    .where('statut', 'in', [...STATUTS_INTERVENTION_ACTIFS])
    .forUpdate()
    .execute();
  return rows.length;
}

export async function countInterventionsOf(db: Db, technicienId: number): Promise<number> {
  const row = await db
    .selectFrom('interventions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('technicien_id', '=', technicienId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes the profile; its skill links go by cascade, interventions and plannings lose the link (SET NULL). */
export async function deleteTechnicien(db: Db, id: number): Promise<void> {
  await db.deleteFrom('techniciens').where('id', '=', id).execute();
}

/**
 * For other modules (interventions, planning): a technician with its own and its user's active
 * flags, or undefined when unknown. The caller decides what "inactive" means for it.
 */
export async function findActiveTechnicien(
  db: Db,
  id: number,
): Promise<{ id: number; user_id: number; is_active: boolean; user_active: boolean } | undefined> {
  return db
    .selectFrom('techniciens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 't.is_active', 'u.is_active as user_active'])
    .where('t.id', '=', id)
    .executeTakeFirst();
}

// --- skills --------------------------------------------------------------------------------------

/** Sort fields of GET /techniciens/competences; the name sorts case-insensitively. */
export const COMPETENCE_SORT: SortSpec = {
  fields: { id: 'c.id', nom: sql`lower(c.nom)` },
  defaultSort: 'id',
  idColumn: 'c.id',
};

/** CompetenceOut columns. */
export function selectCompetences(db: Db) {
  return db.selectFrom('competences as c').select(['c.id', 'c.nom', 'c.domaine', 'c.description']);
}

export type CompetencesQuery = ReturnType<typeof selectCompetences>;
export type CompetenceRow = Awaited<ReturnType<CompetencesQuery['executeTakeFirstOrThrow']>>;

/** `q`: case-insensitive substring of the name or the domain. */
export function filterCompetences(query: CompetencesQuery, filters: { q?: string }): CompetencesQuery {
  const search = filters.q?.trim();
  if (!search) return query;
  const pattern = containsPattern(search);
  return query.where((eb) => eb.or([eb('c.nom', 'ilike', pattern), eb('c.domaine', 'ilike', pattern)]));
}

export async function findCompetence(db: Db, id: number): Promise<CompetenceRow | undefined> {
  return selectCompetences(db).where('c.id', '=', id).executeTakeFirst();
}

export async function lockCompetence(db: Db, id: number): Promise<CompetenceRow | undefined> {
  return selectCompetences(db).where('c.id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Serialises skill creations and renames for the rest of the transaction, so that the name check
 * (done in the application, see `isDuplicateCompetenceName`) cannot be raced.
 */
export async function lockCompetenceNames(db: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('mif-erp:competences-nom'))`.execute(db);
}

/** Every skill's id and name (a small catalogue), for the case-insensitive uniqueness check. */
export async function competenceNames(db: Db): Promise<{ id: number; nom: string }[]> {
  return db.selectFrom('competences').select(['id', 'nom']).execute();
}

export async function insertCompetence(db: Db, values: { nom: string; domaine: string; description: string | null }, now: Date): Promise<CompetenceRow> {
  return db
    .insertInto('competences')
    .values({ nom: values.nom, domaine: values.domaine, description: values.description, created_at: now, updated_at: now })
    .returning(['id', 'nom', 'domaine', 'description'])
    .executeTakeFirstOrThrow();
}

export async function updateCompetence(
  db: Db,
  id: number,
  values: { nom?: string; domaine?: string; description?: string | null },
  now: Date,
): Promise<CompetenceRow> {
  return db
    .updateTable('competences')
    .set({
      ...(values.nom !== undefined ? { nom: values.nom } : {}),
      ...(values.domaine !== undefined ? { domaine: values.domaine } : {}),
      ...(values.description !== undefined ? { description: values.description } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .returning(['id', 'nom', 'domaine', 'description'])
    .executeTakeFirstOrThrow();
}

export async function countCompetenceLinks(db: Db, competenceId: number): Promise<number> {
  const row = await db
    .selectFrom('technicien_competence')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('competence_id', '=', competenceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes the skill; its technician links go by cascade. */
export async function deleteCompetence(db: Db, id: number): Promise<void> {
  await db.deleteFrom('competences').where('id', '=', id).execute();
}

// --- errors --------------------------------------------------------------------------------------

/** The Postgres error of a unique / foreign-key / check violation, with its constraint name. */
export function constraintViolation(error: unknown): { code: '23505' | '23503' | '23514'; constraint: string } | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !['23505', '23503', '23514'].includes(e.code)) return null;
  return { code: e.code as '23505' | '23503' | '23514', constraint: typeof e.constraint === 'string' ? e.constraint : '' };
}
