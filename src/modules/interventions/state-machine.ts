/**
 * The intervention state machine (docs/api.md §4.5), as pure data and functions: which targets each
 * status allows, which of them a technician may request, and the 409 answer for a refused one.
 * No database here: the service runs these checks on the row it has locked.
 */
import type { StatutIntervention } from '../../db/schema.js';

/** Allowed targets per source status, in the order of the spec's table. */
export const TRANSITIONS: Readonly<Record<StatutIntervention, readonly StatutIntervention[]>> = {
  ouverte: ['affectee', 'annulee'],
  affectee: ['en_cours', 'ouverte', 'annulee'],
  en_cours: ['en_attente', 'cloturee', 'annulee'],
  en_attente: ['en_cours', 'cloturee', 'annulee'],
  cloturee: ['archivee'],
  annulee: ['archivee'],
  archivee: [],
};

/** The transitions a technician may request on an intervention assigned to them. */
export const TECHNICIEN_TRANSITIONS: Readonly<Record<StatutIntervention, readonly StatutIntervention[]>> = {
  ouverte: [],
  affectee: ['en_cours'],
  en_cours: ['en_attente', 'cloturee'],
  en_attente: ['en_cours', 'cloturee'],
  cloturee: [],
  annulee: [],
  archivee: [],
};

export const TRANSITION_MESSAGES = {
  alreadyClosed: 'Intervention déjà clôturée',
  archiveForbidden: "Transition vers 'archivee' interdite",
  technicienRequired: "Un technicien doit être affecté pour passer au statut 'affectee'",
  technicienForbidden: 'Transition non autorisée pour le rôle technicien',
  remarkRequired: 'Une remarque est requise pour annuler une intervention',
} as const;

export function forbiddenTransitionMessage(from: StatutIntervention, to: StatutIntervention): string {
  return `Transition de '${from}' vers '${to}' interdite`;
}

/** `details` of every refused transition (docs/api.md §2). */
export interface TransitionRefusalDetails {
  statut_actuel: StatutIntervention;
  statut_demande: StatutIntervention;
  transitions_autorisees: StatutIntervention[];
}

export function transitionRefusalDetails(from: StatutIntervention, to: StatutIntervention): TransitionRefusalDetails {
  return { statut_actuel: from, statut_demande: to, transitions_autorisees: [...TRANSITIONS[from]] };
}

export type TransitionCheck = { ok: true } | { ok: false; message: string; details: TransitionRefusalDetails };

export function isTransitionAllowed(from: StatutIntervention, to: StatutIntervention): boolean {
  return TRANSITIONS[from].includes(to);
}

export function technicienMayTransition(from: StatutIntervention, to: StatutIntervention): boolean {
  return TECHNICIEN_TRANSITIONS[from].includes(to);
}

/**
 * The state-machine check (409 when refused). Requesting the current status is refused like any
 * transition absent from the table. `technicienGiven`: the request names a technician (needed for
 * →affectee). Message precedence: closed intervention, then archive, then the generic text, then
 * the missing technician.
 */
export function checkTransition(from: StatutIntervention, to: StatutIntervention, options: { technicienGiven: boolean }): TransitionCheck {
  const details = transitionRefusalDetails(from, to);
  if (from === 'cloturee' && to !== 'archivee') return { ok: false, message: TRANSITION_MESSAGES.alreadyClosed, details };
  if (!isTransitionAllowed(from, to)) {
    return { ok: false, message: to === 'archivee' ? TRANSITION_MESSAGES.archiveForbidden : forbiddenTransitionMessage(from, to), details };
  }
  if (to === 'affectee' && !options.technicienGiven) return { ok: false, message: TRANSITION_MESSAGES.technicienRequired, details };
  return { ok: true };
}

/** Timestamps and fields a transition sets (docs/api.md §4.5 "Effects"); `null` clears a column. */
export interface TransitionEffects {
  technicien_id?: number | null;
  date_affectation?: Date | null;
  date_debut_travaux?: Date;
  date_fin_travaux?: Date;
  date_cloture?: Date;
  date_archivage?: Date;
}

export function transitionEffects(
  current: { date_debut_travaux: Date | null },
  to: StatutIntervention,
  now: Date,
  technicienId: number | null,
): TransitionEffects {
  switch (to) {
    case 'affectee':
      return { technicien_id: technicienId, date_affectation: now };
    case 'en_cours':
      return current.date_debut_travaux === null ? { date_debut_travaux: now } : {};
    case 'ouverte':
      return { technicien_id: null, date_affectation: null };
    case 'cloturee':
      return { date_fin_travaux: now, date_cloture: now };
    case 'archivee':
      return { date_archivage: now };
    default:
      return {};
  }
}
