/**
 * Customers and contracts: who may act and what a caller may see (docs/security.md §5), as pure
 * functions. Writes: admin and responsable. Reads: admin and responsable (every company), client
 * (its own company only: `users.client_id`; a client account without one sees nothing).
 * Technicians have no access at all (403 from the role check).
 */
import type { Role } from '../../db/schema.js';

export const CLIENT_MESSAGES = {
  notFound: 'Client introuvable',
  nameTaken: 'Client déjà existant',
  iceTaken: 'ICE déjà utilisé',
  iceInvalid: 'ICE invalide (15 chiffres attendus)',
  referenced: 'Client lié à des utilisateurs, contrats, équipements ou interventions : désactivez-le',
} as const;

export const CONTRAT_MESSAGES = {
  notFound: 'Contrat introuvable',
  numeroTaken: 'Numéro de contrat déjà utilisé',
  datesOrder: 'La date de fin doit être postérieure ou égale à la date de début',
  referenced: "Contrat utilisé par des équipements ou des interventions : passez-le au statut 'resilie'",
  clientChangeReferenced: 'Contrat utilisé par des équipements ou des interventions : son client ne peut pas changer',
} as const;

/** Roles of the reading routes (admin is implied by responsable). */
export const READ_ROLES: readonly Role[] = ['responsable', 'client'];
/** Roles of the writing routes (admin is implied by responsable). */
export const WRITE_ROLES: readonly Role[] = ['responsable'];

/**
 * The companies a caller may read: every one, one, or none. A client account without a company,
 * or any role outside the read roles, sees nothing; the system (jobs, CLIs) sees everything.
 */
export type CompanyScope = { kind: 'all' } | { kind: 'company'; clientId: number } | { kind: 'none' };

export function companyScope(user: { role: Role | 'system'; clientId: number | null }): CompanyScope {
  if (user.role === 'system' || user.role === 'admin' || user.role === 'responsable') return { kind: 'all' };
  if (user.role === 'client' && user.clientId !== null) return { kind: 'company', clientId: user.clientId };
  return { kind: 'none' };
}

/** Whether a record of company `clientId` is inside the scope. */
export function inScope(scope: CompanyScope, clientId: number): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'company') return scope.clientId === clientId;
  return false;
}

/**
 * The contract's client may change only while no equipment or intervention refers to the
 * contract: they were checked against the previous client.
 */
export function clientChangeAllowed(currentClientId: number, nextClientId: number, referenced: boolean): boolean {
  return currentClientId === nextClientId || !referenced;
}
