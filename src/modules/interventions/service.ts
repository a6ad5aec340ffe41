/**
 * Intervention business rules (api.md §4.5, security.md §5): creation and client requests, scoped
 * reads, edits and reassignment, and the state machine. Every write runs in one transaction that
 * locks the intervention row first, so that of two concurrent changes from the same status one
 * wins and the other sees the new status (409). History rows and notifications are written in the
 * same transaction. `changeStatus` is the one entry point for status changes (API, and later the
 * scheduler with a system actor and the metrics).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, Priorite, StatutIntervention, TypeIntervention } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { parseTimestamp, type SortTerm } from '../../lib/listing.js';
import { auditContext } from '../audit/context.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { forbiddenRoleMessage } from '../auth/policy.js';
import { insertNotifications, type NewNotification } from '../notifications/repository.js';
import {
  closureRecipients,
  EQUIPEMENT_CHANGE_STATUSES,
  equipementInCreationScope,
  hidesCosts,
  initialStatus,
  inScope,
  INTERVENTION_MESSAGES,
  interventionScope,
  isClientRequest,
  isOverdue,
  mayChangeStatus,
  notEditableMessage,
  reassignmentRemark,
  refusedEditFields,
  scopeMatchesAnything,
  technicienChange,
  type InterventionPrincipal,
} from './policy.js';
import {
  activeClientUserIds,
  activeResponsableIds,
  activeUserIds,
  constraintViolation,
  countHistorique,
  countInterventions,
  findAssignableTechnicien,
  findClientName,
  findEquipement,
  findInterventionOut,
  findInterventionScope,
  findTechnicienUser,
  insertHistorique,
  insertIntervention,
  lockIntervention,
  pageHistorique,
  pageInterventions,
  updateIntervention as updateInterventionRow,
  type EquipementRef,
  type InterventionChanges,
  type InterventionFilters,
  type InterventionOutRow,
  type InterventionRowFull,
  type TechnicienRef,
} from './repository.js';
import type { HistoriqueOut, InterventionOut } from './schemas.js';
import { checkTransition, TRANSITION_MESSAGES, TRANSITIONS, technicienMayTransition, transitionEffects } from './state-machine.js';

type Db = Kysely<Database>;
type AuditFields = Pick<AuditEventInput, 'ip' | 'userAgent' | 'requestId'>;

/** The caller of a service function: a user (API) or the system (`userId: null`, role `system`). */
export interface InterventionActor extends InterventionPrincipal {
  /** Where the request came from, for the audit rows of refusals. */
  audit?: AuditFields;
}

/** The scheduler and other background jobs: no scope, no transition restriction, history user null. */
export const SYSTEM_ACTOR: InterventionActor = { userId: null, role: 'system', technicienId: null, clientId: null };

export function actorFromRequest(request: FastifyRequest): InterventionActor {
  const user = request.user!;
  const context = auditContext(request);
  return {
    userId: user.id,
    role: user.role,
    technicienId: user.technicienId,
    clientId: user.clientId,
    audit: { ip: context.ip, userAgent: context.userAgent, requestId: context.requestId },
  };
}

// --- refusals that are audited (security.md §5, §9) ----------------------------------------------

/** A refusal to audit as `rbac.denied`, thrown inside a transaction and audited after its rollback. */
class DeniedError extends Error {
  constructor(
    readonly error: AppError,
    readonly resourceType: string,
    readonly resourceId: number,
    readonly details: Record<string, unknown>,
  ) {
    super(error.message);
  }
}

function outOfScope(message: string, resourceType: string, resourceId: number): DeniedError {
  return new DeniedError(AppError.notFound(message), resourceType, resourceId, { reason: 'hors_perimetre' });
}

async function auditDenied(db: Db, actor: InterventionActor, denied: DeniedError): Promise<void> {
  await insertAuditEvent(db, {
    actorUserId: actor.userId,
    actorRole: actor.role === 'system' ? null : actor.role,
    ip: actor.audit?.ip ?? null,
    userAgent: actor.audit?.userAgent ?? null,
    requestId: actor.audit?.requestId ?? null,
    eventType: 'rbac.denied',
    outcome: 'denied',
    resourceType: denied.resourceType,
    resourceId: String(denied.resourceId),
    details: denied.details,
  });
}

