/**
 * The Prometheus metrics (docs/operations.md §9) on the real app and database: every metric of the
 * table is exposed with its type and labels, the counters move by exactly what real requests and
 * jobs did, labels are route templates and closed sets (never an id, an e-mail or an IP), the
 * routes are protected outside development, and two apps in one process count apart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { describe, test } from 'node:test';
import { JobRunner } from '../../src/jobs/runner.js';
import { productionEnv, useTestApp, type TestApp } from '../helpers/app.js';
import { FakeClock, login, seedUser } from '../helpers/auth.js';
import { insertEquipement, insertIntervention, insertTechnicien } from '../helpers/fixtures.js';
import { assertError, call } from '../helpers/http.js';
import { movement, parseScrape, scrape, type Scrape } from '../helpers/prometheus.js';
import { pdfBytes, upload } from '../modules/documents/support.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const t = useTestApp({ env: { METRICS_TOKEN: TOKEN, BRUTE_FORCE_MAX_FAILURES: '3' } });
const other = useTestApp({ env: { METRICS_TOKEN: TOKEN } });

/** An intervention in `statut` with a technician (required from affectee on). */
async function interventionIn(app: TestApp, statut: 'en_cours' | 'cloturee'): Promise<number> {
  const technicien = await insertTechnicien(app.db, (await seedUser(app, 'technicien')).id);
  return insertIntervention(app.db, await insertEquipement(app.db), { statut, technicien_id: technicien });
}

/** The table of docs/operations.md §9: name → Prometheus type. */
const TABLE: Record<string, string> = {
  http_requests_total: 'counter',
  http_request_duration_seconds: 'histogram',
  http_requests_in_progress: 'gauge',
  app_info: 'gauge',
  db_pool_connections: 'gauge',
  auth_attempts_total: 'counter',
  auth_refresh_reuse_total: 'counter',
  auth_lockouts_total: 'counter',
  rate_limit_rejections_total: 'counter',
  audit_events_total: 'counter',
  interventions_status_changes_total: 'counter',
  interventions_current: 'gauge',
  documents_uploaded_total: 'counter',
  documents_rejected_total: 'counter',
  documents_downloaded_total: 'counter',
  document_integrity_failures_total: 'counter',
  jobs_runs_total: 'counter',
  job_duration_seconds: 'histogram',
  planning_interventions_generated_total: 'counter',
  planning_occurrences_skipped_total: 'counter',
  emails_total: 'counter',
  email_outbox_pending: 'gauge',
};

