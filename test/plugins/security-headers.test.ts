import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { AppError } from '../../src/lib/errors.js';
import { createTestApp, productionEnv, useTestApp, type TestApp } from '../helpers/app.js';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const HSTS = 'max-age=63072000; includeSubDomains';

const testRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/test/ok', async () => ({ ok: true }));
  app.post('/test/echo', { schema: { body: Type.Object({ name: Type.String({ maxLength: 10 }) }) } }, async (request) => request.body);
  app.get('/test/private', async () => {
    throw AppError.unauthorized();
  });
  app.get('/test/crash', async () => {
    throw new Error('boom');
  });
  app.get('/test/download', async (_request, reply) =>
    reply
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .type('application/pdf')
      .send(Buffer.from('%PDF-1.4')),
  );
};

/** Every header of docs/security.md §7 that does not depend on the route (HSTS: see below). */
function assertSecurityHeaders(response: LightMyRequestResponse, label: string, options: { hsts?: boolean; csp?: string } = {}) {
  const h = response.headers;
  assert.equal(h['x-content-type-options'], 'nosniff', label);
  assert.equal(h['x-frame-options'], 'DENY', label);
  assert.equal(h['referrer-policy'], 'no-referrer', label);
  assert.equal(h['content-security-policy'], options.csp ?? API_CSP, label);
  assert.equal(h['cross-origin-resource-policy'], 'same-origin', label);
  assert.equal(h['cache-control'], 'no-store', label);
  assert.equal(h['strict-transport-security'], options.hsts ? HSTS : undefined, label);
  assert.equal(h['x-powered-by'], undefined, label);
  assert.equal(h.server, undefined, label);
}

const t = useTestApp({ extraRoutes: testRoutes });

/** One request per status class; each must have the status it is labelled with. */
async function oneOfEach(app: TestApp['app']): Promise<[number, LightMyRequestResponse][]> {
  const requests: [number, InjectOptions & { url: string }][] = [
    [200, { method: 'GET', url: '/api/v1/test/ok' }],
    [200, { method: 'GET', url: '/api/v1/health' }],
    [401, { method: 'GET', url: '/api/v1/test/private' }],
    [404, { method: 'GET', url: '/api/v1/nope' }],
    [405, { method: 'DELETE', url: '/api/v1/health' }],
    [413, { method: 'POST', url: '/api/v1/test/echo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) }],
    [422, { method: 'POST', url: '/api/v1/test/echo', payload: { name: 'far too long a name' } }],
    [500, { method: 'GET', url: '/api/v1/test/crash' }],
  ];
  const responses: [number, LightMyRequestResponse][] = [];
  for (const [status, request] of requests) {
    const response = await app.inject(request);
    assert.equal(response.statusCode, status, `${request.url} → ${response.statusCode}`);
    responses.push([status, response]);
  }
  return responses;
}

describe('response headers (docs/security.md §7)', () => {
  test('every header on 200, 401, 404, 405, 413, 422 and 500 responses; no HSTS outside production', async () => {
    for (const [status, response] of await oneOfEach(t().app)) assertSecurityHeaders(response, `status ${status}`);
  });

  test('a CORS preflight (204) carries them too', async () => {
    const response = await t().app.inject({
      method: 'OPTIONS',
      url: '/api/v1/test/ok',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    assert.equal(response.statusCode, 204);
    assertSecurityHeaders(response, 'preflight');
  });

  test('a 429 from the rate limiter carries them too', async () => {
    const limited = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_MINUTE: '1' }, extraRoutes: testRoutes });
    try {
      const first = await limited.app.inject({ method: 'GET', url: '/api/v1/test/ok' });
      assert.equal(first.statusCode, 200);
      assertSecurityHeaders(first, 'first request');
      const second = await limited.app.inject({ method: 'GET', url: '/api/v1/test/ok' });
      assert.equal(second.statusCode, 429);
      assert.equal(second.json().error.code, 'TOO_MANY_REQUESTS');
      assertSecurityHeaders(second, 'status 429');
    } finally {
      await limited.close();
    }
  });

  test('a route may set its own CSP and CORP (document downloads)', async () => {
    const response = await t().app.inject({ method: 'GET', url: '/api/v1/test/download' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-security-policy'], "default-src 'none'; sandbox");
    assert.equal(response.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'DENY');
  });

  test('/docs gets a CSP allowing the Swagger UI’s own scripts, styles and images, and still renders', async () => {
    const page = await t().app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    assert.notEqual(csp, API_CSP);
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"], 'no inline or remote script');
    // 'self' plus the hash of the one inline <style> of the Swagger UI (its SVG logo), never 'unsafe-inline'.
    assert.deepEqual(directives.get('style-src'), ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"]);
    assert.deepEqual(directives.get('img-src'), ["'self'", 'data:']);
    assert.deepEqual(directives.get('connect-src'), ["'self'"], 'the UI fetches /docs/json');
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.equal(page.headers['x-frame-options'], 'DENY');

    // The page only references same-origin assets, no inline script or style: 'self' covers them all.
    assert.doesNotMatch(page.body, /<script(?![^>]*\ssrc=)[^>]*>/i, 'no inline <script>');
    assert.doesNotMatch(page.body, /<style|\sstyle=/i, 'no inline style');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(assets.some((a) => a.endsWith('/swagger-ui-bundle.js')), assets.join(','));
    assert.ok(assets.some((a) => a.endsWith('/swagger-ui.css')), assets.join(','));
    for (const asset of assets) {
      assert.match(asset, /^\/docs\/static\//, `${asset} is served from /docs/static`);
      const response = await t().app.inject({ method: 'GET', url: asset });
      assert.equal(response.statusCode, 200, asset);
      assert.equal(response.headers['content-security-policy'], csp, asset);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', asset);
    }
    const initializer = await t().app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(initializer.statusCode, 200);
    assert.match(initializer.body, /SwaggerUIBundle/);
    const spec = await t().app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(spec.statusCode, 200);
    assert.equal(spec.json().openapi, '3.0.3');
  });

  test('outside /docs the strict API policy applies (a /docs prefix is not enough)', async () => {
    for (const url of ['/api/v1/openapi.json', '/docsx', '/api/v1/docs']) {
      const response = await t().app.inject({ method: 'GET', url });
      assert.equal(response.headers['content-security-policy'], API_CSP, url);
    }
  });
});

describe('HSTS (production only)', () => {
  test('ENVIRONMENT=production adds Strict-Transport-Security to every response', async () => {
    const production = await createTestApp({
      env: productionEnv({ LOG_LEVEL: 'silent' }),
      extraRoutes: testRoutes,
    });
    try {
      assert.equal(production.config.environment, 'production');
      for (const [status, response] of await oneOfEach(production.app)) assertSecurityHeaders(response, `production ${status}`, { hsts: true });
      // No Swagger UI in production (DOCS_ENABLED defaults to false): /docs is a plain 404.
      const docs = await production.app.inject({ method: 'GET', url: '/docs' });
      assert.equal(docs.statusCode, 404);
      assertSecurityHeaders(docs, 'production /docs', { hsts: true });
    } finally {
      await production.close();
    }
  });
});
