/**
 * Rules of user administration (docs/api.md §4.2, docs/domain.md §3), as pure functions: input
 * checks after trimming, and the record-level rules the service applies inside the transaction that
 * locks the target row.
 */
import { ROLE_VALUES, type Role } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';

export const USER_MESSAGES = {
  notFound: 'Utilisateur non trouvé.',
  emailTaken: 'Email déjà utilisé.',
  usernameTaken: 'Username déjà utilisé.',
  clientNotFound: 'Client introuvable',
  clientOnlyForClientRole: 'Seul un utilisateur client peut être rattaché à un client',
  lastAdmin: "Impossible : c'est le dernier administrateur actif",
  technicienProfile: 'Ce compte possède un profil technicien : supprimez-le avant de changer le rôle',
  selfDeactivation: 'Vous ne pouvez pas désactiver votre propre compte',
  currentPasswordRequired: 'Mot de passe actuel requis',
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

// --- input ---------------------------------------------------------------------------------------

export function checkUsername(value: string, issues: ValidationIssue[]): void {
  if (value.length < 1 || value.length > 100 || CONTROL_CHARACTERS.test(value)) {
    issues.push({ loc: ['body', 'username'], msg: "Nom d'utilisateur invalide (1 à 100 caractères, sans caractère de contrôle)", type: 'value' });
  }
}

export function checkFullName(value: string, issues: ValidationIssue[]): void {
  if (value.length < 1 || value.length > 255) {
    issues.push({ loc: ['body', 'full_name'], msg: 'Nom complet requis (255 caractères au plus)', type: 'value' });
  }
}

export function checkEmail(value: string, issues: ValidationIssue[]): void {
  if (!EMAIL.test(value) || value.length > 255) issues.push({ loc: ['body', 'email'], msg: 'Adresse e-mail invalide', type: 'format' });
}

/** The role of a creation, which the CLI passes unchecked; null (and an issue) for anything else. */
export function checkRole(value: string, issues: ValidationIssue[]): Role | null {
  if ((ROLE_VALUES as readonly string[]).includes(value)) return value as Role;
  issues.push({ loc: ['body', 'role'], msg: `Rôle invalide. Valeurs acceptées : ${ROLE_VALUES.join(', ')}`, type: 'enum' });
  return null;
}

export const CLIENT_LINK_ISSUE: ValidationIssue = { loc: ['body', 'client_id'], msg: USER_MESSAGES.clientOnlyForClientRole, type: 'value' };

/** 422; when the client-link rule is the only problem, its text is the message (docs/api.md §4.2). */
export function validationError(issues: ValidationIssue[]): AppError {
  const only = issues.length === 1 ? issues[0] : undefined;
  return AppError.validation(issues, only === CLIENT_LINK_ISSUE ? USER_MESSAGES.clientOnlyForClientRole : undefined);
}

// --- records -------------------------------------------------------------------------------------

export interface UserState {
  role: Role;
  isActive: boolean;
  clientId: number | null;
}

/** Only a client account may be linked to a client company (CHECK users_client_id_role_check). */
export function clientLinkAllowed(role: Role, clientId: number | null): boolean {
  return clientId === null || role === 'client';
}

/**
 * The client link after a change: the given one, else the current one while the account stays a
 * client; an account that leaves the client role is unlinked.
 */
export function nextClientId(current: UserState, nextRole: Role, requested: number | null | undefined): number | null {
  if (requested !== undefined) return requested;
  return nextRole === 'client' ? current.clientId : null;
}

/** Whether the change takes an active admin away (role change or deactivation). */
export function removesActiveAdmin(current: Pick<UserState, 'role' | 'isActive'>, next: Pick<UserState, 'role' | 'isActive'>): boolean {
  return current.role === 'admin' && current.isActive && (next.role !== 'admin' || !next.isActive);
}
