/**
 * The Prometheus metrics of docs/operations.md §9: one registry per app instance, built by the
 * composition root (src/container.ts) and handed to the services that count events, so that two
 * apps in one process (tests) never share a counter. Labels are closed sets (route templates,
 * statuses, job names, bucket names): never a URL, an id, an e-mail or an IP.
 *
 * The gauges that describe state (pool, outbox, interventions by status) are read when Prometheus
 * scrapes, from the `MetricSources` given once the services exist (`readFrom`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STATUT_INTERVENTION_VALUES, type StatutIntervention } from '../db/schema.js';
import { EventLoopLag } from './event-loop.js';
import { RecentRequests } from './recent-requests.js';

export const HTTP_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
/** Jobs run from milliseconds (nothing due) to minutes (a large purge or catch-up). */
export const JOB_DURATION_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900];
/** interventions_current is re-read at most this often (docs/operations.md §9: "refreshed every 60 s"). */
export const INTERVENTIONS_REFRESH_MS = 60_000;

/** What the scrape-time gauges read; each may fail (the database is down): the gauge then keeps its last value. */
export interface MetricSources {
  pool(): { total: number; idle: number; waiting: number };
  outboxPending(): Promise<number>;
  interventionsByStatus(): Promise<Partial<Record<StatutIntervention, number>>>;
}

export interface MetricsOptions {
  service: string;
  version: string;
  environment: string;
  /** The app's clock in milliseconds, for the 60 s refresh (tests move it); requests are timed with Date.now. */
  now?: () => number;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const now = options.now ?? Date.now;
  let sources: MetricSources | null = null;

  new Gauge({ name: 'app_info', help: 'Application (always 1)', labelNames: ['service', 'version', 'environment'], registers: [registry] })
    .labels(options.service, options.version, options.environment)
    .set(1);
  new Gauge({
    name: 'db_pool_connections',
    help: 'Connections of the PostgreSQL pool, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!sources) return;
      const pool = sources.pool();
      for (const state of ['total', 'idle', 'waiting'] as const) this.labels(state).set(pool[state]);
    },
  });
  new Gauge({
    name: 'email_outbox_pending',
    help: 'E-mails waiting to be sent (pending or sending)',
    registers: [registry],
    async collect() {
      if (sources) await sources.outboxPending().then((pending) => this.set(pending), () => undefined);
    },
  });
  let interventionsReadAt = -Infinity;
  new Gauge({
    name: 'interventions_current',
    help: 'Interventions by status (re-read at most every 60 s)',
    labelNames: ['statut'],
    registers: [registry],
    async collect() {
      if (!sources || now() - interventionsReadAt < INTERVENTIONS_REFRESH_MS) return;
      const counts = await sources.interventionsByStatus().catch(() => null);
      if (!counts) return;
      interventionsReadAt = now();
      for (const statut of STATUT_INTERVENTION_VALUES) this.labels(statut).set(counts[statut] ?? 0);
    },
  });

  const metrics = {
    registry,
    http: {
      requests: counter(registry, 'http_requests_total', 'HTTP requests answered', ['method', 'endpoint', 'status_code']),
      duration: new Histogram({
        name: 'http_request_duration_seconds',
        help: 'Time to answer an HTTP request',
        labelNames: ['method', 'endpoint'] as const,
        buckets: HTTP_DURATION_BUCKETS,
        registers: [registry],
      }),
      inProgress: new Gauge({ name: 'http_requests_in_progress', help: 'HTTP requests being answered', labelNames: ['method', 'endpoint'] as const, registers: [registry] }),
      /** The last minutes of requests, for /health/detailed. */
      recent: new RecentRequests(Date.now),
    },
    auth: {
      attempts: counter(registry, 'auth_attempts_total', 'Logins and refreshes, by route and outcome', ['method', 'status']),
      refreshReuse: counter(registry, 'auth_refresh_reuse_total', 'Consumed refresh tokens presented again (session revoked)'),
      lockouts: counter(registry, 'auth_lockouts_total', 'Lockouts started, by scope', ['scope']),
    },
    rateLimitRejections: counter(registry, 'rate_limit_rejections_total', 'Requests refused with 429 by the rate limiter', ['bucket']),
    auditEvents: counter(registry, 'audit_events_total', 'Audit rows written', ['event_type', 'outcome']),
    interventionStatusChanges: counter(registry, 'interventions_status_changes_total', 'Intervention status changes', ['from', 'to']),
    documents: {
      uploaded: counter(registry, 'documents_uploaded_total', 'Documents stored', ['mime']),
      rejected: counter(registry, 'documents_rejected_total', 'Uploads refused by the content checks', ['reason']),
      downloaded: counter(registry, 'documents_downloaded_total', 'Downloads started'),
      integrityFailures: counter(registry, 'document_integrity_failures_total', 'Downloads refused or cut: missing file, bad length, bad tag or checksum'),
      uploadedBytes: counter(registry, 'documents_uploaded_bytes_total', 'Plaintext bytes of the documents stored'),
      downloadedBytes: counter(registry, 'documents_downloaded_bytes_total', 'Plaintext bytes of the downloads started'),
    },
    jobs: {
      runs: counter(registry, 'jobs_runs_total', 'Job runs, by job and outcome', ['job', 'status']),
      duration: new Histogram({ name: 'job_duration_seconds', help: 'Duration of a job run', labelNames: ['job', 'status'] as const, buckets: JOB_DURATION_BUCKETS, registers: [registry] }),
    },
    planning: {
      generated: counter(registry, 'planning_interventions_generated_total', 'Interventions generated by the planning'),
      skipped: counter(registry, 'planning_occurrences_skipped_total', 'Missed occurrences not generated (catch-up)'),
    },
    emails: counter(registry, 'emails_total', 'E-mail delivery attempts, by outcome', ['status']),
    /** Event-loop delay over the last minute or two, for /health/detailed. */
    eventLoop: new EventLoopLag(),
    /** Gives the scrape-time gauges their sources, once the services exist. */
    readFrom(given: MetricSources): void {
      sources = given;
    },
    /** The Prometheus text format of everything registered. */
    scrape(): Promise<string> {
      return registry.metrics();
    },
    close(): void {
      metrics.eventLoop.close();
    },
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
export type AuthMetrics = Metrics['auth'];
export type DocumentMetrics = Metrics['documents'];
export type JobMetrics = Metrics['jobs'];
export type PlanningMetrics = Metrics['planning'];
export type HttpMetrics = Metrics['http'];
