/**
 * The last run of each background job (docs/operations.md §6), shown by /health/detailed: one row
 * per job name, replaced at the end of every run on whichever node ran it. pg-boss keeps its own
 * queue tables in the `pgboss` schema; this table is ours and survives its archive and purge.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE job_runs (
      job          varchar(64)  NOT NULL,
      started_at   timestamptz  NOT NULL,
      finished_at  timestamptz  NOT NULL,
      duration_ms  integer      NOT NULL,
      status       text         NOT NULL,
      error        varchar(1000),
      summary      jsonb        NOT NULL DEFAULT '{}',
      last_success_at timestamptz,
      CONSTRAINT job_runs_pkey PRIMARY KEY (job),
      CONSTRAINT job_runs_status_check CHECK (status IN ('success', 'failure')),
      CONSTRAINT job_runs_duration_ms_check CHECK (duration_ms >= 0)
    )
  `.execute(db);
  // email.send claims due rows and releases stuck ones by status; the purge deletes old sent/failed rows.
  await sql`CREATE INDEX email_outbox_status_created_at_idx ON email_outbox (status, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS email_outbox_status_created_at_idx`.execute(db);
  await sql`DROP TABLE IF EXISTS job_runs`.execute(db);
}
