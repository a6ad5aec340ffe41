/**
 * Business rules of preventive planning (docs/api.md §4.6, docs/operations.md §6). Writes that read
 * the current row run in one transaction on the locked row; foreign-key races lost after the checks
 * get the checks' 404s (PLANNING_CONSTRAINT_ERRORS). The scheduler calls it too, as SYSTEM_ACTOR.
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import { mapPage, type Page } from '../../db/paging.js';
import type { Frequence } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { parseQueryTimestamp, parseSort, requireTimestamp } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import { addPeriods, normaliseFrequence } from './calendar.js';
import { anchorAfterUpdate, PLANNING_MESSAGES, statutAfterDateMove } from './policy.js';
import { PLANNING_CONSTRAINT_ERRORS, PLANNING_SORT, type PlanningChanges, type PlanningRepository } from './repository.js';
import { toPlanningOut, type PlanningCreateBody, type PlanningListQuery, type PlanningOut, type PlanningUpdateBody } from './schemas.js';

export interface PlanningDependencies {
  store: Store<{ plannings: PlanningRepository; audit: AuditRepository }>;
  clock: Clock;
  /** APP_TIMEZONE: the zone of the calendar arithmetic. */
  timeZone: string;
}

/** `nouvelle_date` and where it was read, for the 422 location. */
export interface NouvelleDateInput {
  value: string;
  location: 'query' | 'body';
}

function frequenceInput(value: string): Frequence {
  const frequence = normaliseFrequence(value);
  if (!frequence) throw AppError.badRequest(PLANNING_MESSAGES.frequenceInvalid);
  return frequence;
}

/** Frequency filters accept the same aliases as the body; an unknown one → 422. */
function frequenceFilter(values: string[] | undefined): Frequence[] | undefined {
  if (!values) return undefined;
  return values.map((value, index) => {
    const frequence = normaliseFrequence(value);
    if (!frequence) throw AppError.validation([{ loc: ['query', 'frequence', index], msg: 'Fréquence invalide', type: 'enum' }]);
    return frequence;
  });
}

