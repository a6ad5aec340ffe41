/**
 * Exact totals without counting a million rows: `X-Total-Count` of an unscoped intervention list
 * (optionally filtered by status) and the dashboard's status × priority figures are sums of
 * per-(status, priority) counters, kept by statement-level
 * triggers (one update per statement, so bulk inserts stay cheap). Plus the indexes that serve a
 * technician's or a client's list in the default `-date_creation` order.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE intervention_status_counts (
      statut text NOT NULL,
      priorite text NOT NULL,
      total bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
      PRIMARY KEY (statut, priorite)
    )`.execute(db);
  await sql`
    INSERT INTO intervention_status_counts (statut, priorite, total)
    SELECT s.statut, p.priorite, count(i.id)
    FROM unnest(ARRAY['ouverte','affectee','en_cours','en_attente','cloturee','annulee','archivee']) AS s(statut)
    CROSS JOIN unnest(ARRAY['urgente','haute','normale','basse','programmee']) AS p(priorite)
    LEFT JOIN interventions i ON i.statut = s.statut AND i.priorite = p.priorite
    GROUP BY s.statut, p.priorite`.execute(db);

  // Deltas are applied in key order, so concurrent statements lock the counter rows in one order.
  await sql`
    CREATE FUNCTION intervention_status_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        UPDATE intervention_status_counts c SET total = c.total + d.n
        FROM (SELECT statut, priorite, count(*) AS n FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2) d
        WHERE c.statut = d.statut AND c.priorite = d.priorite;
      ELSIF TG_OP = 'DELETE' THEN
        UPDATE intervention_status_counts c SET total = c.total - d.n
        FROM (SELECT statut, priorite, count(*) AS n FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2) d
        WHERE c.statut = d.statut AND c.priorite = d.priorite;
      ELSE
        UPDATE intervention_status_counts c SET total = c.total + d.n
        FROM (
          SELECT statut, priorite, sum(n) AS n FROM (
            SELECT statut, priorite, count(*) AS n FROM new_rows GROUP BY 1, 2
            UNION ALL
            SELECT statut, priorite, -count(*) AS n FROM old_rows GROUP BY 1, 2
          ) x GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
        ) d
        WHERE c.statut = d.statut AND c.priorite = d.priorite;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER interventions_count_insert AFTER INSERT ON interventions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_status_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER interventions_count_delete AFTER DELETE ON interventions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_status_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER interventions_count_update AFTER UPDATE ON interventions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_status_counts_apply()`.execute(db);

  await sql`CREATE INDEX interventions_technicien_date_creation_idx ON interventions (technicien_id, date_creation)`.execute(db);
  await sql`CREATE INDEX interventions_client_date_creation_idx ON interventions (client_id, date_creation)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS interventions_client_date_creation_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS interventions_technicien_date_creation_idx`.execute(db);
  await sql`DROP TRIGGER IF EXISTS interventions_count_update ON interventions`.execute(db);
  await sql`DROP TRIGGER IF EXISTS interventions_count_delete ON interventions`.execute(db);
  await sql`DROP TRIGGER IF EXISTS interventions_count_insert ON interventions`.execute(db);
  await sql`DROP FUNCTION IF EXISTS intervention_status_counts_apply()`.execute(db);
  await sql`DROP TABLE IF EXISTS intervention_status_counts`.execute(db);
}