/** Races lost after the pre-checks (a technician or an equipment deleted meanwhile) get the pre-check's answer. */
function mapWriteError(error: unknown): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  if (violation.code === '23503' && violation.constraint === 'interventions_technicien_id_fkey') return AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound);
  if (violation.code === '23503' && violation.constraint === 'interventions_equipement_id_fkey') return AppError.notFound(INTERVENTION_MESSAGES.equipementNotFound);
  if (violation.code === '23514' && violation.constraint === 'interventions_technicien_required_check') return AppError.conflict(TRANSITION_MESSAGES.technicienRequired);
  return error;
}

/** Runs a write in one transaction; audited refusals are written after the rollback. */
async function runWrite<T>(app: FastifyInstance, actor: InterventionActor, work: (trx: Db) => Promise<T>): Promise<T> {
  try {
    return await app.db.transaction().execute(work);
  } catch (error) {
    if (error instanceof DeniedError) {
      await auditDenied(app.db, actor, error);
      throw error.error;
    }
    throw mapWriteError(error);
  }
}

// --- output --------------------------------------------------------------------------------------

export function toInterventionOut(row: InterventionOutRow, now: Date, role: InterventionPrincipal['role']): InterventionOut {
  const out: InterventionOut = {
    id: row.id,
    titre: row.titre,
    description: row.description,
    type: row.type_intervention,
    statut: row.statut,
    priorite: row.priorite,
    urgence: row.urgence,
    date_limite: row.date_limite,
    date_creation: row.date_creation,
    date_cloture: row.date_cloture,
    technicien_id: row.technicien_id,
    equipement_id: row.equipement_id,
    date_affectation: row.date_affectation,
    date_debut_travaux: row.date_debut_travaux,
    date_fin_travaux: row.date_fin_travaux,
    date_archivage: row.date_archivage,
    duree_estimee: row.duree_estimee,
    duree_reelle: row.duree_reelle,
    cout_estime: row.cout_estime,
    cout_reel: row.cout_reel,
    rapport_intervention: row.rapport_intervention,
    travaux_realises: row.travaux_realises,
    recommandations: row.recommandations,
    created_by_id: row.created_by_id,
    client_id: row.client_id,
    contrat_id: row.contrat_id,
    planning_id: row.planning_id,
    en_retard: isOverdue(row, now),
    technicien_nom: row.technicien_nom,
    equipement_nom: row.equipement_nom,
    updated_at: row.updated_at,
  };
  if (hidesCosts(role)) {
    delete out.cout_estime;
    delete out.cout_reel;
  }
  return out;
}

// --- reads ---------------------------------------------------------------------------------------

/** One intervention in the caller's scope; 404 otherwise (audited when it exists out of scope). */
export async function getIntervention(app: FastifyInstance, actor: InterventionActor, id: number): Promise<InterventionOut> {
  const row = await findInterventionOut(app.db, id);
  if (!row) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
  if (!inScope(interventionScope(actor), row)) {
    const denied = outOfScope(INTERVENTION_MESSAGES.notFound, 'intervention', id);
    await auditDenied(app.db, actor, denied);
    throw denied.error;
  }
  return toInterventionOut(row, app.clock.now(), actor.role);
}

export interface PageRequest {
  limit: number;
  offset: number;
  sort: SortTerm[];
}

/** A page of the caller's interventions and the total in scope (two statements, whatever the page size). */
export async function listInterventions(
  app: FastifyInstance,
  actor: InterventionActor,
  filters: InterventionFilters,
  page: PageRequest,
): Promise<{ rows: InterventionOut[]; total: number }> {
  const scope = interventionScope(actor);
  if (!scopeMatchesAnything(scope)) return { rows: [], total: 0 };
  const now = app.clock.now();
  const [total, rows] = await Promise.all([countInterventions(app.db, scope, filters, now), pageInterventions(app.db, scope, filters, now, page)]);
  return { rows: rows.map((row) => toInterventionOut(row, now, actor.role)), total };
}

