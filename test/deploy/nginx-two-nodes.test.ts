/**
 * The scale-out topology of docs/operations.md "Two nodes": Debian's nginx in front of two
 * application processes on one PostgreSQL and one Redis. The per-IP limit is shared by the nodes,
 * and a node restarted under load costs no request: nginx moves idempotent requests to the other
 * node while it refuses connections or answers 503 during its shutdown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_FILES_ENC_KEY, TEST_SECRET_KEY, useScratch } from '../helpers/app.js';
import { hasNginx, request, startNginx, type Nginx } from '../helpers/nginx.js';
import { hasRedisServer, startRedis } from '../helpers/redis.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const ADMIN_PASSWORD = 'Deux-Noeuds-2026!';
const missing = [!hasNginx() && 'nginx', !hasRedisServer() && 'redis-server'].filter(Boolean);

/** Every request from its own loopback address: the per-IP limits of nginx and of the app stay out of the way. */
let nextAddress = 0;
function freshAddress(): string {
  const n = nextAddress++;
  return `127.0.${10 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

describe('two application nodes behind nginx', { skip: missing.length > 0 && process.env.CI !== 'true' ? `absent: ${missing.join(', ')}` : false }, () => {
  const scratch = useScratch();
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const nodes: ServerProcess[] = [];
  let nginx: Nginx;
  let env: Record<string, string>;

  before(async () => {
    redis = await startRedis();
    env = {
      ENVIRONMENT: 'test',
      SECRET_KEY: TEST_SECRET_KEY,
      FILES_ENC_KEY: TEST_FILES_ENC_KEY,
      DATABASE_URL: scratch.database.connectionString,
      DATA_DIR: scratch.dataDir,
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_MINUTE: '10',
      TRUST_PROXY: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD,
    };
    // One after the other: the second finds the schema migrated and the admin created.
    nodes.push(await startServerProcess(env));
    nodes.push(await startServerProcess(env));
    nginx = await startNginx(nodes.map((node) => Number(new URL(node.baseUrl).port)));
  });
  after(async () => {
    await nginx?.stop();
    for (const node of nodes) await node.stop();
    await redis?.stop();
  });

  test('the per-IP limit is counted once across both nodes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await request(`${nginx.publicUrl}/api/v1/no-such-route`, { localAddress: '127.0.0.9' })).status);
    assert.deepEqual(statuses, [...Array(10).fill(404), 429]);
    const served = nodes.map((node) => node.output().stdout.split('\n').filter((line) => line.includes('"ip":"127.0.0.9"')).length);
    assert.ok(served.every((count) => count > 0), `both nodes served requests of that client: ${served.join(' + ')}`);
  });

  test('a node restarted under load: no failed request, and the restarted node serves again', async () => {
    const login = await request(`${nginx.publicUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      localAddress: freshAddress(),
    });
    assert.equal(login.status, 200, login.body);
    const token = JSON.parse(login.body).access_token as string;

    const failures: string[] = [];
    let completed = 0;
    let running = true;
    let phase = 'both';
    const paths = ['/api/v1/health/ready', '/api/v1/interventions/?limit=5', '/api/v1/auth/me'];
    const client = async (worker: number) => {
      for (let i = worker; running; i++) {
        const path = paths[i % paths.length]!;
        try {
          const response = await request(`${nginx.publicUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, localAddress: freshAddress() });
          if (response.status !== 200) failures.push(`${phase} ${path} → ${response.status} ${response.body.slice(0, 60)}`);
        } catch (error) {
          failures.push(`${phase} ${path} → ${(error as Error).message}`);
        }
        completed++;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    };
    const load = [0, 1, 2].map(client);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const first = nodes[0]!;
      const port = new URL(first.baseUrl).port;
      phase = 'stopping A';
      assert.equal(await first.stop(), 0);
      phase = 'A down';
      const before = completed;
      nodes[0] = await startServerProcess({ ...env, PORT: port });
      phase = 'A back';
      assert.ok(completed > before, 'requests went on while the node was down');
      // nginx tries the node again once its fail_timeout (5 s) has passed: the restarted node's own
      // log shows it serving, which is when the next node of a rolling restart may go.
      const servedByRestarted = () => nodes[0]!.output().stdout.includes('"route":"/api/v1/interventions/"');
      const deadline = Date.now() + 15_000;
      while (!servedByRestarted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(servedByRestarted(), 'nginx sends requests to the restarted node again');
      // With the other node gone, every request is the restarted node's.
      phase = 'stopping B';
      assert.equal(await nodes[1]!.stop(), 0);
      phase = 'A alone';
      const alone = completed;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(completed > alone + 5, 'the restarted node answers alone');
    } finally {
      running = false;
      await Promise.all(load);
    }
    assert.deepEqual(failures, []);
  });
});
