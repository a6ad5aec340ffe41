/**
 * Pure role rules (docs/security.md §5). Admin has every right of the responsable.
 */
import type { Role } from '../../db/schema.js';

const ROLE_ORDER: readonly Role[] = ['admin', 'responsable', 'technicien', 'client'];

/** The roles that may act, once the admin ⊇ responsable rule is applied. */
export function effectiveRoles(allowed: readonly Role[]): Role[] {
  const roles = new Set(allowed);
  if (roles.has('responsable')) roles.add('admin');
  return ROLE_ORDER.filter((role) => roles.has(role));
}

export function hasRole(role: Role, allowed: readonly Role[]): boolean {
  return effectiveRoles(allowed).includes(role);
}

export function forbiddenRoleMessage(allowed: readonly Role[]): string {
  return `Accès réservé aux rôles : ${effectiveRoles(allowed).join(', ')}`;
}
