/**
 * Contract rules (docs/api.md §4.10, docs/domain.md §3 contrats, §4): the input normalisation
 * (input.ts), date_fin ≥ date_debut (also on PATCH, against the stored value of the other date),
 * the client must exist (404), unique number (409), record-level scope, deletion refused while
 * referenced (409), audit `data.deleted`. Races get the pre-checks' answers (CONTRAT_CONSTRAINT_ERRORS).
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import type { ListRequest, Page } from '../../db/paging.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow, outOfScope, type AuditService } from '../audit/service.js';
import { CONTRAT_CONSTRAINT_ERRORS, CONTRAT_SORT, type ContratFilters, type ContratInsert, type ContratsRepository } from './contrats-repository.js';
import type { ContratCreateBody, ContratOut, ContratPatchBody } from './contrats-schemas.js';
import { datesOrderError, normalizeContratInput } from './input.js';
import { CLIENT_MESSAGES, clientChangeAllowed, companyScope, CONTRAT_MESSAGES, inScope } from './policy.js';
import type { ClientsRepository } from './repository.js';

export interface ContratsDependencies {
  store: Store<{ contrats: ContratsRepository; clients: ClientsRepository; audit: AuditRepository }>;
  audit: AuditService;
  clock: Clock;
  /** APP_TIMEZONE: the days of date_debut and date_fin for `nb_interventions_utilisees`. */
  timeZone: string;
}

export class ContratsService {
  constructor(private readonly deps: ContratsDependencies) {}

  /** GET /contrats/: the caller's company scope and the filters. */
  async list(actor: Actor, filters: Omit<ContratFilters, 'scope'>, request: ListRequest): Promise<Page<ContratOut>> {
    const sort = parseSort(request.sort, CONTRAT_SORT);
    const scoped = { ...filters, scope: companyScope(actor) };
    return this.deps.store.repos.contrats.page(scoped, { limit: request.limit, offset: request.offset, sort }, this.deps.timeZone);
  }

  /** GET /contrats/{id}: 404 when unknown, and when outside the caller's company (audited). */
  async get(actor: Actor, id: number): Promise<ContratOut> {
    const row = await this.deps.store.repos.contrats.find(id, this.deps.timeZone);
    if (!row) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
    await this.deps.audit.requireInScope(actor, inScope(companyScope(actor), row.client_id), () => outOfScope(CONTRAT_MESSAGES.notFound, 'contrat', id));
    return row;
  }

  /** POST /contrats/: 422, then 404 (client), then 409 (number), then the insert. */
  async create(body: ContratCreateBody): Promise<ContratOut> {
    const values = normalizeContratInput(body, 'create') as ContratInsert;
    const now = this.deps.clock.now();
    let id: number;
    try {
      id = await this.deps.store.transaction(async ({ contrats, clients }) => {
        if (!(await clients.exists(values.client_id))) throw AppError.notFound(CLIENT_MESSAGES.notFound);
        if (await contrats.numeroTaken(values.numero_contrat)) throw AppError.conflict(CONTRAT_MESSAGES.numeroTaken);
        return contrats.insert({ ...values, date_creation: now, date_modification: now });
      });
    } catch (error) {
      throw mapConstraintViolation(error, CONTRAT_CONSTRAINT_ERRORS);
    }
    return this.written(id);
  }

  /**
   * PATCH /contrats/{id}: the given columns; date_fin ≥ date_debut against the stored other date;
   * a new client must exist, and may be set only while nothing refers to the contract.
   */
  async patch(id: number, body: ContratPatchBody): Promise<ContratOut> {
    const changes = normalizeContratInput(body, 'patch');
    try {
      await this.deps.store.transaction(async ({ contrats, clients }) => {
        const current = await contrats.lock(id);
        if (!current) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
        if (Object.keys(changes).length === 0) return;
        const dateDebut = changes.date_debut ?? current.date_debut;
        const dateFin = changes.date_fin ?? current.date_fin;
        if (dateFin < dateDebut) throw datesOrderError();
        if (changes.client_id !== undefined && changes.client_id !== current.client_id) {
          if (!(await clients.exists(changes.client_id))) throw AppError.notFound(CLIENT_MESSAGES.notFound);
          if (!clientChangeAllowed(current.client_id, changes.client_id, await contrats.isReferenced(id))) {
            throw AppError.conflict(CONTRAT_MESSAGES.clientChangeReferenced);
          }
        }
        if (changes.numero_contrat !== undefined && changes.numero_contrat !== current.numero_contrat && (await contrats.numeroTaken(changes.numero_contrat, id))) {
          throw AppError.conflict(CONTRAT_MESSAGES.numeroTaken);
        }
        await contrats.update(id, { ...changes, date_modification: this.deps.clock.now() });
      });
    } catch (error) {
      throw mapConstraintViolation(error, CONTRAT_CONSTRAINT_ERRORS);
    }
    return this.written(id);
  }

  /** DELETE /contrats/{id}: refused (409) while an equipment item or an intervention refers to it. */
  async remove(actor: Actor, id: number): Promise<void> {
    try {
      await this.deps.store.transaction(async ({ contrats, audit }) => {
        // The row lock also blocks new references (their foreign-key check waits for it).
        const current = await contrats.lock(id);
        if (!current) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
        if (await contrats.isReferenced(id)) throw AppError.conflict(CONTRAT_MESSAGES.referenced);
        await contrats.delete(id);
        const details = { numero_contrat: current.numero_contrat, client_id: current.client_id };
        await audit.insert(auditRow(actor, { eventType: 'data.deleted', outcome: 'success', resourceType: 'contrat', resourceId: id, details }));
      });
    } catch (error) {
      throw mapConstraintViolation(error, CONTRAT_CONSTRAINT_ERRORS);
    }
  }

  /**
   * `contrats.expire` (docs/operations.md §6), daily: contracts still `en_cours` after their last day
   * become `expire`. Idempotent: an expired contract no longer matches.
   */
  async expireEnded(): Promise<{ expired: number }> {
    const ids = await this.deps.store.repos.contrats.expireEnded(this.deps.clock.now(), this.deps.timeZone);
    return { expired: ids.length };
  }

  /** The row after a committed write; 404 when a concurrent request deleted it in between. */
  private async written(id: number): Promise<ContratOut> {
    const row = await this.deps.store.repos.contrats.find(id, this.deps.timeZone);
    if (!row) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
    return row;
  }
}
