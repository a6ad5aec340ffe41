/**
 * Record-level rules of user administration (api.md §4.2), as pure functions: the service applies
 * them inside the transaction that locks the target row.
 */
import type { Role } from '../../db/schema.js';

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
