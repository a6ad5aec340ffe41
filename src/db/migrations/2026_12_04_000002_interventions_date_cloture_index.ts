/**
 * Serves the dashboard's `terminees_mensuel` (docs/api.md §4.9: `date_cloture` in the current month),
 * which would otherwise scan the whole interventions table. Partial: open work has no closing date.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX interventions_date_cloture_idx ON interventions (date_cloture) WHERE date_cloture IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS interventions_date_cloture_idx`.execute(db);
}