describe('the metrics routes', () => {
  test('served at /api/v1/metrics, /metrics, /api/v1/health/metrics and /health/metrics; 401 without the token', async () => {
    for (const url of ['/api/v1/metrics', '/metrics', '/api/v1/health/metrics', '/health/metrics']) {
      const ok = await t().app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.statusCode, 200, url);
      assert.equal(ok.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8', url);
      assertError(await t().app.inject({ method: 'GET', url }), 401, 'Jeton de métriques invalide');
      assertError(await t().app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}x` } }), 401, 'Jeton de métriques invalide');
      // An admin's access token is not the metrics token.
      const admin = await login(t(), await seedUser(t(), 'admin'));
      assertError(await call(t(), 'GET', url, { as: admin }), 401, 'Jeton de métriques invalide');
    }
  });

  test('every metric of the table with its type, the Node defaults, and app_info', async () => {
    const metrics = await scrape(t(), TOKEN);
    for (const [name, type] of Object.entries(TABLE)) assert.equal(metrics.types.get(name), type, name);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds']) {
      assert.ok(metrics.types.has(name), name);
    }
    assert.equal(metrics.value('app_info', { service: t().config.projectName, version: t().config.version, environment: 'test' }), 1);
    const buckets = metrics.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.endpoint === '/api/v1/metrics').map((s) => s.labels.le);
    assert.deepEqual(buckets, ['0.01', '0.05', '0.1', '0.2', '0.5', '1', '2', '5', '10', '+Inf']);
    const pool = t().app.database.pool;
    assert.ok(metrics.value('db_pool_connections', { state: 'total' }) >= 1);
    assert.ok(metrics.value('db_pool_connections', { state: 'total' }) <= pool.options.max!);
    assert.equal(metrics.value('db_pool_connections', { state: 'waiting' }), 0);
  });
});

describe('HTTP requests', () => {
  test('a 404 on an intervention is labelled with the route template; an unknown route with `unmatched`', async () => {
    const admin = await login(t(), await seedUser(t(), 'admin'));
    const template = { method: 'GET', endpoint: '/api/v1/interventions/{intervention_id}', status_code: '404' };
    const before = await scrape(t(), TOKEN);
    assert.equal((await call(t(), 'GET', '/api/v1/interventions/999999', { as: admin })).statusCode, 404);
    assert.equal((await call(t(), 'GET', '/api/v1/no-such-route/424242')).statusCode, 404);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('http_requests_total', template), 1);
    assert.equal(moved('http_requests_total', { endpoint: 'unmatched', status_code: '404' }), 1);
    const count = { method: 'GET', endpoint: '/api/v1/interventions/{intervention_id}' };
    assert.equal(moved('http_request_duration_seconds_count', count), 1);
    const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
    assert.ok(!labelValues.some((value) => /999999|424242/.test(value)), 'no id in a label');
    const endpoints = new Set(after.samples.map((sample) => sample.labels.endpoint).filter((value) => value !== undefined));
    for (const endpoint of endpoints) assert.match(endpoint!, /^(unmatched|(\/[A-Za-z0-9_.{}*-]*)+)$/);
    assert.ok(![...endpoints].some((endpoint) => /\/\d+(\/|$)/.test(endpoint!)), `a numeric path segment in ${[...endpoints].join(' ')}`);
    // The scrape being answered is the one request in progress.
    assert.equal(after.value('http_requests_in_progress'), 1);
    assert.equal(after.value('http_requests_in_progress', { endpoint: '/api/v1/metrics' }), 1);
  });
});

describe('authentication', () => {
  test('a failed login counts 1 failure and 1 audit event; a success 1 success, by route', async () => {
    const user = await seedUser(t(), 'technicien');
    const before = await scrape(t(), TOKEN);
    const bad = await call(t(), 'POST', '/api/v1/auth/token', { payload: { email: user.email, password: 'Mauvais#1234' }, remoteAddress: '203.0.113.77' });
    assert.equal(bad.statusCode, 401);
    await login(t(), user);
    const viaLogin = await call(t(), 'POST', '/api/v1/auth/login', { payload: { username: user.username, password: user.password } });
    assert.equal(viaLogin.statusCode, 200);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('auth_attempts_total', { method: 'token', status: 'failure' }), 1);
    assert.equal(moved('auth_attempts_total', { method: 'token', status: 'success' }), 1);
    assert.equal(moved('auth_attempts_total', { method: 'login', status: 'success' }), 1);
    assert.equal(moved('audit_events_total', { event_type: 'auth.login.failure', outcome: 'failure' }), 1);
    assert.equal(moved('audit_events_total', { event_type: 'auth.login.success', outcome: 'success' }), 2);
    assert.equal(moved('http_requests_total', { method: 'POST', endpoint: '/api/v1/auth/token', status_code: '401' }), 1);
    const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
    for (const secret of [user.email, user.username, '203.0.113.77', '127.0.0.1', String(user.id)]) assert.ok(!labelValues.includes(secret), `${secret} in a label`);
    assert.doesNotMatch(after.text, /@|203\.0\.113|127\.0\.0\.1/);
  });

  test('the failure that locks an account counts one lockout; the refused attempts count as locked', async () => {
    const user = await seedUser(t(), 'technicien');
    const before = await scrape(t(), TOKEN);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(t(), 'POST', '/api/v1/auth/token', { payload: { email: user.email, password: `Mauvais#${i}abc` } })).statusCode);
    assert.deepEqual(statuses, [401, 401, 429, 429]);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('auth_lockouts_total', { scope: 'account' }), 1);
    assert.equal(moved('auth_attempts_total', { method: 'token', status: 'failure' }), 2);
    assert.equal(moved('auth_attempts_total', { method: 'token', status: 'locked' }), 2);
  });

  test('refresh: a rotation is a success; the consumed token presented again is a reuse and a failure', async () => {
    const tokens = await login(t(), await seedUser(t(), 'technicien'));
    const before = await scrape(t(), TOKEN);
    assert.equal((await call(t(), 'POST', '/api/v1/auth/refresh', { payload: { refresh_token: tokens.refresh_token } })).statusCode, 200);
    assert.equal((await call(t(), 'POST', '/api/v1/auth/refresh', { payload: { refresh_token: tokens.refresh_token } })).statusCode, 401);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('auth_attempts_total', { method: 'refresh', status: 'success' }), 1);
    assert.equal(moved('auth_attempts_total', { method: 'refresh', status: 'failure' }), 1);
    assert.equal(moved('auth_refresh_reuse_total'), 1);
  });
});

