/**
 * The document store on a real file system (docs/security.md §8, docs/operations.md §6): a full
 * disk answers 507 and leaves nothing (a real 1 MiB tmpfs, mounted for the test; it needs root and
 * is skipped otherwise), the sweep of temporary and orphan files, and a restart on the same
 * DATA_DIR with a generated development key.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../../src/app.js';
import { loadConfigFromEnvironment } from '../../../src/config/index.js';
import { checkPassword } from '../../../src/modules/auth/password-policy.js';
import { openRuntime } from '../../../src/runtime.js';
import { createTestApp, makeTempDir, useScratch, type TestApp } from '../../helpers/app.js';
import { call, assertError } from '../../helpers/http.js';
import { buildWorld, filesUnder, pdfBytes, sha256, upload } from './support.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('a full disk → 507', () => {
  let mountPoint: string | null = null;
  let t: TestApp | null = null;
  before(async () => {
    const dir = await makeTempDir('mif-erp-tmpfs-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
      mountPoint = dir;
      t = await createTestApp({ env: { UPLOAD_DIRECTORY: dir } });
    } catch {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
  after(async () => {
    await t?.close();
    if (mountPoint) {
      execFileSync('umount', [mountPoint]);
      await fs.rm(mountPoint, { recursive: true, force: true });
    }
  });

  it('a 2 MB upload on a 1 MiB file system → 507 with the envelope, no partial file, no row; then a small one fits', async (context) => {
    if (!t || !mountPoint) {
      // CI runs as root (.ci/run installs Debian packages), where the tmpfs must mount and this test run.
      assert.notEqual(process.env.CI, 'true', 'mounting a 1 MiB tmpfs failed in CI');
      return context.skip('mounting a tmpfs needs root');
    }
    const world = await buildWorld(t);
    const response = await upload(t, world.responsable, world.i1, { filename: 'gros.pdf', content: pdfBytes(2 * 1024 * 1024) });
    assertError(response, 507, 'Espace de stockage insuffisant : le document n’a pas été enregistré');
    assert.equal(JSON.parse(response.body).error.code, 'INSUFFICIENT_STORAGE');
    assert.deepEqual(await filesUnder(mountPoint), []);
    assert.equal((await t.db.selectFrom('documents').select('id').execute()).length, 0);
    const small = await upload(t, world.responsable, world.i1, { filename: 'petit.pdf', content: pdfBytes(10_000) });
    assert.equal(small.statusCode, 201, small.body);
  });
});

describe('the sweep of temporary and orphan files', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('removes temporary files older than 1 h and files without a row older than 24 h, nothing else', async () => {
    const world = await buildWorld(t);
    const kept = await upload(t, world.responsable, world.i1, { filename: 'garde.pdf', content: pdfBytes() });
    assert.equal(kept.statusCode, 201);
    const dir = t.config.files.uploadDirectory;
    const row = await t.db.selectFrom('documents').select('storage_key').executeTakeFirstOrThrow();
    const keptPath = path.join(dir, row.storage_key.slice(0, 2), row.storage_key);
    const make = async (name: string, ageHours: number) => {
      const file = path.join(dir, name.replace(/^\.?/, '').slice(0, 2), name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'x');
      const when = new Date(Date.now() - ageHours * 3_600_000);
      await fs.utimes(file, when, when);
      return file;
    };
    const oldTemp = await make(`.${randomUUID()}.tmp`, 2);
    const youngTemp = await make(`.${randomUUID()}.tmp`, 0.5);
    const oldOrphan = await make(randomUUID(), 25);
    const youngOrphan = await make(randomUUID(), 23);
    const oldDocument = new Date(Date.now() - 48 * 3_600_000);
    await fs.utimes(keptPath, oldDocument, oldDocument);

    assert.deepEqual(await t.services.documents.purgeFiles(), { temporary: 1, orphans: 1 });
    const exists = (file: string) => fs.stat(file).then(() => true, () => false);
    assert.equal(await exists(oldTemp), false);
    assert.equal(await exists(oldOrphan), false);
    assert.equal(await exists(youngTemp), true);
    assert.equal(await exists(youngOrphan), true);
    assert.equal(await exists(keptPath), true);
    assert.equal((await call(t, 'GET', `/api/v1/documents/${kept.json().id}/download`, { as: world.admin })).statusCode, 200);
  });
});

describe('restart on the same DATA_DIR', () => {
  const scratch = useScratch();

  async function start() {
    const processEnv = { ENVIRONMENT: 'development', DATA_DIR: scratch.dataDir, DATABASE_URL: scratch.database.connectionString, LOG_LEVEL: 'silent', ADMIN_EMAIL: 'admin@exemple.test', ADMIN_PASSWORD: 'Redemarrage#2026' };
    const { config } = await loadConfigFromEnvironment({ cwd: repoRoot, passwordPolicy: checkPassword, processEnv });
    const runtime = await openRuntime(config, { logger: pino({ level: 'silent' }) });
    const app = await buildApp(runtime);
    return { app, db: runtime.db, services: runtime.services, config } as unknown as TestApp;
  }

  it('the development key is generated once (mode 0600), and a document uploaded before the restart still downloads', async () => {
    const first = await start();
    const world = await buildWorld(first);
    const content = pdfBytes(100_000);
    const response = await upload(first, world.responsable, world.i1, { filename: 'avant.pdf', content });
    assert.equal(response.statusCode, 201, response.body);
    await first.app.close();
    const keyFile = path.join(scratch.dataDir, 'files.key');
    assert.equal((await fs.stat(keyFile)).mode & 0o777, 0o600);

    const second = await start();
    try {
      const download = await call(second, 'GET', `/api/v1/documents/${response.json().id}/download`, { as: world.responsable });
      assert.equal(download.statusCode, 200, download.body);
      assert.equal(sha256(download.rawPayload), sha256(content));
    } finally {
      await second.app.close();
    }
  });
});
