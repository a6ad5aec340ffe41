/**
 * Readiness over HTTP (docs/operations.md §8) against a database that goes away and comes back, and
 * during shutdown. The checks one by one are in service.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../../src/app.js';
import { openRuntime } from '../../../src/runtime.js';
import { startEmbeddedPostgres } from '../../../src/db/embedded.js';
import { makeTempDir, testConfig, useTestApp } from '../../helpers/app.js';
import { call } from '../../helpers/http.js';

const silent = pino({ level: 'silent' });

test('readiness answers 503 while the database is down and 200 again once it is back, without restart', async () => {
  const dataDir = await makeTempDir();
  const clusterDir = path.join(dataDir, 'postgres');
  let server = await startEmbeddedPostgres({ dataDir, clusterDir, port: null, logger: silent });
  const config = testConfig({
    DATABASE_URL: server.connectionString,
    DATA_DIR: path.join(dataDir, 'app'),
    DB_CONNECT_TIMEOUT_MS: '1000',
  });
  const app = await buildApp(await openRuntime(config, { logger: silent }));
  try {
    const up = await app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    assert.equal(up.statusCode, 200);
    assert.deepEqual(up.json().checks, { database: 'healthy', redis: 'not_configured', migrations: 'healthy' });

    await server.stop();
    const down = await app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().status, 'not_ready');
    assert.equal(down.json().checks.database, 'unhealthy');
    assert.doesNotMatch(down.body, /ECONNREFUSED|Error/);
    const live = await app.inject({ method: 'GET', url: '/live' });
    assert.equal(live.statusCode, 200, 'liveness stays 200');

    server = await startEmbeddedPostgres({ dataDir, clusterDir, port: null, logger: silent });
    const back = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().status, 'ready');
  } finally {
    await app.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

describe('shutdown', () => {
  const t = useTestApp();

  test('readiness answers 503 once shutdown has begun', async () => {
    t().app.lifecycle.shuttingDown = true;
    const response = await call(t(), 'GET', '/api/v1/health/ready');
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().status, 'not_ready');
  });
});
