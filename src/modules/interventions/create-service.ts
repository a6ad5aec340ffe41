/**
 * Creation of an intervention (docs/api.md §4.5 "Creation"): by a manager, by the system (later: the
 * scheduler, from a plan), or a client's request.
 */
import type { Priorite, StatutIntervention, TypeIntervention } from '../../db/schema.js';
import type { Actor } from '../../lib/actor.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { outOfScope } from '../audit/service.js';
import type { NewNotification } from '../notifications/repository.js';
import { runWrite, type InterventionsDependencies } from './dependencies.js';
import { checkTitre, optionalText, parseDateField, validationError } from './input.js';
import { affectationNotice, clientRequestNotice } from './notices.js';
import type { TechnicienRef } from './parties-repository.js';
import { equipementInCreationScope, initialStatus, INTERVENTION_MESSAGES, isClientRequest } from './policy.js';
import { toInterventionOut, type InterventionOut } from './schemas.js';

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
 * Validation (422), then the technician (404), then the equipment (404 unknown or out of scope,
 * 409 retired). A client's creation is a request: corrective, open, normal priority, without
 * technician or deadline, announced to the responsables. The creation's history row and
 * notifications are written in the same transaction.
 */
export async function createIntervention(deps: InterventionsDependencies, actor: Actor, input: CreateInterventionInput): Promise<InterventionOut> {
  const clientRequest = isClientRequest(actor);
  const issues: ValidationIssue[] = [];
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

  const now = deps.clock.now();
  const id = await runWrite(deps, actor, async ({ interventions, parties, notifications }) => {
    let technicien: TechnicienRef | undefined;
    if (technicienId !== null) {
      technicien = await parties.findAssignableTechnicien(technicienId);
      if (!technicien) throw AppError.notFound(INTERVENTION_MESSAGES.technicienNotFound);
    }
    const equipement = await parties.findEquipement(input.equipementId);
    if (!equipement) throw AppError.notFound(INTERVENTION_MESSAGES.equipementNotFound);
    if (!equipementInCreationScope(actor, { client_id: equipement.clientId })) throw outOfScope(INTERVENTION_MESSAGES.equipementNotFound, 'equipement', equipement.id);
    if (equipement.statut === 'retire') throw AppError.conflict(INTERVENTION_MESSAGES.equipementRetired);

    const newId = await interventions.insert({
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
    await interventions.insertHistorique({ interventionId: newId, statutPrecedent: null, statut, remarque: INTERVENTION_MESSAGES.creationRemark, userId: actor.userId, horodatage: now });

    const created = { id: newId, titre };
    const notices: NewNotification[] = [];
    if (technicien && technicien.userId !== actor.userId) notices.push(affectationNotice(created, technicien.userId, now));
    if (clientRequest) {
      const entreprise = equipement.clientId !== null ? ((await parties.findClientName(equipement.clientId)) ?? '') : '';
      for (const userId of await parties.activeResponsableIds()) {
        if (userId !== actor.userId) notices.push(clientRequestNotice(created, entreprise, userId, now));
      }
    }
    await notifications.insert(notices);
    return newId;
  });
  const row = await deps.store.repos.interventions.findOut(id);
  if (!row) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
  return toInterventionOut(row, now, actor.role);
}
