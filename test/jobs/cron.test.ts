/**
 * The one test that waits for a real cron tick (docs/operations.md §6): PLANNING_CRON every minute,
 * the real clock, pg-boss's own schedule evaluation; a due planning is generated once the minute turns.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { eventually, insertDuePlannings } from './support.js';

let t: TestApp;

before(async () => {
  t = await createTestApp({
    env: { ENABLE_SCHEDULER: 'true', PLANNING_CRON: '* * * * *' },
    jobs: { timings: { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, pollingIntervalSeconds: 0.5 } },
  });
});
after(async () => t?.close());

test('a one-minute PLANNING_CRON fires once per minute and generates the due planning', { timeout: 150_000 }, async () => {
  const [id] = await insertDuePlannings(t.db, 1, new Date(Date.now() - 60_000));
  const intervention = await eventually(
    () => t.db.selectFrom('interventions').select(['id', 'date_occurrence']).where('planning_id', '=', id!).executeTakeFirst(),
    130_000,
    'the cron tick to generate the planning',
  );
  assert.ok(intervention.date_occurrence);
  const run = await t.db.selectFrom('job_runs').selectAll().where('job', '=', 'planning.generate').executeTakeFirstOrThrow();
  assert.equal(run.status, 'success');
  // One job per tick: pg-boss created at most one planning.generate job per minute elapsed.
  const jobs = await t.db
    .withSchema('pgboss')
    .selectFrom('job' as never)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('name' as never, '=', 'planning.generate' as never)
    .executeTakeFirstOrThrow();
  assert.ok(Number((jobs as { n: string }).n) <= 2, `${(jobs as { n: string }).n} jobs`);
});
