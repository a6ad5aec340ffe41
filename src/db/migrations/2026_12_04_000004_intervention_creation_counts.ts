/**
 * The dashboard's 6-month series without reading every creation date: interventions created per
 * 15-minute bucket (UTC wall clock), kept by statement-level triggers. Month boundaries of any real
 * time zone fall on a quarter hour, so a month is an exact sum of buckets.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE intervention_creation_counts (
      bucket timestamp PRIMARY KEY,
      total bigint NOT NULL DEFAULT 0 CHECK (total >= 0)
    )`.execute(db);
  await sql`
    INSERT INTO intervention_creation_counts (bucket, total)
    SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01'), count(*)
    FROM interventions GROUP BY 1`.execute(db);

  // Only the branch of the firing operation is planned, so each one names only its own transition tables.
  await sql`
    CREATE FUNCTION intervention_creation_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO intervention_creation_counts AS c (bucket, total)
        SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01'), count(*)
        FROM new_rows GROUP BY 1 ORDER BY 1
        ON CONFLICT (bucket) DO UPDATE SET total = c.total + excluded.total;
      ELSIF TG_OP = 'DELETE' THEN
        UPDATE intervention_creation_counts c SET total = c.total - d.n
        FROM (SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01') AS bucket, count(*) AS n
              FROM old_rows GROUP BY 1 ORDER BY 1) d
        WHERE c.bucket = d.bucket;
      ELSE
        INSERT INTO intervention_creation_counts AS c (bucket, total)
        SELECT bucket, sum(n) FROM (
          SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01') AS bucket, 1 AS n FROM new_rows
          UNION ALL
          SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01'), -1 FROM old_rows
        ) d
        GROUP BY bucket HAVING sum(n) > 0 ORDER BY bucket
        ON CONFLICT (bucket) DO UPDATE SET total = c.total + excluded.total;
        UPDATE intervention_creation_counts c SET total = c.total + d.n
        FROM (
          SELECT bucket, sum(n) AS n FROM (
            SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01') AS bucket, 1 AS n FROM new_rows
            UNION ALL
            SELECT date_bin('15 minutes', date_creation AT TIME ZONE 'UTC', timestamp '2000-01-01'), -1 FROM old_rows
          ) x GROUP BY bucket HAVING sum(n) < 0 ORDER BY bucket
        ) d
        WHERE c.bucket = d.bucket;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER interventions_creation_count_insert AFTER INSERT ON interventions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_creation_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER interventions_creation_count_delete AFTER DELETE ON interventions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_creation_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER interventions_creation_count_update AFTER UPDATE ON interventions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_creation_counts_apply()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS interventions_creation_count_update ON interventions`.execute(db);
  await sql`DROP TRIGGER IF EXISTS interventions_creation_count_delete ON interventions`.execute(db);
  await sql`DROP TRIGGER IF EXISTS interventions_creation_count_insert ON interventions`.execute(db);
  await sql`DROP FUNCTION IF EXISTS intervention_creation_counts_apply()`.execute(db);
  await sql`DROP TABLE IF EXISTS intervention_creation_counts`.execute(db);
}
