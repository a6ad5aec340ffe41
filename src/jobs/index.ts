/**
 * The job runner of a runtime (docs/operations.md §6): the jobs of definitions.ts on the runtime's
 * pool and services. `npm start` runs it inside the HTTP process when ENABLE_SCHEDULER is true;
 * `npm run worker` (src/worker.ts) runs it alone.
 */
import type { Runtime } from '../runtime.js';
import { jobDefinitions } from './definitions.js';
import { JobRunner, type JobTimings } from './runner.js';

export { JobRunner } from './runner.js';

/** Time kept, out of SHUTDOWN_TIMEOUT_SECONDS, for closing the pool and the embedded server after the jobs. */
const SHUTDOWN_RESERVE_SECONDS = 5;

export interface JobRunnerSettings {
  timings?: JobTimings;
  schedule?: boolean;
}

export function createJobRunner(runtime: Runtime, settings: JobRunnerSettings = {}): JobRunner {
  return new JobRunner({
    pool: runtime.database.pool,
    definitions: jobDefinitions(runtime.services, runtime.config),
    runs: runtime.services.jobRuns,
    clock: runtime.clock,
    logger: runtime.logger,
    timeZone: runtime.config.appTimezone,
    metrics: runtime.services.metrics.jobs,
    ...settings,
  });
}

/** How long a shutdown waits for the active jobs. */
export function jobStopTimeoutMs(shutdownTimeoutSeconds: number): number {
  return Math.max(1, shutdownTimeoutSeconds - SHUTDOWN_RESERVE_SECONDS) * 1000;
}
