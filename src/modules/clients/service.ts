/**
 * Customer rules (docs/api.md §4.10, docs/domain.md §1, §3, §4): the input normalisation
 * (input.ts), uniqueness (409), record-level scope (404 + audit `rbac.denied` "hors_perimetre"),
 * deletion refused while referenced (409), audit `data.deleted`. Unique/foreign-key races get the
 * same answers as the pre-checks (CLIENT_CONSTRAINT_ERRORS).
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
import { normalizeClientInput } from './input.js';
import { CLIENT_MESSAGES, companyScope, inScope } from './policy.js';
import { CLIENT_CONSTRAINT_ERRORS, CLIENT_SORT, type ClientFilters, type ClientInsert, type ClientsRepository } from './repository.js';
import type { ClientCreateBody, ClientOut, ClientPatchBody } from './schemas.js';

export interface ClientsDependencies {
  store: Store<{ clients: ClientsRepository; audit: AuditRepository }>;
  audit: AuditService;
  clock: Clock;
}

export class ClientsService {
  constructor(private readonly deps: ClientsDependencies) {}

  /** GET /clients/: the caller's company scope and the filters. */
  async list(actor: Actor, filters: Omit<ClientFilters, 'scope'>, request: ListRequest): Promise<Page<ClientOut>> {
    const sort = parseSort(request.sort, CLIENT_SORT);
    return this.deps.store.repos.clients.page({ ...filters, scope: companyScope(actor) }, { limit: request.limit, offset: request.offset, sort });
  }

  /** GET /clients/{id}: 404 when unknown, and when outside the caller's company (audited). */
  async get(actor: Actor, id: number): Promise<ClientOut> {
    const row = await this.deps.store.repos.clients.find(id);
    if (!row) throw AppError.notFound(CLIENT_MESSAGES.notFound);
    await this.deps.audit.requireInScope(actor, inScope(companyScope(actor), row.id), () => outOfScope(CLIENT_MESSAGES.notFound, 'client', id));
    return row;
  }

  /** POST /clients/: 422, then 409 (name, then ICE), then the insert. */
  async create(body: ClientCreateBody): Promise<ClientOut> {
    const values = normalizeClientInput(body, 'create') as ClientInsert;
    const { clients } = this.deps.store.repos;
    await assertNoConflict(clients, { nomEntreprise: values.nom_entreprise, ice: values.ice }, null);
    const now = this.deps.clock.now();
    let id: number;
    try {
      id = await clients.insert({ ...values, date_creation: now, date_modification: now });
    } catch (error) {
      throw mapConstraintViolation(error, CLIENT_CONSTRAINT_ERRORS);
    }
    return this.written(id);
  }

  /** PATCH /clients/{id}: the given columns; date_modification is set when at least one is given. */
  async patch(id: number, body: ClientPatchBody): Promise<ClientOut> {
    const changes = normalizeClientInput(body, 'patch');
    try {
      await this.deps.store.transaction(async ({ clients }) => {
        const current = await clients.lock(id);
        if (!current) throw AppError.notFound(CLIENT_MESSAGES.notFound);
        if (Object.keys(changes).length === 0) return;
        const nameChanged = changes.nom_entreprise !== undefined && changes.nom_entreprise.toLowerCase() !== current.nom_entreprise.toLowerCase();
        const iceChanged = typeof changes.ice === 'string' && changes.ice !== current.ice;
        await assertNoConflict(clients, { nomEntreprise: nameChanged ? changes.nom_entreprise : undefined, ice: iceChanged ? changes.ice : undefined }, id);
        await clients.update(id, { ...changes, date_modification: this.deps.clock.now() });
      });
    } catch (error) {
      throw mapConstraintViolation(error, CLIENT_CONSTRAINT_ERRORS);
    }
    return this.written(id);
  }

  /** DELETE /clients/{id}: refused (409) while a user, contract, equipment item or intervention refers to it. */
  async remove(actor: Actor, id: number): Promise<void> {
    try {
      await this.deps.store.transaction(async ({ clients, audit }) => {
        // The row lock also blocks new references (their foreign-key check waits for it).
        const current = await clients.lock(id);
        if (!current) throw AppError.notFound(CLIENT_MESSAGES.notFound);
        if (await clients.isReferenced(id)) throw AppError.conflict(CLIENT_MESSAGES.referenced);
        await clients.delete(id);
        await audit.insert(
          auditRow(actor, { eventType: 'data.deleted', outcome: 'success', resourceType: 'client', resourceId: id, details: { nom_entreprise: current.nom_entreprise } }),
        );
      });
    } catch (error) {
      throw mapConstraintViolation(error, CLIENT_CONSTRAINT_ERRORS);
    }
  }

  /** The row after a committed write; 404 when a concurrent request deleted it in between. */
  private async written(id: number): Promise<ClientOut> {
    const row = await this.deps.store.repos.clients.find(id);
    if (!row) throw AppError.notFound(CLIENT_MESSAGES.notFound);
    return row;
  }
}

async function assertNoConflict(clients: ClientsRepository, candidate: { nomEntreprise?: string; ice?: string | null }, exceptId: number | null): Promise<void> {
  const conflicts = await clients.findConflicts(candidate, exceptId);
  if (conflicts.name) throw AppError.conflict(CLIENT_MESSAGES.nameTaken);
  if (conflicts.ice) throw AppError.conflict(CLIENT_MESSAGES.iceTaken);
}
