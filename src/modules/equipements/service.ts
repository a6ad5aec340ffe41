/**
 * Equipment (docs/api.md §4.4, docs/domain.md §3 equipements): input normalisation, uniqueness, the
 * client/contract rule, scoping and deletion.
 *
 * Decisions where the spec is silent:
 * - `type` wins over `type_equipement` when both are given (non-null); a null one counts as absent.
 * - POST: `statut`/`criticite` null or absent → the column default. PATCH: absent = unchanged; null
 *   keeps a mandatory field (nom, type, localisation, statut, criticite) and clears an optional one.
 * - A contract requires its client (see policy.resolveOwnership): with a contract and no client_id,
 *   an equipment without a client takes the contract's client; an equipment is never moved
 *   silently to another company.
 * - Changing an equipment's client or contract does not touch its existing interventions: they keep
 *   the client_id/contrat_id copied when they were created (the contract they were done under).
 * - Check order: input (422) → name, serial number, internal code (409) → client, contract
 *   (404) → client/contract consistency (422). Violations that race past the checks are mapped to
 *   the same answers by constraint name (EQUIPEMENT_CONSTRAINT_ERRORS).
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import { mapPage, type ListRequest, type Page } from '../../db/paging.js';
import type { EquipementUpdate, NewEquipement } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow, outOfScope, type AuditService } from '../audit/service.js';
import { normaliseEquipementBody, type EquipementBody, type EquipementChanges } from './input.js';
import { canReadEquipement, contratMismatch, EQUIPEMENT_MESSAGES, equipementReadScope, resolveOwnership } from './policy.js';
import {
  EQUIPEMENT_CONSTRAINT_ERRORS,
  EQUIPEMENT_SORT,
  type EquipementFilters,
  type EquipementsRepository,
} from './repository.js';
import { toEquipementOut, type EquipementOut } from './schemas.js';

export interface EquipementsDependencies {
  store: Store<{ equipements: EquipementsRepository; audit: AuditRepository }>;
  audit: AuditService;
  clock: Clock;
}

/** The equipment a write starts from: none on create. */
interface Current {
  id: number;
  clientId: number | null;
  contratId: number | null;
}

export class EquipementsService {
  constructor(private readonly deps: EquipementsDependencies) {}

  /** GET /equipements/: the caller's scope, then the filters; `total` counts the scoped rows. */
  async list(actor: Actor, filters: EquipementFilters, request: ListRequest): Promise<Page<EquipementOut>> {
    const sort = parseSort(request.sort, EQUIPEMENT_SORT);
    const page = await this.deps.store.repos.equipements.page(equipementReadScope(actor), filters, { limit: request.limit, offset: request.offset, sort });
    return mapPage(page, toEquipementOut);
  }

  /** GET /equipements/{id}: 404 when absent or out of the caller's scope (the latter audited). */
  async get(actor: Actor, id: number): Promise<EquipementOut> {
    const row = await this.deps.store.repos.equipements.find(id);
    if (!row) throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
    await this.deps.audit.requireInScope(actor, canReadEquipement(actor, row), () => outOfScope(EQUIPEMENT_MESSAGES.notFound, 'equipement', row.id));
    return toEquipementOut(row);
  }

  /** POST /equipements/ → the new equipment. */
  async create(body: EquipementBody): Promise<EquipementOut> {
    const changes = normaliseEquipementBody(body, 'create');
    const now = this.deps.clock.now();
    return this.write(async (repos) => {
      const ownership = await checkChanges(repos.equipements, changes, null);
      const values: NewEquipement = {
        ...(changes as EquipementChanges & Pick<NewEquipement, 'nom' | 'type_equipement' | 'localisation'>),
        client_id: ownership?.clientId ?? null,
        contrat_id: ownership?.contratId ?? null,
        created_at: now,
        updated_at: now,
      };
      const id = await repos.equipements.insert(values);
      return toEquipementOut((await repos.equipements.find(id))!);
    });
  }

