/**
 * `planning.generate` (docs/operations.md §6 "Generation"): each due planning in its own
 * transaction, locked with `FOR UPDATE SKIP LOCKED`, gets one intervention for its latest due
 * occurrence (older missed ones are counted, not generated), its dates advanced, a system history
 * row, and the notification of the technician (`affectation`) or of the responsables (`rappel`).
 * Idempotent: the unique (planning_id, date_occurrence) makes a replay or a second worker a no-op.
 */
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { Clock } from '../../lib/clock.js';
import type { PlanningMetrics } from '../../metrics/registry.js';
import type { InterventionPartiesRepository } from '../interventions/parties-repository.js';
import type { InterventionsRepository } from '../interventions/repository.js';
import { affectationNotice } from '../interventions/notices.js';
import type { NewNotification, NotificationsRepository } from '../notifications/repository.js';
import { GENERATION_HISTORY_REMARK, generatedDescription, generatedTitre, generationLimit, planOccurrence, unassignedContenu } from './generation-policy.js';
import type { PlanningGenerationRepository } from './generation-repository.js';

export interface PlanningGenerationDependencies {
  store: Store<{ generation: PlanningGenerationRepository; interventions: InterventionsRepository; parties: InterventionPartiesRepository; notifications: NotificationsRepository }>;
  clock: Clock;
  logger: Logger;
  /** APP_TIMEZONE. */
  timeZone: string;
  /** PLANNING_LEAD_DAYS. */
  leadDays: number;
  /** Plannings handled at once, each in its own transaction (a share of the pool). */
  concurrency?: number;
  /** planning_interventions_generated_total and planning_occurrences_skipped_total, counted per committed planning. */
  metrics: PlanningMetrics;
}

export interface GenerationSummary {
  [key: string]: number;
  /** Plannings found due. */
  due: number;
  generated: number;
  /** Older missed occurrences not generated (catch-up). */
  skipped: number;
  /** Due plannings another worker held, or that were no longer due once locked. */
  untouched: number;
}

type Outcome = { kind: 'generated'; skipped: number } | { kind: 'existing'; skipped: number } | { kind: 'untouched' };

const DEFAULT_CONCURRENCY = 4;

export class PlanningGenerationService {
  constructor(private readonly deps: PlanningGenerationDependencies) {}

  /** Generates every due planning; stops between plannings when `signal` is aborted (each one is all or nothing). */
  async generateDue(signal?: AbortSignal): Promise<GenerationSummary> {
    const now = this.deps.clock.now();
    const limit = generationLimit(now, this.deps.leadDays, this.deps.timeZone);
    const ids = await this.deps.store.repos.generation.dueIds(limit);
    const summary: GenerationSummary = { due: ids.length, generated: 0, skipped: 0, untouched: 0 };
    let cursor = 0;
    const lane = async () => {
      while (!signal?.aborted && cursor < ids.length) {
        const outcome = await this.generateOne(ids[cursor++]!, now, limit);
        if (outcome.kind === 'untouched') summary.untouched++;
        else {
          if (outcome.kind === 'generated') {
            summary.generated++;
            this.deps.metrics.generated.inc();
          }
          summary.skipped += outcome.skipped;
          this.deps.metrics.skipped.inc(outcome.skipped);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency ?? DEFAULT_CONCURRENCY, Math.max(ids.length, 1)) }, lane));
    if (summary.skipped > 0) this.deps.logger.info({ skipped: summary.skipped }, 'occurrences manquées non générées (rattrapage)');
    return summary;
  }

  private generateOne(id: number, now: Date, limit: Date): Promise<Outcome> {
    return this.deps.store.transaction(async ({ generation, interventions, parties, notifications }) => {
      const planning = await generation.lockDue(id, limit);
      if (!planning) return { kind: 'untouched' };
      const plan = planOccurrence(
        { id, frequence: planning.frequence, dateReference: planning.date_reference, prochaineDate: planning.prochaine_date },
        limit,
        this.deps.timeZone,
      );
      const technicien = planning.technicien_id !== null ? await parties.findAssignableTechnicien(planning.technicien_id) : undefined;
      const titre = generatedTitre(planning.equipement_nom);
      const interventionId = await generation.insertIntervention({
        planningId: id,
        occurrence: plan.occurrence,
        dateLimite: plan.next,
        titre,
        description: generatedDescription(id, plan.skipped),
        priorite: planning.priorite,
        technicienId: technicien?.id ?? null,
        equipementId: planning.equipement_id,
        clientId: planning.client_id,
        contratId: planning.contrat_id,
        now,
      });
      await generation.advance(id, plan.occurrence, plan.next, now);
      if (interventionId === null) return { kind: 'existing', skipped: plan.skipped };

      const statut = technicien ? 'affectee' : 'ouverte';
      await interventions.insertHistorique({ interventionId, statutPrecedent: null, statut, remarque: GENERATION_HISTORY_REMARK, userId: null, horodatage: now });
      const subject = { id: interventionId, titre };
      const notices: NewNotification[] = technicien
        ? [{ ...affectationNotice(subject, technicien.userId, now), planningId: id }]
        : (await parties.activeResponsableIds()).map((userId) => ({
            type: 'rappel',
            canal: 'email',
            contenu: unassignedContenu(interventionId, id),
            userId,
            interventionId,
            planningId: id,
            dateEnvoi: now,
          }));
      await notifications.insert(notices);
      return { kind: 'generated', skipped: plan.skipped };
    });
  }
}
