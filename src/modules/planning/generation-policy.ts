/**
 * Pure rules of preventive generation (docs/operations.md §6 "Generation"): which occurrence is
 * generated for a due planning, how many older ones are skipped, the next one, and the wording of
 * the generated intervention.
 */
import type { Frequence } from '../../db/schema.js';
import { addPeriods, latestOccurrenceAtOrBefore, nextOccurrenceAfter } from './calendar.js';

export interface DuePlanning {
  id: number;
  frequence: Frequence;
  /** The calendar anchor; a planning created before anchors existed uses its `prochaine_date`. */
  dateReference: Date | null;
  prochaineDate: Date;
}

export interface OccurrencePlan {
  /** D: the latest occurrence ≤ now + lead, at or after `prochaine_date`. */
  occurrence: Date;
  /** Older missed occurrences, not generated. */
  skipped: number;
  /** The occurrence after D: the new `prochaine_date` and the intervention's `date_limite`. */
  next: Date;
}

/** now + PLANNING_LEAD_DAYS, in calendar days of the business time zone. */
export function generationLimit(now: Date, leadDays: number, timeZone: string): Date {
  return leadDays === 0 ? now : addPeriods(now, 'journalier', leadDays, timeZone);
}

/**
 * The occurrence to generate for a planning due at `limit` (its `prochaine_date` ≤ limit). Every
 * date is computed from the anchor, so catching up never drifts (31 Jan → 28 Feb → 31 Mar).
 */
export function planOccurrence(planning: DuePlanning, limit: Date, timeZone: string): OccurrencePlan {
  const anchor = planning.dateReference ?? planning.prochaineDate;
  const first = planning.prochaineDate;
  const latest = latestOccurrenceAtOrBefore(anchor, planning.frequence, limit, timeZone);
  // `prochaine_date` is itself the occurrence when no later one of the series is due yet.
  if (latest === null || latest.date.getTime() <= first.getTime()) {
    return { occurrence: first, skipped: 0, next: nextOccurrenceAfter(anchor, planning.frequence, first, timeZone) };
  }
  // The skipped ones: the occurrences in [first, D). With j the last occurrence of the series at or
  // before `first` (−1 when `first` precedes the anchor), they are j+1 … k−1, plus `first` itself,
  // whether it is j (on the series) or lies between j and j+1 (moved off the series by hand).
  const atOrBeforeFirst = latestOccurrenceAtOrBefore(anchor, planning.frequence, first, timeZone);
  const skipped = latest.k - (atOrBeforeFirst?.k ?? -1);
  return { occurrence: latest.date, skipped, next: nextOccurrenceAfter(anchor, planning.frequence, latest.date, timeZone) };
}

export const GENERATION_HISTORY_REMARK = 'Intervention générée par le scheduler depuis le planning';

export function generatedTitre(equipementNom: string): string {
  return `Maintenance préventive - ${equipementNom}`.slice(0, 255);
}

export function generatedDescription(planningId: number, skipped: number): string {
  const text = `Intervention générée automatiquement depuis le planning #${planningId}`;
  return skipped > 0 ? `${text}\n${skipped} occurrence(s) manquée(s) non générée(s).` : text;
}

/** The `rappel` to the responsables when no technician can take the generated intervention. */
export function unassignedContenu(interventionId: number, planningId: number): string {
  return `Intervention préventive n°${interventionId} générée (planning #${planningId}) : à affecter`;
}
