/**
 * Every SQL query of the equipment module. Client and contract lookups read those tables directly
 * (the clients module is not a dependency of this one).
 */
import { sql, type Kysely } from 'kysely';
import type { Criticite, Database, EquipementUpdate, NewEquipement, StatutEquipement } from '../../db/schema.js';
import { CRITICITE_VALUES, STATUT_EQUIPEMENT_VALUES } from '../../db/schema.js';
import { containsPattern, type SortSpec } from '../../lib/listing.js';
import type { EquipementScope } from './policy.js';

type Db = Kysely<Database>;

/** The columns of EquipementOut, under the stored names (the service maps them). */
export function selectEquipements(db: Db) {
  return db
    .selectFrom('equipements as e')
    .select([
      'e.id',
      'e.nom',
      'e.type_equipement',
      'e.localisation',
      'e.frequence_entretien_jours',
      'e.numero_serie',
      'e.code_interne',
      'e.marque',
      'e.modele',
      'e.batiment',
      'e.etage',
      'e.zone',
      'e.statut',
      'e.criticite',
      'e.description',
      'e.date_mise_en_service',
      'e.date_fin_garantie',
      'e.cout_acquisition',
      'e.client_id',
      'e.contrat_id',
      'e.created_at',
      'e.updated_at',
    ]);
}

export type EquipementsQuery = ReturnType<typeof selectEquipements>;
export type EquipementRecord = Awaited<ReturnType<EquipementsQuery['executeTakeFirstOrThrow']>>;

export interface EquipementFilters {
  statuts?: StatutEquipement[];
  criticites?: Criticite[];
  /** Exact type, case-insensitive. */
  type?: string;
  clientId?: number;
  contratId?: number;
  /** Substring of localisation, case-insensitive. */
  localisation?: string;
  /** Substring of nom, numero_serie or code_interne, case-insensitive. */
  q?: string;
}

/** Restricts a query to the rows a caller may read (policy.equipementReadScope). */
export function scopeEquipements(query: EquipementsQuery, scope: EquipementScope): EquipementsQuery {
  if (scope.kind === 'all') return query;
  if (scope.kind === 'none') return query.where(sql<boolean>`false`);
  return query.where('e.client_id', '=', scope.clientId);
}

/** The filters of GET /equipements/, combined with AND. */
export function filterEquipements(query: EquipementsQuery, filters: EquipementFilters): EquipementsQuery {
  let q = query;
  if (filters.statuts && filters.statuts.length > 0) q = q.where('e.statut', 'in', filters.statuts);
  if (filters.criticites && filters.criticites.length > 0) q = q.where('e.criticite', 'in', filters.criticites);
  if (filters.type !== undefined) q = q.where(sql`lower(e.type_equipement)`, '=', filters.type.toLowerCase());
  if (filters.clientId !== undefined) q = q.where('e.client_id', '=', filters.clientId);
  if (filters.contratId !== undefined) q = q.where('e.contrat_id', '=', filters.contratId);
  if (filters.localisation !== undefined) q = q.where('e.localisation', 'ilike', containsPattern(filters.localisation));
  if (filters.q !== undefined) {
    const pattern = containsPattern(filters.q);
    q = q.where((eb) => eb.or([eb('e.nom', 'ilike', pattern), eb('e.numero_serie', 'ilike', pattern), eb('e.code_interne', 'ilike', pattern)]));
  }
  return q;
}

/** Rank of a value in its enum list, so that `sort=statut` / `sort=criticite` follow domain.md §2's order. */
function enumRank(column: string, values: readonly string[]) {
  return sql`array_position(${sql.val([...values])}::text[], ${sql.ref(column)})`;
}

export const EQUIPEMENT_SORT: SortSpec = {
  fields: {
    id: 'e.id',
    nom: sql`lower(e.nom)`,
    statut: enumRank('e.statut', STATUT_EQUIPEMENT_VALUES),
    criticite: enumRank('e.criticite', CRITICITE_VALUES),
    created_at: 'e.created_at',
  },
  defaultSort: 'id',
  idColumn: 'e.id',
};

export async function findEquipement(db: Db, id: number): Promise<EquipementRecord | undefined> {
  return selectEquipements(db).where('e.id', '=', id).executeTakeFirst();
}

/** The row an update or a deletion works on, locked until the end of the transaction. */
export async function lockEquipement(db: Db, id: number): Promise<EquipementRecord | undefined> {
  return selectEquipements(db).where('e.id', '=', id).forUpdate().executeTakeFirst();
}

/** Another equipment with the same name, ignoring case (the unique index is on lower(nom)). */
export async function nomTaken(db: Db, nom: string, exceptId: number | null): Promise<boolean> {
  let query = db.selectFrom('equipements').select('id').where(sql`lower(nom)`, '=', sql`lower(${nom})`);
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function numeroSerieTaken(db: Db, numeroSerie: string, exceptId: number | null): Promise<boolean> {
  let query = db.selectFrom('equipements').select('id').where('numero_serie', '=', numeroSerie);
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function codeInterneTaken(db: Db, codeInterne: string, exceptId: number | null): Promise<boolean> {
  let query = db.selectFrom('equipements').select('id').where('code_interne', '=', codeInterne);
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Whether the client exists; the row is share-locked so that it cannot be deleted before commit. */
export async function clientExists(db: Db, clientId: number): Promise<boolean> {
  const row = await db.selectFrom('clients').select('id').where('id', '=', clientId).forKeyShare().executeTakeFirst();
  return row !== undefined;
}

/** The contract's client, or undefined when the contract does not exist; share-locked until commit. */
export async function findContratClient(db: Db, contratId: number): Promise<number | undefined> {
  const row = await db.selectFrom('contrats').select('client_id').where('id', '=', contratId).forShare().executeTakeFirst();
  return row?.client_id;
}

export async function insertEquipement(db: Db, values: NewEquipement): Promise<number> {
  const row = await db.insertInto('equipements').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateEquipement(db: Db, id: number, changes: EquipementUpdate): Promise<void> {
  await db.updateTable('equipements').set(changes).where('id', '=', id).execute();
}

export async function countInterventions(db: Db, equipementId: number): Promise<number> {
  const row = await db
    .selectFrom('interventions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('equipement_id', '=', equipementId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countPlannings(db: Db, equipementId: number): Promise<number> {
  const row = await db
    .selectFrom('plannings')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('equipement_id', '=', equipementId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes the equipment; its plannings go with it (FK ON DELETE CASCADE). */
export async function deleteEquipement(db: Db, id: number): Promise<void> {
  await db.deleteFrom('equipements').where('id', '=', id).execute();
}

/** The PostgreSQL error of a unique / foreign-key / check violation, with its constraint name. */
export function constraintViolation(error: unknown): { code: '23505' | '23503' | '23514'; constraint: string } | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !['23505', '23503', '23514'].includes(e.code)) return null;
  return { code: e.code as '23505' | '23503' | '23514', constraint: typeof e.constraint === 'string' ? e.constraint : '' };
}
