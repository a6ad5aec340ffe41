/**
 * Operator commands next to a running app (docs/operations.md §1, §3): when another live process
 * holds the embedded cluster's lock and its postmaster answers on the port of
 * `DATA_DIR/postgres-connection.env`, a command connects to that server instead of starting one,
 * so that no second postmaster is ever started on the directory.
 */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { clusterLockPath, readConnectionFile, toConnectionString, type EmbeddedConnection } from './embedded.js';
import { isProcessAlive } from './embedded-supervisor.js';

export interface RunningEmbedded {
  /** The process holding the cluster's lock (the app, or another command). */
  ownerPid: number;
  port: number;
  connectionString: string;
}

export interface FindRunningOptions {
  dataDir: string;
  clusterDir: string;
  connectTimeoutMs: number;
  /** How long a lock holder's server may take to answer (an app still in initdb or starting up). */
  waitMs: number;
}

async function lockOwner(clusterDir: string): Promise<number | null> {
  const text = await fs.readFile(clusterLockPath(clusterDir), 'utf8').catch(() => null);
  const pid = Number.parseInt(text ?? '', 10);
  return Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid) ? pid : null;
}

async function answers(connection: EmbeddedConnection, connectTimeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The running server of the cluster, or null when no other live process holds its lock (the caller
 * then starts the server itself). A holder whose server does not answer within `waitMs` is an error.
 */
export async function findRunningEmbedded(options: FindRunningOptions): Promise<RunningEmbedded | null> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const ownerPid = await lockOwner(options.clusterDir);
    if (ownerPid === null) return null;
    // Absent or half-written while the holder's first start is writing it: tried again below.
    const connection = await readConnectionFile(options.dataDir).catch(() => null);
    if (connection && (await answers(connection, options.connectTimeoutMs))) {
      return { ownerPid, port: connection.port, connectionString: toConnectionString(connection) };
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Le cluster PostgreSQL embarqué est verrouillé par le processus ${ownerPid}, mais son serveur ne répond pas` +
          `${connection ? ` sur le port ${connection.port}` : ''} : réessayez une fois l’application démarrée, ou arrêtez-la.`,
      );
    }
    await sleep(250);
  }
}
