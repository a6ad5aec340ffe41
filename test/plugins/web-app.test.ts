/**
 * Serving the web application (src/plugins/web-app.ts) from a real build directory: navigations get
 * the page with a fresh CSP nonce, API clients and the API's own paths keep their JSON, hashed assets
 * are cached for a year, the favicon answers under both names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { useTestApp } from '../helpers/app.js';

const NAVIGATE = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const PAGE = `<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="app-timezone" content="__APP_TIMEZONE__" /><meta property="csp-nonce" nonce="__CSP_NONCE__">
<script type="module" src="/assets/app-3f2a.js" nonce="__CSP_NONCE__"></script></head><body><div id="root"></div></body></html>`;

/** A build directory, written before the app is built (top-level `before` hooks start together). */
function writeBuild(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mif-erp-web-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), PAGE);
  fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(root, 'assets', 'app-3f2a.js'), 'console.log("app")');
  return root;
}

const webRoot = writeBuild();
after(() => fs.rmSync(webRoot, { recursive: true, force: true }));

const t = useTestApp({ webRoot, env: { APP_TIMEZONE: 'Africa/Casablanca' } });

function nonceOf(csp: string): string {
  return /'nonce-([^']+)'/.exec(csp)![1]!;
}

describe('web application serving', () => {
  it('a navigation to an application URL gets the page, with a per-response nonce in the CSP and the page', async () => {
    const first = await t().app.inject({ method: 'GET', url: '/interventions/12?onglet=historique', headers: NAVIGATE });
    const second = await t().app.inject({ method: 'GET', url: '/interventions/12', headers: NAVIGATE });
    for (const response of [first, second]) {
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(response.headers['cache-control'], 'no-cache');
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'; script-src 'self'; style-src 'self' 'nonce-/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      const nonce = nonceOf(csp);
      assert.equal(response.body.split(`nonce="${nonce}"`).length - 1, 2, 'both placeholders replaced');
      assert.doesNotMatch(response.body, /__CSP_NONCE__|__APP_TIMEZONE__/);
      assert.match(response.body, /content="Africa\/Casablanca"/);
      assert.match(response.body, /width=device-width/);
    }
    assert.notEqual(nonceOf(String(first.headers['content-security-policy'])), nonceOf(String(second.headers['content-security-policy'])));
  });

  it('the root and unknown paths are the page for a browser, an Accept: text/html without Fetch Metadata too', async () => {
    for (const url of ['/', '/planning', '/nimporte/quoi']) {
      const response = await t().app.inject({ method: 'GET', url, headers: NAVIGATE });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /<div id="root">/);
    }
    const oldBrowser = await t().app.inject({ method: 'GET', url: '/interventions', headers: { accept: 'text/html,*/*' } });
    assert.match(oldBrowser.body, /<div id="root">/);
  });

  it('API clients of the legacy root aliases keep getting JSON', async () => {
    const alias = await t().app.inject({ method: 'GET', url: '/interventions', headers: { accept: 'application/json, text/plain, */*' } });
    assert.equal(alias.statusCode, 401);
    assert.match(String(alias.headers['content-type']), /^application\/json/);
    const banner = await t().app.inject({ method: 'GET', url: '/' });
    assert.equal(banner.json().message, 'API ERP MIF Maroc');
    // A fetch() that prefers HTML is still not a navigation.
    const fetched = await t().app.inject({ method: 'GET', url: '/interventions', headers: { accept: 'text/html', 'sec-fetch-mode': 'cors' } });
    assert.equal(fetched.statusCode, 401);
    const posted = await t().app.inject({ method: 'POST', url: '/interventions', headers: NAVIGATE, payload: {} });
    assert.match(String(posted.headers['content-type']), /^application\/json/);
  });

  it('/api, /docs, /metrics and the health routes are never answered with the page', async () => {
    for (const url of ['/api/v1/health', '/api/v1/interventions/12', '/api/nope', '/health', '/health/live', '/live', '/ready', '/metrics', '/openapi.json', '/api/v1/openapi.json']) {
      const response = await t().app.inject({ method: 'GET', url, headers: NAVIGATE });
      assert.doesNotMatch(response.body, /<div id="root">/, url);
      assert.doesNotThrow(() => JSON.parse(response.body), url);
    }
    const docs = await t().app.inject({ method: 'GET', url: '/docs/', headers: NAVIGATE });
    assert.doesNotMatch(docs.body, /<div id="root">/);
  });

  it('hashed assets are cached for a year; a missing one is a JSON 404', async () => {
    const asset = await t().app.inject({ method: 'GET', url: '/assets/app-3f2a.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.equal(asset.body, 'console.log("app")');
    const missing = await t().app.inject({ method: 'GET', url: '/assets/absent-0000.js', headers: NAVIGATE });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'RESOURCE_NOT_FOUND');
    const escape = await t().app.inject({ method: 'GET', url: '/assets/..%2findex.html' });
    assert.notEqual(escape.statusCode, 200);
  });

  it('the favicon answers as /favicon.svg and /favicon.ico', async () => {
    for (const url of ['/favicon.svg', '/favicon.ico']) {
      const response = await t().app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.headers['content-type'], 'image/svg+xml');
    }
  });

  it('the OpenAPI document lists none of these routes', async () => {
    const document = (await t().app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.deepEqual(Object.keys(document.paths).filter((p) => !p.startsWith('/api/v1/')), []);
  });
});

describe('without a build', () => {
  const bare = useTestApp({ webRoot: null });
  it('the server serves the API alone: a navigation to an alias gets its JSON', async () => {
    const response = await bare().app.inject({ method: 'GET', url: '/interventions', headers: NAVIGATE });
    assert.equal(response.statusCode, 401);
    assert.equal((await bare().app.inject({ method: 'GET', url: '/favicon.ico' })).statusCode, 404);
  });
});
