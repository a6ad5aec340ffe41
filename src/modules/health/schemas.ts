/** Answers of the health, liveness and readiness routes (docs/operations.md §8). */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../../lib/schemas.js';

const CheckStatusSchema = Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('not_configured')]);
export type CheckStatus = Static<typeof CheckStatusSchema>;

export const HealthSchema = Type.Object({
  status: Type.String(),
  timestamp: Timestamp,
  service: Type.String(),
});
export type Health = Static<typeof HealthSchema>;

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  timestamp: Timestamp,
  service: Type.String(),
  checks: Type.Object({
    database: CheckStatusSchema,
    redis: CheckStatusSchema,
    migrations: Type.Union([Type.Literal('healthy'), Type.Literal('pending')]),
  }),
});
export type Readiness = Static<typeof ReadinessSchema>;

const JobLastRunSchema = Type.Object({
  job: Type.String(),
  last_run_at: Timestamp,
  finished_at: Timestamp,
  status: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  duration_ms: Type.Integer(),
  last_success_at: Type.Union([Timestamp, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Record(Type.String(), Type.Number()),
});

/** GET /health/detailed: readiness plus the figures of docs/operations.md §8. */
export const DetailedHealthSchema = Type.Object({
  ...ReadinessSchema.properties,
  version: Type.String(),
  uptime_seconds: Type.Number(),
  node_version: Type.String(),
  pool: Type.Object({ total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() }),
  jobs: Type.Object({ scheduler_enabled: Type.Boolean(), last_runs: Type.Array(JobLastRunSchema) }),
  outbox: Type.Object({ pending: Type.Integer(), failed: Type.Integer(), transport: Type.Union([Type.Literal('smtp'), Type.Literal('log')]) }),
  /** Rows that cannot be downloaded: no file under UPLOAD_DIRECTORY, or a key_id no configured key has. */
  documents: Type.Object({ missing_files: Type.Integer(), unknown_key: Type.Integer() }),
  system: Type.Object({
    rss_bytes: Type.Integer(),
    heap_used_bytes: Type.Integer(),
    event_loop_lag_p99_ms: Type.Number(),
    load_average: Type.Array(Type.Number()),
    free_disk_bytes: Type.Object({ data: Type.Union([Type.Integer(), Type.Null()]), uploads: Type.Union([Type.Integer(), Type.Null()]) }),
  }),
  application: Type.Object({
    requests_total: Type.Integer(),
    server_errors_total: Type.Integer(),
    error_rate_5xx: Type.Number(),
    mean_response_ms: Type.Union([Type.Number(), Type.Null()]),
    p95_response_ms: Type.Union([Type.Number(), Type.Null()]),
    recent: Type.Object({
      window_seconds: Type.Integer(),
      requests: Type.Integer(),
      server_errors: Type.Integer(),
      error_rate_5xx: Type.Number(),
      p95_response_ms: Type.Union([Type.Number(), Type.Null()]),
    }),
  }),
});
export type DetailedHealth = Static<typeof DetailedHealthSchema>;
