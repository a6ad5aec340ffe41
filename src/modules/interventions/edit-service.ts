/**
 * Edits, assignment and reassignment of an intervention (docs/api.md §4.5 "Edits and
 * reassignment"). The status itself changes through status-service.ts only.
 */
import type { Priorite, TypeIntervention } from '../../db/schema.js';
import type { Actor } from '../../lib/actor.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { runWrite, type InterventionsDependencies } from './dependencies.js';
import { checkTitre, optionalText, parseDateField, validationError } from './input.js';
import { affectationNotice } from './notices.js';
import type { InterventionPartiesRepository, TechnicienRef } from './parties-repository.js';
import { EQUIPEMENT_CHANGE_STATUSES, INTERVENTION_MESSAGES, notEditableMessage, reassignmentRemark, refusedEditFields, technicienChange } from './policy.js';
import type { InterventionChanges, InterventionRowFull, NewHistorique } from './repository.js';

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

/** The requested field values, cleaned up; 422 for bad input (a status, a blank title, a bad date). */
function requestedValues(input: UpdateInterventionInput): EditableValues {
  if (input.statut !== undefined) {
    throw validationError([{ loc: ['body', 'statut'], msg: INTERVENTION_MESSAGES.statusViaDedicatedRoute, type: 'value' }]);
  }
  const issues: ValidationIssue[] = [];
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
  return requested;
}

type HistoriqueEntry = Pick<NewHistorique, 'statutPrecedent' | 'statut' | 'remarque'>;

/**
 * A technician change: assign (ouverte → affectee), reassign (status kept) or unassign
 * (affectee → ouverte). Adds its columns to `changes`; returns its history entry and the new
 * technician (to notify).
 */
async function changeTechnicien(
  parties: InterventionPartiesRepository,
  current: InterventionRowFull,
  nextId: number | null,
  remarque: string | null,
  now: Date,
  changes: InterventionChanges,
): Promise<{ historique: HistoriqueEntry; next: TechnicienRef | undefined }> {
  const change = technicienChange(current.statut, current.technicien_id, nextId);
  if (change.kind === 'refused') throw AppError.conflict(change.message);
  let next: TechnicienRef | undefined;
  if (nextId !== null) {
    next = await parties.findAssignableTechnicien(nextId);
    if (!next) throw AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound);
  }
  const previous = current.technicien_id !== null ? await parties.findTechnicienUser(current.technicien_id) : undefined;
  changes.technicien_id = nextId;
  changes.date_affectation = nextId === null ? null : now;
  if (change.kind === 'assign') {
    changes.statut = 'affectee';
    return { historique: { statutPrecedent: current.statut, statut: 'affectee', remarque: remarque ?? `Affectation : ${next!.fullName}` }, next };
  }
  if (change.kind === 'unassign') {
    changes.statut = 'ouverte';
    return { historique: { statutPrecedent: current.statut, statut: 'ouverte', remarque: remarque ?? `Désaffectation : ${previous?.fullName ?? 'aucun'}` }, next };
  }
  const remark = withRemark(reassignmentRemark(previous?.fullName ?? null, next?.fullName ?? null), remarque);
  return { historique: { statutPrecedent: current.statut, statut: current.statut, remarque: remark }, next };
}

/**
 * Only fields whose value actually changes count: nothing may change in annulee/archivee, only the
 * closure fields in cloturee. A technician change writes a history row and notifies the new
 * technician. The equipment may change in ouverte and affectee only; client_id and contrat_id
 * follow it.
 */
export async function updateIntervention(deps: InterventionsDependencies, actor: Actor, id: number, input: UpdateInterventionInput): Promise<void> {
  const requested = requestedValues(input);
  const remarque = optionalText(input.remarque) ?? null;
  const now = deps.clock.now();
  const historique = await runWrite(deps, actor, async ({ interventions, parties, notifications }): Promise<HistoriqueEntry | null> => {
    const current = await interventions.lock(id);
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
    if (changed.length === 0) return null;
    if (refusedEditFields(current.statut, changed).length > 0) throw AppError.conflict(notEditableMessage(current.statut));

    const technicien = technicienChanged ? await changeTechnicien(parties, current, input.technicienId ?? null, remarque, now, changes) : undefined;

    if (equipementChanged) {
      if (!EQUIPEMENT_CHANGE_STATUSES.includes(current.statut)) throw AppError.conflict(INTERVENTION_MESSAGES.equipementLocked);
      const equipement = await parties.findEquipement(input.equipementId!);
      if (!equipement) throw AppError.notFound(INTERVENTION_MESSAGES.equipementNotFound);
      if (equipement.statut === 'retire') throw AppError.conflict(INTERVENTION_MESSAGES.equipementRetired);
      changes.equipement_id = equipement.id;
      changes.client_id = equipement.clientId;
      changes.contrat_id = equipement.contratId;
    }

    await interventions.update(id, current.statut, changes);
    if (technicien) await interventions.insertHistorique({ interventionId: id, ...technicien.historique, userId: actor.userId, horodatage: now });
    const notify = technicien?.next;
    if (notify && notify.userId !== actor.userId) {
      await notifications.insert([affectationNotice({ id, titre: changes.titre ?? current.titre }, notify.userId, now)]);
    }
    return technicien?.historique ?? null;
  });
  // An assignment or its removal can move the status (ouverte ↔ affectee).
  if (historique?.statutPrecedent && historique.statutPrecedent !== historique.statut) deps.statusChanges.labels(historique.statutPrecedent, historique.statut).inc();
}
