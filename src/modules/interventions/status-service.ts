/**
 * Status changes (docs/api.md §4.5 "State machine"): the one entry point for them, used by the API
 * and, with `SYSTEM_ACTOR`, by the scheduler.
 */
import type { StatutIntervention } from '../../db/schema.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { Denial, outOfScope, roleDenied } from '../audit/service.js';
import { forbiddenRoleMessage } from '../auth/policy.js';
import type { NewNotification } from '../notifications/repository.js';
import { requireVisible, runWrite, type InterventionRepositories, type InterventionsDependencies } from './dependencies.js';
import { optionalText, validationError } from './input.js';
import { affectationNotice, cancellationNotice, closureNotice } from './notices.js';
import type { TechnicienRef } from './parties-repository.js';
import { closureRecipients, INTERVENTION_MESSAGES, inScope, interventionScope, mayChangeStatus } from './policy.js';
import type { InterventionChanges, InterventionRowFull } from './repository.js';
import { checkTransition, technicienMayTransition, TRANSITION_MESSAGES, transitionEffects, transitionRefusalDetails } from './state-machine.js';

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

/** 409 for a request made against a status that another change replaced meanwhile. */
function changedMeanwhileMessage(seen: StatutIntervention, actual: StatutIntervention | null): string {
  return actual === null
    ? `Le statut de l'intervention a été modifié entre-temps (il n'est plus '${seen}')`
    : `Le statut de l'intervention a été modifié entre-temps ('${seen}' → '${actual}')`;
}

/**
 * Checks, in order: scope (404), a client (403), the state machine (409 with details), the
 * technician's rights (403), the cancellation remark (422), the technician to assign (404).
 *
 * Concurrency: the status the request is judged against is read first, without a lock; the
 * transaction then locks the row and refuses (409) if the status changed in between, and the
 * UPDATE itself only applies `WHERE statut = <that status>`. So of two concurrent requests from the
 * same status, one succeeds and the other gets 409, whatever their targets. The history row and
 * the notifications go in the same transaction.
 */
export async function changeStatus(deps: InterventionsDependencies, actor: Actor, id: number, input: ChangeStatusInput): Promise<StatusChangeResult> {
  const to = input.statut;
  const remarque = optionalText(input.remarque ?? '') ?? null;
  const technicienId = input.technicienId ?? null;
  const seen = await requireVisible(deps, actor, id, await deps.store.repos.interventions.findScope(id));
  const now = deps.clock.now();
  const result = await runWrite(deps, actor, async (repos) => {
    const current = await repos.interventions.lock(id);
    if (!current) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
    if (!inScope(interventionScope(actor), current)) throw outOfScope(INTERVENTION_MESSAGES.notFound, 'intervention', id);
    if (!mayChangeStatus(actor.role)) throw roleDenied(forbiddenRoleMessage(['responsable', 'technicien']), 'intervention', id, { action: 'statut' });
    const from = current.statut;
    const check = checkTransition(from, to, { technicienGiven: technicienId !== null });
    if (from !== seen.statut) {
      // Another change won the race: this request was made against a status that is gone.
      throw AppError.conflict(check.ok ? changedMeanwhileMessage(seen.statut, from) : check.message, transitionRefusalDetails(from, to));
    }
    if (!check.ok) throw AppError.conflict(check.message, check.details);
    if (actor.role === 'technicien' && !technicienMayTransition(from, to)) {
      throw new Denial(AppError.forbidden(TRANSITION_MESSAGES.technicienForbidden), 'intervention', id, { reason: 'transition', from, to });
    }
    if (to === 'annulee' && remarque === null) {
      throw validationError([{ loc: [input.source ?? 'query', 'remarque'], msg: TRANSITION_MESSAGES.remarkRequired, type: 'value' }]);
    }
    let technicien: TechnicienRef | undefined;
    if (to === 'affectee') {
      technicien = await repos.parties.findAssignableTechnicien(technicienId!);
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
    if (!(await repos.interventions.update(id, from, changes))) {
      // Unreachable while the row is locked; kept so that the update never applies to another status.
      throw AppError.conflict(changedMeanwhileMessage(from, null), transitionRefusalDetails(from, to));
    }
    await repos.interventions.insertHistorique({ interventionId: id, statutPrecedent: from, statut: to, remarque, userId: actor.userId, horodatage: now });
    await repos.notifications.insert(await statusNotices(repos, actor, current, to, technicien, remarque, now));
    return { id, from, to, at: now };
  });
  deps.statusChanges.labels(result.from, result.to).inc();
  return result;
}

/** Who hears of the change: the technician assigned, the people concerned by a closure, the technician of a cancelled intervention. */
async function statusNotices(
  { parties }: InterventionRepositories,
  actor: Actor,
  current: InterventionRowFull,
  to: StatutIntervention,
  technicien: TechnicienRef | undefined,
  remarque: string | null,
  now: Date,
): Promise<NewNotification[]> {
  if (to === 'affectee' && technicien) {
    return technicien.userId === actor.userId ? [] : [affectationNotice(current, technicien.userId, now)];
  }
  if (to === 'cloturee') {
    const creator = current.created_by_id !== null ? await parties.activeUserIds([current.created_by_id]) : [];
    const responsables = await parties.activeResponsableIds();
    const clientUsers = current.client_id !== null ? await parties.activeClientUserIds(current.client_id) : [];
    return closureRecipients(creator[0] ?? null, responsables, clientUsers, actor.userId).map((userId) => closureNotice(current, userId, now));
  }
  if (to === 'annulee' && current.technicien_id !== null) {
    const assigned = await parties.findTechnicienUser(current.technicien_id);
    if (!assigned || !assigned.userActive || assigned.userId === actor.userId) return [];
    return [cancellationNotice(current, remarque, assigned.userId, now)];
  }
  return [];
}
