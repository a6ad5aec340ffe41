import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { createLogDestination, createLogger, logFormatFor, prettyStream, SECRET_FIELDS } from '../src/logger.js';
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

test('issue 13 finding 5: one list for bodies, headers and query strings; /auth/refresh?refresh_token=…&password=… stays out', async () => {
  const sink = capture();
  const routes: FastifyPluginAsync = async (app) => {
    app.post('/test/echo-body', async (request) => {
      request.log.info({ body: request.body, headers: request.headers }, 'corps reçu');
      return { ok: true };
    });
  };
  const t = await createTestApp({ env: { LOG_LEVEL: 'info' }, extraRoutes: routes, logger: createLogger(testConfig({ LOG_LEVEL: 'info' }), sink.stream) });
  try {
    const refresh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh?refresh_token=QUERYREFRESH&password=QUERYPASS&Password=QUERYCASE', payload: { refresh_token: 'BODYREFRESH' } });
    assert.equal(refresh.statusCode, 401);
    const secretValue = (field: string, where: string) => `${where}-${field}-SECRET`;
    const query = SECRET_FIELDS.map((field) => `${field}=${secretValue(field, 'Q')}`).join('&');
    const body = Object.fromEntries(SECRET_FIELDS.map((field) => [field, secretValue(field, 'B')]));
    const headers = { authorization: 'Bearer HEADERBEARER', 'proxy-authorization': 'Basic HEADERPROXY', cookie: 'mif_refresh=HEADERCOOKIE' };
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/test/echo-body?${query}&page=2`, headers, payload: { nested: body } })).statusCode, 200);
    const text = sink.lines().map((line) => JSON.stringify(line)).join('\n');
    const leaked = ['QUERYREFRESH', 'QUERYPASS', 'QUERYCASE', 'BODYREFRESH', 'HEADERBEARER', 'HEADERPROXY', 'HEADERCOOKIE', ...SECRET_FIELDS.flatMap((f) => [secretValue(f, 'Q'), secretValue(f, 'B')])].filter((secret) =>
      text.includes(secret),
    );
    assert.deepEqual(leaked, []);
    const paths = sink.lines().filter((line) => line.msg === 'requête terminée').map((line) => line.path);
    assert.deepEqual(paths, ['/api/v1/auth/refresh', '/api/v1/test/echo-body?page=2']);
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

test('stdout format: pretty for development at a terminal, JSON otherwise; LOG_FORMAT wins', () => {
  const format = (env: Record<string, string>, terminal: boolean) => logFormatFor(testConfig(env), terminal);
  assert.equal(format({ ENVIRONMENT: 'development' }, true), 'pretty');
  assert.equal(format({ ENVIRONMENT: 'development' }, false), 'json', 'piped or redirected: JSON');
  assert.equal(format({ ENVIRONMENT: 'test' }, true), 'json');
  assert.equal(format({ ENVIRONMENT: 'development', LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(format({ ENVIRONMENT: 'test', LOG_FORMAT: 'pretty' }, false), 'pretty');
  // A production configuration needs real secrets; the decision only reads these two fields.
  const production = { environment: 'production' as const, log: testConfig({}).log };
  assert.equal(logFormatFor(production, true), 'json', 'production: JSON even at a terminal');
});

test('development defaults to info: the embedded PostgreSQL output (debug) stays out', () => {
  assert.equal(testConfig({ ENVIRONMENT: 'development', LOG_LEVEL: undefined }).log.level, 'info');
});

test('a pretty line: level and message in plain text, the fields after them, secrets still redacted', () => {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger(testConfig({ LOG_LEVEL: 'info' }), prettyStream(sink, false));
  logger.info({ user_id: 7, body: { password: 'Sup3r#Secret' }, access_token: 'ACCESS.VALUE' }, 'Connexion réussie');
  const line = chunks.join('');
  assert.match(line, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: Connexion réussie /);
  assert.ok(!line.trimStart().startsWith('{'), 'not a JSON line');
  assert.match(line, /"user_id":7/);
  assert.match(line, /\[REDACTED\]/);
  assert.ok(!line.includes('Sup3r#Secret') && !line.includes('ACCESS.VALUE'), 'redaction applies in pretty mode');
});