/** The history of an intervention in scope (404 otherwise), with the author's name. */
export async function listHistorique(app: FastifyInstance, actor: InterventionActor, id: number, page: PageRequest): Promise<{ rows: HistoriqueOut[]; total: number }> {
  const row = await findInterventionScope(app.db, id);
  if (!row) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
  if (!inScope(interventionScope(actor), row)) {
    const denied = outOfScope(INTERVENTION_MESSAGES.notFound, 'intervention', id);
    await auditDenied(app.db, actor, denied);
    throw denied.error;
  }
  const [total, rows] = await Promise.all([countHistorique(app.db, id), pageHistorique(app.db, id, page)]);
  return { rows, total };
}

// --- input helpers -------------------------------------------------------------------------------

/** Trimmed text; an empty string becomes null (domain.md §1). */
function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function parseDateField(value: string | null | undefined, loc: (string | number)[], issues: ValidationIssue[]): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const parsed = parseTimestamp(value.trim());
  if (!parsed) {
    issues.push({ loc, msg: 'Date invalide', type: 'format' });
    return undefined;
  }
  return parsed;
}

/** PostgreSQL text cannot hold U+0000: refuse it as bad input (422), never let it reach the database. */
function checkNoNul(fields: Record<string, string | null | undefined>, location: 'body' | 'query', issues: ValidationIssue[]): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.includes('\u0000')) issues.push({ loc: [location, name], msg: 'Caractère NUL interdit', type: 'value' });
  }
}

function checkTitre(value: string, issues: ValidationIssue[]): string {
  const titre = value.trim();
  if (titre === '') issues.push({ loc: ['body', 'titre'], msg: INTERVENTION_MESSAGES.titleRequired, type: 'too_short' });
  return titre;
}

function validationError(issues: ValidationIssue[]): AppError {
  // A single business rule in the details: its text is also the message (as the spec words it).
  const only = issues.length === 1 ? issues[0] : undefined;
  return AppError.validation(issues, only && only.type === 'value' ? only.msg : undefined);
}

function interventionLabel(id: number, titre: string): string {
  return `Intervention n°${id} « ${titre} »`;
}

function affectationNotification(interventionId: number, titre: string, technicien: { userId: number }, now: Date): NewNotification {
  return {
    type: 'affectation',
    canal: 'email',
    contenu: `${interventionLabel(interventionId, titre)} vous a été affectée`,
    userId: technicien.userId,
    interventionId,
    dateEnvoi: now,
  };
}

// --- creation ------------------------------------------------------------------------------------

export interface CreateInterventionInput {
  titre: string;
  description?: string | null;
  type?: TypeIntervention | null;
  statut?: StatutIntervention | null;
  priorite?: Priorite | null;
  urgence?: boolean | null;
  dateLimite?: string | null;
  technicienId?: number | null;
  equipementId: number;
}

/**
 * POST /interventions/ (api.md §4.5 "Creation"). Validation (422), then the technician (404), then
 * the equipment (404 unknown or out of scope, 409 retired). A client's creation is a request:
 * corrective, open, normal priority, without technician or deadline, announced to the responsables.
 */
