/**
 * A private PostgreSQL server from Debian's packages (postgresql-15), owned by one test: the test
 * can SIGKILL its postmaster and start it again, as an outage of an external database would look.
 * As root, the server runs as the `postgres` system user (PostgreSQL refuses root).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../src/db/embedded.js';

export const DEBIAN_PG_BIN = '/usr/lib/postgresql/15/bin';

export function hasDebianPostgres(): boolean {
  return existsSync(path.join(DEBIAN_PG_BIN, 'postgres'));
}

export interface PrivatePostgres {
  url: string;
  readonly pid: number;
  start(): Promise<void>;
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

function runAs(): { uid?: number; gid?: number } {
  if (os.userInfo().uid !== 0) return {};
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mif-erp-pg15-'));
  const dataDir = path.join(root, 'data');
  const identity = runAs();
  if (identity.uid !== undefined) await fs.chown(root, identity.uid, identity.gid!);
  const init = spawnSync(path.join(DEBIAN_PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'mif', '--auth=trust', '--encoding=UTF8', '--locale=C'], {
    ...identity,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const port = await findFreePort();
  let child: ChildProcess | null = null;

  /** After a SIGKILL the orphaned backends hold the shared memory for a moment: retry until they are gone. */
  async function start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce();
      } catch (error) {
        if (attempt === 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  async function startOnce(): Promise<void> {
    const spawned = spawn(
      path.join(DEBIAN_PG_BIN, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
      { ...identity, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = spawned;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      spawned.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('ready to accept connections')) resolve();
      });
      spawned.once('exit', () => reject(new Error(`postgres exited: ${log.slice(-500)}`)));
    });
  }

  async function waitForExit(): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise((resolve) => current.once('exit', resolve));
  }

  await start();
  return {
    url: `postgres://mif@127.0.0.1:${port}/postgres`,
    get pid() {
      return child!.pid!;
    },
    start,
    async kill() {
      child?.kill('SIGKILL');
      await waitForExit();
    },
    async destroy() {
      child?.kill('SIGINT');
      await waitForExit();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
