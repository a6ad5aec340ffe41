import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { IdParam } from '../../src/lib/schemas.js';
import { useTestApp } from '../helpers/app.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Test-only routes exercising each error class through the real plugins. */
const testRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const body = Type.Object({ name: Type.String({ maxLength: 10 }), count: Type.Integer({ minimum: 1 }) });
  app.post('/test/echo', { schema: { body } }, async (request) => ({ received: request.body }));
  app.patch('/test/things/:id', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (request) => ({
    id: request.params.id,
    body_was_empty: request.body === undefined,
  }));
  app.get('/test/echo-db', { schema: { querystring: Type.Object({ q: Type.String() }) } }, async (request) => {
    const row = await sql<{ q: string }>`SELECT ${request.query.q}::text AS q`.execute(t().db);
    return row.rows[0];
  });
  // A NUL that did not come from the validated input (the net behind the no-nul guard).
  app.get('/test/nul-db', async () => {
    await sql`SELECT ${'a\u0000b'}::text AS q`.execute(t().db);
    return {};
  });
  app.post('/test/nested', { schema: { body: Type.Object({ lines: Type.Array(Type.Object({ note: Type.String() })), titre: Type.String() }) } }, async () => ({ ok: true }));
  app.get('/test/records/:id', { schema: { params: Type.Object({ id: IdParam }) } }, async (request) => ({ id: request.params.id }));
  app.get('/test/crash', async () => {
    throw new Error('SELECT secret_column FROM hidden_table');
  });
  app.get('/test/db-down', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
};

const t = useTestApp({ extraRoutes: testRoutes });

function assertEnvelope(response: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number, code: string, message?: string) {
  assert.equal(response.statusCode, status);
  const body = response.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  if (message !== undefined) assert.equal(body.error.message, message);
  assert.equal(body.error.trace_id, response.headers['x-request-id']);
  assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
  return body.error;
}

describe('error envelope', () => {
  test('unknown route → 404 RESOURCE_NOT_FOUND', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/nope' });
    assert.equal(response.statusCode, 404);
    const error = assertEnvelope(response, 404, 'RESOURCE_NOT_FOUND', 'Ressource introuvable');
    assert.equal(error.details, null);
  });

  test('known path with another method → 405 with Allow', async () => {
    const response = await t().app.inject({ method: 'DELETE', url: '/api/v1/health' });
    assert.equal(response.statusCode, 405);
    assertEnvelope(response, 405, 'METHOD_NOT_ALLOWED', 'Méthode non autorisée');
    assert.equal(response.headers.allow, 'GET');
  });

  test('JSON body over 1 MiB → 413', async () => {
    const payload = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), count: 1 });
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/test/echo', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(response.statusCode, 413);
    assertEnvelope(response, 413, 'PAYLOAD_TOO_LARGE', 'Corps de requête trop volumineux');
  });

  test('unsupported content type → 415', async () => {
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/test/echo', headers: { 'content-type': 'text/xml' }, payload: '<a/>' });
    assert.equal(response.statusCode, 415);
    assertEnvelope(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Type de contenu non supporté');
  });

  test('schema violations → 422 with one French detail per field', async () => {
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'far too long a name', count: 'abc' } });
    assert.equal(response.statusCode, 422);
    const error = assertEnvelope(response, 422, 'VALIDATION_ERROR', 'Erreur de validation des données');
    const byField = Object.fromEntries(error.details.map((d: any) => [d.loc.join('.'), d]));
    assert.equal(byField['body.name'].type, 'too_long');
    assert.equal(byField['body.name'].msg, 'Ne doit pas dépasser 10 caractères');
    assert.equal(byField['body.count'].type, 'type');
    assert.match(byField['body.count'].msg, /entier/);
  });

  test('missing field → 422 type missing', async () => {
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'a' } });
    assert.equal(response.statusCode, 422);
    const error = assertEnvelope(response, 422, 'VALIDATION_ERROR');
    assert.deepEqual(error.details, [{ loc: ['body', 'count'], msg: 'Champ obligatoire', type: 'missing' }]);
  });

  test('malformed JSON → 422 json_invalid', async () => {
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": ' });
    assert.equal(response.statusCode, 422);
    const error = assertEnvelope(response, 422, 'VALIDATION_ERROR');
    assert.equal(error.details[0].type, 'json_invalid');
  });

  test('__proto__ key → 422 forbidden_key, no prototype pollution', async () => {
    const response = await t().app.inject({
      method: 'POST',
      url: '/api/v1/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"a","count":1,"nested":{"__proto__":{"polluted":true}}}',
    });
    assert.equal(response.statusCode, 422);
    const error = assertEnvelope(response, 422, 'VALIDATION_ERROR');
    assert.deepEqual(error.details[0].loc, ['body', 'nested', '__proto__']);
    assert.equal(error.details[0].type, 'forbidden_key');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('non-integer path id → 422 located in path', async () => {
    const response = await t().app.inject({ method: 'PATCH', url: '/api/v1/test/things/abc' });
    assert.equal(response.statusCode, 422);
    const error = assertEnvelope(response, 422, 'VALIDATION_ERROR');
    assert.deepEqual(error.details[0].loc, ['path', 'id']);
  });

  test('a path id beyond the PostgreSQL integer range → 422, not a database error', async () => {
    assert.equal((await t().app.inject({ method: 'GET', url: '/api/v1/test/records/2147483647' })).statusCode, 200);
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/test/records/2147483648' });
    assertEnvelope(response, 422, 'VALIDATION_ERROR');
    assert.deepEqual(response.json().error.details[0].loc, ['path', 'id']);
  });

  test('a NUL character in the input → 422 at its field before the handler; one found by PostgreSQL → 422 too', async () => {
    assert.equal((await t().app.inject({ method: 'GET', url: '/api/v1/test/echo-db?q=abc' })).json().q, 'abc');
    const query = await t().app.inject({ method: 'GET', url: '/api/v1/test/echo-db?q=a%00b' });
    assertEnvelope(query, 422, 'VALIDATION_ERROR', 'Caractère NUL interdit');
    assert.deepEqual(query.json().error.details, [{ loc: ['query', 'q'], msg: 'Caractère NUL interdit', type: 'value' }]);

    // Every field, known or not, with its path; the schema's own errors come first.
    const nested = await t().app.inject({ method: 'POST', url: '/api/v1/test/nested', payload: { titre: '\u0000', lines: [{ note: 'ok' }, { note: 'x\u0000' }], extra: '\u0000' } });
    assertEnvelope(nested, 422, 'VALIDATION_ERROR', 'Erreur de validation des données');
    assert.deepEqual(nested.json().error.details, [
      { loc: ['body', 'titre'], msg: 'Caractère NUL interdit', type: 'value' },
      { loc: ['body', 'lines', 1, 'note'], msg: 'Caractère NUL interdit', type: 'value' },
      { loc: ['body', 'extra'], msg: 'Caractère NUL interdit', type: 'value' },
    ]);
    const schemaFirst = await t().app.inject({ method: 'POST', url: '/api/v1/test/nested', payload: { titre: '\u0000' } });
    assert.deepEqual(schemaFirst.json().error.details.map((issue: { loc: unknown[] }) => issue.loc), [['body', 'lines']]);
    const clean = await t().app.inject({ method: 'POST', url: '/api/v1/test/nested', payload: { titre: 'a', lines: [{ note: 'b' }] } });
    assert.deepEqual([clean.statusCode, clean.json()], [200, { ok: true }]);

    assertEnvelope(await t().app.inject({ method: 'GET', url: '/api/v1/test/nul-db' }), 422, 'VALIDATION_ERROR');
  });

  test('unexpected error → 500 with a generic message, no stack or SQL', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/test/crash' });
    assert.equal(response.statusCode, 500);
    const error = assertEnvelope(response, 500, 'INTERNAL_SERVER_ERROR', 'Une erreur interne est survenue.');
    assert.equal(error.details, null);
    assert.doesNotMatch(response.body, /secret_column|hidden_table|at .*\.ts/);
  });

  test('database unreachable → 503 SERVICE_UNAVAILABLE', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/test/db-down' });
    assert.equal(response.statusCode, 503);
    assertEnvelope(response, 503, 'SERVICE_UNAVAILABLE', 'Service temporairement indisponible.');
  });
});

