/**
 * HealthService without HTTP (docs/operations.md §8): each check of readiness on its own, with the
 * real database, an unreachable one, and Redis clients that answer, fail or hang.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { createKysely, createPool } from '../../../src/db/database.js';
import { HealthRepository } from '../../../src/modules/health/repository.js';
import { HealthService, type Pingable } from '../../../src/modules/health/service.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock } from '../../helpers/auth.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));
const STARTED = { redis: null, started: true, shuttingDown: false };
const answering: Pingable = { ping: async () => 'PONG' };
const failing: Pingable = { ping: async () => Promise.reject(new Error('ECONNREFUSED')) };
const hanging: Pingable = { ping: () => new Promise(() => undefined) };

describe('HealthService', () => {
  const t = useTestApp({ clock });
  const health = () => t().services.health;

  test('health and live: a status, the clock’s time and PROJECT_NAME', () => {
    const name = t().config.projectName;
    assert.deepEqual(health().health(), { status: 'ok', timestamp: '2026-06-15T08:00:00.000Z', service: name });
    assert.deepEqual(health().live(), { status: 'alive', timestamp: '2026-06-15T08:00:00.000Z', service: name });
  });

  test('ready on the real database, Redis not configured', async () => {
    assert.deepEqual(await health().readiness(STARTED), {
      status: 'ready',
      timestamp: '2026-06-15T08:00:00.000Z',
      service: t().config.projectName,
      checks: { database: 'healthy', redis: 'not_configured', migrations: 'healthy' },
    });
  });

  test('not ready before startup is over (migrations pending) and once shutdown has begun', async () => {
    const starting = await health().readiness({ ...STARTED, started: false });
    assert.deepEqual([starting.status, starting.checks.migrations], ['not_ready', 'pending']);
    const stopping = await health().readiness({ ...STARTED, shuttingDown: true });
    assert.deepEqual([stopping.status, stopping.checks], ['not_ready', { database: 'healthy', redis: 'not_configured', migrations: 'healthy' }]);
  });

  test('Redis: healthy when PING answers; unhealthy (not ready) when it fails or takes more than 1 s', async () => {
    assert.deepEqual((await health().readiness({ ...STARTED, redis: answering })).checks.redis, 'healthy');
    for (const redis of [failing, hanging]) {
      const readiness = await health().readiness({ ...STARTED, redis });
      assert.deepEqual([readiness.status, readiness.checks.redis, readiness.checks.database], ['not_ready', 'unhealthy', 'healthy']);
    }
  });

  test('database: unhealthy when unreachable, or when SELECT 1 takes more than 2 s; the error is not shown', async () => {
    const unreachable = createKysely(createPool('postgres://nobody@127.0.0.1:1/none', { poolMax: 1, connectTimeoutMs: 500, statementTimeoutMs: 500 }, pino({ level: 'silent' })));
    try {
      const down = new HealthService({ database: new HealthRepository(unreachable), clock, serviceName: 'probe' });
      const readiness = await down.readiness(STARTED);
      assert.deepEqual(readiness, { status: 'not_ready', timestamp: '2026-06-15T08:00:00.000Z', service: 'probe', checks: { database: 'unhealthy', redis: 'not_configured', migrations: 'healthy' } });
    } finally {
      await unreachable.destroy();
    }
    const slow = new HealthService({ database: hanging, clock, serviceName: 'probe' });
    assert.equal((await slow.readiness(STARTED)).checks.database, 'unhealthy');
  });
});
