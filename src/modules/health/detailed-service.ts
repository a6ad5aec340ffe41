/**
 * GET /health/detailed (docs/operations.md §8): readiness, then the version, uptime, pool, the last
 * run of each job, the outbox counts, the documents that cannot be downloaded, the system figures
 * and the request figures of the metrics registry. Reads that fail (the database is down) leave
 * their part empty: readiness already says what is wrong.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EventLoopLag } from '../../metrics/event-loop.js';
import type { HttpMetrics } from '../../metrics/registry.js';
import { applicationFigures } from '../../metrics/request-figures.js';
import type { DetailedHealth } from './schemas.js';
import type { HealthService, ReadinessState } from './service.js';

export interface DetailedHealthDependencies {
  health: HealthService;
  version: string;
  schedulerEnabled: boolean;
  jobRuns: { list(): Promise<{ job: string; startedAt: Date; finishedAt: Date; status: 'success' | 'failure'; durationMs: number; lastSuccessAt: Date | null; error: string | null; summary: Record<string, unknown> }[]> };
  outbox: { counts(): Promise<{ pending: number; failed: number }>; readonly transportKind: 'smtp' | 'log' };
  /** DATA_DIR and UPLOAD_DIRECTORY, for their free space. */
  paths: { data: string; uploads: string };
  /** Rows without their file, and rows wrapped by a key that is not configured. */
  documents: { missingFiles(): Promise<number>; unknownKey(): Promise<number> };
  metrics: { http: HttpMetrics; eventLoop: EventLoopLag };
}

/** The pool's connections, as the route reads them from the running app. */
export interface PoolState {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * Free bytes of the file system that holds `target`, or will hold it: a directory not created yet
 * (UPLOAD_DIRECTORY before the first upload) is measured at its nearest existing parent. null when
 * nothing can be read.
 */
async function freeBytes(target: string): Promise<number | null> {
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    try {
      const stats = await fs.statfs(current);
      return stats.bavail * stats.bsize;
    } catch {
      if (path.dirname(current) === current) return null;
    }
  }
}

/** Only the numbers of a job's summary (it is stored as JSON). */
function numbersOf(summary: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(summary).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

export class DetailedHealthService {
  constructor(private readonly deps: DetailedHealthDependencies) {}

  /** GET /health/detailed: readiness, then the process, pool, jobs, outbox and system figures. */
  async detailed(state: ReadinessState & { pool: PoolState }): Promise<DetailedHealth> {
    const details = this.deps;
    const [readiness, runs, outbox, missingFiles, unknownKey, data, uploads, application] = await Promise.all([
      details.health.readiness(state),
      details.jobRuns.list().catch(() => []),
      details.outbox.counts().catch(() => ({ pending: 0, failed: 0 })),
      details.documents.missingFiles().catch(() => 0),
      details.documents.unknownKey().catch(() => 0),
      freeBytes(details.paths.data),
      freeBytes(details.paths.uploads),
      applicationFigures(details.metrics.http),
    ]);
    const memory = process.memoryUsage();
    return {
      ...readiness,
      version: details.version,
      uptime_seconds: Math.round(process.uptime()),
      node_version: process.version,
      pool: state.pool,
      jobs: {
        scheduler_enabled: details.schedulerEnabled,
        last_runs: runs.map((run) => ({
          job: run.job,
          last_run_at: run.startedAt.toISOString(),
          finished_at: run.finishedAt.toISOString(),
          status: run.status,
          duration_ms: run.durationMs,
          last_success_at: run.lastSuccessAt?.toISOString() ?? null,
          error: run.error,
          summary: numbersOf(run.summary),
        })),
      },
      outbox: { ...outbox, transport: details.outbox.transportKind },
      documents: { missing_files: missingFiles, unknown_key: unknownKey },
      system: {
        rss_bytes: memory.rss,
        heap_used_bytes: memory.heapUsed,
        event_loop_lag_p99_ms: details.metrics.eventLoop.p99Ms(),
        load_average: os.loadavg(),
        free_disk_bytes: { data, uploads },
      },
      application,
    };
  }
}