/** Trimmed; an empty comment is stored as NULL. */
function commentaireInput(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

export class PlanningService {
  constructor(private readonly deps: PlanningDependencies) {}

  async get(id: number): Promise<PlanningOut> {
    const row = await this.deps.store.repos.plannings.find(id);
    if (!row) throw AppError.notFound(PLANNING_MESSAGES.notFound);
    return toPlanningOut(row);
  }

  /** GET /planning/: the query as validated by PlanningListQuerySchema. */
  async list(query: PlanningListQuery): Promise<Page<PlanningOut>> {
    const sort = parseSort(query.sort, PLANNING_SORT);
    const filters = {
      equipementId: query.equipement_id,
      statuts: query.statut,
      frequences: frequenceFilter(query.frequence),
      technicienId: query.technicien_id,
      prochaineDateMax: parseQueryTimestamp('prochaine_date_max', query.prochaine_date_max),
    };
    const page = await this.deps.store.repos.plannings.page(filters, { limit: query.limit, offset: query.offset, sort });
    return mapPage(page, toPlanningOut);
  }

  /**
   * POST /planning/. `prochaine_date` defaults to `derniere_date` + one period, else now + one
   * period; it is also the anchor of the calendar arithmetic.
   */
  async create(body: PlanningCreateBody): Promise<PlanningOut> {
    const { plannings } = this.deps.store.repos;
    const now = this.deps.clock.now();
    const prochaineInput = body.prochaine_date != null ? requireTimestamp(body.prochaine_date, ['body', 'prochaine_date']) : null;
    const derniereDate = body.derniere_date != null ? requireTimestamp(body.derniere_date, ['body', 'derniere_date']) : null;
    await this.assertEquipement(plannings, body.equipement_id);
    const frequence = frequenceInput(body.frequence);
    const technicienId = body.technicien_id ?? null;
    if (technicienId !== null) await this.assertTechnicien(plannings, technicienId);
    const prochaineDate = prochaineInput ?? addPeriods(derniereDate ?? now, frequence, 1, this.deps.timeZone);
    let id: number;
    try {
      id = await plannings.insert({
        equipementId: body.equipement_id,
        frequence,
        prochaineDate,
        derniereDate,
        commentaire: commentaireInput(body.commentaire ?? null),
        statut: body.statut ?? 'actif',
        technicienId,
        priorite: body.priorite ?? 'normale',
        now,
      });
    } catch (error) {
      throw mapConstraintViolation(error, PLANNING_CONSTRAINT_ERRORS);
    }
    return this.get(id);
  }

  /** PUT /planning/{id}: every given field is updated (see PlanningUpdateSchema for null). */
  async update(id: number, body: PlanningUpdateBody): Promise<PlanningOut> {
    const now = this.deps.clock.now();
    const prochaineDate = body.prochaine_date != null ? requireTimestamp(body.prochaine_date, ['body', 'prochaine_date']) : undefined;
    const derniereDate = body.derniere_date === undefined ? undefined : body.derniere_date === null ? null : requireTimestamp(body.derniere_date, ['body', 'derniere_date']);
    try {
      await this.deps.store.transaction(async ({ plannings }) => {
        const current = await plannings.lock(id);
        if (!current) throw AppError.notFound(PLANNING_MESSAGES.notFound);
        const frequence = body.frequence != null ? frequenceInput(body.frequence) : undefined;
        if (body.equipement_id != null) await this.assertEquipement(plannings, body.equipement_id);
        if (body.technicien_id != null) await this.assertTechnicien(plannings, body.technicien_id);

        const changes: PlanningChanges = { date_modification: now };
        if (frequence !== undefined) changes.frequence = frequence;
        if (body.equipement_id != null) changes.equipement_id = body.equipement_id;
        if (prochaineDate !== undefined) changes.prochaine_date = prochaineDate;
        if (derniereDate !== undefined) changes.derniere_date = derniereDate;
        if (body.commentaire !== undefined) changes.commentaire = commentaireInput(body.commentaire);
        if (body.statut != null) changes.statut = body.statut;
        if (body.technicien_id !== undefined) changes.technicien_id = body.technicien_id;
        if (body.priorite != null) changes.priorite = body.priorite;
        const anchor = anchorAfterUpdate(
          { frequence: current.frequence, prochaineDate: current.prochaine_date, dateReference: current.date_reference },
          { frequence, prochaineDate },
        );
        if (anchor !== undefined) changes.date_reference = anchor;
        await plannings.update(id, changes);
      });
    } catch (error) {
      throw mapConstraintViolation(error, PLANNING_CONSTRAINT_ERRORS);
    }
    return this.get(id);
  }

  /**
   * PATCH /planning/{id}/dates: `derniere_date` ← the old `prochaine_date`, `prochaine_date` (and
   * the anchor) ← `nouvelle_date`; `en_retard` → `actif` when no generated intervention is overdue.
   */
  async moveDates(id: number, input: NouvelleDateInput | undefined): Promise<PlanningOut> {
    if (!input) throw AppError.validation([{ loc: ['query', 'nouvelle_date'], msg: 'Champ obligatoire', type: 'missing' }]);
    const nouvelleDate = requireTimestamp(input.value, [input.location, 'nouvelle_date']);
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async ({ plannings }) => {
      const current = await plannings.lock(id);
      if (!current) throw AppError.notFound(PLANNING_MESSAGES.notFound);
      const overdue = current.statut === 'en_retard' ? await plannings.hasOverdueGeneratedIntervention(id, now) : false;
      await plannings.update(id, {
        derniere_date: current.prochaine_date,
        prochaine_date: nouvelleDate,
        date_reference: nouvelleDate,
        statut: statutAfterDateMove(current.statut, overdue),
        date_modification: now,
      });
    });
    return this.get(id);
  }

  /** DELETE /planning/{id}: the generated interventions are kept (planning_id set to NULL). Audited `data.deleted`. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.deps.store.transaction(async ({ plannings, audit }) => {
      const deleted = await plannings.delete(id);
      if (!deleted) throw AppError.notFound(PLANNING_MESSAGES.notFound);
      await audit.insert(
        auditRow(actor, {
          eventType: 'data.deleted',
          outcome: 'success',
          resourceType: 'planning',
          resourceId: deleted.id,
          details: { equipement_id: deleted.equipement_id, frequence: deleted.frequence },
        }),
      );
    });
  }

  private async assertEquipement(plannings: PlanningRepository, id: number): Promise<void> {
    if (!(await plannings.equipementExists(id))) throw AppError.notFound(PLANNING_MESSAGES.equipementNotFound);
  }

  private async assertTechnicien(plannings: PlanningRepository, id: number): Promise<void> {
    if (!(await plannings.activeTechnicienExists(id))) throw AppError.notFound(PLANNING_MESSAGES.technicienNotFound);
  }
}
