/**
 * Interventions (docs/api.md §4.5, docs/security.md §5): the scoped reads here, the writes in one
 * file per use case (create-service.ts, edit-service.ts, status-service.ts). Every write runs in
 * one transaction that locks the intervention row first; history rows and notifications are
 * written in the same transaction. The API calls it with the request's actor, background jobs with
 * `SYSTEM_ACTOR` (no scope, history rows without a user).
 */
import { emptyPage, mapPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Actor } from '../../lib/actor.js';
import type { Authenticator, Credentials } from '../auth/authenticator.js';
import { createIntervention, type CreateInterventionInput } from './create-service.js';
import { requireVisible, type InterventionsDependencies } from './dependencies.js';
import { updateIntervention, type UpdateInterventionInput } from './edit-service.js';
import { interventionScope, scopeMatchesAnything } from './policy.js';
import type { InterventionFilters, InterventionOutRow } from './repository.js';
import { toInterventionOut, type HistoriqueOut, type InterventionOut } from './schemas.js';
import { changeStatus, type ChangeStatusInput, type StatusChangeResult } from './status-service.js';

export interface InterventionsServiceDependencies extends InterventionsDependencies {
  /** Admits the caller of `getAs` from the principal its read carried (src/modules/auth/authenticator.ts). */
  authenticator: Pick<Authenticator, 'admit'>;
}

export class InterventionsService {
  constructor(private readonly deps: InterventionsServiceDependencies) {}

  /** One intervention in the caller's scope; 404 otherwise (audited when it exists out of scope). */
  async get(actor: Actor, id: number): Promise<InterventionOut> {
    return this.present(actor, id, await this.deps.store.repos.interventions.findOut(id));
  }

  /**
   * `get` for verified credentials whose principal is read in the same statement as the
   * intervention (one round trip: docs/decisions.md "Per-request cost"): the caller is admitted,
   * or refused with 401 / 403, before anything is decided or written about the row.
   */
  async getAs(credentials: Credentials, id: number): Promise<InterventionOut> {
    const { principal, row } = await this.deps.store.repos.interventions.findOutCarryingPrincipal(credentials.userId, credentials.sessionId, id);
    return this.present(this.deps.authenticator.admit(credentials, principal), id, row);
  }

  private async present(actor: Actor, id: number, row: InterventionOutRow | undefined): Promise<InterventionOut> {
    return toInterventionOut(await requireVisible(this.deps, actor, id, row), this.deps.clock.now(), actor.role);
  }

  /** A page of the caller's interventions and the total in scope. */
  async list(actor: Actor, filters: InterventionFilters, page: PageOptions): Promise<Page<InterventionOut>> {
    const scope = interventionScope(actor);
    if (!scopeMatchesAnything(scope)) return emptyPage();
    const now = this.deps.clock.now();
    const rows = await this.deps.store.repos.interventions.page(scope, filters, now, page);
    return mapPage(rows, (row) => toInterventionOut(row, now, actor.role));
  }

  /** The history of an intervention in scope (404 otherwise), with the authors' names. */
  async historique(actor: Actor, id: number, page: PageOptions): Promise<Page<HistoriqueOut>> {
    const { interventions } = this.deps.store.repos;
    await requireVisible(this.deps, actor, id, await interventions.findScope(id));
    return interventions.pageHistorique(id, page);
  }

  create(actor: Actor, input: CreateInterventionInput): Promise<InterventionOut> {
    return createIntervention(this.deps, actor, input);
  }

  /** The edit, then the intervention as the caller reads it. */
  async update(actor: Actor, id: number, input: UpdateInterventionInput): Promise<InterventionOut> {
    await updateIntervention(this.deps, actor, id, input);
    return this.get(actor, id);
  }

  changeStatus(actor: Actor, id: number, input: ChangeStatusInput): Promise<StatusChangeResult> {
    return changeStatus(this.deps, actor, id, input);
  }
}