  /** PATCH /equipements/{id}: partial update; an empty body changes nothing. */
  async update(id: number, body: EquipementBody): Promise<EquipementOut> {
    const changes = normaliseEquipementBody(body, 'update');
    return this.write(async (repos) => {
      const current = await repos.equipements.lock(id);
      if (!current) throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
      const ownership = await checkChanges(repos.equipements, changes, { id: current.id, clientId: current.client_id, contratId: current.contrat_id });
      const update: EquipementUpdate = { ...changes };
      if (ownership) {
        update.client_id = ownership.clientId;
        update.contrat_id = ownership.contratId;
      }
      if (Object.keys(update).length === 0) return toEquipementOut(current);
      update.updated_at = this.deps.clock.now();
      await repos.equipements.update(current.id, update);
      return toEquipementOut((await repos.equipements.find(current.id))!);
    });
  }

  /**
   * DELETE /equipements/{id}: refused (409) while interventions reference it; its plannings are
   * deleted with it (FK CASCADE). Audited `data.deleted`.
   */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.write(async (repos) => {
      const current = await repos.equipements.lock(id);
      if (!current) throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
      if ((await repos.equipements.countInterventions(current.id)) > 0) throw AppError.conflict(EQUIPEMENT_MESSAGES.usedByInterventions);
      const plannings = await repos.equipements.countPlannings(current.id);
      await repos.equipements.delete(current.id);
      await repos.audit.insert(
        auditRow(actor, {
          eventType: 'data.deleted',
          outcome: 'success',
          resourceType: 'equipement',
          resourceId: current.id,
          details: { nom: current.nom, client_id: current.client_id, plannings_supprimes: plannings },
        }),
      );
    });
  }

  /** One transaction; a constraint race lost after the checks gets the checks' answer. */
  private async write<T>(work: (repos: EquipementsDependencies['store']['repos']) => Promise<T>): Promise<T> {
    try {
      return await this.deps.store.transaction(work);
    } catch (error) {
      throw mapConstraintViolation(error, EQUIPEMENT_CONSTRAINT_ERRORS);
    }
  }
}

/** Uniqueness, referenced rows and the client/contract rule; returns the final client and contract. */
async function checkChanges(
  equipements: EquipementsRepository,
  changes: EquipementChanges,
  current: Current | null,
): Promise<{ clientId: number | null; contratId: number | null } | null> {
  const exceptId = current?.id ?? null;
  if (changes.nom !== undefined && (await equipements.nomTaken(changes.nom, exceptId))) throw AppError.conflict(EQUIPEMENT_MESSAGES.nomTaken);
  if (changes.numero_serie && (await equipements.numeroSerieTaken(changes.numero_serie, exceptId))) throw AppError.conflict(EQUIPEMENT_MESSAGES.numeroSerieTaken);
  if (changes.code_interne && (await equipements.codeInterneTaken(changes.code_interne, exceptId))) throw AppError.conflict(EQUIPEMENT_MESSAGES.codeInterneTaken);

  if (changes.client_id === undefined && changes.contrat_id === undefined) return null;
  if (changes.client_id !== undefined && changes.client_id !== null && !(await equipements.clientExists(changes.client_id))) {
    throw AppError.notFound(EQUIPEMENT_MESSAGES.clientNotFound);
  }
  const before = { clientId: current?.clientId ?? null, contratId: current?.contratId ?? null };
  const finalContratId = changes.contrat_id !== undefined ? changes.contrat_id : before.contratId;
  let contratClientId: number | null = null;
  if (finalContratId !== null) {
    const found = await equipements.findContratClient(finalContratId);
    if (found === undefined) throw AppError.notFound(EQUIPEMENT_MESSAGES.contratNotFound);
    contratClientId = found;
  }
  const result = resolveOwnership(before, { clientId: changes.client_id, contratId: changes.contrat_id }, contratClientId);
  if (!result.ok) throw contratMismatch();
  return { clientId: result.clientId, contratId: result.contratId };
}
