/**
 * The connection and paths of scripts/backup-db.sh and restore-db.sh (docs/operations.md, "Backup
 * and restore"), resolved by the application's own configuration: DATABASE_URL, POSTGRES_*, or the
 * running embedded server. Prints shell assignments (single-quoted) on stdout for `eval`; the
 * password travels as PGPASSWORD in the environment of pg_dump, never on a command line.
 */
import pg from 'pg';
import { findRunningEmbedded } from '../src/db/embedded-attach.js';
import { CliError, loadCliConfig } from './lib/cli.js';

const quote = (value: string | number) => `'${String(value).replace(/'/g, `'\\''`)}'`;

async function connectionString(): Promise<{ url: string; config: Awaited<ReturnType<typeof loadCliConfig>> }> {
  const config = await loadCliConfig();
  if (config.database.external) return { url: config.database.external.connectionString, config };
  const running = await findRunningEmbedded({
    dataDir: config.dataDir,
    clusterDir: config.database.embeddedDataDir,
    connectTimeoutMs: config.database.connectTimeoutMs,
    waitMs: 5000,
  });
  if (!running) throw new CliError('Le serveur PostgreSQL embarqué ne tourne pas : démarrez l’application (npm start) avant la sauvegarde.');
  return { url: running.connectionString, config };
}

async function main(): Promise<void> {
  const { url, config } = await connectionString();
  const parsed = new URL(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: config.database.connectTimeoutMs });
  let serverMajor: number;
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    serverMajor = Math.floor(Number(rows[0]!.server_version_num) / 10_000);
  } catch (error) {
    throw new CliError(`Connexion à PostgreSQL impossible : ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const values: Record<string, string | number> = {
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || 5432,
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    PGSSLMODE: parsed.searchParams.get('sslmode') ?? 'prefer',
    SERVER_MAJOR: serverMajor,
    BACKUP_DIR: config.backup.dir,
    BACKUP_RETENTION_DAYS: config.backup.retentionDays,
    UPLOAD_DIRECTORY: config.files.uploadDirectory,
  };
  process.stdout.write(Object.entries(values).map(([key, value]) => `${key}=${quote(value)}\n`).join(''));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof CliError ? error.message : String(error)}\n`);
  process.exit(1);
});
