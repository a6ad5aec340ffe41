/**
 * Technician profiles (docs/api.md §4.3, docs/domain.md §3–4, docs/security.md §9): existence and
 * uniqueness checks, skill-set replacement, deletion rules. Every change that writes more than one
 * row runs in one transaction; constraint violations that race past the checks get the checks'
 * answers (TECHNICIEN_CONSTRAINT_ERRORS). The skill catalogue is competences-service.ts.
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import type { ListRequest, Page } from '../../db/paging.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { parseQueryBoolean, parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import type { CompetencesRepository } from './competences-repository.js';
import { disponibiliteFilter, technicienValues } from './input.js';
import { canHoldTechnicienProfile, competenceSetChanges, TECHNICIEN_MESSAGES, uniqueIds } from './policy.js';
import { TECHNICIEN_CONSTRAINT_ERRORS, TECHNICIEN_SORT, type TechnicienRow, type TechniciensRepository } from './repository.js';
import { toTechniciensOut, type TechnicienCreateBody, type TechnicienOut, type TechnicienUpdateBody } from './schemas.js';

/** The filters of GET /techniciens/ as the query gives them (normalised here). */
export interface TechnicienListFilters {
  equipe?: string;
  disponibilite?: string[];
  competence_id?: number;
  is_active?: string;
}

export type TechniciensRepositories = { techniciens: TechniciensRepository; competences: CompetencesRepository; audit: AuditRepository };

export interface TechniciensDependencies {
  store: Store<TechniciensRepositories>;
  clock: Clock;
}

export class TechniciensService {
  constructor(private readonly deps: TechniciensDependencies) {}

  /** GET /techniciens/: filters (AND), sort, page; then the users and skills of the page. */
  async list(filters: TechnicienListFilters, request: ListRequest): Promise<Page<TechnicienOut>> {
    const sort = parseSort(request.sort, TECHNICIEN_SORT);
    const disponibilites = disponibiliteFilter(filters.disponibilite ?? []);
    const equipe = filters.equipe?.trim();
    const page = await this.deps.store.repos.techniciens.page(
      { equipe: equipe ? equipe : undefined, disponibilites, competenceId: filters.competence_id, isActive: parseQueryBoolean(filters.is_active) },
      { limit: request.limit, offset: request.offset, sort },
    );
    return { rows: await this.toOut(page.rows), total: page.total };
  }

  async get(id: number): Promise<TechnicienOut> {
    const row = await this.deps.store.repos.techniciens.find(id);
    if (!row) throw AppError.notFound(TECHNICIEN_MESSAGES.notFound);
    const [out] = await this.toOut([row]);
    return out!;
  }

  /**
   * POST /techniciens/. Input (422) first, then: user (404), its role (400), skills (404), existing
   * profile (409), badge (409). The profile and its skill links are written in one transaction.
   */
  async create(body: TechnicienCreateBody): Promise<TechnicienOut> {
    const values = technicienValues(body);
    const competenceIds = uniqueIds(body.competences_ids ?? []);
    const now = this.deps.clock.now();
    const id = await this.write(async ({ techniciens, competences }) => {
      const user = await techniciens.lockUserForProfile(body.user_id);
      if (!user) throw AppError.notFound(TECHNICIEN_MESSAGES.userNotFound);
      if (!canHoldTechnicienProfile(user.role)) throw AppError.badRequest(TECHNICIEN_MESSAGES.notTechnicien);
      await assertCompetencesExist(competences, competenceIds);
      if ((await techniciens.idOfUser(user.id)) !== undefined) throw AppError.conflict(TECHNICIEN_MESSAGES.profileExists);
      if (values.numeroBadge && (await techniciens.badgeTaken(values.numeroBadge))) throw AppError.conflict(TECHNICIEN_MESSAGES.badgeTaken);
      const technicienId = await techniciens.insert(user.id, values, now);
      await techniciens.insertCompetenceLinks(technicienId, competenceIds, now);
      return technicienId;
    });
    return this.get(id);
  }

  /**
   * PUT /techniciens/{id}: partial; an absent or null field is kept, an empty optional text is
   * cleared, `competences_ids` replaces the whole set (kept skills keep their link row).
   */
  async update(id: number, body: TechnicienUpdateBody): Promise<TechnicienOut> {
    const values = technicienValues(body);
    const competenceIds = body.competences_ids === undefined || body.competences_ids === null ? null : uniqueIds(body.competences_ids);
    const now = this.deps.clock.now();
    await this.write(async ({ techniciens, competences }) => {
      const current = await techniciens.lock(id);
      if (!current) throw AppError.notFound(TECHNICIEN_MESSAGES.notFound);
      if (competenceIds !== null) await assertCompetencesExist(competences, competenceIds);
      if (values.numeroBadge && values.numeroBadge !== current.numero_badge && (await techniciens.badgeTaken(values.numeroBadge, current.id))) {
        throw AppError.conflict(TECHNICIEN_MESSAGES.badgeTaken);
      }
      await techniciens.update(current.id, values, now);
      if (competenceIds !== null) {
        const { toAdd, toRemove } = competenceSetChanges(await techniciens.competenceIdsOf(current.id), competenceIds);
        await techniciens.deleteCompetenceLinks(current.id, toRemove);
        await techniciens.insertCompetenceLinks(current.id, toAdd, now);
      }
    });
    return this.get(id);
  }

  /**
   * DELETE /techniciens/{id}: refused (409) while the technician has active interventions; closed
   * ones lose the link (FK SET NULL; their history keeps the user). Audited `data.deleted`.
   */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.write(async ({ techniciens, audit }) => {
      const current = await techniciens.lock(id);
      if (!current) throw AppError.notFound(TECHNICIEN_MESSAGES.notFound);
      if ((await techniciens.countActiveInterventions(current.id)) > 0) throw AppError.conflict(TECHNICIEN_MESSAGES.activeInterventions);
      const detached = await techniciens.countInterventions(current.id);
      await techniciens.delete(current.id);
      await audit.insert(
        auditRow(actor, {
          eventType: 'data.deleted',
          outcome: 'success',
          resourceType: 'technicien',
          resourceId: current.id,
          details: { user_id: current.user_id, interventions_detachees: detached },
        }),
      );
    });
  }

  /** TechnicienOut of rows: the users and the skills of all of them in one query each. */
  private async toOut(rows: readonly TechnicienRow[]): Promise<TechnicienOut[]> {
    if (rows.length === 0) return [];
    const { techniciens } = this.deps.store.repos;
    const [users, links] = await Promise.all([techniciens.findUsersOut(uniqueIds(rows.map((row) => row.user_id))), techniciens.findCompetencesOf(rows.map((row) => row.id))]);
    return toTechniciensOut(rows, users, links);
  }

  /** One transaction; a constraint race lost after the checks gets the checks' answer. */
  private async write<T>(work: (repos: TechniciensRepositories) => Promise<T>): Promise<T> {
    try {
      return await this.deps.store.transaction(work);
    } catch (error) {
      throw mapConstraintViolation(error, TECHNICIEN_CONSTRAINT_ERRORS);
    }
  }
}

async function assertCompetencesExist(competences: CompetencesRepository, ids: readonly number[]): Promise<void> {
  const found = await competences.existingIds(ids);
  if (found.length !== ids.length) throw AppError.notFound(TECHNICIEN_MESSAGES.competencesNotFound);
}
