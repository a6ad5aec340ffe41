/**
 * The jobs of docs/operations.md §6: name, schedule (in APP_TIMEZONE) and handler. Every handler
 * calls a service of the container, the same business code as the routes, and is idempotent, so a
 * retry or a second node never repeats an effect. A handler given an aborted signal (shutdown)
 * stops between units of work, each of which is one committed transaction.
 */
import type { AppConfig } from '../config/types.js';
import type { Services } from '../container.js';

export const JOB_NAMES = ['planning.generate', 'interventions.overdue', 'email.send', 'contrats.expire', 'maintenance.purge'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** The figures a run reports (logged, and kept as its summary in `job_runs`). */
export type JobSummary = Record<string, number>;

export interface JobDefinition {
  name: JobName;
  cron: string;
  run(signal: AbortSignal): Promise<JobSummary>;
}

/** email.send also runs on enqueue; this sweep catches what a missed wake-up left behind. */
export const EMAIL_SWEEP_CRON = '* * * * *';

export function jobDefinitions(services: Services, config: AppConfig): JobDefinition[] {
  const { jobs } = config;
  return [
    { name: 'planning.generate', cron: jobs.planningCron, run: (signal) => services.planningGeneration.generateDue(signal) },
    { name: 'interventions.overdue', cron: jobs.overdueCron, run: (signal) => services.overdue.run(signal) },
    { name: 'email.send', cron: EMAIL_SWEEP_CRON, run: (signal) => services.emailDelivery.sendDue(signal) },
    { name: 'contrats.expire', cron: jobs.contratsExpireCron, run: () => services.contrats.expireEnded() },
    { name: 'maintenance.purge', cron: jobs.purgeCron, run: () => services.purge.run() },
  ];
}
