import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyFailure, remainingSeconds } from '../../../src/modules/auth/brute-force.js';
import type { LockoutRow } from '../../../src/modules/auth/repository.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { countingHasher as makeCountingHasher, FakeClock, MINUTE, seedUser } from '../../helpers/auth.js';

const clock = new FakeClock();
const countingHasher = makeCountingHasher();

let t: TestApp;
let second: TestApp;
before(async () => {
  t = await createTestApp({ clock, hasher: countingHasher });
  second = await createTestApp({ clock, database: t.database });
});
after(async () => {
  await second.close();
  await t.close();
});

async function attempt(app: TestApp, identifier: string, password: string, ip: string) {
  const response = await app.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: ip, payload: { username: identifier, password } });
  return { status: response.statusCode, retryAfter: response.headers['retry-after'], error: response.json().error, body: response.json() };
}

const LOCK_MESSAGE = (n: number) => `Trop de tentatives échouées. Réessayez dans ${n} secondes.`;

describe('lockout arithmetic (pure)', () => {
  const policy = { windowMs: 15 * MINUTE, lockMs: 5 * MINUTE };
  const empty: LockoutRow = { scope: 'account', key: 'user:1', failures: 0, lastFailureAt: null, lockedUntil: null, accountFailures: {} };

  test('the 5th failure locks for 5 minutes, then 10, 20, 40 and no more', () => {
    let row = empty;
    let now = new Date('2026-01-01T00:00:00Z');
    const locks: (number | null)[] = [];
    for (let i = 0; i < 9; i++) {
      const next = applyFailure(row, 5, policy, now);
      locks.push(next.lockMs === null ? null : next.lockMs / MINUTE);
      row = next.row;
      now = new Date((row.lockedUntil && row.lockedUntil > now ? row.lockedUntil.getTime() : now.getTime()) + 1000);
    }
    assert.deepEqual(locks, [null, null, null, null, 5, 10, 20, 40, 40]);
  });

  test('a streak ends 15 minutes after the later of the last failure and the end of the lock', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const afterLock = { ...empty, failures: 5, lastFailureAt: now, lockedUntil: new Date(now.getTime() + 5 * MINUTE) };
    const within = applyFailure(afterLock, 5, policy, new Date(now.getTime() + 20 * MINUTE));
    assert.equal(within.row.failures, 6, '15 min after the lock end: still the same streak');
    const beyond = applyFailure(afterLock, 5, policy, new Date(now.getTime() + 20 * MINUTE + 1000));
    assert.equal(beyond.row.failures, 1, 'new streak');
    assert.equal(beyond.lockMs, null);
  });

  test('remaining seconds are rounded up', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    assert.equal(remainingSeconds(new Date('2026-01-01T00:00:00.001Z'), now), 1);
    assert.equal(remainingSeconds(new Date('2026-01-01T00:05:00.000Z'), now), 300);
    assert.equal(remainingSeconds(now, now), 0);
    assert.equal(remainingSeconds(null, now), 0);
  });
});

