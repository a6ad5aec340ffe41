/**
 * The web application's API types are generated from the server's own OpenAPI document
 * (scripts/lib/web-api-types.ts). This fails while web/src/api/schema.d.ts is stale: run `npm run web:api`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { renderApiTypes, serverOpenApiDocument, WEB_API_TYPES } from '../../scripts/lib/web-api-types.js';
import { useTestApp } from '../helpers/app.js';

const t = useTestApp();

describe('generated API types of the web application', () => {
  it('web/src/api/schema.d.ts matches the served /api/v1/openapi.json (else: npm run web:api)', async () => {
    const served = (await t().app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const expected = await renderApiTypes(served);
    const checkedIn = await fs.readFile(WEB_API_TYPES, 'utf8');
    assert.ok(checkedIn === expected, 'web/src/api/schema.d.ts is stale: run `npm run web:api` and commit it');
  });

  it('the generator reads the same document without a database', async () => {
    const served = (await t().app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: object };
    const generated = (await serverOpenApiDocument()) as { paths: object };
    assert.deepEqual(Object.keys(generated.paths).sort(), Object.keys(served.paths).sort());
    assert.equal(await renderApiTypes(generated), await renderApiTypes(served));
  });
});
