/**
 * Retention of scripts/backup-db.sh (docs/operations.md, "Backup and restore"): N daily backups
 * kept, and the newest verified backup never deleted. The old backups are laid out as the script
 * lays them out (a dump, a documents archive, each with its .sha256, and the run's log), copied
 * from a real backup of the test database under older timestamps and modification times; then the
 * real script runs on the directory.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DAY } from '../helpers/auth.js';
import { makeTempDir, useScratch } from '../helpers/app.js';
import { runScript, type ScriptResult } from '../helpers/cli.js';
import { hasDebianPostgres } from '../helpers/private-postgres.js';

const scratch = useScratch();
const RETENTION = 14;
const NEW_DUMP = /^mif-erp_\d{8}T\d{6}Z\.dump$/;

const stampOf = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The four files of one backup and its log, relative to the backup directory. */
function filesOf(stamp: string): string[] {
  const dump = `mif-erp_${stamp}.dump`;
  const archive = `mif-erp_${stamp}_documents.tar.gz`;
  return [dump, `${dump}.sha256`, archive, `${archive}.sha256`, path.join('logs', `backup_${stamp}.log`)];
}

/** True when the backup's files are all there and both checksums match (what restore-db.sh checks). */
async function verifies(dir: string, stamp: string): Promise<boolean> {
  const [dump, dumpSum, archive, archiveSum] = filesOf(stamp);
  const pairs: [string, string][] = [[dump!, dumpSum!], [archive!, archiveSum!]];
  for (const [file, sum] of pairs) {
    const expected = await fs.readFile(path.join(dir, sum), 'utf8').catch(() => null);
    const bytes = await fs.readFile(path.join(dir, file)).catch(() => null);
    if (expected === null || bytes === null) return false;
    if (expected !== `${createHash('sha256').update(bytes).digest('hex')}  ${file}\n`) return false;
  }
  return true;
}

async function present(dir: string, stamp: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of filesOf(stamp)) if (await fs.stat(path.join(dir, file)).then(() => true, () => false)) found.push(file);
  return found;
}

/** Dumps laid out by the tests, told apart from the ones the script writes. */
const laidOut = new Set<string>();
const newBackups = async (dir: string): Promise<string[]> => (await fs.readdir(dir)).filter((name) => NEW_DUMP.test(name) && !laidOut.has(name));

