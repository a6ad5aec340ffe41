/**
 * Key rotation and legacy Fernet files (docs/security.md §8 "Rotation", "Legacy Fernet"): old
 * documents still download right after FILES_ENC_KEY changes, `npm run keys:rotate-files` re-wraps
 * their keys without touching a file, is idempotent, reports 0 rows left, and with
 * --reencrypt-legacy converts a Fernet file written by Python's `cryptography`.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createTestApp, useScratch, type TestApp } from '../../helpers/app.js';
import { runScript } from '../../helpers/cli.js';
import { call } from '../../helpers/http.js';
import { keyIdOf } from '../../../src/modules/documents/crypto/keyring.js';
import { buildWorld, pdfBytes, sha256, upload, type DocumentsWorld } from './support.js';

const legacy = JSON.parse(await fs.readFile(path.join(import.meta.dirname, 'fixtures', 'legacy-fernet.json'), 'utf8'));
const OLD_KEY = randomBytes(32).toString('base64url');
const NEW_KEY = randomBytes(32).toString('base64url');
const scratch = useScratch();

async function appWith(env: Record<string, string>): Promise<TestApp> {
  return createTestApp({ database: scratch.database, env: { UPLOAD_DIRECTORY: path.join(scratch.dataDir, 'uploads'), ...env } });
}

async function downloadSha(t: TestApp, as: DocumentsWorld['admin'], id: number): Promise<string> {
  const response = await call(t, 'GET', `/api/v1/documents/${id}/download`, { as });
  assert.equal(response.statusCode, 200, response.body);
  return sha256(response.rawPayload);
}

const rotate = (args: string[], env: Record<string, string>) =>
  runScript('keys-rotate-files.ts', args, { databaseUrl: scratch.database.connectionString, dataDir: scratch.dataDir, env: { UPLOAD_DIRECTORY: path.join(scratch.dataDir, 'uploads'), ...env } });

describe('rotation', () => {
  it('old documents download at once, keys:rotate-files re-wraps them (0 left), --reencrypt-legacy converts Fernet', async () => {
    // Written under the old key, plus a file the legacy service wrote with Fernet.
    const before = await appWith({ FILES_ENC_KEY: OLD_KEY });
    const world = await buildWorld(before);
    const contents = [pdfBytes(70_000), pdfBytes(300)];
    const ids: number[] = [];
    for (const content of contents) {
      const response = await upload(before, world.responsable, world.i1, { filename: 'ancien.pdf', content });
      assert.equal(response.statusCode, 201, response.body);
      ids.push(response.json().id);
    }
    const legacyKey = randomUUID();
    const legacyPath = path.join(before.config.files.uploadDirectory, legacyKey.slice(0, 2), legacyKey);
    await fs.mkdir(path.dirname(legacyPath), { recursive: true });
    await fs.writeFile(legacyPath, legacy.token);
    const plain = Buffer.from(legacy.plaintext_base64, 'base64');
    const legacyRow = await before.db
      .insertInto('documents')
      .values({ intervention_id: world.i1, nom_fichier: 'legacy.pdf', storage_key: legacyKey, mime_type: 'application/pdf', taille_octets: plain.length, sha256: legacy.plaintext_sha256, encryption: 'fernet', key_id: keyIdOf(Buffer.from(legacy.key, 'base64url')), wrapped_key: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await before.close();

    const rotatedEnv = { FILES_ENC_KEY: NEW_KEY, FILES_ENC_OLD_KEYS: `${OLD_KEY},${legacy.key}` };
    const during = await appWith(rotatedEnv);
    const admin = await loginAdmin(during, world);
    for (const [i, id] of ids.entries()) assert.equal(await downloadSha(during, admin, id), sha256(contents[i]!));
    assert.equal(await downloadSha(during, admin, legacyRow.id), legacy.plaintext_sha256, 'the Python token decrypts');
    const filesBefore = await Promise.all(ids.map(async (id) => sha256(await fs.readFile(await filePath(during, id)))));

    const first = await rotate([], rotatedEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Documents encore sous d'anciennes clés : 0/);
    assert.match(first.stdout, /Documents Fernet hérités : 1/);
    const rows = await during.db.selectFrom('documents').select(['id', 'key_id']).where('id', 'in', ids).execute();
    assert.ok(rows.every((row) => row.key_id === keyIdOf(Buffer.from(NEW_KEY, 'base64url'))));
    const filesAfter = await Promise.all(ids.map(async (id) => sha256(await fs.readFile(await filePath(during, id)))));
    assert.deepEqual(filesAfter, filesBefore, 'no file touched');

    const again = await rotate([], rotatedEnv);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /clés ré-enveloppées : 0/);

    const converted = await rotate(['--reencrypt-legacy'], rotatedEnv);
    assert.equal(converted.code, 0, converted.stderr);
    assert.match(converted.stdout, /Documents Fernet hérités : 0/);
    await assert.rejects(fs.stat(legacyPath), { code: 'ENOENT' });
    const audit = await during.db.selectFrom('audit_events').select('details').where('event_type', '=', 'system.keys.rotated').execute();
    assert.equal(audit.length, 3);
    await during.close();

    // Old keys removed: everything still downloads with FILES_ENC_KEY alone.
    const after = await appWith({ FILES_ENC_KEY: NEW_KEY });
    const adminAfter = await loginAdmin(after, world);
    for (const [i, id] of ids.entries()) assert.equal(await downloadSha(after, adminAfter, id), sha256(contents[i]!));
    assert.equal(await downloadSha(after, adminAfter, legacyRow.id), legacy.plaintext_sha256);
    const row = await after.db.selectFrom('documents').selectAll().where('id', '=', legacyRow.id).executeTakeFirstOrThrow();
    assert.equal(row.encryption, 'aes256gcm-stream-v1');

    // A row whose key is configured nowhere is reported at start of the command.
    await after.db.updateTable('documents').set({ key_id: 'ffffffffffffffff' }).where('id', '=', ids[0]!).execute();
    const report = await rotate([], { FILES_ENC_KEY: NEW_KEY });
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stderr, /1 document\(s\) ont une clé absente/);
    assert.match(report.stdout, /Documents dont la clé n'est pas configurée : 1/);
    await after.close();
  });
});

async function filePath(t: TestApp, id: number): Promise<string> {
  const row = await t.db.selectFrom('documents').select('storage_key').where('id', '=', id).executeTakeFirstOrThrow();
  return path.join(t.config.files.uploadDirectory, row.storage_key.slice(0, 2), row.storage_key);
}

/** The admin's tokens of the first app: same database and SECRET_KEY, so the session still holds. */
async function loginAdmin(t: TestApp, world: DocumentsWorld): Promise<DocumentsWorld['admin']> {
  const me = await call(t, 'GET', '/api/v1/auth/me', { as: world.admin });
  assert.equal(me.statusCode, 200, me.body);
  return world.admin;
}
