import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { createLogDestination, createLogger } from '../src/logger.js';
import { createTestApp, makeTempDir, testConfig } from './helpers/app.js';

function capture(): { stream: Writable; lines: () => Record<string, any>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

test('one JSON line per request with request_id, route and status; secrets redacted', async () => {
  const sink = capture();
  const routes: FastifyPluginAsync = async (app) => {
    app.post('/test/login-like', async (request) => {
      request.log.info({ body: request.body, headers: request.headers }, 'corps reçu');
      return { ok: true };
    });
  };
  const config = testConfig({ LOG_LEVEL: 'info' });
  const t = await createTestApp({ env: { LOG_LEVEL: 'info' }, extraRoutes: routes, logger: createLogger(config, sink.stream) });
  try {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test/login-like?sig=SIGVALUE123&exp=1&uid=2&page=3',
      headers: { authorization: 'Bearer ACCESS.TOKEN.VALUE', cookie: 'session=COOKIEVALUE', 'x-request-id': 'req-42', 'user-agent': 'evil\r\nagent' },
      payload: { username: 'jdupont', password: 'Sup3r#Secret', refresh_token: 'REFRESHVALUE', nested: { new_password: 'N3w#Secret' } },
    });
    assert.equal(response.statusCode, 200);
    const text = sink.lines().map((line) => JSON.stringify(line)).join('\n');
    for (const secret of ['ACCESS.TOKEN.VALUE', 'COOKIEVALUE', 'Sup3r#Secret', 'REFRESHVALUE', 'N3w#Secret', 'SIGVALUE123']) {
      assert.ok(!text.includes(secret), `${secret} leaked into the logs`);
    }
    const completed = sink.lines().find((line) => line.msg === 'requête terminée');
    assert.ok(completed, 'completion line written');
    assert.equal(completed.request_id, 'req-42');
    assert.equal(completed.route, '/api/v1/test/login-like');
    assert.equal(completed.path, '/api/v1/test/login-like?page=3');
    assert.equal(completed.status_code, 200);
    assert.equal(completed.method, 'POST');
    assert.equal(typeof completed.duration_ms, 'number');
    assert.equal(completed.user_agent, 'evil\r\nagent', 'kept as a JSON value');
    assert.match(JSON.stringify(completed), /evil\\r\\nagent/, 'CR/LF escaped in the line');
    assert.match(completed.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const received = sink.lines().find((line) => line.msg === 'corps reçu')!;
    assert.equal(received.request_id, 'req-42', 'request id on every line of the request');
    assert.equal(received.body.username, 'jdupont');
  } finally {
    await t.close();
  }
});

test('LOG_FILE receives the same lines, rotated by pino-roll', async () => {
  const dir = await makeTempDir();
  try {
    const config = testConfig({ LOG_LEVEL: 'info', DATA_DIR: dir, LOG_FILE: path.join(dir, 'logs', 'app.log') });
    const destination = await createLogDestination(config);
    const logger = createLogger(config, destination);
    logger.info({ marker: 'file-check' }, 'bonjour');
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const files = await fs.readdir(path.join(dir, 'logs'));
    assert.ok(files.length >= 1, 'a log file exists');
    const content = await fs.readFile(path.join(dir, 'logs', files.find((f) => f.endsWith('.log'))!), 'utf8');
    assert.match(content, /"marker":"file-check"/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
