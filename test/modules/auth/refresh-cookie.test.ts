/**
 * The web session's refresh cookie (src/modules/auth/refresh-cookie.ts, docs/security.md "Browser
 * sessions"): opt-in header, HttpOnly / SameSite=Strict / path-scoped cookie, the body's token kept
 * from page scripts, refresh and logout from the cookie, CSRF refusals, and untouched API clients.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { REFRESH_COOKIE } from '../../../src/modules/auth/refresh-cookie.js';
import { productionEnv, useTestApp, type TestApp } from '../../helpers/app.js';
import { bearer, seedUser, type TestUser } from '../../helpers/auth.js';
import { assertError } from '../../helpers/http.js';

const WEB = { 'x-session-cookie': '1', 'content-type': 'application/json', origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' };

let user: TestUser;
const t = useTestApp({}, async (app) => {
  user = await seedUser(app, 'responsable');
});

function setCookie(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const value = Array.isArray(header) ? header.join('\n') : String(header ?? '');
  assert.ok(value.startsWith(`${REFRESH_COOKIE}=`), `Set-Cookie: ${value}`);
  return value;
}

function cookieValue(response: LightMyRequestResponse): string {
  return /^mif_refresh=([^;]*)/.exec(setCookie(response))![1]!;
}

async function webLogin(app: TestApp): Promise<{ access: string; cookie: string; response: LightMyRequestResponse }> {
  const response = await app.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: WEB, payload: { username: user.username, password: user.password } });
  assert.equal(response.statusCode, 200, response.body);
  return { access: response.json().access_token, cookie: cookieValue(response), response };
}

describe('refresh cookie of the web application', () => {
  it('a web login sets an HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth and hides the token from the body', async () => {
    const { response, cookie } = await webLogin(t());
    const header = setCookie(response);
    assert.match(header, /HttpOnly/);
    assert.match(header, /SameSite=Strict/);
    assert.match(header, /Path=\/api\/v1\/auth(;|$)/);
    assert.match(header, /Max-Age=\d+/);
    assert.doesNotMatch(header, /Secure/, 'Secure only in production');
    assert.equal(response.json().refresh_token, '');
    assert.ok(cookie.length > 20);
  });

  it('a login without the header is unchanged: token in the body, no cookie', async () => {
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: user.password } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['set-cookie'], undefined);
    assert.ok(response.json().refresh_token.length > 20);
  });

  it('refresh reads the cookie, rotates it, and the consumed one is refused and cleared', async () => {
    const { cookie } = await webLogin(t());
    const refreshed = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { ...WEB, cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const next = cookieValue(refreshed);
    assert.notEqual(next, cookie);
    assert.equal(refreshed.json().refresh_token, '');
    const me = await t().app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(refreshed.json().access_token) });
    assert.equal(me.json().username, user.username);

    const replayed = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { ...WEB, cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
    assert.equal(replayed.statusCode, 401);
    assert.match(setCookie(replayed), /Max-Age=0|Expires=Thu, 01 Jan 1970/);
  });

  it('refresh without the header does not read the cookie', async () => {
    const { cookie } = await webLogin(t());
    const response = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { 'content-type': 'application/json', cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
    assert.equal(response.statusCode, 422);
  });

  it('a cross-site Origin or Sec-Fetch-Site is refused before the cookie is used', async () => {
    const { cookie } = await webLogin(t());
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
      const response = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { ...WEB, ...headers, cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
      assertError(response, 403, 'Requête refusée : origine non autorisée pour la session du navigateur');
    }
    // The cookie was not consumed: it still refreshes from this site.
    const ok = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { ...WEB, cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
    assert.equal(ok.statusCode, 200);
  });

  it('logout revokes the session (the access token is refused at once) and clears the cookie', async () => {
    const { access, cookie } = await webLogin(t());
    const out = await t().app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...WEB, ...bearer(access), cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
    assert.equal(out.statusCode, 200, out.body);
    assert.match(setCookie(out), /Max-Age=0|Expires=Thu, 01 Jan 1970/);
    assert.equal((await t().app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(access) })).statusCode, 401);
    const refresh = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { ...WEB, cookie: `${REFRESH_COOKIE}=${cookie}` }, payload: {} });
    assert.equal(refresh.statusCode, 401);
  });

  it('logout-all ends every session of the user and clears the cookie', async () => {
    const first = await webLogin(t());
    const second = await webLogin(t());
    const out = await t().app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: { ...WEB, ...bearer(second.access) } });
    assert.equal(out.statusCode, 200, out.body);
    assert.match(setCookie(out), /Max-Age=0|Expires=Thu, 01 Jan 1970/);
    assert.equal((await t().app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(first.access) })).statusCode, 401);
    const refresh = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { ...WEB, cookie: `${REFRESH_COOKIE}=${first.cookie}` }, payload: {} });
    assert.equal(refresh.statusCode, 401);
  });
});

describe('refresh cookie in production', () => {
  const prod = useTestApp(() => ({ env: productionEnv() }));
  it('is Secure', async () => {
    const seeded = await seedUser(prod(), 'technicien');
    const response = await prod().app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: WEB, payload: { username: seeded.username, password: seeded.password } });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(setCookie(response), /; Secure/);
  });
});
