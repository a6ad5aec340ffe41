/** The last run of each job (table `job_runs`, docs/operations.md §6), written by the runner, read by /health/detailed. */
import { sql } from 'kysely';
import type { Executor } from '../db/store.js';

export interface JobRun {
  job: string;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  status: 'success' | 'failure';
  error: string | null;
  summary: Record<string, unknown>;
}

export interface LastJobRun extends JobRun {
  lastSuccessAt: Date | null;
}

export class JobRunsRepository {
  constructor(private readonly db: Executor) {}

  /** Replaces the job's last run; the time of the last success is kept across failures. */
  async record(run: JobRun): Promise<void> {
    await this.db
      .insertInto('job_runs')
      .values({
        job: run.job,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        duration_ms: Math.max(0, Math.round(run.durationMs)),
        status: run.status,
        error: run.error?.slice(0, 1000) ?? null,
        summary: JSON.stringify(run.summary),
        last_success_at: run.status === 'success' ? run.finishedAt : null,
      })
      .onConflict((oc) =>
        oc.column('job').doUpdateSet((eb) => ({
          started_at: eb.ref('excluded.started_at'),
          finished_at: eb.ref('excluded.finished_at'),
          duration_ms: eb.ref('excluded.duration_ms'),
          status: eb.ref('excluded.status'),
          error: eb.ref('excluded.error'),
          summary: eb.ref('excluded.summary'),
          last_success_at: sql`COALESCE(excluded.last_success_at, job_runs.last_success_at)`,
        })),
      )
      .execute();
  }

  async list(): Promise<LastJobRun[]> {
    const rows = await this.db.selectFrom('job_runs').selectAll().orderBy('job').execute();
    return rows.map((r) => ({
      job: r.job,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      durationMs: r.duration_ms,
      status: r.status,
      error: r.error,
      summary: r.summary,
      lastSuccessAt: r.last_success_at,
    }));
  }
}
