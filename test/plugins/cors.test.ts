import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { createTestApp, useTestApp } from '../helpers/app.js';

const ALLOWED = 'http://localhost:5173';

const testRoutes: FastifyPluginAsync = async (app) => {
  app.get('/test/list', async (_request, reply) => reply.header('X-Total-Count', '2').send([{ id: 1 }, { id: 2 }]));
  app.patch('/test/things/:id', async () => ({ ok: true }));
};

// The default (development/test) origin list of docs/security.md §6.
const t = useTestApp({ extraRoutes: testRoutes });

function preflight(origin: string) {
  return t().app.inject({
    method: 'OPTIONS',
    url: '/api/v1/test/things/1',
    headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' },
  });
}

function list(header: unknown): string[] {
  return String(header)
    .split(',')
    .map((item) => item.trim().toLowerCase());
}

function corsHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('access-control-'));
}

describe('CORS (docs/security.md §6)', () => {
  test('a preflight from an allowed origin → 204 with the origin echoed, methods, headers, credentials and max-age', async () => {
    const response = await preflight(ALLOWED);
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(response.headers['access-control-allow-credentials'], 'true');
    assert.deepEqual(list(response.headers['access-control-allow-methods']), ['get', 'post', 'put', 'patch', 'delete', 'options']);
    const allowedHeaders = list(response.headers['access-control-allow-headers']);
    assert.ok(allowedHeaders.includes('authorization'), allowedHeaders.join(','));
    assert.ok(allowedHeaders.includes('content-type'), allowedHeaders.join(','));
    assert.deepEqual(allowedHeaders, ['authorization', 'content-type', 'accept', 'origin', 'x-requested-with', 'x-request-id']);
    assert.equal(response.headers['access-control-max-age'], '600');
    assert.ok(list(response.headers.vary).includes('origin'));
    assert.equal(response.body, '');
  });

  test('another allowed origin of the list is echoed too (never a fixed value)', async () => {
    const response = await preflight('http://127.0.0.1:5173');
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], 'http://127.0.0.1:5173');
  });

  for (const origin of ['https://evil.example', 'null', 'http://localhost:5173.evil.example', 'http://LOCALHOST:5173']) {
    test(`a preflight from ${origin} gets no CORS header`, async () => {
      const response = await preflight(origin);
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      assert.deepEqual(corsHeaders(response.headers), []);
      // Not handled as a preflight: it falls through to the router (PATCH only on this path).
      assert.equal(response.statusCode, 405);
      assert.equal(response.headers.allow, 'PATCH');
      assert.ok(list(response.headers.vary).includes('origin'));
    });
  }

  test('a simple GET from an allowed origin exposes X-Total-Count, with Vary: Origin', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/test/list', headers: { origin: ALLOWED } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-total-count'], '2');
    assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(response.headers['access-control-allow-credentials'], 'true');
    const exposed = list(response.headers['access-control-expose-headers']);
    assert.ok(exposed.includes('x-total-count'), exposed.join(','));
    assert.deepEqual(exposed, [
      'x-request-id',
      'x-total-count',
      'x-response-time',
      'content-disposition',
      'retry-after',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ]);
    assert.ok(list(response.headers.vary).includes('origin'));
    assert.equal(response.headers['access-control-allow-methods'], undefined, 'preflight headers only on preflights');
  });

  test('a GET from an unlisted origin or without Origin gets no CORS header but still Vary: Origin', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, {}]) {
      const response = await t().app.inject({ method: 'GET', url: '/api/v1/test/list', headers });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(corsHeaders(response.headers), []);
      assert.ok(list(response.headers.vary).includes('origin'), JSON.stringify(headers));
    }
  });

  test('errors from an allowed origin stay readable by the browser', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/nope', headers: { origin: ALLOWED } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
    assert.ok(list(response.headers.vary).includes('origin'));
  });

  test('origins come from CORS_ALLOW_ORIGINS exactly', async () => {
    const custom = await createTestApp({ env: { CORS_ALLOW_ORIGINS: '["https://erp.mif.example"]' }, extraRoutes: testRoutes });
    try {
      const allowed = await custom.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/test/things/1',
        headers: { origin: 'https://erp.mif.example', 'access-control-request-method': 'PATCH' },
      });
      assert.equal(allowed.statusCode, 204);
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://erp.mif.example');
      const defaultOrigin = await custom.app.inject({ method: 'GET', url: '/api/v1/test/list', headers: { origin: ALLOWED } });
      assert.deepEqual(corsHeaders(defaultOrigin.headers), []);
    } finally {
      await custom.close();
    }
  });
});
