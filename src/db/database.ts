/**
 * The database runtime: the embedded server when no external one is configured, one `pg` pool,
 * Kysely on top of it, and the migrations applied at start.
 */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/types.js';
import { restartDelays } from './embedded-supervisor.js';
import { startEmbeddedPostgres, type EmbeddedOptions, type EmbeddedServer } from './embedded.js';
import { preparedStatementName } from './prepared.js';
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
    // The server bounds its statements, but a server that no longer answers at all (a network
    // partition) is bounded only here: the query fails, the client is dropped (docs/operations.md §3).
    // A statement timeout of 0 (operator commands: unbounded statements) means no client bound either.
    ...(settings.statementTimeoutMs > 0 ? { query_timeout: settings.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS } : {}),
    keepAlive: true,
    types: typeParsers,
  });
  // A client whose server went away emits `error`; unheard, that event would kill the process
  // (docs/operations.md §3). The pool only listens on idle clients, so every client gets a listener
  // for its whole life: the query in flight fails (→ 503) and the pool drops the broken client.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'connexion PostgreSQL perdue'));
  });
  // The pool re-emits an idle client's error: already logged by the listener above, but the pool
  // itself must have a listener too.
  pool.on('error', () => undefined);
  return pool;
}

/** Beyond statement_timeout, the time a server's own answer (the 57014 error) may take to arrive. */
const QUERY_TIMEOUT_MARGIN_MS = 1000;
const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * The pool as Kysely sees it. A client whose query timed out on our side still waits for the
 * server's answer, and every later query would queue behind it: such a client is destroyed on
 * release instead of going back to the pool.
 */
function droppingTimedOutClients(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let timedOut = false;
      return {
        // Kysely passes (sql, parameters); cursors are not used by this project. The statements of
        // src/db/prepared.ts run by name: parsed and planned once per connection.
        query: ((text: string, parameters?: readonly unknown[]) => {
          const name = preparedStatementName(text);
          const values = parameters as unknown[];
          return (name === undefined ? client.query(text, values) : client.query({ name, text, values })).catch((error: unknown) => {
            if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) timedOut = true;
            throw error;
          });
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(timedOut),
      };
    },
    end: () => pool.end(),
  };
}

export function createKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: droppingTimedOutClients(pool) }) });
}

export interface DatabaseRuntime {
  db: Kysely<Database>;
  pool: pg.Pool;
  embedded: EmbeddedServer | null;
  /** Closes the pool, then stops the embedded server. */
  close(): Promise<void>;
}

/** How the embedded server is supervised (src/db/embedded-supervisor.ts); by default EMBEDDED_PG_RESTART_ATTEMPTS. */
export type EmbeddedSupervision = Partial<Pick<EmbeddedOptions, 'restartDelaysMs' | 'onGiveUp'>>;

export async function openDatabase(config: AppConfig, logger: Logger, supervision: EmbeddedSupervision = {}): Promise<DatabaseRuntime> {
  const embedded = config.database.external
    ? null
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        clusterDir: config.database.embeddedDataDir,
        port: config.database.embeddedPort,
        logger,
        restartDelaysMs: supervision.restartDelaysMs ?? restartDelays(config.database.embeddedRestartAttempts),
        onGiveUp: supervision.onGiveUp,
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
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connection timeout|Query read timeout/i.test(
    error.message,
  );
}
