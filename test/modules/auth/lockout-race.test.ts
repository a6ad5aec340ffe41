/**
 * The attacks of issue 13, findings 1, 2 and 4 (docs/security.md §3): parallel guesses against one
 * account must never outnumber the threshold nor yield a token while it is locked, a success
 * forgets only its own account's failures on the IP, and every refused change-password is audited.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { argon2Hasher } from '../../../src/modules/auth/password-hash.js';
import { useTestApp } from '../../helpers/app.js';
import { countingHasher, FakeClock, login, seedUser } from '../../helpers/auth.js';
import { listenLocally } from '../../helpers/raw-http.js';

const clock = new FakeClock();
const hasher = countingHasher();
const t = useTestApp({ clock, hasher });
const WRONG = 'Mauvais#1Pass';
const THRESHOLD = 5;
const RUNS = 20;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wrong guesses in parallel, then the right secret while they are in flight: the statuses of each. */
async function race<T>(wrong: (() => Promise<T>)[], right: () => Promise<T>, statusOf: (r: T) => number, options: { afterFirstAnswer?: boolean } = {}) {
  const pending = wrong.map((call) => call().then(statusOf));
  const wrongAnswers = Promise.all(pending);
  await delay(50);
  // On a loaded machine 50 ms may not be enough for the parallel guesses to reach the guard at all.
  if (options.afterFirstAnswer) await Promise.race(pending);
  const rightAnswer = statusOf(await right());
  return { wrong: await wrongAnswers, right: rightAnswer };
}

/**
 * The order in which the server *decided*, not the order in which the answers reached the client
 * (two answers decided in one order may be delivered in the other): each attempt is written under
 * the account's row lock, so the ids of login_attempts follow the decisions.
 */
async function decisions(userId: number) {
  const rows = await t().db.selectFrom('login_attempts').select(['id', 'success', 'reason']).where('user_id', '=', userId).orderBy('id').execute();
  const success = rows.find((row) => row.success);
  const firstBlocked = rows.find((row) => row.reason === 'locked');
  return { success: success?.id ?? null, firstBlocked: firstBlocked?.id ?? null };
}

