/**
 * SQL of the intervention module. Lists run two statements: a count on `interventions` alone (every
 * filter is a column of that table, so no join is needed to count) and the page, which joins the
 * technician's user and the equipment for `technicien_nom` / `equipement_nom`. The filters and sort
 * keys map to the indexes (statut, priorite), (technicien_id, statut), (client_id, statut),
 * (date_creation) and the partial (date_limite) index of active rows.
 */
import { sql, type AliasedSelectQueryBuilder, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import {
  PRIORITE_VALUES,
  STATUT_INTERVENTION_VALUES,
  STATUTS_INTERVENTION_ACTIFS,
  type Database,
  type InterventionsTable,
  type Priorite,
  type StatutEquipement,
  type StatutIntervention,
  type TypeIntervention,
} from '../../db/schema.js';
import { containsPattern, type SortSpec, type SortTerm } from '../../lib/listing.js';
import type { InterventionScope } from './policy.js';

type Db = Kysely<Database>;

// --- lists ---------------------------------------------------------------------------------------

export interface InterventionFilters {
  statuts?: StatutIntervention[];
  priorites?: Priorite[];
  types?: TypeIntervention[];
  urgence?: boolean;
  technicienId?: number;
  equipementId?: number;
  clientId?: number;
  contratId?: number;
  planningId?: number;
  enRetard?: boolean;
  dateCreationMin?: Date;
  dateCreationMax?: Date;
  dateLimiteMax?: Date;
  q?: string;
}

function enumRank(values: readonly string[], column: string) {
  return sql<number>`array_position(array[${sql.join(values.map((v) => sql.lit(v)))}]::text[], ${sql.ref(column)})`;
}

/** Sort keys; `priorite` and `statut` follow the order of their enumeration (domain.md §2), not the alphabet. */
export const INTERVENTION_SORT: SortSpec = {
  fields: {
    id: 'i.id',
    date_creation: 'i.date_creation',
    date_limite: 'i.date_limite',
    priorite: enumRank(PRIORITE_VALUES, 'i.priorite'),
    statut: enumRank(STATUT_INTERVENTION_VALUES, 'i.statut'),
    updated_at: 'i.updated_at',
  },
  defaultSort: '-date_creation',
  idColumn: 'i.id',
};

/**
 * Sort keys that can be null: sorted NULLS LAST in both directions. The others are NOT NULL and
 * sorted without a NULLS clause, so that `ORDER BY date_creation DESC` can read its index backwards.
 */
const NULLABLE_SORT_FIELDS = new Set(['date_limite']);

const ACTIVE = [...STATUTS_INTERVENTION_ACTIFS];

function baseQuery(db: Db) {
  return db.selectFrom('interventions as i');
}
type BaseQuery = ReturnType<typeof baseQuery>;

/** The caller's scope and the filters, combined with AND, on `interventions` alone. */
export function filterInterventions(db: Db, scope: InterventionScope, filters: InterventionFilters, now: Date): BaseQuery {
  let q = baseQuery(db);
  if (scope.kind === 'technicien') q = q.where('i.technicien_id', '=', scope.technicienId ?? -1);
  if (scope.kind === 'client') q = q.where('i.client_id', '=', scope.clientId ?? -1);
  if (filters.statuts && filters.statuts.length > 0) q = q.where('i.statut', 'in', filters.statuts);
  if (filters.priorites && filters.priorites.length > 0) q = q.where('i.priorite', 'in', filters.priorites);
  if (filters.types && filters.types.length > 0) q = q.where('i.type_intervention', 'in', filters.types);
  if (filters.urgence !== undefined) q = q.where('i.urgence', '=', filters.urgence);
  if (filters.technicienId !== undefined) q = q.where('i.technicien_id', '=', filters.technicienId);
  if (filters.equipementId !== undefined) q = q.where('i.equipement_id', '=', filters.equipementId);
  if (filters.clientId !== undefined) q = q.where('i.client_id', '=', filters.clientId);
  if (filters.contratId !== undefined) q = q.where('i.contrat_id', '=', filters.contratId);
  if (filters.planningId !== undefined) q = q.where('i.planning_id', '=', filters.planningId);
  if (filters.enRetard === true) {
    // Same predicate as the partial index interventions_date_limite_active_idx.
    q = q.where('i.statut', 'in', ACTIVE).where('i.date_limite', '<', now);
  } else if (filters.enRetard === false) {
    q = q.where((eb) => eb.or([eb('i.statut', 'not in', ACTIVE), eb('i.date_limite', 'is', null), eb('i.date_limite', '>=', now)]));
  }
  if (filters.dateCreationMin) q = q.where('i.date_creation', '>=', filters.dateCreationMin);
  if (filters.dateCreationMax) q = q.where('i.date_creation', '<=', filters.dateCreationMax);
  if (filters.dateLimiteMax) q = q.where('i.date_limite', '<=', filters.dateLimiteMax);
  if (filters.q !== undefined && filters.q.trim() !== '') {
    const pattern = containsPattern(filters.q.trim());
    q = q.where((eb) => eb.or([eb('i.titre', 'ilike', pattern), eb('i.description', 'ilike', pattern)]));
  }
  return q;
}

/**
 * The columns of InterventionOut (before the computed `en_retard` and the role's filtering), for
 * the intervention rows of `rows` (a subquery aliased `i`): the joins run on those rows only, so a
 * page joins 50 rows whatever its offset.
 */
function withOutColumns(db: Db, rows: AliasedSelectQueryBuilder<InterventionRowFull, 'i'>) {
  return db
    .selectFrom(rows)
    .leftJoin('techniciens as t', 't.id', 'i.technicien_id')
    .leftJoin('users as tu', 'tu.id', 't.user_id')
    .leftJoin('equipements as e', 'e.id', 'i.equipement_id')
    .select([
      'i.id',
      'i.titre',
      'i.description',
      'i.type_intervention',
      'i.statut',
      'i.priorite',
      'i.urgence',
      'i.date_limite',
      'i.date_creation',
      'i.date_cloture',
      'i.technicien_id',
      'i.equipement_id',
      'i.date_affectation',
      'i.date_debut_travaux',
      'i.date_fin_travaux',
      'i.date_archivage',
      'i.duree_estimee',
      'i.duree_reelle',
      'i.cout_estime',
      'i.cout_reel',
      'i.rapport_intervention',
      'i.travaux_realises',
      'i.recommandations',
      'i.created_by_id',
      'i.client_id',
      'i.contrat_id',
      'i.planning_id',
      'tu.full_name as technicien_nom',
      'e.nom as equipement_nom',
      'i.updated_at',
    ]);
}

export type InterventionOutRow = Awaited<ReturnType<ReturnType<typeof withOutColumns>['executeTakeFirstOrThrow']>>;

/** True when the filters are at most a status list: the total is then the sum of the status counters. */
function countableFromCounters(scope: InterventionScope, filters: InterventionFilters): boolean {
  if (scope.kind !== 'all') return false;
  return Object.entries(filters).every(([key, value]) => value === undefined || key === 'statuts');
}

export async function countInterventions(db: Db, scope: InterventionScope, filters: InterventionFilters, now: Date): Promise<number> {
  if (countableFromCounters(scope, filters)) {
    let counters = db.selectFrom('intervention_status_counts').select(sql<string>`coalesce(sum(total), 0)`.as('total'));
    if (filters.statuts && filters.statuts.length > 0) counters = counters.where('statut', 'in', filters.statuts);
    const totals = await counters.executeTakeFirstOrThrow();
    return Number(totals.total);
  }
  const row = await filterInterventions(db, scope, filters, now)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** ORDER BY for the sort terms; the expressions name `i.<column>`, valid inside and outside the page subquery. */
function orderBySort<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, sort: SortTerm[]): SelectQueryBuilder<DB, TB, O> {
  let ordered = query;
  for (const term of sort) {
    const expression = typeof term.column === 'string' ? sql.ref(term.column) : term.column;
    const nullable = NULLABLE_SORT_FIELDS.has(term.field);
    ordered = ordered.orderBy(expression, (ob) => {
      const direction = term.direction === 'desc' ? ob.desc() : ob.asc();
      return nullable ? direction.nullsLast() : direction;
    });
  }
  return ordered;
}

/**
 * A page: the filtered, sorted, limited rows of `interventions` alone (an index scan for the
 * default sort), then the joins for those rows, sorted again (a sort of `limit` rows).
 */
export async function pageInterventions(
  db: Db,
  scope: InterventionScope,
  filters: InterventionFilters,
  now: Date,
  page: { limit: number; offset: number; sort: SortTerm[] },
): Promise<InterventionOutRow[]> {
  const rows = orderBySort(filterInterventions(db, scope, filters, now).selectAll('i'), page.sort).limit(page.limit).offset(page.offset);
  return orderBySort(withOutColumns(db, rows.as('i')), page.sort).execute();
}

export async function findInterventionOut(db: Db, id: number): Promise<InterventionOutRow | undefined> {
  return withOutColumns(db, baseQuery(db).selectAll('i').where('i.id', '=', id).as('i')).executeTakeFirst();
}

// --- single rows for writes ----------------------------------------------------------------------

export type InterventionRowFull = Selectable<InterventionsTable>;

/** The row a write works on, locked (FOR UPDATE) until the end of the transaction. */
export async function lockIntervention(db: Db, id: number): Promise<InterventionRowFull | undefined> {
  return db.selectFrom('interventions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The scope columns of an intervention, without a lock (reads and the pre-checks of writes). */
export async function findInterventionScope(
  db: Db,
  id: number,
): Promise<{ id: number; statut: StatutIntervention; technicien_id: number | null; client_id: number | null } | undefined> {
  return db.selectFrom('interventions').select(['id', 'statut', 'technicien_id', 'client_id']).where('id', '=', id).executeTakeFirst();
}

export interface NewInterventionValues {
  titre: string;
  description: string | null;
  type_intervention: TypeIntervention;
  statut: StatutIntervention;
  priorite: Priorite;
  urgence: boolean;
  date_limite: Date | null;
  technicien_id: number | null;
  equipement_id: number;
  created_by_id: number | null;
  client_id: number | null;
  contrat_id: number | null;
  date_creation: Date;
  date_affectation: Date | null;
  updated_at: Date;
}

export async function insertIntervention(db: Db, values: NewInterventionValues): Promise<number> {
  const row = await db.insertInto('interventions').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export type InterventionChanges = Partial<
  Pick<
    InterventionRowFull,
    | 'titre'
    | 'description'
    | 'type_intervention'
    | 'statut'
    | 'priorite'
    | 'urgence'
    | 'date_limite'
    | 'date_affectation'
    | 'date_debut_travaux'
    | 'date_fin_travaux'
    | 'date_cloture'
    | 'date_archivage'
    | 'duree_estimee'
    | 'duree_reelle'
    | 'cout_estime'
    | 'cout_reel'
    | 'rapport_intervention'
    | 'travaux_realises'
    | 'recommandations'
    | 'equipement_id'
    | 'technicien_id'
    | 'client_id'
    | 'contrat_id'
  >
> & { updated_at: Date };

/**
 * Updates the row only while it still has `expectedStatut` (the compare-and-set of a transition);
 * returns false when another change got there first.
 */
export async function updateIntervention(db: Db, id: number, expectedStatut: StatutIntervention, changes: InterventionChanges): Promise<boolean> {
  const result = await db.updateTable('interventions').set(changes).where('id', '=', id).where('statut', '=', expectedStatut).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// --- history -------------------------------------------------------------------------------------

export interface NewHistorique {
  interventionId: number;
  statutPrecedent: StatutIntervention | null;
  statut: StatutIntervention;
  remarque: string | null;
  userId: number | null;
  horodatage: Date;
}

export async function insertHistorique(db: Db, row: NewHistorique): Promise<void> {
  await db
    .insertInto('historiques_interventions')
    .values({
      intervention_id: row.interventionId,
      statut_precedent: row.statutPrecedent,
      statut: row.statut,
      remarque: row.remarque === null ? null : row.remarque.slice(0, 1000),
      user_id: row.userId,
      horodatage: row.horodatage,
    })
    .execute();
}

export const HISTORIQUE_SORT: SortSpec = {
  fields: { horodatage: 'h.horodatage', id: 'h.id' },
  defaultSort: 'horodatage',
  idColumn: 'h.id',
};

function historiqueQuery(db: Db, interventionId: number) {
  return db.selectFrom('historiques_interventions as h').where('h.intervention_id', '=', interventionId);
}

export async function countHistorique(db: Db, interventionId: number): Promise<number> {
  const row = await historiqueQuery(db, interventionId)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function pageHistorique(db: Db, interventionId: number, page: { limit: number; offset: number; sort: SortTerm[] }) {
  let query = historiqueQuery(db, interventionId)
    .leftJoin('users as u', 'u.id', 'h.user_id')
    .select(['h.id', 'h.intervention_id', 'h.statut_precedent', 'h.statut', 'h.remarque', 'h.user_id', 'u.full_name as user_nom', 'h.horodatage']);
  for (const term of page.sort) {
    const expression = typeof term.column === 'string' ? sql.ref(term.column) : term.column;
    query = query.orderBy(expression, (ob) => (term.direction === 'desc' ? ob.desc() : ob.asc()));
  }
  return query.limit(page.limit).offset(page.offset).execute();
}

// --- related rows (direct reads: other modules own these tables) ----------------------------------

export interface TechnicienRef {
  id: number;
  userId: number;
  fullName: string;
}

/** An assignable technician: its profile and its user are both active. */
export async function findAssignableTechnicien(db: Db, id: number): Promise<TechnicienRef | undefined> {
  const row = await db
    .selectFrom('techniciens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 'u.full_name'])
    .where('t.id', '=', id)
    .where('t.is_active', '=', true)
    .where('u.is_active', '=', true)
    .executeTakeFirst();
  return row ? { id: row.id, userId: row.user_id, fullName: row.full_name } : undefined;
}

/** Any technician, active or not (the previous technician of a reassignment, the one to notify). */
export async function findTechnicienUser(db: Db, id: number): Promise<{ userId: number; fullName: string; userActive: boolean } | undefined> {
  const row = await db
    .selectFrom('techniciens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.user_id', 'u.full_name', 'u.is_active'])
    .where('t.id', '=', id)
    .executeTakeFirst();
  return row ? { userId: row.user_id, fullName: row.full_name, userActive: row.is_active } : undefined;
}

export interface EquipementRef {
  id: number;
  nom: string;
  statut: StatutEquipement;
  clientId: number | null;
  contratId: number | null;
}

/** The equipment, locked in share mode so that it cannot be deleted or moved to another client mid-transaction. */
export async function findEquipement(db: Db, id: number): Promise<EquipementRef | undefined> {
  const row = await db
    .selectFrom('equipements')
    .select(['id', 'nom', 'statut', 'client_id', 'contrat_id'])
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
  return row ? { id: row.id, nom: row.nom, statut: row.statut, clientId: row.client_id, contratId: row.contrat_id } : undefined;
}

export async function findClientName(db: Db, clientId: number): Promise<string | undefined> {
  const row = await db.selectFrom('clients').select('nom_entreprise').where('id', '=', clientId).executeTakeFirst();
  return row?.nom_entreprise;
}

export async function activeResponsableIds(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('users').select('id').where('role', '=', 'responsable').where('is_active', '=', true).orderBy('id').execute();
  return rows.map((row) => row.id);
}

export async function activeClientUserIds(db: Db, clientId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'client')
    .where('client_id', '=', clientId)
    .where('is_active', '=', true)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The subset of `ids` that are active users. */
export async function activeUserIds(db: Db, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).where('is_active', '=', true).execute();
  return rows.map((row) => row.id);
}

/** A unique, foreign-key or check violation (a race lost after the pre-checks). */
export function constraintViolation(error: unknown): { code: '23505' | '23503' | '23514'; constraint: string } | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !['23505', '23503', '23514'].includes(e.code)) return null;
  return { code: e.code as '23505' | '23503' | '23514', constraint: typeof e.constraint === 'string' ? e.constraint : '' };
}