describe('business events', () => {
  test('a status change counts from → to once; a refused one not at all', async () => {
    const responsable = await login(t(), await seedUser(t(), 'responsable'));
    const id = await interventionIn(t(), 'en_cours');
    const before = await scrape(t(), TOKEN);
    const changed = await call(t(), 'PATCH', `/api/v1/interventions/${id}/statut`, { as: responsable, payload: { statut: 'en_attente' } });
    assert.equal(changed.statusCode, 200, changed.body);
    // A refused transition changes nothing.
    assert.equal((await call(t(), 'PATCH', `/api/v1/interventions/${id}/statut`, { as: responsable, payload: { statut: 'ouverte' } })).statusCode, 409);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('interventions_status_changes_total', { from: 'en_cours', to: 'en_attente' }), 1);
    assert.equal(moved('interventions_status_changes_total'), 1);
  });

  test('documents: upload (mime, bytes), rejection (reason), download, and a missing file as an integrity failure', async () => {
    const responsable = await login(t(), await seedUser(t(), 'responsable'));
    const interventionId = await interventionIn(t(), 'en_cours');
    const before = await scrape(t(), TOKEN);
    const content = pdfBytes(3000);
    const uploaded = await upload(t(), responsable, interventionId, { filename: 'rapport.pdf', content });
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    assert.equal((await upload(t(), responsable, interventionId, { filename: 'vide.pdf', content: Buffer.alloc(0) })).statusCode, 422);
    const documentId = uploaded.json().id as number;
    assert.equal((await call(t(), 'GET', `/api/v1/documents/${documentId}/download`, { as: responsable })).statusCode, 200);
    const row = await t().db.selectFrom('documents').select('storage_key').where('id', '=', documentId).executeTakeFirstOrThrow();
    await fs.rm(t().services.documentFiles.pathOf(row.storage_key));
    assert.equal((await call(t(), 'GET', `/api/v1/documents/${documentId}/download`, { as: responsable })).statusCode, 500);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('documents_uploaded_total', { mime: 'application/pdf' }), 1);
    assert.equal(moved('documents_uploaded_bytes_total'), 3000);
    assert.equal(moved('documents_rejected_total', { reason: 'empty' }), 1);
    assert.equal(moved('documents_downloaded_total'), 1);
    assert.equal(moved('documents_downloaded_bytes_total'), 3000);
    assert.equal(moved('document_integrity_failures_total'), 1);
    assert.equal(moved('audit_events_total', { event_type: 'doc.integrity_failed', outcome: 'failure' }), 1);
    assert.ok(!after.text.includes(row.storage_key));
  });

  test('jobs: runs and durations by job and outcome', async () => {
    const runner = new JobRunner({
      pool: t().app.database.pool,
      definitions: [
        { name: 'contrats.expire', cron: '0 0 * * *', run: async () => ({ expired: 0 }) },
        { name: 'maintenance.purge', cron: '0 0 * * *', run: async () => Promise.reject(new Error('disque indisponible')) },
      ],
      runs: t().services.jobRuns,
      metrics: t().services.metrics.jobs,
      clock: { now: () => new Date() },
      logger: t().app.log as never,
      timeZone: 'UTC',
    });
    const before = await scrape(t(), TOKEN);
    await runner.execute('contrats.expire');
    await runner.execute('contrats.expire');
    await assert.rejects(runner.execute('maintenance.purge'), /disque indisponible/);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('jobs_runs_total', { job: 'contrats.expire', status: 'success' }), 2);
    assert.equal(moved('jobs_runs_total', { job: 'maintenance.purge', status: 'failure' }), 1);
    assert.equal(moved('job_duration_seconds_count', { job: 'contrats.expire', status: 'success' }), 2);
    assert.equal(moved('job_duration_seconds_count', { job: 'maintenance.purge', status: 'failure' }), 1);
  });

  test('e-mails: the outbox pending gauge, then one `sent` per delivered row (log transport)', async () => {
    const admin = await login(t(), await seedUser(t(), 'admin'));
    const recipient = await seedUser(t(), 'technicien');
    await t().services.emailDelivery.sendDue();
    for (let i = 0; i < 2; i++) {
      const created = await call(t(), 'POST', '/api/v1/notifications/', { as: admin, payload: { type: 'information', canal: 'email', user_id: recipient.id, contenu: `Message ${i}` } });
      assert.equal(created.statusCode, 201, created.body);
    }
    const before = await scrape(t(), TOKEN);
    assert.equal(before.value('email_outbox_pending'), 2);
    const summary = await t().services.emailDelivery.sendDue();
    assert.equal(summary.sent, 2);
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(moved('emails_total', { status: 'sent' }), 2);
    assert.equal(after.value('email_outbox_pending'), 0);
  });

  test('planning: one generated intervention per due planning, its missed occurrences as skipped', async () => {
    const equipementId = await insertEquipement(t().db);
    const anchor = new Date(Date.now() - 92 * 86_400_000);
    await t()
      .db.insertInto('plannings')
      .values({ equipement_id: equipementId, frequence: 'mensuel', date_reference: anchor, prochaine_date: anchor, statut: 'actif', is_active: true, priorite: 'haute' })
      .execute();
    const before = await scrape(t(), TOKEN);
    const summary = await t().services.planningGeneration.generateDue();
    const after = await scrape(t(), TOKEN);
    const moved = movement(before, after);
    assert.equal(summary.generated, 1, JSON.stringify(summary));
    assert.ok(summary.skipped >= 2, JSON.stringify(summary));
    assert.equal(moved('planning_interventions_generated_total'), 1);
    assert.equal(moved('planning_occurrences_skipped_total'), summary.skipped);
  });
});

