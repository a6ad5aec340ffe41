/**
 * The database runtime: the embedded server when no external one is configured, one `pg` pool,
 * Kysely on top of it, and the migrations applied at start.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/types.js';
import { startEmbeddedPostgres, type EmbeddedOptions, type EmbeddedServer } from './embedded.js';
import type { Database } from './schema.js';

const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const PG_DATE = 1082;

/** int8 and numeric become JSON numbers (values stay below 2^53), dates stay 'YYYY-MM-DD'. */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === PG_INT8 || oid === PG_NUMERIC) return (value: string) => Number(value);
    if (oid === PG_DATE) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PoolSettings {
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export function createPool(connectionString: string, settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: settings.poolMax,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Every session: bounded statements and UTC, set at connection start-up (no extra round trip).
    options: `-c statement_timeout=${settings.statementTimeoutMs} -c TimeZone=UTC`,
    types: typeParsers,
  });
  // A client whose server went away emits `error`; unheard, that event would kill the process
  // (docs/operations.md §3). The pool only listens on idle clients, so every client gets a listener
  // for its whole life: the query in flight fails (→ 503) and the pool drops the broken client.
  pool.on('error', (error) => logger.warn({ err: error }, 'connexion PostgreSQL perdue'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'connexion PostgreSQL perdue pendant une requête'));
  });
  return pool;
}

export function createKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export interface DatabaseRuntime {
  db: Kysely<Database>;
  pool: pg.Pool;
  embedded: EmbeddedServer | null;
  /** Closes the pool, then stops the embedded server. */
  close(): Promise<void>;
}

/** How the embedded server is supervised (src/db/embedded-supervisor.ts). */
export type EmbeddedSupervision = Pick<EmbeddedOptions, 'restartDelaysMs' | 'onGiveUp'>;

export async function openDatabase(config: AppConfig, logger: Logger, supervision: EmbeddedSupervision = {}): Promise<DatabaseRuntime> {
  const embedded = config.database.external
    ? null
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        clusterDir: config.database.embeddedDataDir,
        port: config.database.embeddedPort,
        logger,
        ...supervision,
      });
  const connectionString = config.database.external?.connectionString ?? embedded!.connectionString;
  const pool = createPool(connectionString, config.database, logger);
  const db = createKysely(pool);
  let closed = false;
  return {
    db,
    pool,
    embedded,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
      } finally {
        await embedded?.stop();
      }
    },
  };
}

/** Connection-level failures (server down, pool exhausted, timeouts) answer 503, not 500. */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connection timeout/i.test(
    error.message,
  );
}
