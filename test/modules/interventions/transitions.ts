import type { StatutIntervention } from '../../../src/db/schema.js';

/** The transition table of docs/api.md §4.5, written out independently of the implementation. */
export const ALLOWED: [StatutIntervention, StatutIntervention][] = [
  ['ouverte', 'affectee'],
  ['ouverte', 'annulee'],
  ['affectee', 'en_cours'],
  ['affectee', 'ouverte'],
  ['affectee', 'annulee'],
  ['en_cours', 'en_attente'],
  ['en_cours', 'cloturee'],
  ['en_cours', 'annulee'],
  ['en_attente', 'en_cours'],
  ['en_attente', 'cloturee'],
  ['en_attente', 'annulee'],
  ['cloturee', 'archivee'],
  ['annulee', 'archivee'],
];
