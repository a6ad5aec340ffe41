/**
 * Record-level rules of interventions (docs/security.md §5, docs/api.md §4.5), as pure functions:
 * who sees which rows, who may create, which fields an edit may touch in each status, and what each
 * role reads. The service applies them; they are unit-tested without a database.
 */
import { STATUTS_INTERVENTION_ACTIFS, type Role, type StatutIntervention } from '../../db/schema.js';

export const INTERVENTION_MESSAGES = {
  notFound: 'Intervention introuvable',
  technicienNotFound: 'Technicien assigné introuvable',
  equipementNotFound: 'Équipement cible introuvable',
  equipementRetired: 'Équipement retiré du service',
  invalidInitialStatus: "Statut initial invalide : seuls 'ouverte' et 'affectee' sont acceptés",
  technicienRequiredAtCreation: "Un technicien est requis pour le statut 'affectee'",
  statusViaDedicatedRoute: 'Le statut se modifie via PATCH /interventions/{id}/statut',
  cannotUnassignInProgress: "Impossible de retirer le technicien d'une intervention en cours",
  equipementLocked: "L'équipement ne peut plus être changé après le début des travaux",
  titleRequired: 'Le titre est obligatoire',
  creationRemark: 'Création de l’intervention',
} as const;

export function notEditableMessage(statut: StatutIntervention): string {
  return `Intervention non modifiable dans le statut '${statut}'`;
}

/** The caller, as far as interventions are concerned. `role: 'system'` is the scheduler. */
export interface InterventionPrincipal {
  userId: number | null;
  role: Role | 'system';
  technicienId: number | null;
  clientId: number | null;
}

/**
 * Which rows a caller sees: everything (admin, responsable, system), the interventions assigned to
 * their technician profile, or their company's. A technician without a profile or a client account
 * without a company sees nothing (`id: null`).
 */
export type InterventionScope = { kind: 'all' } | { kind: 'technicien'; technicienId: number | null } | { kind: 'client'; clientId: number | null };

export function interventionScope(principal: InterventionPrincipal): InterventionScope {
  switch (principal.role) {
    case 'technicien':
      return { kind: 'technicien', technicienId: principal.technicienId };
    case 'client':
      return { kind: 'client', clientId: principal.clientId };
    default:
      return { kind: 'all' };
  }
}

/** Whether a scope can match any row at all (false: answer an empty list without a query). */
export function scopeMatchesAnything(scope: InterventionScope): boolean {
  if (scope.kind === 'technicien') return scope.technicienId !== null;
  if (scope.kind === 'client') return scope.clientId !== null;
  return true;
}

export function inScope(scope: InterventionScope, row: { technicien_id: number | null; client_id: number | null }): boolean {
  if (scope.kind === 'technicien') return scope.technicienId !== null && row.technicien_id === scope.technicienId;
  if (scope.kind === 'client') return scope.clientId !== null && row.client_id === scope.clientId;
  return true;
}

/** Equipment a caller may target when creating: any for managers; their company's for a client. */
export function equipementInCreationScope(principal: InterventionPrincipal, equipement: { client_id: number | null }): boolean {
  if (principal.role === 'client') return principal.clientId !== null && equipement.client_id === principal.clientId;
  return true;
}

/** A client's creation is a request: corrective, open, normal priority, no technician, no deadline. */
export function isClientRequest(principal: InterventionPrincipal): boolean {
  return principal.role === 'client';
}

/**
 * The initial status (docs/api.md §4.5 "Creation"): `affectee` with a technician, else `ouverte`;
 * `ouverte` + technician gives `affectee`. Returns the 422 message when the request is invalid.
 */
export function initialStatus(requested: StatutIntervention | null | undefined, hasTechnicien: boolean): { statut: StatutIntervention } | { error: string } {
  if (requested !== null && requested !== undefined && requested !== 'ouverte' && requested !== 'affectee') {
    return { error: INTERVENTION_MESSAGES.invalidInitialStatus };
  }
  if (requested === 'affectee' && !hasTechnicien) return { error: INTERVENTION_MESSAGES.technicienRequiredAtCreation };
  return { statut: hasTechnicien ? 'affectee' : 'ouverte' };
}

