/**
 * The month calendar's upcoming occurrences of preventive plannings, computed in the browser with the
 * server's own calendar arithmetic (src/modules/planning/calendar.ts, docs/operations.md §6): from
 * each running planning's next date, one step of its frequency at a time, in APP_TIMEZONE.
 */
import dayjs from 'dayjs';
import { addPeriods, latestOccurrenceAtOrBefore, normaliseFrequence } from '../../../src/modules/planning/calendar';
import type { Planning } from '../api/planning';
import { APP_TIMEZONE } from './format';

export interface Occurrence {
  planning: Planning;
  date: Date;
  /** The planning's next date itself (the intervention the scheduler generates next). */
  next: boolean;
}

/** Occurrences between `from` (included) and `to` (excluded) of the plannings that still generate. */
export function occurrencesBetween(plannings: readonly Planning[], from: Date, to: Date): Occurrence[] {
  const found: Occurrence[] = [];
  for (const planning of plannings) {
    const frequence = normaliseFrequence(planning.frequence);
    if (!frequence || !planning.prochaine_date || !planning.is_active || planning.statut === 'suspendu' || planning.statut === 'termine') continue;
    const anchor = new Date(planning.prochaine_date);
    // Each occurrence from the anchor (never from the previous one): 31 Jan → 28 Feb → 31 Mar.
    const before = latestOccurrenceAtOrBefore(anchor, frequence, new Date(from.getTime() - 1), APP_TIMEZONE);
    for (let k = before ? before.k + 1 : 0; ; k++) {
      const date = addPeriods(anchor, frequence, k, APP_TIMEZONE);
      if (date.getTime() >= to.getTime()) break;
      found.push({ planning, date, next: k === 0 });
    }
  }
  return found.sort((a, b) => a.date.getTime() - b.date.getTime());
}

/** The month shown (`YYYY-MM`, in APP_TIMEZONE): its first instant and the next month's. */
export function monthBounds(month: string): { from: Date; to: Date } {
  const start = dayjs.tz(`${month}-01T00:00`, APP_TIMEZONE);
  return { from: start.toDate(), to: start.add(1, 'month').toDate() };
}

/** The day of an instant in APP_TIMEZONE, `YYYY-MM-DD`. */
export function dayOf(date: Date): string {
  return dayjs(date).tz(APP_TIMEZONE).format('YYYY-MM-DD');
}
