/**
 * GET /health/detailed (docs/operations.md §8) on the real app: every field of the specification,
 * with plausible values that follow what happened: a deleted upload file shows in
 * `documents.missing_files`, a 500 in the request figures, the pool as the pool says.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventLoopLag } from '../../../src/metrics/event-loop.js';
import { RecentRequests } from '../../../src/metrics/recent-requests.js';
import { bucketQuantile } from '../../../src/metrics/request-figures.js';
import { useTestApp } from '../../helpers/app.js';
import { login, seedUser } from '../../helpers/auth.js';
import { insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';
import { call } from '../../helpers/http.js';
import { pdfBytes, upload } from '../documents/support.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const failing: FastifyPluginAsync = async (app) => {
  app.get('/test/boom', async () => {
    throw new Error('panne simulée');
  });
};
const t = useTestApp({ env: { METRICS_TOKEN: TOKEN }, extraRoutes: failing });

const detailed = async () => {
  const response = await call(t(), 'GET', '/api/v1/health/detailed', { as: TOKEN });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
};

describe('/health/detailed', () => {
  test('every field of the specification, with plausible values', async () => {
    const body = await detailed();
    assert.deepEqual(Object.keys(body).sort(), ['application', 'checks', 'documents', 'jobs', 'node_version', 'outbox', 'pool', 'service', 'status', 'system', 'timestamp', 'uptime_seconds', 'version'].sort());
    assert.equal(body.status, 'ready');
    assert.equal(body.version, t().config.version);
    assert.equal(body.node_version, process.version);
    assert.ok(body.uptime_seconds >= 0);
    const { pool } = t().app.database;
    assert.ok(body.pool.total >= 1 && body.pool.total <= pool.options.max!, JSON.stringify(body.pool));
    assert.ok(body.pool.idle <= body.pool.total);
    assert.equal(body.pool.waiting, 0);
    assert.deepEqual(Object.keys(body.system).sort(), ['event_loop_lag_p99_ms', 'free_disk_bytes', 'heap_used_bytes', 'load_average', 'rss_bytes']);
    assert.ok(body.system.rss_bytes > body.system.heap_used_bytes && body.system.heap_used_bytes > 0);
    // Milliseconds beyond the sampler's period; on a loaded test machine it can reach seconds.
    assert.ok(Number.isFinite(body.system.event_loop_lag_p99_ms) && body.system.event_loop_lag_p99_ms >= 0 && body.system.event_loop_lag_p99_ms < 60_000, String(body.system.event_loop_lag_p99_ms));
    assert.equal(body.system.load_average.length, 3);
    assert.ok(body.system.free_disk_bytes.data > 0 && body.system.free_disk_bytes.uploads > 0);
    assert.deepEqual(body.documents, { missing_files: 0, unknown_key: 0 });
    assert.deepEqual(Object.keys(body.outbox).sort(), ['failed', 'pending', 'transport']);
    assert.deepEqual(Object.keys(body.application).sort(), ['error_rate_5xx', 'mean_response_ms', 'p95_response_ms', 'recent', 'requests_total', 'server_errors_total']);
  });

  test('a deleted upload file and a document under an unknown key are counted', async () => {
    const responsable = await login(t(), await seedUser(t(), 'responsable'));
    const technicien = await insertTechnicien(t().db, (await seedUser(t(), 'technicien')).id);
    const interventionId = await insertIntervention(t().db, await insertEquipement(t().db), { statut: 'en_cours', technicien_id: technicien });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await upload(t(), responsable, interventionId, { filename: `rapport-${i}.pdf`, content: pdfBytes() });
      assert.equal(response.statusCode, 201, response.body);
      ids.push(response.json().id);
    }
    const rows = await t().db.selectFrom('documents').select(['id', 'storage_key']).where('id', 'in', ids).orderBy('id').execute();
    await fs.rm(t().services.documentFiles.pathOf(rows[0]!.storage_key));
    await t().db.updateTable('documents').set({ key_id: 'retired-key' }).where('id', '=', ids[1]!).execute();
    assert.deepEqual((await detailed()).documents, { missing_files: 1, unknown_key: 1 });
  });

  test('the request figures: totals, 5xx rate, mean and p95 since start, and over the recent window', async () => {
    const before = (await detailed()).application;
    for (let i = 0; i < 3; i++) await call(t(), 'GET', '/api/v1/health');
    assert.equal((await call(t(), 'GET', '/api/v1/test/boom')).statusCode, 500);
    const after = (await detailed()).application;
    // The previous /health/detailed request counts too: it was answered before this one started.
    assert.equal(after.requests_total - before.requests_total, 5);
    assert.equal(after.server_errors_total - before.server_errors_total, 1);
    assert.ok(after.error_rate_5xx > 0 && after.error_rate_5xx <= 1);
    assert.equal(after.error_rate_5xx, after.server_errors_total / after.requests_total);
    assert.ok(after.mean_response_ms > 0 && after.p95_response_ms > 0);
    assert.equal(after.recent.window_seconds, 300);
    assert.equal(after.recent.requests, after.requests_total, 'every request of this app is recent');
    assert.equal(after.recent.server_errors, after.server_errors_total);
    assert.ok(after.recent.p95_response_ms > 0);
  });

  test('admin bearer or the metrics token; 401 for nobody, 403 for another role', async () => {
    assert.equal((await call(t(), 'GET', '/api/v1/health/detailed')).statusCode, 401);
    assert.equal((await call(t(), 'GET', '/health/detailed', { as: TOKEN })).statusCode, 200);
    assert.equal((await call(t(), 'GET', '/api/v1/health/detailed', { as: await login(t(), await seedUser(t(), 'admin')) })).statusCode, 200);
    assert.equal((await call(t(), 'GET', '/api/v1/health/detailed', { as: await login(t(), await seedUser(t(), 'responsable')) })).statusCode, 403);
  });
});

describe('event-loop lag and request figures, without the app', () => {
  test('the lag p99 shows a loop blocked 150 ms out of every 200', async () => {
    const lag = new EventLoopLag();
    const block = setInterval(() => {
      const end = Date.now() + 150;
      while (Date.now() < end);
    }, 200);
    await sleep(2000);
    clearInterval(block);
    const p99 = lag.p99Ms();
    lag.close();
    assert.ok(p99 >= 100, String(p99));
  });

  test('the recent window: exact p95 and 5xx rate, samples older than 5 minutes left out', () => {
    let now = 1_000_000;
    const recent = new RecentRequests(() => now);
    recent.record(500, 200);
    now += 6 * 60_000;
    for (let i = 1; i <= 100; i++) recent.record(i, i === 100 ? 503 : 200);
    assert.deepEqual(recent.figures(), { window_seconds: 300, requests: 100, server_errors: 1, error_rate_5xx: 0.01, p95_response_ms: 95 });
    assert.deepEqual(new RecentRequests(() => now).figures(), { window_seconds: 300, requests: 0, server_errors: 0, error_rate_5xx: 0, p95_response_ms: null });
  });

  test('the p95 of histogram buckets, interpolated inside its bucket', () => {
    // 100 observations: 50 under 0.1 s, 40 more under 0.2 s, 10 more under 0.5 s.
    assert.equal(bucketQuantile(0.95, [[0.1, 50], [0.2, 90], [0.5, 100], [Infinity, 100]])!.toFixed(3), '0.350');
    assert.equal(bucketQuantile(0.5, [[0.1, 50], [Infinity, 50]]), 0.05);
    assert.equal(bucketQuantile(0.95, [[0.1, 0], [Infinity, 0]]), null);
    assert.equal(bucketQuantile(0.95, [[10, 1], [Infinity, 100]]), 10, 'beyond the last bound: the bound');
  });
});
