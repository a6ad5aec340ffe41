/**
 * deploy/nginx (docs/operations.md "Behind nginx"): Debian's nginx with the shipped files in front
 * of the real application process: the configuration passes `nginx -t`, every security header is on
 * the application's responses and on the ones nginx makes itself (404, 413, 429), the rate-limit
 * zones answer 429, operator routes are refused on the public listener, and the application sees
 * the client's address through TRUST_PROXY whatever the client claims in X-Forwarded-For.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_FILES_ENC_KEY, TEST_SECRET_KEY, useScratch } from '../helpers/app.js';
import { hasNginx, request, startNginx, type Nginx, type RawResponse } from '../helpers/nginx.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const NGINX_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'geolocation=(), microphone=(), camera=(), payment=(), usb=(), magnetometer=(), gyroscope=()',
  'x-robots-tag': 'noindex, nofollow, nosnippet, noarchive',
  'x-xss-protection': '0',
};
/** On the application's own responses its stricter policies are kept, each header sent once. */
const APP_HEADERS: Record<string, string> = {
  ...NGINX_HEADERS,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
};

function assertHeaders(response: RawResponse, expected: Record<string, string>, what: string): void {
  for (const [name, value] of Object.entries(expected)) assert.equal(response.headers[name], value, `${what}: ${name}`);
  assert.equal(response.headers.server, 'nginx', `${what}: Server without version`);
  assert.equal(response.headers['x-powered-by'], undefined, `${what}: no X-Powered-By`);
}

const isNginxPage = (response: RawResponse) => /<center>nginx<\/center>/.test(response.body);

