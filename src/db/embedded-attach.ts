/**
 * Operator commands next to a running app (docs/operations.md §1, §3): when another live process
 * holds the embedded cluster's lock and its postmaster answers on the port of
 * `DATA_DIR/postgres-connection.env`, a command connects to that server instead of starting one,
 * so that no second postmaster is ever started on the directory.
 */
import fs from 'node:fs/promises';
import pg from 'pg';
import { clusterLockPath, isProcessAlive, readConnectionFile, toConnectionString } from './embedded.js';

export interface RunningEmbedded {
  /** The process holding the cluster's lock (the app, or another command). */
  ownerPid: number;
  port: number;
  connectionString: string;
}

/** The running server of the cluster, or null when nobody else runs it (the caller then starts it). */
export async function findRunningEmbedded(options: { dataDir: string; clusterDir: string; connectTimeoutMs: number }): Promise<RunningEmbedded | null> {
  const lockText = await fs.readFile(clusterLockPath(options.clusterDir), 'utf8').catch(() => null);
  const ownerPid = Number.parseInt(lockText ?? '', 10);
  if (!Number.isInteger(ownerPid) || ownerPid === process.pid || !isProcessAlive(ownerPid)) return null;
  const connection = await readConnectionFile(options.dataDir);
  if (!connection) return null;
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: options.connectTimeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch {
    // Not answering (still starting, or stopping): the caller's own start reports the lock holder.
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
  return { ownerPid, port: connection.port, connectionString: toConnectionString(connection) };
}
