/**
 * scripts/backup-db.sh and restore-db.sh (docs/operations.md, "Backup and restore") on the test
 * PostgreSQL server (embedded, or Debian's PostgreSQL 15 in CI) with Debian's client tools: a
 * verified dump and documents archive with checksums and private modes, a restore into a new
 * database with the same rows, an app that starts on it and serves a document with the same
 * SHA-256, clean failures, and retention.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import { makeTempDir, TEST_FILES_ENC_KEY, TEST_SECRET_KEY, useScratch } from '../helpers/app.js';
import { runScript, type ScriptResult } from '../helpers/cli.js';
import { adminQuery, databaseUrl } from '../helpers/database.js';
import { hasDebianPostgres } from '../helpers/private-postgres.js';
import { startServerProcess } from '../helpers/server-process.js';

const scratch = useScratch();

/** Per table: row count and an md5 of every row in a stable order. */
async function tableChecksums(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    const sums: Record<string, string> = {};
    for (const { tablename } of tables.rows) {
      const { rows } = await client.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM "${tablename}" t`);
      sums[tablename] = `${rows[0].n}:${rows[0].sum}`;
    }
    return sums;
  } finally {
    await client.end();
  }
}

function assertSucceeded(result: ScriptResult, what: string): void {
  assert.equal(result.code, 0, `${what}:\n${result.stdout}\n${result.stderr}`);
}

describe('backup and restore', { skip: !hasDebianPostgres() && process.env.CI !== 'true' ? 'postgresql-15 client tools absent' : false }, () => {
  let uploads: string;
  before(async () => {
    const seeded = await runScript('seed-demo.ts', ['--with-documents'], { databaseUrl: scratch.database.connectionString, dataDir: scratch.dataDir });
    assertSucceeded(seeded, 'seed');
    uploads = path.join(scratch.dataDir, 'uploads');
    // Beside the seeded documents' files: any file of the directory comes back as it was.
    await fs.mkdir(path.join(uploads, 'extra'), { recursive: true });
    await fs.writeFile(path.join(uploads, 'extra', 'a.bin'), randomBytes(4096));
  });

  const backup = (backupDir: string, env: Record<string, string> = {}, databaseUrl = scratch.database.connectionString) =>
    runScript('backup-db.sh', [], { databaseUrl, dataDir: scratch.dataDir, env: { BACKUP_DIR: backupDir, ...env } });

  test('backup → restore into a new database: same rows and checksums, documents back, an app logs in on it', async () => {
    const backupDir = path.join(await makeTempDir(), 'backups');
    const result = await backup(backupDir);
    assertSucceeded(result, 'backup');
    const names = (await fs.readdir(backupDir)).sort();
    const dump = names.find((name) => /^mif-erp_\d{8}T\d{6}Z\.dump$/.test(name));
    const archive = names.find((name) => /^mif-erp_\d{8}T\d{6}Z_documents\.tar\.gz$/.test(name));
    assert.ok(dump && archive, names.join(', '));
    assert.deepEqual(names, [dump, `${dump}.sha256`, archive, `${archive}.sha256`, 'logs'].sort());
    assert.equal((await fs.stat(backupDir)).mode & 0o777, 0o700);
    for (const name of names.filter((n) => n !== 'logs')) assert.equal((await fs.stat(path.join(backupDir, name))).mode & 0o777, 0o600, name);
    const logs = await fs.readdir(path.join(backupDir, 'logs'));
    assert.equal(logs.length, 1);
    const logText = await fs.readFile(path.join(backupDir, 'logs', logs[0]!), 'utf8');
    assert.match(logText, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ sauvegarde de /m);
    assert.match(logText, /sauvegarde terminée/);
    assert.ok(!logText.includes(new URL(scratch.database.connectionString).password), 'no password in the log');

    const target = `mif_erp_restored_${randomBytes(4).toString('hex')}`;
    const restoredUploads = await makeTempDir();
    try {
      const restored = await runScript('restore-db.sh', [path.join(backupDir, dump), '--documents', path.join(backupDir, archive), '--target-db', target], {
        databaseUrl: scratch.database.connectionString,
        dataDir: scratch.dataDir,
        env: { UPLOAD_DIRECTORY: restoredUploads },
      });
      assertSucceeded(restored, 'restore');
      assert.match(restored.stdout, /interventions : 3/);
      assert.deepEqual(await tableChecksums(databaseUrl(target)), await tableChecksums(scratch.database.connectionString));
      assert.deepEqual(await fs.readFile(path.join(restoredUploads, 'extra', 'a.bin')), await fs.readFile(path.join(uploads, 'extra', 'a.bin')));

      const server = await startServerProcess({
        ENVIRONMENT: 'test',
        SECRET_KEY: TEST_SECRET_KEY,
        FILES_ENC_KEY: TEST_FILES_ENC_KEY,
        DATABASE_URL: databaseUrl(target),
        DATA_DIR: await makeTempDir(),
        UPLOAD_DIRECTORY: restoredUploads,
      });
      try {
        const login = await fetch(`${server.baseUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'ChefPass123!' }),
        });
        assert.equal(login.status, 200);
        // A document of the backup, decrypted by the restored app: the same bytes as uploaded.
        const token = ((await login.json()) as { access_token: string }).access_token;
        const listed = (await (await fetch(`${server.baseUrl}/documents/`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: number; path: string }[];
        assert.ok(listed.length > 0, 'the seeded documents are listed');
        const origin = new URL(server.baseUrl).origin;
        const download = await fetch(`${origin}${listed[0]!.path}`);
        assert.equal(download.status, 200);
        const sha256 = createHash('sha256').update(Buffer.from(await download.arrayBuffer())).digest('hex');
        const stored = await scratch.database.db.selectFrom('documents').select('sha256').where('id', '=', listed[0]!.id).executeTakeFirstOrThrow();
        assert.equal(sha256, stored.sha256);
      } finally {
        await server.stop();
      }
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
      await fs.rm(restoredUploads, { recursive: true, force: true });
    }
  });

  test('restore refuses a non-empty database without --yes, and a dump whose checksum does not match', async () => {
    const backupDir = path.join(await makeTempDir(), 'backups');
    assertSucceeded(await backup(backupDir), 'backup');
    const dump = path.join(backupDir, (await fs.readdir(backupDir)).find((name) => name.endsWith('.dump'))!);
    const options = { databaseUrl: scratch.database.connectionString, dataDir: scratch.dataDir };
    const refused = await runScript('restore-db.sh', [dump], options);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /n'est pas vide : relancez avec --yes/);

    const bytes = await fs.readFile(dump);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await fs.writeFile(dump, bytes);
    const tampered = await runScript('restore-db.sh', [dump, '--target-db', 'mif_erp_never_created', '--yes'], options);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /somme de contrôle incorrecte/);
    const created = await adminQuery("SELECT 1 FROM pg_database WHERE datname = 'mif_erp_never_created'");
    assert.equal(created.rowCount, 0);
  });

  test('pg_dump failing (wrong password, or a role that may not read the tables) → exit ≠ 0, no dump left', async () => {
    const role = `backup_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'Role-Pass-2026'`);
    try {
      for (const [what, password] of [['wrong password', 'wrong'], ['no privilege', 'Role-Pass-2026']] as const) {
        const url = new URL(scratch.database.connectionString);
        url.username = role;
        url.password = password;
        const backupDir = path.join(await makeTempDir(), 'backups');
        const result = await backup(backupDir, {}, url.toString());
        assert.notEqual(result.code, 0, what);
        const left = await fs.readdir(backupDir).catch(() => [] as string[]);
        assert.deepEqual(left.filter((name) => name.includes('.dump')), [], `${what}: ${left.join(', ')}`);
        if (what === 'no privilege') assert.match(result.stdout, /pg_dump a échoué/);
      }
    } finally {
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  test('retention 14 days: backups aged 0 and 13 days stay, 14 and 30 go; the new backup stays', async () => {
    const backupDir = path.join(await makeTempDir(), 'backups');
    await fs.mkdir(path.join(backupDir, 'logs'), { recursive: true });
    const day = 86_400_000;
    const aged: Record<number, string> = {};
    for (const age of [0, 13, 14, 30]) {
      const name = `mif-erp_old${age}.dump`;
      const file = path.join(backupDir, name);
      await fs.writeFile(file, 'x');
      const when = new Date(Date.now() - age * day - 60_000);
      await fs.utimes(file, when, when);
      aged[age] = name;
    }
    assertSucceeded(await backup(backupDir, { BACKUP_RETENTION_DAYS: '14' }), 'backup');
    const names = await fs.readdir(backupDir);
    assert.ok(names.includes(aged[0]!) && names.includes(aged[13]!), names.join(', '));
    assert.ok(!names.includes(aged[14]!) && !names.includes(aged[30]!), names.join(', '));
    assert.equal(names.filter((name) => /^mif-erp_\d{8}T\d{6}Z\.dump$/.test(name)).length, 1);
  });
});
