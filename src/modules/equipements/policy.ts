/**
 * Who may see which equipment (docs/security.md §5), and the client/contract consistency rule of an
 * equipment (docs/domain.md §3), as pure functions.
 *
 * - Write (create, update, delete): admin and responsable (role check of the routes).
 * - Read: admin, responsable and technicien see every equipment; a client user sees only the
 *   equipment of its own company (`equipements.client_id = users.client_id`), and nothing when its
 *   account has no company. Out of scope → 404 "Équipement introuvable" (+ audit hors_perimetre).
 */
import type { Role } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';

export const EQUIPEMENT_MESSAGES = {
  notFound: 'Équipement introuvable',
  nomTaken: 'Équipement déjà existant',
  numeroSerieTaken: 'Numéro de série déjà utilisé',
  codeInterneTaken: 'Code interne déjà utilisé',
  clientNotFound: 'Client introuvable',
  contratNotFound: 'Contrat introuvable',
  contratMismatch: "Le contrat n'appartient pas à ce client",
  usedByInterventions: 'Équipement utilisé par des interventions',
  deleted: 'Équipement supprimé avec succès.',
} as const;

/** Roles allowed to create, update and delete equipment (admin ⊇ responsable). */
export const EQUIPEMENT_WRITE_ROLES = ['responsable'] as const satisfies readonly Role[];
/** Roles allowed on the read routes; clients are then scoped to their company. */
export const EQUIPEMENT_READ_ROLES = ['responsable', 'technicien', 'client'] as const satisfies readonly Role[];

export interface Caller {
  role: Role | 'system';
  clientId: number | null;
}

/** The rows a caller may read: every row, the rows of one company, or none. */
export type EquipementScope = { kind: 'all' } | { kind: 'client'; clientId: number } | { kind: 'none' };

export function equipementReadScope(caller: Caller): EquipementScope {
  switch (caller.role) {
    case 'system':
    case 'admin':
    case 'responsable':
    case 'technicien':
      return { kind: 'all' };
    case 'client':
      return caller.clientId === null ? { kind: 'none' } : { kind: 'client', clientId: caller.clientId };
  }
}

export function canReadEquipement(caller: Caller, equipement: { client_id: number | null }): boolean {
  const scope = equipementReadScope(caller);
  if (scope.kind === 'all') return true;
  if (scope.kind === 'none') return false;
  return equipement.client_id === scope.clientId;
}

// --- client / contract ---------------------------------------------------------------------------

/**
 * What a create or an update says about the ownership: `undefined` = not given (absent),
 * `null` = explicitly none, a number = that row.
 */
export interface OwnershipInput {
  clientId: number | null | undefined;
  contratId: number | null | undefined;
}

/** The 422 of a contract that is not the equipment's client's. */
export function contratMismatch(): AppError {
  return AppError.validation([{ loc: ['body', 'contrat_id'], msg: EQUIPEMENT_MESSAGES.contratMismatch, type: 'value' }], EQUIPEMENT_MESSAGES.contratMismatch);
}

export type OwnershipResult =
  | { ok: true; clientId: number | null; contratId: number | null }
  | { ok: false; error: 'contratMismatch' };

/**
 * The client and contract an equipment ends up with. A contract requires its client:
 * - a given contract with a given client → the client must be the contract's;
 * - a given contract without a given client → the current client is kept when it is the
 *   contract's; when the equipment has no client (always the case on create), it takes the
 *   contract's client; an equipment is never moved silently to another company (→ mismatch);
 * - a given client without a given contract → the current contract is kept, and must belong to
 *   the new client (send `contrat_id: null` or another contract when moving an equipment);
 * - `client_id: null` with a contract (given or kept) → mismatch.
 *
 * `contratClientId` is the client of the contract that the equipment ends up with (the given
 * one, else the current one), or null when it ends up without a contract.
 */
export function resolveOwnership(
  current: { clientId: number | null; contratId: number | null },
  input: OwnershipInput,
  contratClientId: number | null,
): OwnershipResult {
  const contratId = input.contratId !== undefined ? input.contratId : current.contratId;
  let clientId = input.clientId !== undefined ? input.clientId : current.clientId;
  if (contratId === null) return { ok: true, clientId, contratId: null };
  if (contratClientId === null) return { ok: false, error: 'contratMismatch' };
  if (input.clientId === undefined && input.contratId !== undefined && clientId === null) clientId = contratClientId;
  if (clientId !== contratClientId) return { ok: false, error: 'contratMismatch' };
  return { ok: true, clientId, contratId };
}