/** Fields that PATCH may still change once the intervention is `cloturee`. */
export const CLOSURE_FIELDS = ['duree_reelle', 'cout_reel', 'rapport_intervention', 'travaux_realises', 'recommandations'] as const;

/** Statuses in which nothing may be edited. */
export const FROZEN_STATUSES: readonly StatutIntervention[] = ['annulee', 'archivee'];

/** Statuses in which the equipment may still change (before the work starts). */
export const EQUIPEMENT_CHANGE_STATUSES: readonly StatutIntervention[] = ['ouverte', 'affectee'];

/** The changed fields an edit may not touch in `statut` (empty: the edit is allowed). */
export function refusedEditFields(statut: StatutIntervention, changedFields: readonly string[]): string[] {
  if (FROZEN_STATUSES.includes(statut)) return [...changedFields];
  if (statut === 'cloturee') return changedFields.filter((field) => !(CLOSURE_FIELDS as readonly string[]).includes(field));
  return [];
}

/**
 * What a technician change does in each status (docs/api.md §4.5 "Edits and reassignment"):
 * assign (ouverte → affectee), reassign (status kept), unassign (affectee → ouverte), or refuse.
 */
export type TechnicienChange =
  | { kind: 'assign' }
  | { kind: 'reassign' }
  | { kind: 'unassign' }
  | { kind: 'refused'; message: string };

export function technicienChange(statut: StatutIntervention, currentTechnicienId: number | null, nextTechnicienId: number | null): TechnicienChange {
  if (nextTechnicienId === null) {
    if (statut === 'affectee') return { kind: 'unassign' };
    if (statut === 'en_cours' || statut === 'en_attente') return { kind: 'refused', message: INTERVENTION_MESSAGES.cannotUnassignInProgress };
    if (currentTechnicienId !== null && statut === 'ouverte') return { kind: 'reassign' };
    return { kind: 'refused', message: notEditableMessage(statut) };
  }
  if (statut === 'ouverte') return { kind: 'assign' };
  if (statut === 'affectee' || statut === 'en_cours' || statut === 'en_attente') return { kind: 'reassign' };
  return { kind: 'refused', message: notEditableMessage(statut) };
}

/** The history remark of a reassignment (names = the technicians' users' full names). */
export function reassignmentRemark(previous: string | null, next: string | null): string {
  return `Réaffectation : ${previous ?? 'aucun'} → ${next ?? 'aucun'}`;
}

/** Overdue = active and `date_limite` < now (docs/domain.md §2). */
export function isOverdue(row: { statut: StatutIntervention; date_limite: Date | null }, now: Date): boolean {
  return (STATUTS_INTERVENTION_ACTIFS as readonly StatutIntervention[]).includes(row.statut) && row.date_limite !== null && row.date_limite.getTime() < now.getTime();
}

/** Costs are internal: a client reads an intervention without `cout_estime` and `cout_reel`. */
export function hidesCosts(role: Role | 'system'): boolean {
  return role === 'client';
}

/** Who may request a status change at all (a client never may: 403 after the scope check). */
export function mayChangeStatus(role: Role | 'system'): boolean {
  return role !== 'client';
}

/**
 * Recipients of the closure notification: the creator, the active responsables and the active
 * client users of the company, without the actor and without duplicates (inactive users are
 * filtered by the caller's query).
 */
export function closureRecipients(creatorId: number | null, responsableIds: readonly number[], clientUserIds: readonly number[], actorId: number | null): number[] {
  const ids = new Set<number>();
  for (const id of [creatorId, ...responsableIds, ...clientUserIds]) {
    if (id !== null && id !== actorId) ids.add(id);
  }
  return [...ids];
}