export async function createIntervention(app: FastifyInstance, actor: InterventionActor, input: CreateInterventionInput): Promise<InterventionOut> {
  const clientRequest = isClientRequest(actor);
  const issues: ValidationIssue[] = [];
  checkNoNul({ titre: input.titre, description: input.description }, 'body', issues);
  const titre = checkTitre(input.titre, issues);
  const description = optionalText(input.description) ?? null;
  const type: TypeIntervention | null = clientRequest ? 'corrective' : (input.type ?? null);
  if (type === null) issues.push({ loc: ['body', 'type'], msg: 'Champ obligatoire', type: 'missing' });
  const technicienId = clientRequest ? null : (input.technicienId ?? null);
  const dateLimite = clientRequest ? null : (parseDateField(input.dateLimite, ['body', 'date_limite'], issues) ?? null);
  const priorite: Priorite = clientRequest ? 'normale' : (input.priorite ?? 'normale');
  const urgence = input.urgence ?? false;
  let statut: StatutIntervention = 'ouverte';
  if (!clientRequest) {
    const initial = initialStatus(input.statut, technicienId !== null);
    if ('error' in initial) issues.push({ loc: ['body', 'statut'], msg: initial.error, type: 'value' });
    else statut = initial.statut;
  }
  if (issues.length > 0 || type === null) throw validationError(issues);

  const now = app.clock.now();
  const id = await runWrite(app, actor, async (trx) => {
    let technicien: TechnicienRef | undefined;
    if (technicienId !== null) {
      technicien = await findAssignableTechnicien(trx, technicienId);
      if (!technicien) throw AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound);
    }
    const equipement = await findEquipement(trx, input.equipementId);
    if (!equipement) throw AppError.notFound(INTERVENTION_MESSAGES.equipementNotFound);
    if (!equipementInCreationScope(actor, { client_id: equipement.clientId })) throw outOfScope(INTERVENTION_MESSAGES.equipementNotFound, 'equipement', equipement.id);
    if (equipement.statut === 'retire') throw AppError.conflict(INTERVENTION_MESSAGES.equipementRetired);

    const newId = await insertIntervention(trx, {
      titre,
      description,
      type_intervention: type,
      statut,
      priorite,
      urgence,
      date_limite: dateLimite,
      technicien_id: technicien?.id ?? null,
      equipement_id: equipement.id,
      created_by_id: actor.userId,
      client_id: equipement.clientId,
      contrat_id: equipement.contratId,
      date_creation: now,
      date_affectation: statut === 'affectee' ? now : null,
      updated_at: now,
    });
    await insertHistorique(trx, { interventionId: newId, statutPrecedent: null, statut, remarque: INTERVENTION_MESSAGES.creationRemark, userId: actor.userId, horodatage: now });

    const notifications: NewNotification[] = [];
    if (technicien && technicien.userId !== actor.userId) notifications.push(affectationNotification(newId, titre, technicien, now));
    if (clientRequest) {
      const entreprise = equipement.clientId !== null ? ((await findClientName(trx, equipement.clientId)) ?? '') : '';
      for (const userId of await activeResponsableIds(trx)) {
        if (userId === actor.userId) continue;
        notifications.push({
          type: 'information',
          canal: 'email',
          contenu: `Nouvelle demande d'intervention n°${newId} « ${titre} » (${entreprise})`,
          userId,
          interventionId: newId,
          dateEnvoi: now,
        });
      }
    }
    await insertNotifications(trx, notifications);
    return newId;
  });
  const row = await findInterventionOut(app.db, id);
  if (!row) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
  return toInterventionOut(row, now, actor.role);
}

// --- edits and reassignment ----------------------------------------------------------------------

/** PATCH /interventions/{id}: absent = unchanged; null clears a nullable field. */
export interface UpdateInterventionInput {
  titre?: string | null;
  description?: string | null;
  type?: TypeIntervention | null;
  priorite?: Priorite | null;
  urgence?: boolean | null;
  dateLimite?: string | null;
  technicienId?: number | null;
  equipementId?: number | null;
  dureeEstimee?: number | null;
  dureeReelle?: number | null;
  coutEstime?: number | null;
  coutReel?: number | null;
  rapportIntervention?: string | null;
  travauxRealises?: string | null;
  recommandations?: string | null;
  remarque?: string | null;
  /** Anything here is refused: the status has its own route. */
  statut?: unknown;
}

type EditableField =
  | 'titre'
  | 'description'
  | 'type_intervention'
  | 'priorite'
  | 'urgence'
  | 'date_limite'
  | 'duree_estimee'
  | 'duree_reelle'
  | 'cout_estime'
  | 'cout_reel'
  | 'rapport_intervention'
  | 'travaux_realises'
  | 'recommandations';

type EditableValues = Partial<Pick<InterventionRowFull, EditableField>>;

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function withRemark(base: string, remarque: string | null): string {
  return remarque ? `${base} — ${remarque}` : base;
}

/**
 * Edits (api.md §4.5 "Edits and reassignment"). Only fields whose value actually changes count:
 * nothing may change in annulee/archivee, only the closure fields in cloturee. A technician change
 * assigns (ouverte → affectee), reassigns (status kept) or unassigns (affectee → ouverte), with a
 * history row and a notification to the new technician. The equipment may change in ouverte and
 * affectee only; client_id and contrat_id follow it.
 */
