/**
 * The process itself (src/server.ts): what happens when the embedded server cannot be brought back
 * (docs/operations.md §3).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir, TEST_FILES_ENC_KEY, TEST_SECRET_KEY } from './helpers/app.js';
import { startServerProcess } from './helpers/server-process.js';

test('embedded postmaster killed and impossible to restart: the process stops cleanly and exits 1 with a clear message', async () => {
  const dataDir = await makeTempDir();
  const server = await startServerProcess({
    ENVIRONMENT: 'test',
    SECRET_KEY: TEST_SECRET_KEY,
    FILES_ENC_KEY: TEST_FILES_ENC_KEY,
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    EMBEDDED_PG_RESTART_ATTEMPTS: '1',
  });
  const output = () => Object.values(server.output()).join('\n');
  try {
    const clusterDir = path.join(dataDir, 'postgres');
    const pid = Number.parseInt((await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]!, 10);
    await fs.rename(path.join(clusterDir, 'PG_VERSION'), path.join(dataDir, 'PG_VERSION.moved'));
    process.kill(pid, 'SIGKILL');
    const code = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
    assert.equal(code, 1, output());
    assert.match(output(), /redémarrage/);
    assert.match(output(), /n’a pas pu être redémarré après 1 tentative :/);
    assert.match(output(), /arrêt terminé|arrêt forcé/);
  } finally {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});
