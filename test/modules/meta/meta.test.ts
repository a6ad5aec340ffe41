/**
 * The root-only routes: the banner and the OpenAPI document at both of its addresses, which exist
 * only with DOCS_ENABLED. (The document's content is checked in test/http/platform.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { assertError, call } from '../../helpers/http.js';

describe('docs enabled (the test default)', () => {
  const t = useTestApp();

  test('/openapi.json and /api/v1/openapi.json serve the same document', async () => {
    const root = await call(t(), 'GET', '/openapi.json');
    const v1 = await call(t(), 'GET', '/api/v1/openapi.json');
    assert.equal(root.statusCode, 200);
    assert.equal(root.json().openapi, '3.0.3');
    assert.deepEqual(root.json(), v1.json());
  });
});

describe('DOCS_ENABLED=false', () => {
  const t = useTestApp({ env: { DOCS_ENABLED: 'false' } });

  test('no OpenAPI document (404 at both addresses); the banner stays', async () => {
    for (const url of ['/openapi.json', '/api/v1/openapi.json']) assertError(await call(t(), 'GET', url), 404, 'Ressource introuvable');
    const banner = await call(t(), 'GET', '/');
    assert.deepEqual(banner.json(), { message: 'API ERP MIF Maroc', version: t().config.version, docs: '/docs' });
  });
});
