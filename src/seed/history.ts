/**
 * An intervention's history as the API writes it (one row per transition, chained by
 * `statut_precedent`) and the status timestamps that go with it, for the demo and scale seeds.
 */
import type { Insertable } from 'kysely';
import type { Database, StatutIntervention } from '../db/schema.js';

/** A status reached at `at` (epoch milliseconds). */
export interface Step {
  statut: StatutIntervention;
  at: number;
  remarque: string;
}

type NewIntervention = Insertable<Database['interventions']>;
type StatusColumns = Required<Pick<NewIntervention, 'statut' | 'date_creation' | 'date_affectation' | 'date_debut_travaux' | 'date_fin_travaux' | 'date_cloture' | 'date_archivage' | 'updated_at'>>;

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/**
 * The intervention's status and timestamps after `steps` (at least the creation step): the last
 * assignment, the first start of work, the closure (which ends the work), the archiving.
 */
export function statusColumns(steps: readonly Step[]): StatusColumns {
  const first = (statut: StatutIntervention) => steps.find((s) => s.statut === statut)?.at;
  const last = steps[steps.length - 1]!;
  const cloture = date(first('cloturee'));
  return {
    statut: last.statut,
    date_creation: new Date(steps[0]!.at),
    date_affectation: date(steps.findLast((s) => s.statut === 'affectee')?.at),
    date_debut_travaux: date(first('en_cours')),
    date_fin_travaux: cloture,
    date_cloture: cloture,
    date_archivage: date(first('archivee')),
    updated_at: new Date(last.at),
  };
}

/** One history row per step; `userOf` names who made the transition. */
export function historyRows<S extends Step>(interventionId: number, steps: readonly S[], userOf: (step: S) => number) {
  return steps.map((step, k) => ({
    intervention_id: interventionId,
    statut_precedent: k === 0 ? null : steps[k - 1]!.statut,
    statut: step.statut,
    remarque: step.remarque,
    user_id: userOf(step),
    horodatage: new Date(step.at),
  }) satisfies Insertable<Database['historiques_interventions']>);
}
