import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import type { App } from '../src/app.js';
import pino from 'pino';
import { createShutdown } from '../src/shutdown.js';
import { createTestApp } from './helpers/app.js';
import { listenLocally, RawConnection, requestText } from './helpers/raw-http.js';

interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
  /** The request went on a keep-alive socket an earlier request had used. */
  reusedSocket: boolean;
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection, reusedSocket: request.reusedSocket }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** A route held until `release()`, counting the requests that reached it. */
function heldRoute() {
  const state = { started: 0, release: () => undefined as void };
  const released = new Promise<void>((resolve) => (state.release = resolve));
  const routes: FastifyPluginAsync = async (app) => {
    app.get('/test/fast', async () => ({ ok: true }));
    app.get('/test/streamed', async (_request, reply) => {
      state.started++;
      reply.hijack();
      reply.raw.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '4' });
      reply.raw.write('ab');
      await released;
      reply.raw.end('cd');
    });
    app.get('/test/slow', async () => {
      state.started++;
      await released;
      return { done: true, padding: 'x'.repeat(10_000) };
    });
  };
  return { state, routes };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('SIGTERM drains in-flight requests, refuses new connections, closes the pool and exits 0', async () => {
  const { state, routes } = heldRoute();
  const t = await createTestApp({ extraRoutes: routes });
  const port = await listenLocally(t.app);

  const inFlight = Array.from({ length: 10 }, () => get(port, '/api/v1/test/slow'));
  await until(() => state.started === 10);

  const exitCodes: number[] = [];
  const shutdown = createShutdown({ app: t.app, logger: pino({ level: 'silent' }), timeoutSeconds: 10, exit: (code) => exitCodes.push(code) });
  const done = shutdown('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));

  assert.equal(t.app.lifecycle.shuttingDown, true, 'readiness reports 503 from now on (test/modules/health)');
  await assert.rejects(get(port, '/api/v1/health'), /ECONNREFUSED/, 'new connections are refused');

  state.release();
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

/**
 * 50 requests held in the handler on reused keep-alive sockets, then `close(app)`: every response
 * must be complete and say `Connection: close`, so that the agent never reuses a closing socket.
 */
async function drainKeepAliveClients(close: (app: App) => Promise<void>): Promise<void> {
  const { state, routes } = heldRoute();
  const t = await createTestApp({ extraRoutes: routes });
  const port = await listenLocally(t.app);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  // Opens 50 keep-alive sockets, idle in the agent's pool afterwards.
  const warmUp = await Promise.all(Array.from({ length: 50 }, () => get(port, '/api/v1/test/fast', agent)));
  assert.ok(warmUp.every((answer) => answer.connection === 'keep-alive'));

  const inFlight = Array.from({ length: 50 }, () => get(port, '/api/v1/test/slow', agent).catch((error: Error) => error));
  await until(() => state.started === 50);
  const closed = close(t.app);
  await new Promise((resolve) => setTimeout(resolve, 100));
  state.release();

  const answers = await Promise.all(inFlight);
  await closed;
  const errors = answers.filter((answer): answer is Error => answer instanceof Error);
  assert.deepEqual(errors.map((error) => error.message), [], 'no request failed (no ECONNRESET)');
  for (const answer of answers as Answer[]) {
    assert.equal(answer.reusedSocket, true, 'sent on a socket of the warm-up');
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).padding.length, 10_000, 'full body');
    assert.equal(answer.connection, 'close', 'the client does not reuse the socket');
  }
  agent.destroy();
  await t.database.drop();
}

test('SIGTERM with keep-alive clients: every in-flight response is complete and says Connection: close, none is reset', async () => {
  const exitCodes: number[] = [];
  await drainKeepAliveClients((app) => createShutdown({ app, logger: pino({ level: 'silent' }), timeoutSeconds: 10, exit: (code) => exitCodes.push(code) })('SIGTERM'));
  assert.deepEqual(exitCodes, [0]);
});

test('app.close() from anywhere else drains keep-alive clients the same way', async () => {
  await drainKeepAliveClients((app) => app.close());
});

test('a request that arrives during the drain on a kept connection is served, with Connection: close, not refused outside the envelope', async () => {
  const { state, routes } = heldRoute();
  const t = await createTestApp({ extraRoutes: routes });
  const port = await listenLocally(t.app);
  const connection = await RawConnection.open(port);
  // Its headers leave before the shutdown, so its response cannot say Connection: close.
  connection.write(requestText('GET', '/api/v1/test/streamed'));
  await until(() => state.started === 1);
  const closed = t.app.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  state.release();
  const first = await connection.response();
  assert.equal(first.headers.connection, 'keep-alive');

  connection.write(requestText('GET', '/api/v1/test/fast'));
  const second = await connection.response();
  assert.equal(second.status, 200, second.body);
  assert.deepEqual(JSON.parse(second.body), { ok: true });
  assert.equal(second.headers.connection, 'close');
  assert.equal(await connection.closesWithin(2000), true);
  await closed;
  await t.database.drop();
});

test('past the deadline the remaining connections are destroyed and the exit code is 1', async () => {
  const stuckRoutes: FastifyPluginAsync = async (app) => {
    app.get('/test/stuck', () => new Promise(() => undefined));
  };
  const t = await createTestApp({ extraRoutes: stuckRoutes });
  const port = await listenLocally(t.app);
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
