/**
 * The transitions a user may request, from the server's own state machine (one source of truth:
 * src/modules/interventions/state-machine.ts) and the role rules of docs/api.md §4.5.
 */
import { TECHNICIEN_TRANSITIONS, TRANSITIONS } from '../../../src/modules/interventions/state-machine';
import type { Role, Statut } from '../api/types';
import { TRANSITION_ACTIONS } from './labels';

export function allowedTransitions(from: Statut, role: Role): Statut[] {
  if (role === 'client') return [];
  if (role === 'technicien') return [...TECHNICIEN_TRANSITIONS[from]];
  return [...TRANSITIONS[from]];
}

export function transitionLabel(from: Statut, to: Statut): string {
  return from === 'en_attente' && to === 'en_cours' ? 'Reprendre' : TRANSITION_ACTIONS[to];
}
