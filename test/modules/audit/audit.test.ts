import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Insertable } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { bearer, FakeClock, login, seedUser, type Tokens, type TestUser } from '../../helpers/auth.js';

const clock = new FakeClock();
let t: TestApp;
let admin: TestUser;
let adminTokens: Tokens;
let resp: TestUser;
let respTokens: Tokens;
let techTokens: Tokens;

const AUDIT_KEYS = ['actor_role', 'actor_user_id', 'created_at', 'details', 'event_type', 'id', 'ip', 'outcome', 'request_id', 'resource_id', 'resource_type', 'user_agent'];

async function insertEvent(values: Partial<Insertable<Database['audit_events']>> & { event_type: string }): Promise<number> {
  const row = await t.db
    .insertInto('audit_events')
    .values({ outcome: 'success', details: JSON.stringify({}), ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function get(url: string, tokens: Tokens | null = adminTokens) {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: tokens ? bearer(tokens) : {} });
  return { status: response.statusCode, headers: response.headers, body: response.json() as any };
}

async function countWhere(build: (q: any) => any): Promise<number> {
  const row = await build(t.db.selectFrom('audit_events').select((eb: any) => eb.fn.countAll().as('n'))).executeTakeFirstOrThrow();
  return Number(row.n);
}

const dates: Record<string, number> = {};

before(async () => {
  t = await createTestApp({ clock });
  admin = await seedUser(t, 'admin');
  resp = await seedUser(t, 'responsable');
  const tech = await seedUser(t, 'technicien');
  adminTokens = await login(t, admin);
  respTokens = await login(t, resp);
  techTokens = await login(t, tech);
  // A denied request of the responsable, and a failed login: real events of other outcomes.
  await t.app.inject({ method: 'POST', url: '/api/v1/users/', headers: bearer(respTokens), payload: {} });
  await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.1.0.1', payload: { email: resp.email, password: 'Mauvais#1Pass' } });

  dates.first = await insertEvent({ event_type: 'test.dates', resource_type: 'zz-dates', resource_id: 'a', created_at: '2026-01-01T10:00:00Z' });
  dates.second = await insertEvent({ event_type: 'test.dates', resource_type: 'zz-dates', resource_id: 'b', created_at: '2026-01-02T10:00:00Z' });
  dates.tie = await insertEvent({ event_type: 'test.dates', resource_type: 'zz-dates', resource_id: 'c', created_at: '2026-01-02T10:00:00Z' });
  dates.third = await insertEvent({ event_type: 'test.dates', resource_type: 'zz-dates', resource_id: 'd', created_at: '2026-01-03T10:00:00Z' });
  await insertEvent({ event_type: 'auth_special', resource_type: 'zz-like' });
  await insertEvent({ event_type: 'authXspecial', resource_type: 'zz-like' });
});
after(async () => {
  await t.close();
});

describe('GET /audit/', () => {
  test('plain array of AuditEventOut, X-Total-Count of every row, newest first by default, default limit 50', async () => {
    for (let i = 0; i < 55; i++) await insertEvent({ event_type: 'test.bulk', resource_type: 'zz-bulk', created_at: new Date(Date.UTC(2025, 0, 1, 0, i)) });
    const total = await countWhere((q) => q);
    const response = await get('/audit/');
    assert.equal(response.status, 200);
    assert.ok(Array.isArray(response.body));
    assert.equal(response.body.length, 50);
    assert.equal(response.headers['x-total-count'], String(total));
    assert.deepEqual(Object.keys(response.body[0]).sort(), AUDIT_KEYS);
    const times = response.body.map((e: any) => Date.parse(e.created_at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const newest = await t.db.selectFrom('audit_events').select('created_at').orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.equal(response.body[0].created_at, newest.created_at.toISOString());
    const bulk = await get('/audit/?resource_type=zz-bulk&limit=500');
    assert.equal(bulk.body.length, 55);
    assert.equal(bulk.headers['x-total-count'], '55');
  });

  test('event_type is a prefix match: `auth.` returns only auth events; LIKE wildcards match literally', async () => {
    const response = await get('/audit/?event_type=auth.&limit=500');
    assert.equal(response.status, 200);
    const expected = await countWhere((q) => q.where('event_type', 'like', 'auth.%'));
    assert.ok(expected >= 4);
    assert.equal(response.headers['x-total-count'], String(expected));
    assert.equal(response.body.length, expected);
    assert.ok(response.body.every((e: any) => e.event_type.startsWith('auth.')));
    assert.ok(response.body.some((e: any) => e.event_type === 'auth.login.success'));
    assert.ok(response.body.some((e: any) => e.event_type === 'auth.login.failure'));
    const underscore = await get('/audit/?event_type=auth_');
    assert.deepEqual(underscore.body.map((e: any) => e.event_type), ['auth_special']);
    const percent = await get(`/audit/?event_type=${encodeURIComponent('%')}`);
    assert.deepEqual(percent.body, []);
    assert.equal(percent.headers['x-total-count'], '0');
  });

  test('outcome (one value or a comma list) and actor_user_id filters', async () => {
    const denied = await get('/audit/?outcome=denied');
    assert.ok(denied.body.length >= 1);
    assert.ok(denied.body.every((e: any) => e.outcome === 'denied'));
    assert.ok(denied.body.some((e: any) => e.event_type === 'rbac.denied' && e.actor_user_id === resp.id));
    const both = await get('/audit/?outcome=failure,denied&limit=500');
    assert.equal(both.headers['x-total-count'], String(await countWhere((q) => q.where('outcome', 'in', ['failure', 'denied']))));
    assert.deepEqual([...new Set(both.body.map((e: any) => e.outcome))].sort(), ['denied', 'failure']);
    const badOutcome = await get('/audit/?outcome=ok');
    assert.equal(badOutcome.status, 422);
    assert.equal(badOutcome.body.error.details[0].loc[1], 'outcome');

    const byActor = await get(`/audit/?actor_user_id=${resp.id}&limit=500`);
    assert.equal(byActor.headers['x-total-count'], String(await countWhere((q) => q.where('actor_user_id', '=', resp.id))));
    assert.ok(byActor.body.length >= 2);
    assert.ok(byActor.body.every((e: any) => e.actor_user_id === resp.id));
    const combined = await get(`/audit/?actor_user_id=${resp.id}&outcome=denied&event_type=rbac.`);
    assert.equal(combined.body.length, 1);
    assert.equal(combined.body[0].event_type, 'rbac.denied');
  });

  test('resource_type / resource_id filters; date_min and date_max are inclusive, naive = UTC, date only = 00:00 UTC', async () => {
    const resource = await get('/audit/?resource_type=zz-dates&resource_id=b');
    assert.deepEqual(resource.body.map((e: any) => e.id), [dates.second]);
    const range = await get('/audit/?resource_type=zz-dates&date_min=2026-01-02&date_max=2026-01-02T10:00:00&sort=id');
    assert.deepEqual(range.body.map((e: any) => e.id), [dates.second, dates.tie]);
    const withOffset = await get(`/audit/?resource_type=zz-dates&date_min=${encodeURIComponent('2026-01-02T11:00:00+01:00')}&sort=id`);
    assert.deepEqual(withOffset.body.map((e: any) => e.id), [dates.second, dates.tie, dates.third]);
    const dateMaxDay = await get('/audit/?resource_type=zz-dates&date_max=2026-01-02');
    assert.deepEqual(dateMaxDay.body.map((e: any) => e.id), [dates.first]);
    for (const bad of ['date_min=hier', 'date_max=2026-02-30']) {
      const response = await get(`/audit/?${bad}`);
      assert.equal(response.status, 422, bad);
      assert.equal(response.body.error.details[0].loc[0], 'query');
      assert.equal(response.body.error.details[0].loc[1], bad.split('=')[0]);
    }
  });

  test('sort by created_at or id with `-`; ties broken by id ascending; unknown field → 422; limit/offset', async () => {
    const byDate = await get('/audit/?resource_type=zz-dates&sort=created_at');
    assert.deepEqual(byDate.body.map((e: any) => e.id), [dates.first, dates.second, dates.tie, dates.third]);
    const defaultSort = await get('/audit/?resource_type=zz-dates');
    assert.deepEqual(defaultSort.body.map((e: any) => e.id), [dates.third, dates.second, dates.tie, dates.first]);
    const byIdDesc = await get('/audit/?resource_type=zz-dates&sort=-id');
    assert.deepEqual(byIdDesc.body.map((e: any) => e.id), [dates.third, dates.tie, dates.second, dates.first]);
    const page = await get('/audit/?resource_type=zz-dates&sort=id&limit=2&offset=1');
    assert.deepEqual(page.body.map((e: any) => e.id), [dates.second, dates.tie]);
    assert.equal(page.headers['x-total-count'], '4');
    const unknown = await get('/audit/?sort=event_type');
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error.code, 'VALIDATION_ERROR');
    assert.deepEqual(unknown.body.error.details[0].loc, ['query', 'sort']);
    for (const bad of ['limit=0', 'limit=501', 'offset=-1']) assert.equal((await get(`/audit/?${bad}`)).status, 422, bad);
  });

  test('responsable, technicien → 403 "Accès réservé aux rôles : admin"; no token → 401', async () => {
    for (const tokens of [respTokens, techTokens]) {
      const response = await get('/audit/', tokens);
      assert.equal(response.status, 403);
      assert.equal(response.body.error.code, 'FORBIDDEN');
      assert.equal(response.body.error.message, 'Accès réservé aux rôles : admin');
      const one = await get(`/audit/${dates.first}`, tokens);
      assert.equal(one.status, 403);
    }
    const anonymous = await get('/audit/', null);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.message, 'Non authentifié');
  });
});

describe('GET /audit/{event_id}', () => {
  test('every column: ip as text, details as an object', async () => {
    const id = await insertEvent({
      event_type: 'test.full',
      outcome: 'failure',
      actor_user_id: admin.id,
      actor_role: 'admin',
      ip: '192.0.2.7',
      user_agent: 'curl/8',
      request_id: 'req-123',
      resource_type: 'user',
      resource_id: '42',
      details: JSON.stringify({ fields: ['email'], nested: { n: 1, ok: true } }),
      created_at: '2026-03-04T05:06:07.089Z',
    });
    const response = await get(`/audit/${id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      id,
      created_at: '2026-03-04T05:06:07.089Z',
      event_type: 'test.full',
      outcome: 'failure',
      actor_user_id: admin.id,
      actor_role: 'admin',
      ip: '192.0.2.7',
      user_agent: 'curl/8',
      request_id: 'req-123',
      resource_type: 'user',
      resource_id: '42',
      details: { fields: ['email'], nested: { n: 1, ok: true } },
    });
  });

  test('a real login event read back through the API', async () => {
    const row = await t.db.selectFrom('audit_events').select('id').where('event_type', '=', 'auth.login.success').where('actor_user_id', '=', admin.id).executeTakeFirstOrThrow();
    const response = await get(`/audit/${row.id}`);
    assert.equal(response.body.event_type, 'auth.login.success');
    assert.equal(response.body.outcome, 'success');
    assert.equal(response.body.ip, '127.0.0.1');
    assert.deepEqual(response.body.details, { endpoint: 'token' });
  });

  test('unknown id → 404 "Événement d\'audit introuvable"; non-positive or non-integer id → 422', async () => {
    const missing = await get('/audit/99999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'RESOURCE_NOT_FOUND');
    assert.equal(missing.body.error.message, "Événement d'audit introuvable");
    for (const bad of ['0', 'abc', '-1']) {
      const response = await get(`/audit/${bad}`);
      assert.equal(response.status, 422, bad);
      assert.deepEqual(response.body.error.details[0].loc, ['path', 'event_id']);
    }
  });
});
