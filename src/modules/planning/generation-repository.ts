/**
 * The SQL of preventive generation (docs/operations.md §6): the due plannings, one due planning
 * locked with `FOR UPDATE SKIP LOCKED` (a planning another worker holds is left to it), the
 * generated intervention inserted at most once per (planning, occurrence), and the dates advanced.
 */
import type { Frequence, Priorite } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';

export interface LockedDuePlanning {
  id: number;
  frequence: Frequence;
  date_reference: Date | null;
  prochaine_date: Date;
  technicien_id: number | null;
  priorite: Priorite;
  equipement_id: number;
  equipement_nom: string;
  client_id: number | null;
  contrat_id: number | null;
}

export interface GeneratedIntervention {
  planningId: number;
  occurrence: Date;
  dateLimite: Date;
  titre: string;
  description: string;
  priorite: Priorite;
  technicienId: number | null;
  equipementId: number;
  clientId: number | null;
  contratId: number | null;
  now: Date;
}

export class PlanningGenerationRepository {
  constructor(private readonly db: Executor) {}

  /** The eligibility of §6: active, `actif` or `en_retard`, due by `limit`, equipment not retired. */
  private due(limit: Date) {
    return this.db
      .selectFrom('plannings as p')
      .innerJoin('equipements as e', 'e.id', 'p.equipement_id')
      .where('p.is_active', '=', true)
      .where('p.statut', 'in', ['actif', 'en_retard'])
      .where('p.prochaine_date', 'is not', null)
      .where('p.prochaine_date', '<=', limit)
      .where('e.statut', '<>', 'retire');
  }

  /** Ids of the plannings due by `limit`, oldest first. */
  async dueIds(limit: Date): Promise<number[]> {
    const rows = await this.due(limit).select('p.id').orderBy('p.prochaine_date').orderBy('p.id').execute();
    return rows.map((row) => row.id);
  }

  /**
   * The planning if it is still due, locked until the end of the transaction; undefined when it is
   * no longer due or another transaction holds it (SKIP LOCKED: that one generates it).
   */
  async lockDue(id: number, limit: Date): Promise<LockedDuePlanning | undefined> {
    const row = await this.due(limit)
      .select(['p.id', 'p.frequence', 'p.date_reference', 'p.prochaine_date', 'p.technicien_id', 'p.priorite', 'p.equipement_id', 'e.nom as equipement_nom', 'e.client_id', 'e.contrat_id'])
      .where('p.id', '=', id)
      .forUpdate(['p'])
      .skipLocked()
      .executeTakeFirst();
    return row ? { ...row, prochaine_date: row.prochaine_date! } : undefined;
  }

  /** The generated intervention's id, or null when (planning, occurrence) already has one. */
  async insertIntervention(values: GeneratedIntervention): Promise<number | null> {
    const row = await this.db
      .insertInto('interventions')
      .values({
        titre: values.titre,
        description: values.description,
        type_intervention: 'preventive',
        statut: values.technicienId !== null ? 'affectee' : 'ouverte',
        priorite: values.priorite,
        urgence: false,
        date_limite: values.dateLimite,
        date_affectation: values.technicienId !== null ? values.now : null,
        technicien_id: values.technicienId,
        equipement_id: values.equipementId,
        created_by_id: null,
        client_id: values.clientId,
        contrat_id: values.contratId,
        planning_id: values.planningId,
        date_occurrence: values.occurrence,
        date_creation: values.now,
        updated_at: values.now,
      })
      .onConflict((oc) => oc.columns(['planning_id', 'date_occurrence']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** `derniere_date` = the generated occurrence, `prochaine_date` = the one after. */
  async advance(id: number, derniereDate: Date, prochaineDate: Date, now: Date): Promise<void> {
    await this.db.updateTable('plannings').set({ derniere_date: derniereDate, prochaine_date: prochaineDate, date_modification: now }).where('id', '=', id).execute();
  }
}
