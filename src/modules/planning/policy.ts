/**
 * Pure rules of preventive planning (docs/api.md §4.6, docs/operations.md §6): messages, the
 * statuses a creation may set, the anchor reset, and the `en_retard` → `actif` rule of
 * `PATCH …/dates`.
 */
import type { Frequence, StatutPlanning } from '../../db/schema.js';

export const PLANNING_MESSAGES = {
  notFound: 'Planning introuvable',
  equipementNotFound: 'Équipement introuvable',
  frequenceInvalid: 'Fréquence invalide',
  technicienNotFound: 'Technicien assigné introuvable',
} as const;

/** A creation may only start a planning active or suspended; the other statuses are reached later. */
export const STATUTS_PLANNING_CREATION = ['actif', 'suspendu'] as const satisfies readonly StatutPlanning[];

export interface AnchorState {
  frequence: Frequence;
  prochaineDate: Date | null;
  dateReference: Date | null;
}

/**
 * The anchor (`date_reference`) after an update, or `undefined` when it stays as it is: it is reset
 * to the new `prochaine_date` when one is set explicitly, else to the current `prochaine_date` when
 * the frequency actually changes (docs/operations.md §6).
 */
export function anchorAfterUpdate(current: AnchorState, changes: { frequence?: Frequence; prochaineDate?: Date }): Date | null | undefined {
  if (changes.prochaineDate !== undefined) return changes.prochaineDate;
  if (changes.frequence !== undefined && changes.frequence !== current.frequence) return current.prochaineDate;
  return undefined;
}

/** `PATCH …/dates`: a late planning becomes active again once none of its generated interventions is overdue. */
export function statutAfterDateMove(statut: StatutPlanning, hasOverdueIntervention: boolean): StatutPlanning {
  return statut === 'en_retard' && !hasOverdueIntervention ? 'actif' : statut;
}