export async function updateIntervention(app: FastifyInstance, actor: InterventionActor, id: number, input: UpdateInterventionInput): Promise<InterventionOut> {
  if (input.statut !== undefined) {
    throw validationError([{ loc: ['body', 'statut'], msg: INTERVENTION_MESSAGES.statusViaDedicatedRoute, type: 'value' }]);
  }
  const issues: ValidationIssue[] = [];
  checkNoNul(
    {
      titre: input.titre,
      description: input.description,
      rapport_intervention: input.rapportIntervention,
      travaux_realises: input.travauxRealises,
      recommandations: input.recommandations,
      remarque: input.remarque,
    },
    'body',
    issues,
  );
  const requested: EditableValues = {};
  if (input.titre !== undefined && input.titre !== null) requested.titre = checkTitre(input.titre, issues);
  if (input.description !== undefined) requested.description = optionalText(input.description) ?? null;
  if (input.type !== undefined && input.type !== null) requested.type_intervention = input.type;
  if (input.priorite !== undefined && input.priorite !== null) requested.priorite = input.priorite;
  if (input.urgence !== undefined && input.urgence !== null) requested.urgence = input.urgence;
  if (input.dateLimite !== undefined) {
    const parsed = parseDateField(input.dateLimite, ['body', 'date_limite'], issues);
    if (parsed !== undefined) requested.date_limite = parsed;
  }
  if (input.dureeEstimee !== undefined) requested.duree_estimee = input.dureeEstimee;
  if (input.dureeReelle !== undefined) requested.duree_reelle = input.dureeReelle;
  if (input.coutEstime !== undefined) requested.cout_estime = input.coutEstime;
  if (input.coutReel !== undefined) requested.cout_reel = input.coutReel;
  if (input.rapportIntervention !== undefined) requested.rapport_intervention = optionalText(input.rapportIntervention) ?? null;
  if (input.travauxRealises !== undefined) requested.travaux_realises = optionalText(input.travauxRealises) ?? null;
  if (input.recommandations !== undefined) requested.recommandations = optionalText(input.recommandations) ?? null;
  if (issues.length > 0) throw validationError(issues);
  const remarque = optionalText(input.remarque) ?? null;

  const now = app.clock.now();
  await runWrite(app, actor, async (trx) => {
    const current = await lockIntervention(trx, id);
    if (!current) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);

    const changes: InterventionChanges = { updated_at: now };
    const changed: string[] = [];
    for (const [field, value] of Object.entries(requested) as [EditableField, unknown][]) {
      if (sameValue(current[field], value)) continue;
      (changes as Record<string, unknown>)[field] = value;
      changed.push(field);
    }
    const technicienChanged = input.technicienId !== undefined && input.technicienId !== current.technicien_id;
    const equipementChanged = input.equipementId !== undefined && input.equipementId !== null && input.equipementId !== current.equipement_id;
    if (technicienChanged) changed.push('technicien_id');
    if (equipementChanged) changed.push('equipement_id');
    if (changed.length === 0) return;
    if (refusedEditFields(current.statut, changed).length > 0) throw AppError.conflict(notEditableMessage(current.statut));

    let historique: { statutPrecedent: StatutIntervention; statut: StatutIntervention; remarque: string } | null = null;
    let notify: TechnicienRef | undefined;
    if (technicienChanged) {
      const nextId = input.technicienId ?? null;
      const change = technicienChange(current.statut, current.technicien_id, nextId);
      if (change.kind === 'refused') throw AppError.conflict(change.message);
      let next: TechnicienRef | undefined;
      if (nextId !== null) {
        next = await findAssignableTechnicien(trx, nextId);
        if (!next) throw AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound);
      }
      const previous = current.technicien_id !== null ? await findTechnicienUser(trx, current.technicien_id) : undefined;
      changes.technicien_id = nextId;
      changes.date_affectation = nextId === null ? null : now;
      if (change.kind === 'assign') {
        changes.statut = 'affectee';
        historique = { statutPrecedent: current.statut, statut: 'affectee', remarque: remarque ?? `Affectation : ${next!.fullName}` };
      } else if (change.kind === 'unassign') {
        changes.statut = 'ouverte';
        historique = { statutPrecedent: current.statut, statut: 'ouverte', remarque: remarque ?? `Désaffectation : ${previous?.fullName ?? 'aucun'}` };
      } else {
        historique = {
          statutPrecedent: current.statut,
          statut: current.statut,
          remarque: withRemark(reassignmentRemark(previous?.fullName ?? null, next?.fullName ?? null), remarque),
        };
      }
      notify = next;
    }

    if (equipementChanged) {
      if (!EQUIPEMENT_CHANGE_STATUSES.includes(current.statut)) throw AppError.conflict(INTERVENTION_MESSAGES.equipementLocked);
      const equipement: EquipementRef | undefined = await findEquipement(trx, input.equipementId!);
      if (!equipement) throw AppError.notFound(INTERVENTION_MESSAGES.equipementNotFound);
      if (equipement.statut === 'retire') throw AppError.conflict(INTERVENTION_MESSAGES.equipementRetired);
      changes.equipement_id = equipement.id;
      changes.client_id = equipement.clientId;
      changes.contrat_id = equipement.contratId;
    }

    await updateInterventionRow(trx, id, current.statut, changes);
    if (historique) await insertHistorique(trx, { interventionId: id, ...historique, userId: actor.userId, horodatage: now });
    if (notify && notify.userId !== actor.userId) {
      await insertNotifications(trx, [affectationNotification(id, changes.titre ?? current.titre, notify, now)]);
    }
  });
  return getIntervention(app, actor, id);
}

