/** The status path of a generated intervention and the times of its transitions. */
import type { StatutIntervention } from '../../db/schema.js';
import type { Random } from '../random.js';
import { DAY, HOUR, MINUTE } from '../shared.js';

/** The statuses an intervention went through to reach `final` (with occasional waits for parts). */
export function statusPath(rng: Random, final: StatutIntervention): StatutIntervention[] {
  switch (final) {
    case 'ouverte':
      return ['ouverte'];
    case 'affectee':
      return ['ouverte', 'affectee'];
    case 'en_cours':
      return rng.chance(0.2) ? ['ouverte', 'affectee', 'en_cours', 'en_attente', 'en_cours'] : ['ouverte', 'affectee', 'en_cours'];
    case 'en_attente':
      return ['ouverte', 'affectee', 'en_cours', 'en_attente'];
    case 'cloturee':
    case 'archivee': {
      const work: StatutIntervention[] = rng.chance(0.25)
        ? ['en_cours', 'en_attente', ...(rng.chance(0.5) ? (['en_cours'] as const) : [])]
        : ['en_cours'];
      return ['ouverte', 'affectee', ...work, 'cloturee', ...(final === 'archivee' ? (['archivee'] as const) : [])];
    }
    case 'annulee':
      return rng.chance(0.6) ? ['ouverte', 'annulee'] : ['ouverte', 'affectee', 'annulee'];
  }
}

/** Gap before reaching `statut` (ms). */
export function gapBefore(rng: Random, statut: StatutIntervention, previous: StatutIntervention): number {
  switch (statut) {
    case 'affectee':
      return rng.between(10 * MINUTE, 24 * HOUR);
    case 'en_cours':
      return previous === 'en_attente' ? rng.between(2 * HOUR, 96 * HOUR) : rng.between(1 * HOUR, 72 * HOUR);
    case 'en_attente':
      return rng.between(1 * HOUR, 48 * HOUR);
    case 'cloturee':
      return rng.between(1 * HOUR, 72 * HOUR);
    case 'archivee':
      return rng.between(7 * DAY, 45 * DAY);
    case 'annulee':
      return rng.between(1 * HOUR, 120 * HOUR);
    case 'ouverte':
      return 0;
  }
}

/** First step time + cumulative gaps, squeezed (proportionally) to end before `limit`. */
export function fitSteps(start: number, gaps: number[], limit: number): number[] {
  const total = gaps.reduce((a, b) => a + b, 0);
  const room = Math.max(0, limit - start);
  const factor = total > room ? room / total : 1;
  const times: number[] = [];
  let t = start;
  for (const gap of gaps) {
    t += Math.floor(gap * factor);
    times.push(t);
  }
  return times;
}