describe('login lockouts', () => {
  test('4 failures → 401; 5th → 429 (300 s); right password while locked → 429; after the lock one failure → 600 s; success clears', async () => {
    const user = await seedUser(t, 'responsable');
    const ip = '192.0.2.10';
    for (let i = 0; i < 4; i++) assert.equal((await attempt(t, user.email, 'Mauvais#1Pass', ip)).status, 401);
    const fifth = await attempt(t, user.email, 'Mauvais#1Pass', ip);
    assert.equal(fifth.status, 429);
    assert.equal(fifth.retryAfter, '300');
    assert.equal(fifth.error.code, 'TOO_MANY_REQUESTS');
    assert.equal(fifth.error.message, LOCK_MESSAGE(300));

    clock.advance(MINUTE);
    const locked = await attempt(t, user.email, user.password, ip);
    assert.equal(locked.status, 429, 'even the right password');
    assert.equal(locked.retryAfter, '240');

    clock.advance(4 * MINUTE + 1000);
    const relock = await attempt(t, user.email, 'Mauvais#1Pass', ip);
    assert.equal(relock.status, 429);
    assert.equal(relock.retryAfter, '600');

    clock.advance(10 * MINUTE + 1000);
    const ok = await attempt(t, user.email, user.password, ip);
    assert.equal(ok.status, 200);
    const rows = await t.db.selectFrom('lockouts').selectAll().where('key', 'in', [`user:${user.id}`, ip]).execute();
    assert.deepEqual(rows.map((r) => r.failures), [0, 0]);
    assert.equal((await attempt(t, user.email, 'Mauvais#1Pass', ip)).status, 401, 'a fresh streak');

    const events = await t.db.selectFrom('audit_events').select(['event_type', 'details']).where('resource_id', '=', String(user.id)).execute();
    assert.ok(events.some((e) => e.event_type === 'auth.login.locked'));
    assert.ok(events.some((e) => e.event_type === 'auth.login.blocked'));
    const attempts = await t.db.selectFrom('login_attempts').select('reason').where('user_id', '=', user.id).execute();
    assert.ok(attempts.some((a) => a.reason === 'locked'));
  });

  test('an unknown account gets identical answers and as many hash verifications', async () => {
    const user = await seedUser(t, 'technicien');
    const run = async (identifier: string, ip: string) => {
      const start = countingHasher.verifications;
      const results = [];
      for (let i = 0; i < 6; i++) {
        const r = await attempt(t, identifier, 'Mauvais#1Pass', ip);
        results.push({ status: r.status, retryAfter: r.retryAfter, code: r.error.code, message: r.error.message });
      }
      return { results, verifications: countingHasher.verifications - start };
    };
    const known = await run(user.email, '192.0.2.20');
    const unknown = await run('nobody-here@exemple.test', '192.0.2.21');
    assert.deepEqual(unknown.results, known.results);
    assert.deepEqual(known.results.map((r) => r.status), [401, 401, 401, 401, 429, 429]);
    assert.equal(unknown.verifications, known.verifications);
    assert.equal(known.verifications, 5, 'no verification while locked');
  });

  test('the e-mail and the username of one account share one counter', async () => {
    const user = await seedUser(t, 'client');
    const ips = ['192.0.2.31', '192.0.2.32', '192.0.2.33', '192.0.2.34', '192.0.2.35'];
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await attempt(t, i % 2 === 0 ? user.email : user.username.toUpperCase(), 'Mauvais#1Pass', ips[i]!)).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 429], 'failures from 5 IPs lock the account');
  });

  test('5 different accounts from one IP lock that IP', async () => {
    const ip = '192.0.2.40';
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(t, `inconnu${i}@exemple.test`, 'Mauvais#1Pass', ip)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    const innocent = await seedUser(t, 'client');
    assert.equal((await attempt(t, innocent.email, innocent.password, ip)).status, 429, 'the IP is locked for everyone');
    assert.equal((await attempt(t, innocent.email, innocent.password, '192.0.2.41')).status, 200, 'other IPs are not');
  });

  test('two app instances on one database share the lock', async () => {
    const user = await seedUser(t, 'responsable');
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(i % 2 === 0 ? t : second, user.email, 'Mauvais#1Pass', `192.0.2.5${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    assert.equal((await attempt(second, user.email, user.password, '192.0.2.59')).status, 429);
  });

  test('a wrong current password on change-password counts as a failed login', async () => {
    const user = await seedUser(t, 'technicien');
    const ip = '192.0.2.60';
    const tokens = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: ip, payload: { email: user.email, password: user.password } })).json();
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/change-password',
        remoteAddress: ip,
        headers: { authorization: `Bearer ${tokens.access_token}` },
        payload: { current_password: 'Mauvais#1Pass', new_password: 'Nouveau#Pass2027' },
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 429]);
    assert.equal((await attempt(t, user.email, user.password, '192.0.2.61')).status, 429, 'the account is locked for logins too');
  });
});
