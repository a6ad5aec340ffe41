import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import pino from 'pino';
import { createShutdown } from '../src/shutdown.js';
import { createTestApp } from './helpers/app.js';

function get(port: number, path: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

test('SIGTERM drains in-flight requests, refuses new connections, closes the pool and exits 0', async () => {
  let started = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const slowRoutes: FastifyPluginAsync = async (app) => {
    app.get('/test/slow', async () => {
      started++;
      await released;
      return { done: true, padding: 'x'.repeat(10_000) };
    });
  };
  const t = await createTestApp({ extraRoutes: slowRoutes });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as { port: number }).port;

  const inFlight = Array.from({ length: 10 }, () => get(port, '/api/v1/test/slow'));
  while (started < 10) await new Promise((resolve) => setTimeout(resolve, 10));

  const exitCodes: number[] = [];
  const shutdown = createShutdown({ app: t.app, logger: pino({ level: 'silent' }), timeoutSeconds: 10, exit: (code) => exitCodes.push(code) });
  const done = shutdown('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));

  assert.equal(t.app.lifecycle.shuttingDown, true, 'readiness reports 503 from now on (test/modules/health)');
  await assert.rejects(get(port, '/api/v1/health'), /ECONNREFUSED/, 'new connections are refused');

  release();
  const responses = await Promise.all(inFlight);
  await done;
  for (const response of responses) {
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(response.body).padding.length, 10_000, 'full body');
    assert.equal(response.connection, 'close');
  }
  assert.deepEqual(exitCodes, [0]);
  // The app's pool is closed: its Kysely instance refuses further queries.
  await assert.rejects(t.db.selectFrom('users').select('id').execute());
  await t.database.drop();
});

test('past the deadline the remaining connections are destroyed and the exit code is 1', async () => {
  const stuckRoutes: FastifyPluginAsync = async (app) => {
    app.get('/test/stuck', () => new Promise(() => undefined));
  };
  const t = await createTestApp({ extraRoutes: stuckRoutes });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as { port: number }).port;
  const stuck = get(port, '/api/v1/test/stuck').catch((error: Error) => error);
  await new Promise((resolve) => setTimeout(resolve, 100));

  const exitCodes: number[] = [];
  const shutdown = createShutdown({ app: t.app, logger: pino({ level: 'silent' }), timeoutSeconds: 1, exit: (code) => exitCodes.push(code) });
  void shutdown('SIGTERM');
  const outcome = await stuck;
  assert.ok(outcome instanceof Error, 'the stuck request was cut');
  assert.deepEqual(exitCodes, [1]);
  await t.app.database.close(); // app.close() never finishes here: the stuck handler still holds it
  await t.database.drop();
});
