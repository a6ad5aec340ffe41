/**
 * `interventions.overdue` (docs/operations.md §6 "Overdue"): one `retard` notification per overdue
 * intervention to its technician and the active responsables, sent once (`date_notification_retard`);
 * plannings with an overdue generated intervention go `en_retard` (one `retard` to the responsables
 * on entry) and back to `actif` when none is left. `suspendu` and `termine` plannings are never touched.
 */
import type { Store } from '../../db/store.js';
import type { Clock } from '../../lib/clock.js';
import { formatDateTime } from '../email/format.js';
import type { NewNotification, NotificationsRepository } from '../notifications/repository.js';
import type { OverdueRepository } from './overdue-repository.js';
import type { InterventionPartiesRepository } from './parties-repository.js';

export interface OverdueDependencies {
  store: Store<{ overdue: OverdueRepository; parties: InterventionPartiesRepository; notifications: NotificationsRepository }>;
  clock: Clock;
  /** APP_TIMEZONE: the deadline in the notification text. */
  timeZone: string;
}

export interface OverdueSummary {
  [key: string]: number;
  interventions: number;
  plannings_late: number;
  plannings_back: number;
}

const BATCH = 200;

export class OverdueService {
  constructor(private readonly deps: OverdueDependencies) {}

  async run(signal?: AbortSignal): Promise<OverdueSummary> {
    const now = this.deps.clock.now();
    const summary: OverdueSummary = { interventions: 0, plannings_late: 0, plannings_back: 0 };
    // One transaction per batch: the claim and its notifications commit together.
    while (!signal?.aborted) {
      const notified = await this.deps.store.transaction(async ({ overdue, parties, notifications }) => {
        const claimed = await overdue.claimOverdue(now, BATCH);
        if (claimed.length === 0) return 0;
        const responsables = await parties.activeResponsableIds();
        const notices: NewNotification[] = claimed.flatMap((intervention) => {
          const contenu = `Intervention n°${intervention.id} « ${intervention.titre} » en retard (date limite ${formatDateTime(intervention.date_limite, this.deps.timeZone)})`;
          const recipients = new Set([...(intervention.technicien_user_id !== null ? [intervention.technicien_user_id] : []), ...responsables]);
          return [...recipients].map((userId) => ({ type: 'retard' as const, canal: 'email' as const, contenu, userId, interventionId: intervention.id, dateEnvoi: now }));
        });
        await notifications.insert(notices);
        return claimed.length;
      });
      summary.interventions += notified;
      if (notified < BATCH) break;
    }
    await this.deps.store.transaction(async ({ overdue, parties, notifications }) => {
      const late = await overdue.markLate(now);
      summary.plannings_late = late.length;
      if (late.length > 0) {
        const responsables = await parties.activeResponsableIds();
        await notifications.insert(
          late.flatMap((planning) =>
            responsables.map((userId) => ({
              type: 'retard' as const,
              canal: 'email' as const,
              contenu: `Planning #${planning.id} (${planning.equipement_nom}) en retard`,
              userId,
              planningId: planning.id,
              dateEnvoi: now,
            })),
          ),
        );
      }
      summary.plannings_back = await overdue.markBackOnTime(now);
    });
    return summary;
  }
}
