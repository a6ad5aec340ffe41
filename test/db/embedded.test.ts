import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { openRuntime } from '../../src/runtime.js';
import { readConnectionFile, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { makeTempDir, testConfig } from '../helpers/app.js';

const silent = pino({ level: 'silent' });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('embedded mode: the cluster is created under DATA_DIR, survives a restart, and stops with the app', async () => {
  const dataDir = await makeTempDir();
  try {
    const config = testConfig({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    assert.equal(config.database.external, null);

    const first = await buildApp(await openRuntime(config, { logger: silent }));
    const pid = first.database.embedded?.pid;
    assert.ok(pid && isAlive(pid), 'postmaster running');
    await fs.access(path.join(dataDir, 'postgres', 'PG_VERSION'));
    const connection = await readConnectionFile(dataDir);
    assert.ok(connection && connection.port > 0);
    const mode = (await fs.stat(path.join(dataDir, 'postgres-connection.env'))).mode & 0o777;
    assert.equal(mode, 0o600);
    await first.database.db.insertInto('competences').values({ nom: 'Soudure' }).execute();
    await first.close();
    assert.equal(isAlive(pid), false, 'postmaster stopped with the app');

    const second = await buildApp(await openRuntime(config, { logger: silent }));
    try {
      assert.equal((await readConnectionFile(dataDir))?.port, connection.port, 'port remembered');
      const rows = await second.database.db.selectFrom('competences').select('nom').execute();
      assert.deepEqual(rows, [{ nom: 'Soudure' }]);
      const applied = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(second.database.db);
      assert.ok(applied.rows[0]!.n >= 1);
    } finally {
      await second.close();
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

test('two processes never open the same cluster: the second start fails with a clear message', async () => {
  const dataDir = await makeTempDir();
  const clusterDir = path.join(dataDir, 'postgres');
  const server = await startEmbeddedPostgres({ dataDir, clusterDir, port: null, logger: silent });
  try {
    // Simulate another app process holding the lock (our own PID would be treated as re-entrant).
    await fs.writeFile(`${clusterDir}.lock`, `${process.ppid}\n`);
    await assert.rejects(
      startEmbeddedPostgres({ dataDir, clusterDir, port: null, logger: silent }),
      /déjà utilisé par le processus/,
    );
  } finally {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});
