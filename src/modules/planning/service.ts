/**
 * Business rules of preventive planning (api.md §4.6, operations.md §6). Writes run in one
 * transaction; foreign-key races lost after the checks map to the same 404s as the checks.
 */
import type { Kysely } from 'kysely';
import type { Database, Frequence, Priorite, StatutPlanning } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { parseTimestamp } from '../../lib/listing.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { addPeriods, frequenceLabel, normaliseFrequence } from './calendar.js';
import { anchorAfterUpdate, PLANNING_MESSAGES, statutAfterDateMove } from './policy.js';
import {
  activeTechnicienExists,
  constraintViolation,
  deletePlanning as deletePlanningRow,
  equipementExists,
  findPlanningOut,
  hasOverdueGeneratedIntervention,
  insertPlanning,
  lockPlanning,
  updatePlanning as updatePlanningRow,
  type PlanningChanges,
  type PlanningRow,
} from './repository.js';
import type { PlanningCreateBody, PlanningOut, PlanningUpdateBody } from './schemas.js';

export interface PlanningContext {
  db: Kysely<Database>;
  now: Date;
  /** APP_TIMEZONE: the zone of the calendar arithmetic. */
  timeZone: string;
}

type AuditActor = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

export function toPlanningOut(row: PlanningRow): PlanningOut {
  return { ...row, frequence: frequenceLabel(row.frequence) as PlanningOut['frequence'] };
}

export async function getPlanning(db: Kysely<Database>, id: number): Promise<PlanningOut> {
  const row = await findPlanningOut(db, id);
  if (!row) throw AppError.notFound(PLANNING_MESSAGES.notFound);
  return toPlanningOut(row);
}

/** A timestamp of the body: 422 at `[location, field]` when it is not a real date and time. */
function timestampInput(value: string, field: string, location: 'body' | 'query' = 'body'): Date {
  const parsed = parseTimestamp(value);
  if (!parsed) throw AppError.validation([{ loc: [location, field], msg: 'Date invalide', type: 'format' }]);
  return parsed;
}

function frequenceInput(value: string): Frequence {
  const frequence = normaliseFrequence(value);
  if (!frequence) throw AppError.badRequest(PLANNING_MESSAGES.frequenceInvalid);
  return frequence;
}

