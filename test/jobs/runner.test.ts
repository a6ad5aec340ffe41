/**
 * The pg-boss job runner (docs/operations.md §6, §11): queues with their retry policy and schedules
 * in APP_TIMEZONE, two nodes triggered together generating once, e-mails sent on enqueue, every run
 * recorded (and shown by /health/detailed), failures recorded and left to pg-boss's retries, and a
 * stop that waits for the active job.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import type { JobDefinition } from '../../src/jobs/definitions.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { login, seedUser } from '../helpers/auth.js';
import { call } from '../helpers/http.js';
import { startSmtpServer, smtpEnv, type TestSmtpServer } from '../helpers/smtp.js';
import { eventually, insertDuePlannings } from './support.js';

const jobs = { timings: { pollingIntervalSeconds: 0.5 } };
let smtp: TestSmtpServer;
let a: TestApp;
let b: TestApp;

before(async () => {
  smtp = await startSmtpServer();
  const env = { ENABLE_SCHEDULER: 'true', METRICS_TOKEN: 'metrics-token-0123456789abcdef', ...smtpEnv(smtp) };
  a = await createTestApp({ env, jobs });
  b = await createTestApp({ env, jobs, database: a.database });
});
after(async () => {
  await b?.close();
  await a?.close();
  await smtp?.close();
});

const lastRun = (job: string) => a.db.selectFrom('job_runs').selectAll().where('job', '=', job).executeTakeFirst();

describe('queues and schedules', () => {
  test('every job is a stately queue with 3 retries 60 s apart, scheduled by name in APP_TIMEZONE', async () => {
    const queues = await sql<{ name: string; policy: string; retry_limit: number; retry_delay: number; retry_backoff: boolean }>`
      SELECT name, policy, retry_limit, retry_delay, retry_backoff FROM pgboss.queue WHERE name NOT LIKE '\\_\\_%' ORDER BY name`.execute(a.db);
    assert.deepEqual(
      queues.rows,
      ['contrats.expire', 'email.send', 'interventions.overdue', 'maintenance.purge', 'planning.generate'].map((name) => ({ name, policy: 'stately', retry_limit: 3, retry_delay: 60, retry_backoff: false })),
    );
    const schedules = await sql<{ name: string; cron: string; timezone: string }>`SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name`.execute(a.db);
    assert.deepEqual(schedules.rows, [
      { name: 'contrats.expire', cron: '0 1 * * *', timezone: 'Africa/Casablanca' },
      { name: 'email.send', cron: '* * * * *', timezone: 'Africa/Casablanca' },
      { name: 'interventions.overdue', cron: '*/15 * * * *', timezone: 'Africa/Casablanca' },
      { name: 'maintenance.purge', cron: '30 3 * * *', timezone: 'Africa/Casablanca' },
      { name: 'planning.generate', cron: '*/15 * * * *', timezone: 'Africa/Casablanca' },
    ]);
  });
});

describe('two nodes', () => {
  test('planning.generate triggered on both nodes at once: one intervention per occurrence, the run recorded', async () => {
    const ids = await insertDuePlannings(a.db, 40, new Date(Date.now() - 3600_000));
    const before = (await lastRun('planning.generate'))?.finished_at.getTime() ?? 0;
    // Like two nodes receiving the same tick: both queue the job; the queue keeps one waiting.
    const sent = await Promise.all([a.app.jobs!.trigger('planning.generate'), b.app.jobs!.trigger('planning.generate')]);
    assert.ok(sent.filter((id) => id !== null).length >= 1);
    const run = await eventually(async () => {
      const row = await lastRun('planning.generate');
      return row && row.finished_at.getTime() > before && row;
    }, 20_000, 'a planning.generate run');
    assert.equal(run.status, 'success');
    assert.ok(run.duration_ms >= 0);
    await eventually(async () => (await countFor(ids)) === 40, 20_000, '40 interventions');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a second run, if any, would add nothing
    assert.equal(await countFor(ids), 40);
    const pairs = await a.db.selectFrom('interventions').select(['planning_id']).where('planning_id', 'in', ids).execute();
    assert.equal(new Set(pairs.map((p) => p.planning_id)).size, 40);
  });

  test('an e-mail is sent on enqueue, without waiting for the one-minute sweep', async () => {
    const user = await seedUser(a, 'technicien');
    const admin = await seedUser(a, 'admin');
    const tokens = await login(a, admin);
    const received = smtp.received.length;
    const response = await call(b, 'POST', '/api/v1/notifications/', { as: tokens, payload: { type: 'information', canal: 'email', contenu: 'Bonjour', user_id: user.id } });
    assert.equal(response.statusCode, 201);
    const messages = await smtp.waitFor(received + 1, 15_000);
    const message = messages[received]!;
    assert.equal(message.subject, '[MIF] Information : Notification');
    assert.equal(!Array.isArray(message.to) && message.to?.value[0]?.address, user.email);
  });
});