describe('finding 1: parallel guesses and the lock (20 runs, 12 to 50 in parallel)', () => {
  test('login: never more than the threshold verified, never a token once a lock is announced', async () => {
    for (let run = 0; run < RUNS; run++) {
      const parallel = 12 + Math.round((run * 38) / (RUNS - 1));
      const user = await seedUser(t(), 'responsable');
      const before = hasher.verifications;
      const attempt = (password: string, ip: string) => () =>
        t().app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: ip, payload: { username: user.email, password } });
      const result = await race(
        Array.from({ length: parallel }, (_, i) => attempt(WRONG, `10.${run}.${i}.1`)),
        attempt(user.password, `10.${run}.250.1`),
        (r) => r.statusCode,
      );
      const statuses = result.wrong;
      // 4 × 401, or 3 when the right password took a place in the streak before the lock.
      const wrongVerified = statuses.filter((s) => s === 401).length;
      assert.ok(wrongVerified === THRESHOLD - 1 || wrongVerified === THRESHOLD - 2, `run ${run} (${parallel}): ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 429).length, parallel - wrongVerified, `run ${run}: the rest 429`);
      assert.ok(hasher.verifications - before <= THRESHOLD + 1, `run ${run}: ${hasher.verifications - before} passwords verified`);
      const order = await decisions(user.id);
      assert.notEqual(order.firstBlocked, null, `run ${run}: guesses were refused by the lock`);
      const locks = await t().db.selectFrom('audit_events').select('details').where('event_type', '=', 'auth.login.locked').where('resource_id', '=', String(user.id)).execute();
      const sessions = await t().db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
      assert.equal(sessions.length, result.right === 200 ? 1 : 0);
      if (result.right !== 200) {
        assert.equal(result.right, 429, `run ${run}`);
        assert.deepEqual(locks.map((e) => e.details.scope), ['account'], `run ${run}: exactly one lock`);
      } else if (order.success! < order.firstBlocked!) {
        // The token was decided before any guess saw a lock.
        assert.deepEqual(locks.map((e) => e.details.scope), ['account'], `run ${run}: exactly one lock`);
      } else {
        // A token after refusals: only when the right password's own claim took the threshold's place.
        // Its success withdrew that provisional lock, as the same attempts one after another would.
        assert.equal(wrongVerified, THRESHOLD - 1, `run ${run}: the right password held the locking place`);
        assert.deepEqual(locks, [], `run ${run}: a token after a lock started by a wrong guess`);
        const account = await t().db.selectFrom('lockouts').select(['failures', 'locked_until']).where('scope', '=', 'account').where('key', '=', `user:${user.id}`).executeTakeFirstOrThrow();
        assert.deepEqual(account, { failures: 0, locked_until: null }, `run ${run}: the streak ended in a success`);
      }
    }
  });

  test('change-password: parallel wrong current passwords lock, the right one changes nothing once locked', async () => {
    for (let run = 0; run < 5; run++) {
      const user = await seedUser(t(), 'technicien');
      const tokens = await login(t(), user, `10.100.${run}.1`);
      const before = hasher.verifications;
      const change = (current: string, ip: string) => () =>
        t().app.inject({
          method: 'POST',
          url: '/api/v1/auth/change-password',
          remoteAddress: ip,
          headers: { authorization: `Bearer ${tokens.access_token}` },
          payload: { current_password: current, new_password: 'Nouveau#Pass2027' },
        });
      const result = await race(
        Array.from({ length: 12 }, (_, i) => change(WRONG, `10.101.${run}.${i}`)),
        change(user.password, `10.102.${run}.1`),
        (r) => r.statusCode,
        // The right password comes while the other guesses are still being verified, once the first
        // answer shows the slots are taken (a token-refusing lock is the login test's subject).
        { afterFirstAnswer: true },
      );
      assert.ok(result.wrong.filter((status) => status === 400).length >= THRESHOLD - 2);
      assert.ok(hasher.verifications - before <= THRESHOLD + 1);
      assert.equal(result.right, 429, 'the account is locked: no password change');
      const stored = await t().db.selectFrom('users').select('hashed_password').where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(await argon2Hasher.verify(stored.hashed_password, user.password), 'the password is unchanged');
    }
  });
});

describe('finding 2: spraying from one IP', () => {
  let port: number | null = null;
  /** A login over a real TCP connection from 127.0.0.1: the IP the server sees is the socket's. */
  const post = async (username: string, password: string) => {
    port ??= await listenLocally(t().app);
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return response.status;
  };
  test('over a real socket: 4 failures on other accounts + 1 own login, repeated, lock the IP', async () => {
    const own = await seedUser(t(), 'client');
    const victims = await Promise.all(Array.from({ length: 8 }, () => seedUser(t(), 'client')));
    const rounds: number[][] = [];
    for (let round = 0; round < 2; round++) {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await post(victims[round * 4 + i]!.email, WRONG));
      statuses.push(await post(own.email, own.password));
      rounds.push(statuses);
    }
    assert.deepEqual(rounds[0], [401, 401, 401, 401, 200], 'the own login succeeds');
    assert.equal(rounds[1]![0], 429, 'the 5th failure on other accounts locks the IP');
    assert.equal(rounds[1]![4], 429, 'the own login is refused while the IP is locked');
    await t().db.deleteFrom('lockouts').where('scope', '=', 'ip').where('key', '=', '127.0.0.1').execute();
  });

  test('over a real socket: one user mistyping their own password is not held against the IP', async () => {
    const user = await seedUser(t(), 'client');
    const other = await seedUser(t(), 'client');
    const statuses = [await post(other.email, WRONG), await post(user.email, WRONG), await post(user.email, WRONG), await post(user.email, WRONG), await post(user.email, user.password)];
    assert.deepEqual(statuses, [401, 401, 401, 401, 200]);
    const ip = await t().db.selectFrom('lockouts').select(['failures', 'account_failures']).where('scope', '=', 'ip').where('key', '=', '127.0.0.1').executeTakeFirstOrThrow();
    assert.equal(ip.failures, 1, "only the other account's failure is remembered");
    assert.deepEqual(ip.account_failures, { [`user:${other.id}`]: 1 });
    await t().db.deleteFrom('lockouts').where('scope', '=', 'ip').where('key', '=', '127.0.0.1').execute();
  });
});

describe('finding 4: change-password refusals are audited', () => {
  test('a wrong current password, the lock and the attempts refused by it each write an event', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user, '10.110.0.1');
    const change = (current: string) =>
      t().app.inject({
        method: 'POST',
        url: '/api/v1/auth/change-password',
        remoteAddress: '10.110.0.2',
        headers: { authorization: `Bearer ${tokens.access_token}` },
        payload: { current_password: current, new_password: 'Nouveau#Pass2027' },
      });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await change(WRONG)).statusCode);
    assert.deepEqual(statuses, [400, 400, 400, 400, 429, 429]);
    const events = await t()
      .db.selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_user_id', 'details'])
      .where('resource_id', '=', String(user.id))
      .where('event_type', 'like', 'auth.login.%')
      .orderBy('id')
      .execute();
    const changeEvents = events.filter((e) => e.details.endpoint === 'change_password');
    assert.deepEqual(
      changeEvents.map((e) => [e.event_type, e.outcome]),
      [
        ...Array.from({ length: 5 }, () => ['auth.login.failure', 'failure']),
        ['auth.login.locked', 'failure'],
        ['auth.login.locked', 'failure'],
        ['auth.login.blocked', 'denied'],
      ],
    );
    assert.ok(changeEvents.every((e) => e.actor_user_id === user.id));
    assert.ok(changeEvents.filter((e) => e.event_type === 'auth.login.failure').every((e) => e.details.reason === 'bad_password'));
  });
});
