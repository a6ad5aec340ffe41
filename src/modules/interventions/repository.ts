/**
 * SQL of the intervention module on its own tables, `interventions` and `historiques_interventions`
 * (the reads of other modules' rows are in parties-repository.ts). Lists run two statements: a
 * count on `interventions` alone (every filter is a column of that table, so no join is needed to
 * count) and the page, which joins the technician's user and the equipment for `technicien_nom` /
 * `equipement_nom`. The filters and sort keys map to the indexes (statut, priorite),
 * (technicien_id, statut), (client_id, statut), (date_creation) and the partial (date_limite) index
 * of active rows.
 */
import { sql, type AliasedSelectQueryBuilder, type InferResult, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import {
  PRIORITE_VALUES,
  STATUT_INTERVENTION_VALUES,
  STATUTS_INTERVENTION_ACTIFS,
  type Database,
  type InterventionsTable,
  type Priorite,
  type StatutIntervention,
  type TypeIntervention,
} from '../../db/schema.js';
import { preparedStatement } from '../../db/prepared.js';
import type { Executor } from '../../db/store.js';
import { carryPrincipal, principalFromJson, type Principal } from '../auth/repository.js';
import { AppError } from '../../lib/errors.js';
import { containsPattern, type SortSpec, type SortTerm } from '../../lib/listing.js';
import { INTERVENTION_MESSAGES, type InterventionScope } from './policy.js';
import { TRANSITION_MESSAGES } from './state-machine.js';

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

/** Sort keys; `priorite` and `statut` follow the order of their enumeration (docs/domain.md §2), not the alphabet. */
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

export const HISTORIQUE_SORT: SortSpec = {
  fields: { horodatage: 'h.horodatage', id: 'h.id' },
  defaultSort: 'horodatage',
  idColumn: 'h.id',
};

/** Races lost after the pre-checks (a technician or an equipment deleted meanwhile) get the pre-check's answer. */
export const INTERVENTION_CONSTRAINT_ERRORS: ConstraintErrors = {
  interventions_technicien_id_fkey: () => AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound),
  interventions_equipement_id_fkey: () => AppError.notFound(INTERVENTION_MESSAGES.equipementNotFound),
  interventions_technicien_required_check: () => AppError.conflict(TRANSITION_MESSAGES.technicienRequired),
};

/**
 * Sort keys that can be null: sorted NULLS LAST in both directions. The others are NOT NULL and
 * sorted without a NULLS clause, so that `ORDER BY date_creation DESC` can read its index backwards
 * (which is why the list does not use selectPage, whose sort always says NULLS LAST).
 */
const NULLABLE_SORT_FIELDS = new Set(['date_limite']);

const ACTIVE = [...STATUTS_INTERVENTION_ACTIFS];

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

/** True when the filters are at most a status list: the total is then the sum of the status counters. */
function countableFromCounters(scope: InterventionScope, filters: InterventionFilters): boolean {
  if (scope.kind !== 'all') return false;
  return Object.entries(filters).every(([key, value]) => value === undefined || key === 'statuts');
}

export type InterventionRowFull = Selectable<InterventionsTable>;

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

/** The scope columns of an intervention (reads and the pre-checks of writes). */
export interface InterventionScopeRow {
  id: number;
  statut: StatutIntervention;
  technicien_id: number | null;
  client_id: number | null;
}

export interface NewHistorique {
  interventionId: number;
  statutPrecedent: StatutIntervention | null;
  statut: StatutIntervention;
  remarque: string | null;
  userId: number | null;
  horodatage: Date;
}

export class InterventionsRepository {
  constructor(private readonly db: Executor) {}

  // --- lists -------------------------------------------------------------------------------------

  /** The page and the total in scope: two statements in parallel, whatever the page size. */
  async page(scope: InterventionScope, filters: InterventionFilters, now: Date, page: PageOptions): Promise<Page<InterventionOutRow>> {
    const [total, rows] = await Promise.all([this.count(scope, filters, now), this.pageRows(scope, filters, now, page)]);
    return { rows, total };
  }

  /** Every intervention by status, from the trigger-kept counters (interventions_current, docs/operations.md §9). */
  async countByStatus(): Promise<Partial<Record<StatutIntervention, number>>> {
    const rows = await this.db.selectFrom('intervention_status_counts').select(['statut', sql<string>`sum(total)`.as('total')]).groupBy('statut').execute();
    return Object.fromEntries(rows.map((row) => [row.statut, Number(row.total)]));
  }