describe('/health/detailed', () => {
  test('the last run of each job and the outbox counts, for an admin or the metrics token; 401 for nobody', async () => {
    const admin = await seedUser(a, 'admin');
    const response = await call(a, 'GET', '/api/v1/health/detailed', { as: await login(a, admin) });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.status, 'ready');
    assert.equal(body.jobs.scheduler_enabled, true);
    const generate = body.jobs.last_runs.find((r: { job: string }) => r.job === 'planning.generate');
    assert.equal(generate.status, 'success');
    assert.equal(typeof generate.duration_ms, 'number');
    assert.ok(Date.parse(generate.last_run_at) > 0);
    assert.ok(generate.summary.generated >= 0);
    assert.deepEqual(Object.keys(body.outbox).sort(), ['failed', 'pending', 'transport']);
    assert.equal(body.outbox.transport, 'smtp');
    assert.equal(typeof body.pool.total, 'number');
    assert.ok(body.system.rss_bytes > 0);
    const withToken = await call(a, 'GET', '/api/v1/health/detailed', { as: 'metrics-token-0123456789abcdef' });
    assert.equal(withToken.statusCode, 200);
    assert.equal((await call(a, 'GET', '/api/v1/health/detailed')).statusCode, 401);
    const tech = await seedUser(a, 'technicien');
    assert.equal((await call(a, 'GET', '/api/v1/health/detailed', { as: await login(a, tech) })).statusCode, 403);
  });
});

describe('runs, failures and stop', () => {
  // Its own database: the queues there have no worker but the runner under test.
  let own: TestApp;
  before(async () => {
    own = await createTestApp();
  });
  after(async () => own?.close());
  const ownRun = (job: string) => own.db.selectFrom('job_runs').selectAll().where('job', '=', job).executeTakeFirst();
  /** A runner of one job with a handler of the test's own, on the own database, without schedules. */
  const runnerOf = (definition: JobDefinition) =>
    new JobRunner({
      pool: own.app.database.pool,
      definitions: [definition],
      runs: own.services.jobRuns,
      metrics: own.services.metrics.jobs,
      clock: { now: () => new Date() },
      logger: pino({ level: 'silent' }),
      timeZone: 'Africa/Casablanca',
      timings: { pollingIntervalSeconds: 0.5 },
      schedule: false,
    });
  test('a failing handler: recorded as failure with its error, and left to pg-boss for a retry 60 s later', async () => {
    let calls = 0;
    const runner = runnerOf({ name: 'contrats.expire', cron: '0 1 * * *', run: async () => { calls++; throw new Error('base indisponible'); } });
    await runner.start();
    try {
      const jobId = await runner.trigger('contrats.expire');
      const job = await eventually(async () => {
        const rows = await sql<{ state: string; retry_count: number; start_after: Date }>`SELECT state, retry_count, start_after FROM pgboss.job WHERE id = ${jobId}::uuid`.execute(own.db);
        return rows.rows[0]?.state === 'retry' && rows.rows[0];
      }, 20_000, 'the job in retry');
      assert.ok(job.start_after.getTime() - Date.now() > 50_000, 'retried 60 s later');
      const run = await ownRun('contrats.expire');
      assert.deepEqual([run?.status, run?.error], ['failure', 'base indisponible']);
      assert.ok(calls >= 1);
    } finally {
      await runner.stop(5000);
    }
  });

  test('stop waits for the active job to finish, and the job is then completed', async () => {
    let release!: () => void;
    let finished = false;
    const runner = runnerOf({
      name: 'maintenance.purge',
      cron: '30 3 * * *',
      run: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
        return { done: 1 };
      },
    });
    await runner.start();
    const jobId = await runner.trigger('maintenance.purge');
    await eventually(async () => release !== undefined, 20_000, 'the handler to start');
    const stopped = runner.stop(10_000).then(() => Date.now());
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(finished, false);
    const releasedAt = Date.now();
    release();
    assert.ok((await stopped) >= releasedAt, 'stop resolved after the job finished');
    assert.equal(finished, true);
    const state = await eventually(async () => {
      const rows = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE id = ${jobId}::uuid`.execute(own.db);
      return rows.rows[0]?.state === 'completed' && 'completed';
    }, 5000, 'the job completed');
    assert.equal(state, 'completed');
  });

  test('a job that outlives the stop timeout: its late completion is dropped, no unhandled rejection, the job left for a retry', async () => {
    let release!: () => void;
    const runner = runnerOf({
      name: 'maintenance.purge',
      cron: '30 3 * * *',
      run: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return { done: 1 };
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await runner.start();
      const jobId = await runner.trigger('maintenance.purge');
      await eventually(async () => release !== undefined, 20_000, 'the handler to start');
      await runner.stop(1000);
      release();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(unhandled, []);
      const rows = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE id = ${jobId}::uuid`.execute(own.db);
      // pg-boss's stop failed it for a retry ("shut down while active"); nothing completed it afterwards.
      assert.equal(rows.rows[0]?.state, 'retry');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

async function countFor(ids: number[]): Promise<number> {
  const row = await a.db.selectFrom('interventions').select((eb) => eb.fn.countAll<string>().as('n')).where('planning_id', 'in', ids).executeTakeFirstOrThrow();
  return Number(row.n);
}

