/**
 * Pure rules of the technicians and skills module (docs/api.md §4.3, docs/security.md §5): who may read and
 * write, the exact French messages, input normalisation and the skill-set replacement.
 * No database access here; the service applies these inside its transactions.
 */
import { DISPONIBILITE_VALUES, type Disponibilite, type Role } from '../../db/schema.js';

/** Technicians and skills: write = admin, responsable (admin ⊇ responsable is built into `authorize`). */
export const WRITER_ROLES: readonly Role[] = ['responsable'];
/** Technicians and skills: read = admin, responsable, technicien; a client gets 403. */
export const READER_ROLES: readonly Role[] = ['responsable', 'technicien'];

export const TECHNICIEN_MESSAGES = {
  notFound: 'Technicien introuvable',
  userNotFound: 'Utilisateur lié introuvable',
  // Exact legacy text: a straight apostrophe in "L'", a typographic one in "n’est".
  notTechnicien: 'L\u0027utilisateur n\u2019est pas un technicien',
  competencesNotFound: 'Une ou plusieurs compétences sont introuvables',
  profileExists: 'Un profil technicien existe déjà pour cet utilisateur',
  badgeTaken: 'Numéro de badge déjà utilisé',
  disponibiliteInvalid: 'Disponibilité invalide',
  activeInterventions: 'Technicien affecté à des interventions en cours',
} as const;

export const COMPETENCE_MESSAGES = {
  notFound: 'Compétence introuvable',
  duplicate: 'Compétence déjà existante',
} as const;

/** The skill domain stored when none (or an empty one) is given. */
export const DEFAULT_DOMAINE = 'general';

/** Whether a user of this role may hold a technician profile. */
export function canHoldTechnicienProfile(role: Role): boolean {
  return role === 'technicien';
}

/**
 * `disponibilite` input (docs/api.md §4.3, §5.13): trimmed, lower-cased, accents stripped
 * (`Occupé` → `occupe`, ` CONGÉ ` → `conge`). Null when the result is not a known value: the
 * caller answers 422 "Disponibilité invalide"; an unknown value is never replaced by a default.
 */
export function normalizeDisponibilite(raw: string): Disponibilite | null {
  const value = raw
    .trim()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();
  return (DISPONIBILITE_VALUES as readonly string[]).includes(value) ? (value as Disponibilite) : null;
}

/**
 * An optional text input (docs/domain.md §1): trimmed; an empty result is stored as NULL.
 * `undefined` (absent) and `null` stay as they are: the caller decides whether they mean "keep".
 */
export function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * The key of the skill-name uniqueness: trimmed, Unicode lower case (`ÉLECTRICITÉ` = `électricité`).
 * Compared in the application: under a `C` database locale, PostgreSQL's lower() folds ASCII only.
 */
export function competenceNameKey(nom: string): string {
  return nom.trim().toLowerCase();
}

/** Whether `nom` is already used by one of `existing`, other than the skill `exceptId`. */
export function isDuplicateCompetenceName(existing: readonly { id: number; nom: string }[], nom: string, exceptId: number | null = null): boolean {
  const key = competenceNameKey(nom);
  return existing.some((skill) => skill.id !== exceptId && competenceNameKey(skill.nom) === key);
}

/** `competences_ids` without repetitions, in the order first given. */
export function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

/**
 * Replacing a technician's whole skill set: the links to remove and the ones to add. Skills kept
 * in both sets keep their link row (level, acquisition date, validation).
 */
export function competenceSetChanges(current: readonly number[], requested: readonly number[]): { toAdd: number[]; toRemove: number[] } {
  const wanted = new Set(requested);
  const existing = new Set(current);
  return {
    toAdd: uniqueIds(requested).filter((id) => !existing.has(id)),
    toRemove: uniqueIds(current).filter((id) => !wanted.has(id)),
  };
}
