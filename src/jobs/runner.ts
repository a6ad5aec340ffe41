/**
 * The job runner (docs/operations.md §6): pg-boss 10 on the application's pool, in its own schema
 * `pgboss`. Each job is a queue with the `stately` policy (at most one run queued and one active,
 * across every node: a run never overlaps the previous one), 3 retries 60 s apart, and a cron
 * schedule registered by name in APP_TIMEZONE (pg-boss creates one job per tick whatever the number
 * of nodes). Every run goes through `execute`: logged with its duration and outcome, and recorded
 * in `job_runs` for /health/detailed. `stop` asks the handlers to stop between units of work, then
 * waits for the active jobs; a job still active at the deadline is failed by pg-boss and retried.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { JobMetrics } from '../metrics/registry.js';
import type { JobDefinition, JobName, JobSummary } from './definitions.js';
import { OutboxListener } from './outbox-listener.js';
import type { JobRunsRepository } from './runs-repository.js';

export const JOB_SCHEMA = 'pgboss';
export const JOB_RETRY_LIMIT = 3;
export const JOB_RETRY_DELAY_SECONDS = 60;

/** pg-boss timings; the defaults suit production, tests shorten them. */
export interface JobTimings {
  /** How often an idle worker looks for a job (pg-boss default 2 s). */
  pollingIntervalSeconds?: number;
  /** How often cron schedules are evaluated (pg-boss default 30 s). */
  cronMonitorIntervalSeconds?: number;
  /** How often due cron ticks become jobs (pg-boss default 5 s). */
  cronWorkerIntervalSeconds?: number;
}

export interface JobRunnerOptions {
  pool: pg.Pool;
  definitions: JobDefinition[];
  runs: JobRunsRepository;
  clock: Clock;
  logger: Logger;
  /** APP_TIMEZONE: the zone of the cron schedules. */
  timeZone: string;
  timings?: JobTimings;
  /** Register the cron schedules (default true); tests that only trigger jobs turn it off. */
  schedule?: boolean;
  /** jobs_runs_total and job_duration_seconds (docs/operations.md §9). */
  metrics: JobMetrics;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class JobRunner {
  private boss: PgBoss | null = null;
  private listener: OutboxListener | null = null;
  private readonly stopping = new AbortController();
  /** Set once stop() has returned: pg-boss queries are then dropped (afterStop). */
  private stopped = false;
  private readonly definitions: Map<JobName, JobDefinition>;

  constructor(private readonly options: JobRunnerOptions) {
    this.definitions = new Map(options.definitions.map((d) => [d.name, d]));
  }

  async start(): Promise<void> {
    const { pool, timings = {}, logger } = this.options;
    const boss = new PgBoss({
      db: { executeSql: (text: string, values: unknown[]) => (this.stopped ? this.afterStop(text) : pool.query(text, values)) },
      schema: JOB_SCHEMA,
      schedule: this.options.schedule ?? true,
      ...(timings.cronMonitorIntervalSeconds !== undefined ? { cronMonitorIntervalSeconds: timings.cronMonitorIntervalSeconds } : {}),
      ...(timings.cronWorkerIntervalSeconds !== undefined ? { cronWorkerIntervalSeconds: timings.cronWorkerIntervalSeconds } : {}),
    });
    boss.on('error', (error) => {
      // Two nodes polling a stately queue while a run is active: the fetch loses the unique-index
      // race and pg-boss reports it; the job simply waits its turn.
      if ((error as { code?: string }).code === '23505') logger.debug({ err: error }, 'job déjà actif sur un autre nœud');
      else logger.warn({ err: error }, 'erreur de la file de jobs');
    });
    await boss.start();
    this.boss = boss;
    for (const definition of this.definitions.values()) {
      await boss.createQueue(definition.name, { name: definition.name, policy: 'stately', retryLimit: JOB_RETRY_LIMIT, retryDelay: JOB_RETRY_DELAY_SECONDS, retryBackoff: false });
      if (this.options.schedule ?? true) await boss.schedule(definition.name, definition.cron, {}, { tz: this.options.timeZone });
      const workOptions = timings.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: timings.pollingIntervalSeconds } : {};
      await boss.work(definition.name, workOptions, async () => this.execute(definition.name));
    }
    if (this.definitions.has('email.send')) {
      this.listener = new OutboxListener(pool, logger, () => void this.trigger('email.send').catch((error: unknown) => logger.warn({ err: error }, 'réveil de email.send impossible')));
      await this.listener.start();
    }
    logger.info({ jobs: [...this.definitions.keys()], time_zone: this.options.timeZone }, 'jobs démarrés');
  }

  /** Queues one run now (deduplicated: nothing is queued when a run is already waiting). */
  async trigger(name: JobName): Promise<string | null> {
    if (!this.boss) throw new Error('job runner not started');
    return this.boss.send(name, {});
  }

  /**
   * One run of the job's handler, as pg-boss runs it: logged, recorded in `job_runs`, and rethrown
   * on failure (pg-boss then retries). Tests call it directly with a moved clock.
   */
  async execute(name: JobName): Promise<JobSummary> {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`unknown job ${name}`);
    const { clock, logger, runs } = this.options;
    const startedAt = clock.now();
    const started = performance.now();
    let summary: JobSummary = {};
    let failure: unknown = null;
    try {
      summary = await definition.run(this.stopping.signal);
    } catch (error) {
      failure = error;
    }
    const durationMs = performance.now() - started;
    const status = failure === null ? 'success' : 'failure';
    this.options.metrics.runs.labels(name, status).inc();
    this.options.metrics.duration.labels(name, status).observe(durationMs / 1000);
    const fields = { job: name, duration_ms: Math.round(durationMs), outcome: status, ...summary };
    if (failure === null) logger.info(fields, 'job terminé');
    else logger.error({ ...fields, err: failure }, 'job en échec');
    await runs
      .record({ job: name, startedAt, finishedAt: new Date(startedAt.getTime() + durationMs), durationMs, status, error: failure === null ? null : errorMessage(failure), summary })
      .catch((error: unknown) => logger.warn({ err: error, job: name }, 'dernière exécution du job non enregistrée'));
    if (failure !== null) throw failure;
    return summary;
  }

  /**
   * Stops polling and the schedules, asks running handlers to stop after their current unit, and
   * waits up to `timeoutMs` for the active jobs (docs/operations.md §11).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    await this.listener?.stop();
    const boss = this.boss;
    this.boss = null;
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: Math.max(1000, timeoutMs) });
    this.stopped = true;
  }

  /**
   * A query pg-boss sends once stop() has returned, typically the `complete` of a job that outlived
   * the stop timeout: pg-boss does not await that call, so a rejection (the pool is closed next)
   * would be unhandled, and so would a made-up result that pg-boss cannot read. It is dropped: the
   * promise never settles (it holds no timer or socket). pg-boss's timed-out stop has already failed
   * the job for a retry, which every job tolerates (docs/operations.md §6: runs are idempotent).
   */
  private afterStop(text: string): Promise<never> {
    this.options.logger.warn({ query: text.slice(0, 60) }, 'requête de la file de jobs après son arrêt : ignorée');
    return new Promise<never>(() => {});
  }
}