  async count(scope: InterventionScope, filters: InterventionFilters, now: Date): Promise<number> {
    if (countableFromCounters(scope, filters)) {
      let counters = this.db.selectFrom('intervention_status_counts').select(sql<string>`coalesce(sum(total), 0)`.as('total'));
      if (filters.statuts && filters.statuts.length > 0) counters = counters.where('statut', 'in', filters.statuts);
      const totals = await counters.executeTakeFirstOrThrow();
      return Number(totals.total);
    }
    const row = await this.filtered(scope, filters, now)
      .select((eb) => eb.fn.countAll<string>().as('total'))
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /**
   * A page: the filtered, sorted, limited rows of `interventions` alone (an index scan for the
   * default sort), then the joins for those rows, sorted again (a sort of `limit` rows).
   */
  async pageRows(scope: InterventionScope, filters: InterventionFilters, now: Date, page: PageOptions): Promise<InterventionOutRow[]> {
    const rows = orderBySort(this.filtered(scope, filters, now).selectAll('i'), page.sort).limit(page.limit).offset(page.offset);
    return orderBySort(outColumns(this.db, rows.as('i')), page.sort).execute();
  }

  async findOut(id: number): Promise<InterventionOutRow | undefined> {
    const [row] = await outStatement(this.db, id);
    return row;
  }

  /**
   * `findOut` and the caller's principal in one statement, for GET /interventions/{id}: the read
   * does not depend on the caller, so the authentication read rides along (docs/decisions.md
   * "Per-request cost"). `principal` is null when the token's user does not exist.
   */
  async findOutCarryingPrincipal(userId: number, sessionId: string, id: number): Promise<{ principal: Principal | null; row: InterventionOutRow | undefined }> {
    const [first] = await outCarryingPrincipalStatement(this.db, userId, sessionId, id);
    if (!first) return { principal: null, row: undefined };
    const { principal, ...row } = first;
    return { principal: principalFromJson(principal), row: row.id === null ? undefined : (row as InterventionOutRow) };
  }

  // --- single rows for writes --------------------------------------------------------------------

  /** The row a write works on, locked (FOR UPDATE) until the end of the transaction. */
  async lock(id: number): Promise<InterventionRowFull | undefined> {
    return this.db.selectFrom('interventions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** The scope columns, without a lock. */
  async findScope(id: number): Promise<InterventionScopeRow | undefined> {
    return this.db.selectFrom('interventions').select(['id', 'statut', 'technicien_id', 'client_id']).where('id', '=', id).executeTakeFirst();
  }

  async insert(values: NewInterventionValues): Promise<number> {
    const row = await this.db.insertInto('interventions').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Updates the row only while it still has `expectedStatut` (the compare-and-set of a transition);
   * returns false when another change got there first.
   */
  async update(id: number, expectedStatut: StatutIntervention, changes: InterventionChanges): Promise<boolean> {
    const result = await this.db.updateTable('interventions').set(changes).where('id', '=', id).where('statut', '=', expectedStatut).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  // --- history -----------------------------------------------------------------------------------

  async insertHistorique(row: NewHistorique): Promise<void> {
    await this.db
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

  /** The history rows with the author's name (null for the system). */
  async pageHistorique(interventionId: number, page: PageOptions) {
    const query = this.db
      .selectFrom('historiques_interventions as h')
      .leftJoin('users as u', 'u.id', 'h.user_id')
      .select(['h.id', 'h.intervention_id', 'h.statut_precedent', 'h.statut', 'h.remarque', 'h.user_id', 'u.full_name as user_nom', 'h.horodatage'])
      .where('h.intervention_id', '=', interventionId);
    return selectPage(query, page);
  }

  // --- query parts -------------------------------------------------------------------------------

  /** The caller's scope and the filters, combined with AND, on `interventions` alone. */
  private filtered(scope: InterventionScope, filters: InterventionFilters, now: Date) {
    let q = this.db.selectFrom('interventions as i');
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
}

/**
 * The columns of InterventionOut (before the computed `en_retard` and the role's filtering), for
 * the intervention rows of `rows` (a subquery aliased `i`): the joins run on those rows only, so a
 * page joins 50 rows whatever its offset.
 */
function outColumns(db: Kysely<Database>, rows: AliasedSelectQueryBuilder<InterventionRowFull, 'i'>) {
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

function selectOne(db: Kysely<Database>, id: number) {
  return db.selectFrom('interventions as i').selectAll('i').where('i.id', '=', id).as('i');
}

/** Prepared statements (src/db/prepared.ts): compiled once, planned once per connection. */
const outStatement = preparedStatement([-1] as [number], (db, id) => outColumns(db, selectOne(db, id)));
const outCarryingPrincipalStatement = preparedStatement([0, '00000000-0000-0000-0000-000000000000', -1] as [number, string, number], (db, userId, sessionId, id) =>
  carryPrincipal(db, userId, sessionId, outColumns(db, selectOne(db, id)).as('carried')),
);

export type InterventionOutRow = InferResult<ReturnType<typeof outColumns>>[number];
export type HistoriqueRow = Awaited<ReturnType<InterventionsRepository['pageHistorique']>>['rows'][number];