describe('nginx in front of the application', { skip: !hasNginx() && process.env.CI !== 'true' ? 'nginx absent (Debian package nginx)' : false }, () => {
  const scratch = useScratch();
  let app: ServerProcess;
  let nginx: Nginx;

  before(async () => {
    app = await startServerProcess({
      ENVIRONMENT: 'test',
      SECRET_KEY: TEST_SECRET_KEY,
      FILES_ENC_KEY: TEST_FILES_ENC_KEY,
      DATABASE_URL: scratch.database.connectionString,
      DATA_DIR: scratch.dataDir,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      TRUST_PROXY: '127.0.0.1',
      // nginx's limits are under test: the application's own limiter would answer first.
      RATE_LIMIT_ENABLED: 'false',
    });
    nginx = await startNginx([Number(new URL(app.baseUrl).port)]);
  });
  after(async () => {
    await nginx?.stop();
    await app?.stop();
  });

  test('the shipped files pass `nginx -t`', () => {
    const check = nginx.checkConfig();
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /syntax is ok/);
  });

  test('a 200 and a 404 of the application carry every header once, and no version banner', async () => {
    const ok = await request(`${nginx.publicUrl}/api/v1/health`);
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).status, 'ok');
    assertHeaders(ok, APP_HEADERS, '200');
    const missing = await request(`${nginx.publicUrl}/api/v1/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).error.code, 'RESOURCE_NOT_FOUND');
    assertHeaders(missing, APP_HEADERS, 'application 404');
  });

  test('hidden and backup files → 404 from nginx, with the headers', async () => {
    for (const path of ['/.env', '/.git/config', '/api/v1/.htpasswd', '/db.sql', '/backup.dump', '/app.log']) {
      const response = await request(`${nginx.publicUrl}${path}`);
      assert.equal(response.status, 404, path);
      assert.ok(isNginxPage(response), `${path} answered by nginx, never proxied`);
      assertHeaders(response, NGINX_HEADERS, `404 ${path}`);
    }
  });

  test('a 2 MB JSON body → 413 with the headers; the upload locations take 21 MB', async () => {
    const body = JSON.stringify({ username: 'x', password: 'y'.repeat(2 * 1024 * 1024) });
    const response = await request(`${nginx.publicUrl}/api/v1/interventions/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      localAddress: '127.0.0.5',
    });
    assert.equal(response.status, 413);
    assertHeaders(response, NGINX_HEADERS, '413');
    const upload = await request(`${nginx.publicUrl}/api/v1/documents/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      localAddress: '127.0.0.5',
    });
    assert.ok(!isNginxPage(upload), `let through${upload.status} ${upload.body} to the application, which applies its own limits`);
    assert.ok(JSON.parse(upload.body).error, 'the application’s envelope');
  });

  test('an instantaneous burst on /api/: 1 + 20 pass, then 429 with the headers', async () => {
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 40 }, () => request(`${nginx.publicUrl}/api/v1/health`, { localAddress: '127.0.0.6' })),
    );
    const elapsedMs = performance.now() - started;
    const passed = responses.filter((r) => r.status === 200).length;
    const limited = responses.filter((r) => r.status === 429);
    // 21 in the burst, plus what the zone refilled (10 r/s) while the 40 TLS connections opened: on a
    // loaded machine the handshakes spread the requests over a few hundred milliseconds.
    const refilled = Math.ceil(elapsedMs / 100);
    assert.ok(passed >= 21 && passed <= 21 + refilled, `passed ${passed} in ${Math.round(elapsedMs)} ms`);
    assert.ok(limited.length >= 1, `nothing refused in ${Math.round(elapsedMs)} ms`);
    assert.equal(passed + limited.length, 40);
    for (const response of limited) assertHeaders(response, NGINX_HEADERS, '429');
  });

  test('the credential endpoints: 10 r/min with a burst of 5 → the 7th login in a row is refused', async () => {
    const answeredBy: string[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await request(`${nginx.publicUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=nobody&password=wrong-password',
        localAddress: '127.0.0.7',
      });
      // The application answers the first six itself (401, then 429 once its own lockout trips).
      answeredBy.push(isNginxPage(response) ? `nginx ${response.status}` : 'application');
    }
    assert.deepEqual(answeredBy, [...Array(6).fill('application'), 'nginx 429']);
  });

  test('metrics and /health/detailed: 404 on the public listener, reachable on the internal one', async () => {
    for (const path of ['/metrics', '/api/v1/metrics', '/api/v1/health/metrics', '/api/v1/health/detailed', '/api/v1/health/detailed/']) {
      const outside = await request(`${nginx.publicUrl}${path}`);
      assert.equal(outside.status, 404, path);
      assert.ok(isNginxPage(outside), `${path} refused by nginx, never proxied`);
    }
    const inside = await request(`${nginx.internalUrl}/api/v1/health/detailed`);
    assert.ok(!isNginxPage(inside), 'proxied to the application');
    assert.match(String(inside.headers['content-type']), /^application\/json/);
  });

  test('plain HTTP redirects to HTTPS', async () => {
    const response = await request(`${nginx.redirectUrl}/interventions/12?x=1`, { headers: { host: 'erp.example.com' } });
    assert.equal(response.status, 301);
    assert.equal(response.headers.location, 'https://erp.example.com/interventions/12?x=1');
  });

  test('TRUST_PROXY: the application sees the client address, never a forged X-Forwarded-For', async () => {
    const response = await request(`${nginx.publicUrl}/api/v1/not-a-route`, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'forged-id' },
      localAddress: '127.0.0.8',
    });
    assert.equal(response.status, 404);
    const requestId = response.headers['x-request-id'];
    assert.match(String(requestId), /^[0-9a-f]{32}$/, "nginx's own request id replaces the client's");
    const loggedLine = () =>
      app
        .output()
        .stdout.split('\n')
        .filter((text) => text.includes(String(requestId)))
        .map((text) => JSON.parse(text) as { ip?: string; msg: string })
        .find((entry) => entry.ip !== undefined);
    // The line is written once the response has gone.
    const deadline = Date.now() + 5000;
    while (!loggedLine() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const line = loggedLine();
    assert.ok(line, `the request is logged with its address:\n${app.output().stdout.slice(-2000)}`);
    assert.equal(line.ip, '127.0.0.8');
  });
});
