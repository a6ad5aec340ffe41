/**
 * Finding the app's running embedded server (docs/operations.md §1): nobody holds the lock, or a
 * dead process does → null (the command starts the server itself); a live holder whose server never
 * answers → a clear error once the wait is over. Connecting to a live one: test/scripts/running-app.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { findRunningEmbedded } from '../../src/db/embedded-attach.js';
import { clusterLockPath, findFreePort } from '../../src/db/embedded.js';
import { makeTempDir } from '../helpers/app.js';

let dataDir: string;
let clusterDir: string;

before(async () => {
  dataDir = await makeTempDir();
  clusterDir = path.join(dataDir, 'postgres');
  const port = await findFreePort(); // nothing listens there
  await fs.writeFile(path.join(dataDir, 'postgres-connection.env'), `PGHOST=127.0.0.1\nPGPORT=${port}\nPGUSER=mif_erp\nPGPASSWORD=x\nPGDATABASE=mif_erp\n`);
});
after(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const find = (waitMs: number) => findRunningEmbedded({ dataDir, clusterDir, connectTimeoutMs: 200, waitMs });

test('no lock, or a lock left by a dead process: null, the command starts the server itself', async () => {
  assert.equal(await find(0), null);
  await fs.writeFile(clusterLockPath(clusterDir), '999999999\n');
  assert.equal(await find(0), null);
});

test('a live lock holder whose server does not answer: an error naming it, after the wait', async () => {
  // Another live process (the test runner) stands for an app that is still starting.
  await fs.writeFile(clusterLockPath(clusterDir), `${process.ppid}\n`);
  const started = Date.now();
  await assert.rejects(find(600), new RegExp(`verrouillé par le processus ${process.ppid}, mais son serveur ne répond pas sur le port \\d+ : réessayez`));
  assert.ok(Date.now() - started >= 600, 'waited for the server to come up');
});
