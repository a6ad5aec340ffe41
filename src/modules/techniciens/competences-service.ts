/**
 * The skill catalogue (docs/api.md §4.3): names unique case-insensitively (checked in the
 * application under an advisory lock, see policy.isDuplicateCompetenceName), `domaine` defaulting
 * to `general`, deletion audited `data.deleted`.
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import type { ListRequest, Page } from '../../db/paging.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import { COMPETENCE_CONSTRAINT_ERRORS, COMPETENCE_SORT, type CompetenceRow, type CompetencesRepository } from './competences-repository.js';
import { keptOrText, requiredNom } from './input.js';
import { COMPETENCE_MESSAGES, DEFAULT_DOMAINE, isDuplicateCompetenceName, optionalText } from './policy.js';
import type { CompetenceCreateBody, CompetencePatchBody } from './schemas.js';

export interface CompetencesDependencies {
  store: Store<{ competences: CompetencesRepository; audit: AuditRepository }>;
  clock: Clock;
}

export class CompetencesService {
  constructor(private readonly deps: CompetencesDependencies) {}

  /** GET /techniciens/competences: `q` searches the name and the domain. */
  async list(filters: { q?: string }, request: ListRequest): Promise<Page<CompetenceRow>> {
    const sort = parseSort(request.sort, COMPETENCE_SORT);
    return this.deps.store.repos.competences.page(filters, { limit: request.limit, offset: request.offset, sort });
  }

  /** POST /techniciens/competences: trimmed name, unique case-insensitively (409); `domaine` defaults to `general`. */
  async create(body: CompetenceCreateBody): Promise<CompetenceRow> {
    const nom = requiredNom(body.nom);
    const domaine = optionalText(body.domaine) ?? DEFAULT_DOMAINE;
    const description = optionalText(body.description) ?? null;
    const now = this.deps.clock.now();
    return this.write(async ({ competences }) => {
      await competences.lockNames();
      if (isDuplicateCompetenceName(await competences.names(), nom)) throw AppError.conflict(COMPETENCE_MESSAGES.duplicate);
      return competences.insert({ nom, domaine, description }, now);
    });
  }

  /**
   * PATCH /techniciens/competences/{id}: absent or null = kept; an empty `description` clears it,
   * an empty `domaine` resets it to `general`; a name taken by another skill → 409.
   */
  async update(id: number, body: CompetencePatchBody): Promise<CompetenceRow> {
    const nom = body.nom === undefined || body.nom === null ? undefined : requiredNom(body.nom);
    const domaine = body.domaine === undefined || body.domaine === null ? undefined : (optionalText(body.domaine) ?? DEFAULT_DOMAINE);
    const description = keptOrText(body.description);
    const now = this.deps.clock.now();
    return this.write(async ({ competences }) => {
      if (nom !== undefined) await competences.lockNames();
      const current = await competences.lock(id);
      if (!current) throw AppError.notFound(COMPETENCE_MESSAGES.notFound);
      if (nom !== undefined && isDuplicateCompetenceName(await competences.names(), nom, current.id)) {
        throw AppError.conflict(COMPETENCE_MESSAGES.duplicate);
      }
      return competences.update(current.id, { nom, domaine, description }, now);
    });
  }

  /** DELETE /techniciens/competences/{id}: the technicians' links go by cascade. Audited `data.deleted`. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.deps.store.transaction(async ({ competences, audit }) => {
      const current = await competences.lock(id);
      if (!current) throw AppError.notFound(COMPETENCE_MESSAGES.notFound);
      const links = await competences.countLinks(current.id);
      await competences.delete(current.id);
      await audit.insert(
        auditRow(actor, {
          eventType: 'data.deleted',
          outcome: 'success',
          resourceType: 'competence',
          resourceId: current.id,
          details: { nom: current.nom, liens_supprimes: links },
        }),
      );
    });
  }

  private async write<T>(work: (repos: CompetencesDependencies['store']['repos']) => Promise<T>): Promise<T> {
    try {
      return await this.deps.store.transaction(work);
    } catch (error) {
      throw mapConstraintViolation(error, COMPETENCE_CONSTRAINT_ERRORS);
    }
  }
}
