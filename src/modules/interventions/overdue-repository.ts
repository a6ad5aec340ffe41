/**
 * The SQL of `interventions.overdue` (docs/operations.md §6 "Overdue"). Each statement claims what
 * it changes: the interventions are marked notified in the UPDATE that selects them (`SKIP LOCKED`,
 * so two workers never notify the same one), and a planning's status only moves from the status the
 * UPDATE tests, so a concurrent worker finds nothing left to do.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { STATUTS_INTERVENTION_ACTIFS, type Database, type StatutIntervention } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';

export interface OverdueIntervention {
  id: number;
  titre: string;
  date_limite: Date;
  statut: StatutIntervention;
  technicien_user_id: number | null;
}

export interface LatePlanning {
  id: number;
  equipement_nom: string;
}

/** The planning `p` has a generated intervention that is active and past its deadline. */
function hasOverdueGenerated(now: Date) {
  return (eb: ExpressionBuilder<Database, 'plannings'>) =>
    eb.exists(
      eb
        .selectFrom('interventions as i')
        .select('i.id')
        .whereRef('i.planning_id', '=', 'plannings.id')
        .where('i.statut', 'in', STATUTS_INTERVENTION_ACTIFS)
        .where('i.date_limite', '<', now),
    );
}

export class OverdueRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Up to `limit` overdue interventions not yet notified, now marked notified (`date_notification_retard`
   * = now), with their technician's user when that user is active.
   */
  async claimOverdue(now: Date, limit: number): Promise<OverdueIntervention[]> {
    const result = await sql<OverdueIntervention>`
      WITH due AS (
        SELECT id FROM interventions
        WHERE statut IN (${sql.join(STATUTS_INTERVENTION_ACTIFS)}) AND date_limite < ${now} AND date_notification_retard IS NULL
        ORDER BY date_limite, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), marked AS (
        UPDATE interventions i SET date_notification_retard = ${now}
        FROM due WHERE i.id = due.id
        RETURNING i.id, i.titre, i.date_limite, i.statut, i.technicien_id
      )
      SELECT m.id, m.titre, m.date_limite, m.statut, u.id AS technicien_user_id
      FROM marked m
      LEFT JOIN techniciens t ON t.id = m.technicien_id
      LEFT JOIN users u ON u.id = t.user_id AND u.is_active
      ORDER BY m.id`.execute(this.db);
    return result.rows;
  }

  /** `actif` plannings with an overdue generated intervention → `en_retard`; the ones that changed. */
  async markLate(now: Date): Promise<LatePlanning[]> {
    const rows = await this.db
      .updateTable('plannings')
      .set({ statut: 'en_retard', date_retard_notifiee: now, date_modification: now })
      .where('statut', '=', 'actif')
      .where(hasOverdueGenerated(now))
      .returning((eb) => ['plannings.id', eb.selectFrom('equipements as e').select('e.nom').whereRef('e.id', '=', 'plannings.equipement_id').as('equipement_nom')])
      .execute();
    return rows.map((row) => ({ id: row.id, equipement_nom: row.equipement_nom ?? '' }));
  }

  /** `en_retard` plannings without any overdue generated intervention → `actif`; how many. */
  async markBackOnTime(now: Date): Promise<number> {
    const result = await this.db
      .updateTable('plannings')
      .set({ statut: 'actif', date_modification: now })
      .where('statut', '=', 'en_retard')
      .where((eb) => eb.not(hasOverdueGenerated(now)(eb)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