describe('backup retention', { skip: !hasDebianPostgres() && process.env.CI !== 'true' ? 'postgresql-15 client tools absent' : false }, () => {
  let real: { dump: Buffer; archive: Buffer };
  const backup = (backupDir: string, databaseUrl = scratch.database.connectionString): Promise<ScriptResult> =>
    runScript('backup-db.sh', [], { databaseUrl, dataDir: scratch.dataDir, env: { BACKUP_DIR: backupDir, BACKUP_RETENTION_DAYS: String(RETENTION) } });

  before(async () => {
    const dir = path.join(await makeTempDir(), 'backups');
    const result = await backup(dir);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const names = await fs.readdir(dir);
    real = {
      dump: await fs.readFile(path.join(dir, names.find((name) => name.endsWith('.dump'))!)),
      archive: await fs.readFile(path.join(dir, names.find((name) => name.endsWith('_documents.tar.gz'))!)),
    };
  });

  /** One backup of `age` days ago (a minute more, so that find's day count is unambiguous). */
  async function layOut(dir: string, age: number, damage: 'none' | 'corrupt' = 'none'): Promise<string> {
    const when = new Date(Date.now() - age * DAY - 60_000);
    const stamp = stampOf(when);
    const [dump, dumpSum, archive, archiveSum, log] = filesOf(stamp);
    await fs.mkdir(path.join(dir, 'logs'), { recursive: true, mode: 0o700 });
    const sum = (bytes: Buffer, name: string) => `${createHash('sha256').update(bytes).digest('hex')}  ${name}\n`;
    const dumpBytes = Buffer.from(real.dump);
    await fs.writeFile(path.join(dir, dumpSum!), sum(dumpBytes, dump!));
    // A byte flipped after the checksum was written: the backup no longer verifies.
    if (damage === 'corrupt') dumpBytes[dumpBytes.length - 10] = dumpBytes[dumpBytes.length - 10]! ^ 0xff;
    await fs.writeFile(path.join(dir, dump!), dumpBytes);
    await fs.writeFile(path.join(dir, archive!), real.archive);
    await fs.writeFile(path.join(dir, archiveSum!), sum(real.archive, archive!));
    await fs.writeFile(path.join(dir, log!), `${when.toISOString()} sauvegarde terminée\n`);
    for (const file of filesOf(stamp)) await fs.utimes(path.join(dir, file), when, when);
    laidOut.add(dump!);
    return stamp;
  }

  test(`keeps ${RETENTION} daily backups: the new one and those of the last ${RETENTION - 1} days, with their checksums and logs`, async () => {
    const dir = path.join(await makeTempDir(), 'backups');
    const stamps = new Map<number, string>();
    for (let age = 1; age <= 20; age++) stamps.set(age, await layOut(dir, age));
    const result = await backup(dir);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const [age, stamp] of stamps) {
      if (age < RETENTION) assert.ok(await verifies(dir, stamp), `${age} days: kept whole`);
      else assert.deepEqual(await present(dir, stamp), [], `${age} days: every file removed`);
    }
    const fresh = await newBackups(dir);
    assert.equal(fresh.length, 1);
    const kept = (await fs.readdir(dir)).filter((name) => name.endsWith('.dump'));
    assert.equal(kept.length, RETENTION, kept.join(', '));
    assert.match(result.stdout, new RegExp(`rétention ${RETENTION} jours : ${(20 - RETENTION + 1) * 5} fichier\\(s\\) supprimé\\(s\\)`));
  });

  test('the newest verified backup survives when it is older than the retention period; a corrupt or partial newer one is not what gets protected', async () => {
    const dir = path.join(await makeTempDir(), 'backups');
    const older = await layOut(dir, 30);
    const newestVerified = await layOut(dir, 20);
    const corrupt = await layOut(dir, 16, 'corrupt');
    assert.equal(await verifies(dir, corrupt), false);
    // A run killed during pg_dump leaves its partial file (the trap never ran).
    const partial = `mif-erp_${stampOf(new Date(Date.now() - 15 * DAY))}.dump.partial`;
    await fs.writeFile(path.join(dir, partial), real.dump.subarray(0, 100));
    const when = new Date(Date.now() - 15 * DAY - 60_000);
    await fs.utimes(path.join(dir, partial), when, when);

    // Backups failing for weeks (here the password changed): no new verified backup, so no retention.
    const url = new URL(scratch.database.connectionString);
    url.password = 'not-the-password';
    const failed = await backup(dir, url.toString());
    assert.notEqual(failed.code, 0);
    assert.ok(await verifies(dir, newestVerified), 'the newest verified backup, 20 days old, is still whole');
    assert.ok(await verifies(dir, older));
    assert.equal((await present(dir, corrupt)).length, 5, 'nothing at all is deleted by a failed run');
    assert.deepEqual(await newBackups(dir), []);

    // The next successful run is the newest verified backup: the corrupt and partial ones are not kept in its place.
    const succeeded = await backup(dir);
    assert.equal(succeeded.code, 0, succeeded.stdout + succeeded.stderr);
    const [fresh] = await newBackups(dir);
    assert.ok(fresh && (await verifies(dir, fresh.slice('mif-erp_'.length, -'.dump'.length))));
    for (const stamp of [older, newestVerified, corrupt]) assert.deepEqual(await present(dir, stamp), [], stamp);
    assert.deepEqual((await fs.readdir(dir)).filter((name) => name.endsWith('.partial')), []);
  });

  test('a retention failure (an old file that cannot be deleted) never removes the backup just verified', async () => {
    const dir = path.join(await makeTempDir(), 'backups');
    const old = await layOut(dir, 20);
    // An operator's folder holding an old dump that the backup user cannot delete: immutable for
    // root (who ignores modes), read-only for anyone else.
    const locked = path.join(dir, 'verrou');
    await fs.mkdir(locked);
    const stuck = path.join(locked, 'mif-erp_ancien.dump');
    await fs.writeFile(stuck, 'x');
    const when = new Date(Date.now() - 40 * DAY);
    await fs.utimes(stuck, when, when);
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', locked]);
    else await fs.chmod(locked, 0o500);
    try {
      const result = await backup(dir);
      assert.notEqual(result.code, 0, 'the failure is reported');
      assert.match(result.stdout, /rétention : 1 fichier\(s\) impossible\(s\) à supprimer/);
      assert.match(result.stdout, /la sauvegarde mif-erp_\d{8}T\d{6}Z\.dump est complète et conservée/);
      assert.doesNotMatch(result.stdout, /sauvegarde terminée/);
      const [fresh] = await newBackups(dir);
      assert.ok(fresh, `the new backup is still there: ${(await fs.readdir(dir)).join(', ')}\n${result.stdout}`);
      assert.ok(await verifies(dir, fresh.slice('mif-erp_'.length, -'.dump'.length)), 'and whole');
      assert.deepEqual(await present(dir, old), [], 'the other old files still went');
    } finally {
      if (root) execFileSync('chattr', ['-i', locked]);
      else await fs.chmod(locked, 0o700);
    }
  });
});
