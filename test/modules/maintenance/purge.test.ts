/**
 * maintenance.purge and contrats.expire (docs/operations.md §6): what goes and what stays, by the
 * retention settings; a second run deletes nothing; the upload sweeper hook receives the cut-offs.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { DAY, FakeClock, seedUser } from '../../helpers/auth.js';
import { insertClient, insertContrat } from '../../helpers/fixtures.js';

const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse('2026-06-15T09:00:00.000Z'));
let t: TestApp;

before(async () => {
  t = await createTestApp({ clock, env: { AUDIT_RETENTION_DAYS: '100', LOGIN_ATTEMPTS_RETENTION_DAYS: '10' } });
});
after(async () => t?.close());

const ago = (ms: number) => new Date(clock.now().getTime() - ms);

test('maintenance.purge deletes by retention and keeps the rest; idempotent', async () => {
  const user = await seedUser(t, 'technicien');
  const session = (values: { revoked_at?: Date | null; expires_at: Date }) =>
    t.db.insertInto('sessions').values({ user_id: user.id, created_at: ago(60 * DAY), ...values }).returning('id').executeTakeFirstOrThrow();
  const oldRevoked = await session({ revoked_at: ago(31 * DAY), expires_at: ago(-DAY) });
  const oldExpired = await session({ expires_at: ago(31 * DAY) });
  const recentRevoked = await session({ revoked_at: ago(29 * DAY), expires_at: ago(-DAY) });
  const live = await session({ expires_at: ago(-DAY) });
  await t.db.insertInto('refresh_tokens').values({ session_id: oldRevoked.id, token_hash: randomBytes(32).toString('hex'), expires_at: ago(-DAY) }).execute();

  await t.db.insertInto('login_attempts').values([
    { identifier: 'old', endpoint: 'token', success: false, created_at: ago(11 * DAY) },
    { identifier: 'new', endpoint: 'token', success: false, created_at: ago(9 * DAY) },
  ]).execute();
  await t.db.insertInto('lockouts').values([
    { scope: 'ip', key: '10.0.0.1', updated_at: ago(25 * HOUR), locked_until: null },
    { scope: 'ip', key: '10.0.0.2', updated_at: ago(25 * HOUR), locked_until: ago(-HOUR) },
    { scope: 'ip', key: '10.0.0.3', updated_at: ago(23 * HOUR), locked_until: null },
  ]).execute();
  await t.db.insertInto('audit_events').values([
    { event_type: 'test.old', outcome: 'success', created_at: ago(101 * DAY) },
    { event_type: 'test.new', outcome: 'success', created_at: ago(99 * DAY) },
  ]).execute();
  const outbox = (status: 'sent' | 'failed' | 'pending', age: number) => ({ to_address: 'a@b.ma', subject: 's', body_text: 't', body_html: 'h', status, created_at: ago(age) });
  await t.db.insertInto('email_outbox').values([outbox('sent', 31 * DAY), outbox('sent', 29 * DAY), outbox('failed', 91 * DAY), outbox('failed', 89 * DAY), outbox('pending', 200 * DAY)]).execute();

  const first = await t.services.purge.run();
  assert.deepEqual(first, { sessions: 2, login_attempts: 1, lockouts: 1, audit_events: 1, outbox_sent: 1, outbox_failed: 1, orphan_files: 0, temporary_files: 0 });
  const sessions = (await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).map((s) => s.id).sort();
  assert.deepEqual(sessions, [recentRevoked.id, live.id].sort());
  assert.ok(!sessions.includes(oldExpired.id) && !sessions.includes(oldRevoked.id));
  assert.equal((await t.db.selectFrom('refresh_tokens').select('id').where('session_id', '=', oldRevoked.id).execute()).length, 0, 'tokens go with their session');
  assert.deepEqual((await t.db.selectFrom('lockouts').select('key').orderBy('key').execute()).map((l) => l.key), ['10.0.0.2', '10.0.0.3']);
  assert.deepEqual((await t.db.selectFrom('email_outbox').select('status').orderBy('id').execute()).map((o) => o.status), ['sent', 'failed', 'pending']);

  const second = await t.services.purge.run();
  assert.ok(Object.values(second).every((n) => n === 0), JSON.stringify(second));
});

test('the upload files: an old temporary file and an old file without a row go, and are counted', async () => {
  const dir = t.config.files.uploadDirectory;
  const make = async (name: string, ageMs: number) => {
    const file = path.join(dir, name.replace(/^\./, '').slice(0, 2), name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'x');
    await fs.utimes(file, ago(ageMs), ago(ageMs));
    return file;
  };
  const oldTemp = await make(`.${randomUUID()}.tmp`, 2 * HOUR);
  const oldOrphan = await make(randomUUID(), 25 * HOUR);
  const youngOrphan = await make(randomUUID(), 23 * HOUR);
  const summary = await t.services.purge.run();
  assert.deepEqual([summary.temporary_files, summary.orphan_files], [1, 1]);
  const exists = (file: string) => fs.stat(file).then(() => true, () => false);
  assert.deepEqual([await exists(oldTemp), await exists(oldOrphan), await exists(youngOrphan)], [false, false, true]);
});

test('contrats.expire: en_cours contracts past date_fin (in APP_TIMEZONE) → expire; others untouched', async () => {
  const client = await insertClient(t.db);
  // 15 Jun 2026 10:00 in Casablanca: a contract ending on the 14th is over, one ending today is not.
  const ended = await insertContrat(t.db, client, { statut: 'en_cours', date_debut: '2026-01-01', date_fin: '2026-06-14' });
  const today = await insertContrat(t.db, client, { statut: 'en_cours', date_debut: '2026-01-01', date_fin: '2026-06-15' });
  const draft = await insertContrat(t.db, client, { statut: 'brouillon', date_debut: '2026-01-01', date_fin: '2026-02-01' });
  assert.deepEqual(await t.services.contrats.expireEnded(), { expired: 1 });
  const statut = async (id: number) => (await t.db.selectFrom('contrats').select('statut').where('id', '=', id).executeTakeFirstOrThrow()).statut;
  assert.deepEqual([await statut(ended), await statut(today), await statut(draft)], ['expire', 'en_cours', 'brouillon']);
  assert.deepEqual(await t.services.contrats.expireEnded(), { expired: 0 });
});