// --- status changes ------------------------------------------------------------------------------

export interface ChangeStatusInput {
  statut: StatutIntervention;
  /** Default "". Required (non-blank) for `annulee`. */
  remarque?: string | null;
  /** The technician to assign (→affectee). */
  technicienId?: number | null;
  /** Stored when the target is `cloturee`; absent = unchanged. */
  closure?: {
    rapportIntervention?: string | null;
    travauxRealises?: string | null;
    recommandations?: string | null;
    dureeReelle?: number | null;
  };
  /** Where the input came from, for the `loc` of a 422 (default: the query string, the legacy form). */
  source?: 'query' | 'body';
}

export interface StatusChangeResult {
  id: number;
  from: StatutIntervention;
  to: StatutIntervention;
  at: Date;
}

/**
 * Changes the status of an intervention (api.md §4.5 "State machine"). Checks, in order: scope
 * (404), a client (403), the state machine (409 with details), the technician's rights (403), the
 * cancellation remark (422), the technician to assign (404).
 *
 * Concurrency: the status the request is judged against is read first, without a lock; the
 * transaction then locks the row and refuses (409) if the status changed in between, and the
 * UPDATE itself only applies `WHERE statut = <that status>`. So of two concurrent requests from the
 * same status, one succeeds and the other gets 409, whatever their targets. The history row and
 * the notifications go in the same transaction. Reused by the scheduler with `SYSTEM_ACTOR`.
 */
