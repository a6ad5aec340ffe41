/** Every SQL statement of preventive planning, its sort allow-list and its constraint → error table. */
import type { Updateable } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type PageOptions } from '../../db/paging.js';
import { STATUTS_INTERVENTION_ACTIFS, type Database, type Frequence, type Priorite, type StatutPlanning } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import type { SortSpec } from '../../lib/listing.js';
import { PLANNING_MESSAGES } from './policy.js';

export const PLANNING_SORT: SortSpec = {
  fields: { id: 'p.id', prochaine_date: 'p.prochaine_date' },
  defaultSort: 'id',
  idColumn: 'p.id',
};

/** A foreign key that vanished between the service's check and the write: the check's 404. */
export const PLANNING_CONSTRAINT_ERRORS: ConstraintErrors = {
  plannings_equipement_id_fkey: () => AppError.notFound(PLANNING_MESSAGES.equipementNotFound),
  plannings_technicien_id_fkey: () => AppError.notFound(PLANNING_MESSAGES.technicienNotFound),
};

const PLANNING_OUT_COLUMNS = [
  'p.id',
  'p.frequence',
  'p.prochaine_date',
  'p.derniere_date',
  'p.equipement_id',
  'p.date_creation',
  'p.statut',
  'p.commentaire',
  'p.is_active',
  'p.technicien_id',
  'p.priorite',
  'p.date_modification',
] as const;

export interface PlanningFilters {
  equipementId?: number;
  statuts?: StatutPlanning[];
  frequences?: Frequence[];
  technicienId?: number;
  prochaineDateMax?: Date;
}

export interface NewPlanning {
  equipementId: number;
  frequence: Frequence;
  prochaineDate: Date;
  derniereDate: Date | null;
  commentaire: string | null;
  statut: StatutPlanning;
  technicienId: number | null;
  priorite: Priorite;
  now: Date;
}

export type PlanningChanges = Pick<
  Updateable<Database['plannings']>,
  'equipement_id' | 'frequence' | 'date_reference' | 'prochaine_date' | 'derniere_date' | 'commentaire' | 'statut' | 'technicien_id' | 'priorite' | 'date_modification'
>;

export class PlanningRepository {
  constructor(private readonly db: Executor) {}

  /** The filters of GET /planning/, combined with AND; `prochaineDateMax` is inclusive. */
  async page(filters: PlanningFilters, page: PageOptions) {
    let q = this.selectPlanningOut();
    if (filters.equipementId !== undefined) q = q.where('p.equipement_id', '=', filters.equipementId);
    if (filters.statuts && filters.statuts.length > 0) q = q.where('p.statut', 'in', filters.statuts);
    if (filters.frequences && filters.frequences.length > 0) q = q.where('p.frequence', 'in', filters.frequences);
    if (filters.technicienId !== undefined) q = q.where('p.technicien_id', '=', filters.technicienId);
    if (filters.prochaineDateMax !== undefined) q = q.where('p.prochaine_date', '<=', filters.prochaineDateMax);
    return selectPage(q, page);
  }

  async find(id: number) {
    return this.selectPlanningOut().where('p.id', '=', id).executeTakeFirst();
  }

  /** The fields an update works on, locked until the end of the transaction. */
  async lock(id: number) {
    return this.db
      .selectFrom('plannings')
      .select(['id', 'frequence', 'prochaine_date', 'derniere_date', 'date_reference', 'statut', 'equipement_id'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** The new planning's id; `prochaineDate` is also the calendar anchor (`date_reference`). */
  async insert(planning: NewPlanning): Promise<number> {
    const row = await this.db
      .insertInto('plannings')
      .values({
        equipement_id: planning.equipementId,
        frequence: planning.frequence,
        date_reference: planning.prochaineDate,
        prochaine_date: planning.prochaineDate,
        derniere_date: planning.derniereDate,
        commentaire: planning.commentaire,
        statut: planning.statut,
        technicien_id: planning.technicienId,
        priorite: planning.priorite,
        date_creation: planning.now,
        date_modification: planning.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: number, changes: PlanningChanges): Promise<void> {
    await this.db.updateTable('plannings').set(changes).where('id', '=', id).execute();
  }

  /** Deletes a planning; its generated interventions and notifications keep living (FK SET NULL). */
  async delete(id: number) {
    return this.db.deleteFrom('plannings').where('id', '=', id).returning(['id', 'equipement_id', 'frequence']).executeTakeFirst();
  }

  async equipementExists(id: number): Promise<boolean> {
    const row = await this.db.selectFrom('equipements').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  /** A technician profile that is active, and whose user account is active too. */
  async activeTechnicienExists(id: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('techniciens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select('t.id')
      .where('t.id', '=', id)
      .where('t.is_active', '=', true)
      .where('u.is_active', '=', true)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether an intervention generated by the planning is overdue (active and past its date_limite). */
  async hasOverdueGeneratedIntervention(planningId: number, now: Date): Promise<boolean> {
    const row = await this.db
      .selectFrom('interventions')
      .select('id')
      .where('planning_id', '=', planningId)
      .where('statut', 'in', STATUTS_INTERVENTION_ACTIFS)
      .where('date_limite', '<', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The columns of PlanningOut, with the stored frequency (toPlanningOut maps it to its label). */
  private selectPlanningOut() {
    return this.db.selectFrom('plannings as p').select(PLANNING_OUT_COLUMNS);
  }
}

export type PlanningRow = NonNullable<Awaited<ReturnType<PlanningRepository['find']>>>;
