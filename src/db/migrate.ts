import { Migrator, NO_MIGRATIONS, sql, type Kysely, type MigrationResultSet } from 'kysely';
import type { Logger } from 'pino';
import { migrations, StaticMigrationProvider } from './migrations/index.js';

class MigrationError extends Error {}

function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new StaticMigrationProvider() });
}

/** Names of applied migrations that this code does not know (the database is newer than the code). */
async function findUnknownMigrations(db: Kysely<any>): Promise<string[]> {
  const exists = await sql<{ found: boolean }>`SELECT to_regclass('public.kysely_migration') IS NOT NULL AS found`.execute(db);
  if (!exists.rows[0]?.found) return [];
  const applied = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
  return applied.map((row: { name: string }) => row.name).filter((name: string) => !(name in migrations));
}

function check(result: MigrationResultSet, logger: Logger): void {
  for (const step of result.results ?? []) {
    logger.info({ migration: step.migrationName, direction: step.direction, status: step.status }, 'migration');
  }
  if (result.error) {
    const failed = result.results?.find((step) => step.status === 'Error')?.migrationName;
    throw new MigrationError(`Échec de la migration ${failed ?? ''} : ${(result.error as Error).message ?? String(result.error)}`);
  }
}

/** Applies every pending migration; concurrent starts are serialised by the migrator's lock. */
export async function migrateToLatest(db: Kysely<any>, logger: Logger): Promise<void> {
  const unknown = await findUnknownMigrations(db);
  if (unknown.length > 0) {
    throw new MigrationError(
      `La base contient des migrations inconnues de cette version du code (base plus récente) : ${unknown.join(', ')}`,
    );
  }
  check(await createMigrator(db).migrateToLatest(), logger);
}

/** Undoes the latest migration, or all of them with `all`. */
export async function migrateDown(db: Kysely<any>, logger: Logger, options: { all?: boolean } = {}): Promise<void> {
  const migrator = createMigrator(db);
  check(options.all ? await migrator.migrateTo(NO_MIGRATIONS) : await migrator.migrateDown(), logger);
}
