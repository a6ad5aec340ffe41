/**
 * A password that its owner must replace before anything else: the generated first admin's
 * (docs/operations.md §4, docs/security.md §2). Cleared by every password change or reset.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN IF EXISTS must_change_password`.execute(db);
}