describe('interventions_current', () => {
  const clock = new FakeClock(Date.now());
  const counted = useTestApp({ env: { METRICS_TOKEN: TOKEN }, clock });
  const inDatabase = async () => {
    const rows = await counted().db.selectFrom('interventions').select(['statut', counted().db.fn.countAll<string>().as('n')]).groupBy('statut').execute();
    return Object.fromEntries(rows.map((row) => [row.statut, Number(row.n)]));
  };
  const gauge = (metrics: Scrape) => Object.fromEntries(metrics.samples.filter((s) => s.name === 'interventions_current' && s.value > 0).map((s) => [s.labels.statut, s.value]));

  test('one sample per status, the database figures, re-read once 60 s have passed', async () => {
    await interventionIn(counted(), 'en_cours');
    await interventionIn(counted(), 'cloturee');
    const first = await scrape(counted(), TOKEN);
    assert.equal(first.samples.filter((s) => s.name === 'interventions_current').length, 7);
    assert.deepEqual(gauge(first), await inDatabase());
    await interventionIn(counted(), 'en_cours');
    clock.advance(30_000);
    assert.deepEqual(gauge(await scrape(counted(), TOKEN)), gauge(first), 'kept for 60 s');
    clock.advance(31_000);
    const later = gauge(await scrape(counted(), TOKEN));
    assert.deepEqual(later, await inDatabase());
    assert.equal(later.en_cours, (first.value('interventions_current', { statut: 'en_cours' })) + 1);
  });
});

describe('one registry per app', () => {
  test("another app's counters do not move", async () => {
    const before = await scrape(other(), TOKEN);
    const user = await seedUser(t(), 'technicien');
    assert.equal((await call(t(), 'POST', '/api/v1/auth/token', { payload: { email: user.email, password: 'Mauvais#1234' } })).statusCode, 401);
    const after = await scrape(other(), TOKEN);
    assert.equal(after.value('auth_attempts_total'), before.value('auth_attempts_total'));
    assert.equal(after.value('http_requests_total', { endpoint: '/api/v1/auth/token' }), 0);
  });
});

describe('rate limiting', () => {
  const limited = useTestApp({ env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_MINUTE: '3' } });
  test('each refusal counts in its bucket; the metrics route itself is exempt', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(limited(), 'GET', '/api/v1/auth/me', { remoteAddress: '198.51.100.4' })).statusCode);
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const metrics = await scrape(limited(), TOKEN);
    assert.equal(metrics.value('rate_limit_rejections_total', { bucket: 'global' }), 2);
    assert.equal(metrics.value('rate_limit_rejections_total', { bucket: 'auth' }), 0);
    assert.equal(metrics.value('http_requests_total', { endpoint: '/api/v1/auth/me', status_code: '429' }), 2);
    assert.doesNotMatch(metrics.text, /198\.51\.100/);
  });
});

describe('in production', () => {
  const production = (token: string | undefined) => ({ env: productionEnv({ METRICS_TOKEN: token }) });
  const withToken = useTestApp(() => production(TOKEN));
  const withoutToken = useTestApp(() => production(undefined));

  test('Bearer <METRICS_TOKEN> required: 401 without or with another token, 200 with it', async () => {
    assertError(await withToken().app.inject({ method: 'GET', url: '/metrics' }), 401, 'Jeton de métriques invalide');
    assertError(await withToken().app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } }), 401, 'Jeton de métriques invalide');
    const ok = await withToken().app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.statusCode, 200);
    assert.equal(parseScrape(ok.body).value('app_info', { environment: 'production' }), 1);
  });

  test('without METRICS_TOKEN the metrics routes answer 404, as if absent', async () => {
    for (const url of ['/metrics', '/api/v1/metrics', '/api/v1/health/metrics']) {
      assertError(await withoutToken().app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } }), 404, 'Ressource introuvable');
    }
  });
});

describe('in development', () => {
  const dev = useTestApp({ env: { ENVIRONMENT: 'development' } });
  test('the metrics are open', async () => {
    const response = await dev().app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
  });
});