export async function changeStatus(app: FastifyInstance, actor: InterventionActor, id: number, input: ChangeStatusInput): Promise<StatusChangeResult> {
  const to = input.statut;
  const issues: ValidationIssue[] = [];
  checkNoNul({ remarque: input.remarque }, input.source ?? 'query', issues);
  checkNoNul(
    { rapport_intervention: input.closure?.rapportIntervention, travaux_realises: input.closure?.travauxRealises, recommandations: input.closure?.recommandations },
    'body',
    issues,
  );
  if (issues.length > 0) throw validationError(issues);
  const remarque = optionalText(input.remarque ?? '') ?? null;
  const technicienId = input.technicienId ?? null;
  const scope = interventionScope(actor);
  const seen = await findInterventionScope(app.db, id);
  if (!seen) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
  if (!inScope(scope, seen)) {
    const denied = outOfScope(INTERVENTION_MESSAGES.notFound, 'intervention', id);
    await auditDenied(app.db, actor, denied);
    throw denied.error;
  }
  const now = app.clock.now();
  return runWrite(app, actor, async (trx) => {
    const current = await lockIntervention(trx, id);
    if (!current) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
    if (!inScope(scope, current)) throw outOfScope(INTERVENTION_MESSAGES.notFound, 'intervention', id);
    if (!mayChangeStatus(actor.role)) {
      throw new DeniedError(AppError.forbidden(forbiddenRoleMessage(['responsable', 'technicien'])), 'intervention', id, { reason: 'role', action: 'statut' });
    }
    const from = current.statut;
    const check = checkTransition(from, to, { technicienGiven: technicienId !== null });
    if (from !== seen.statut) {
      // Another change won the race: this request was made against a status that is gone.
      throw AppError.conflict(check.ok ? changedMeanwhileMessage(seen.statut, from) : check.message, transitionDetails(from, to));
    }
    if (!check.ok) throw AppError.conflict(check.message, check.details);
    if (actor.role === 'technicien' && !technicienMayTransition(from, to)) {
      throw new DeniedError(AppError.forbidden(TRANSITION_MESSAGES.technicienForbidden), 'intervention', id, { reason: 'transition', from, to });
    }
    if (to === 'annulee' && remarque === null) {
      throw validationError([{ loc: [input.source ?? 'query', 'remarque'], msg: TRANSITION_MESSAGES.remarkRequired, type: 'value' }]);
    }
    let technicien: TechnicienRef | undefined;
    if (to === 'affectee') {
      technicien = await findAssignableTechnicien(trx, technicienId!);
      if (!technicien) throw AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound);
    }

    const changes: InterventionChanges = { statut: to, updated_at: now, ...transitionEffects(current, to, now, technicien?.id ?? null) };
    if (to === 'cloturee' && input.closure) {
      const closure = input.closure;
      if (closure.rapportIntervention !== undefined) changes.rapport_intervention = optionalText(closure.rapportIntervention) ?? null;
      if (closure.travauxRealises !== undefined) changes.travaux_realises = optionalText(closure.travauxRealises) ?? null;
      if (closure.recommandations !== undefined) changes.recommandations = optionalText(closure.recommandations) ?? null;
      if (closure.dureeReelle !== undefined) changes.duree_reelle = closure.dureeReelle;
    }
    if (!(await updateInterventionRow(trx, id, from, changes))) {
      // Unreachable while the row is locked; kept so that the update never applies to another status.
      throw AppError.conflict(changedMeanwhileMessage(from, null), transitionDetails(from, to));
    }
    await insertHistorique(trx, { interventionId: id, statutPrecedent: from, statut: to, remarque, userId: actor.userId, horodatage: now });
    await insertNotifications(trx, await statusNotifications(trx, actor, current, to, technicien, remarque, now));
    return { id, from, to, at: now };
  });
}

function transitionDetails(from: StatutIntervention, to: StatutIntervention) {
  return { statut_actuel: from, statut_demande: to, transitions_autorisees: [...TRANSITIONS[from]] };
}

/** 409 for a request made against a status that another change replaced meanwhile. */
export function changedMeanwhileMessage(seen: StatutIntervention, actual: StatutIntervention | null): string {
  return actual === null
    ? `Le statut de l'intervention a été modifié entre-temps (il n'est plus '${seen}')`
    : `Le statut de l'intervention a été modifié entre-temps ('${seen}' → '${actual}')`;
}

async function statusNotifications(
  trx: Db,
  actor: InterventionActor,
  current: InterventionRowFull,
  to: StatutIntervention,
  technicien: TechnicienRef | undefined,
  remarque: string | null,
  now: Date,
): Promise<NewNotification[]> {
  const label = interventionLabel(current.id, current.titre);
  if (to === 'affectee' && technicien) {
    return technicien.userId === actor.userId ? [] : [affectationNotification(current.id, current.titre, technicien, now)];
  }
  if (to === 'cloturee') {
    const creator = current.created_by_id !== null ? await activeUserIds(trx, [current.created_by_id]) : [];
    const responsables = await activeResponsableIds(trx);
    const clientUsers = current.client_id !== null ? await activeClientUserIds(trx, current.client_id) : [];
    return closureRecipients(creator[0] ?? null, responsables, clientUsers, actor.userId).map((userId) => ({
      type: 'cloture' as const,
      canal: 'email' as const,
      contenu: `${label} clôturée`,
      userId,
      interventionId: current.id,
      dateEnvoi: now,
    }));
  }
  if (to === 'annulee' && current.technicien_id !== null) {
    const assigned = await findTechnicienUser(trx, current.technicien_id);
    if (!assigned || !assigned.userActive || assigned.userId === actor.userId) return [];
    return [{ type: 'information', canal: 'email', contenu: `${label} annulée : ${remarque ?? ''}`, userId: assigned.userId, interventionId: current.id, dateEnvoi: now }];
  }
  return [];
}