/** Trimmed; an empty comment is stored as NULL. */
function commentaireInput(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

async function assertEquipement(db: Kysely<Database>, id: number): Promise<void> {
  if (!(await equipementExists(db, id))) throw AppError.notFound(PLANNING_MESSAGES.equipementNotFound);
}

async function assertTechnicien(db: Kysely<Database>, id: number): Promise<void> {
  if (!(await activeTechnicienExists(db, id))) throw AppError.notFound(PLANNING_MESSAGES.technicienNotFound);
}

/** A foreign key that vanished between the check and the write: the check's 404. */
function mapWriteError(error: unknown): unknown {
  const violation = constraintViolation(error);
  if (violation?.code !== '23503') return error;
  if (violation.constraint === 'plannings_equipement_id_fkey') return AppError.notFound(PLANNING_MESSAGES.equipementNotFound);
  if (violation.constraint === 'plannings_technicien_id_fkey') return AppError.notFound(PLANNING_MESSAGES.technicienNotFound);
  return error;
}

/**
 * POST /planning/. `prochaine_date` defaults to `derniere_date` + one period, else now + one
 * period; it is also the anchor of the calendar arithmetic.
 */
export async function createPlanning(ctx: PlanningContext, body: PlanningCreateBody): Promise<number> {
  const prochaineInput = body.prochaine_date != null ? timestampInput(body.prochaine_date, 'prochaine_date') : null;
  const derniereDate = body.derniere_date != null ? timestampInput(body.derniere_date, 'derniere_date') : null;
  await assertEquipement(ctx.db, body.equipement_id);
  const frequence = frequenceInput(body.frequence);
  const technicienId = body.technicien_id ?? null;
  if (technicienId !== null) await assertTechnicien(ctx.db, technicienId);
  const prochaineDate = prochaineInput ?? addPeriods(derniereDate ?? ctx.now, frequence, 1, ctx.timeZone);
  try {
    return await insertPlanning(ctx.db, {
      equipementId: body.equipement_id,
      frequence,
      prochaineDate,
      derniereDate,
      commentaire: commentaireInput(body.commentaire ?? null),
      statut: body.statut ?? 'actif',
      technicienId,
      priorite: body.priorite ?? 'normale',
      now: ctx.now,
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/** PUT /planning/{id}: every given field is updated (see PlanningUpdateSchema for null). */
export async function updatePlanning(ctx: PlanningContext, id: number, body: PlanningUpdateBody): Promise<void> {
  const prochaineDate = body.prochaine_date != null ? timestampInput(body.prochaine_date, 'prochaine_date') : undefined;
  const derniereDate = body.derniere_date === undefined ? undefined : body.derniere_date === null ? null : timestampInput(body.derniere_date, 'derniere_date');
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const current = await lockPlanning(trx, id);
      if (!current) throw AppError.notFound(PLANNING_MESSAGES.notFound);
      const frequence = body.frequence != null ? frequenceInput(body.frequence) : undefined;
      if (body.equipement_id != null) await assertEquipement(trx, body.equipement_id);
      if (body.technicien_id != null) await assertTechnicien(trx, body.technicien_id);

      const changes: PlanningChanges = { date_modification: ctx.now };
      if (frequence !== undefined) changes.frequence = frequence;
      if (body.equipement_id != null) changes.equipement_id = body.equipement_id;
      if (prochaineDate !== undefined) changes.prochaine_date = prochaineDate;
      if (derniereDate !== undefined) changes.derniere_date = derniereDate;
      if (body.commentaire !== undefined) changes.commentaire = commentaireInput(body.commentaire);
      if (body.statut != null) changes.statut = body.statut as StatutPlanning;
      if (body.technicien_id !== undefined) changes.technicien_id = body.technicien_id;
      if (body.priorite != null) changes.priorite = body.priorite as Priorite;
      const anchor = anchorAfterUpdate(
        { frequence: current.frequence, prochaineDate: current.prochaine_date, dateReference: current.date_reference },
        { frequence, prochaineDate },
      );
      if (anchor !== undefined) changes.date_reference = anchor;
      await updatePlanningRow(trx, id, changes);
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/** Where `nouvelle_date` was read, for the 422 location. */
export interface NouvelleDateInput {
  value: string;
  location: 'query' | 'body';
}

/**
 * PATCH /planning/{id}/dates: `derniere_date` ← the old `prochaine_date`, `prochaine_date` (and
 * the anchor) ← `nouvelle_date`; `en_retard` → `actif` when no generated intervention is overdue.
 */
export async function movePlanningDates(ctx: PlanningContext, id: number, input: NouvelleDateInput | undefined): Promise<void> {
  if (!input) throw AppError.validation([{ loc: ['query', 'nouvelle_date'], msg: 'Champ obligatoire', type: 'missing' }]);
  const nouvelleDate = timestampInput(input.value, 'nouvelle_date', input.location);
  await ctx.db.transaction().execute(async (trx) => {
    const current = await lockPlanning(trx, id);
    if (!current) throw AppError.notFound(PLANNING_MESSAGES.notFound);
    const overdue = current.statut === 'en_retard' ? await hasOverdueGeneratedIntervention(trx, id, ctx.now) : false;
    await updatePlanningRow(trx, id, {
      derniere_date: current.prochaine_date,
      prochaine_date: nouvelleDate,
      date_reference: nouvelleDate,
      statut: statutAfterDateMove(current.statut, overdue),
      date_modification: ctx.now,
    });
  });
}

/** DELETE /planning/{id}: the generated interventions are kept (planning_id set to NULL). Audited. */
export async function deletePlanning(db: Kysely<Database>, id: number, actor: AuditActor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await deletePlanningRow(trx, id);
    if (!deleted) throw AppError.notFound(PLANNING_MESSAGES.notFound);
    await insertAuditEvent(trx, {
      ...actor,
      eventType: 'data.deleted',
      outcome: 'success',
      resourceType: 'planning',
      resourceId: String(deleted.id),
      details: { equipement_id: deleted.equipement_id, frequence: deleted.frequence },
    });
  });
}