describe('request id and common headers', () => {
  test('a sane incoming X-Request-ID is echoed', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': 'abc.DEF-123:x_y' } });
    assert.equal(response.headers['x-request-id'], 'abc.DEF-123:x_y');
  });

  test('an unsafe or too long X-Request-ID is replaced by a UUID v4', async () => {
    for (const incoming of ['bad id with spaces', 'x'.repeat(129), 'a\u00e9b']) {
      const response = await t().app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': encodeURI(incoming) === incoming ? incoming : 'bad<id>' } });
      assert.match(String(response.headers['x-request-id']), UUID_V4);
    }
  });

  test('every response has a request id, a response time and Cache-Control: no-store', async () => {
    for (const url of ['/api/v1/health', '/api/v1/nope']) {
      const response = await t().app.inject({ method: 'GET', url });
      assert.match(String(response.headers['x-request-id']), UUID_V4);
      assert.match(String(response.headers['x-response-time']), /^\d+(\.\d+)?ms$/);
      assert.equal(response.headers['cache-control'], 'no-store');
    }
  });
});

describe('compatibility', () => {
  test('PATCH with Content-Type: application/json and an empty body is accepted', async () => {
    const response = await t().app.inject({ method: 'PATCH', url: '/api/v1/test/things/7', headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { id: 7, body_was_empty: true });
  });

  test('trailing slash is optional, without redirect', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/health/' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'ok');
  });

  test('v1 routes are also served at the root (LEGACY_ROOT_ROUTES)', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/health/live' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'alive');
  });

  test('GET / answers the API banner', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/' });
    assert.deepEqual(response.json(), { message: 'API ERP MIF Maroc', version: t().config.version, docs: '/docs' });
  });

  test('the OpenAPI document lists /api/v1 paths only', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(response.statusCode, 200);
    const paths = Object.keys(response.json().paths);
    assert.ok(paths.includes('/api/v1/health/ready'), paths.join(','));
    assert.deepEqual(
      paths.filter((p) => !p.startsWith('/api/v1/')),
      [],
    );
    const docs = await t().app.inject({ method: 'GET', url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger-ui/i);
  });
});
