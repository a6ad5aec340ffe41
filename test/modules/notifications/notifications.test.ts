import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { bearer, FakeClock, login, MINUTE, seedUser, type TestUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertEquipement, insertIntervention } from '../../helpers/fixtures.js';
import { NotificationsRepository, type NewNotification } from '../../../src/modules/notifications/repository.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));
const users: Record<'admin' | 'responsable' | 'technicien' | 'client', TestUser> = {} as never;
const tokens: Record<keyof typeof users, Tokens> = {} as never;
let interventionId: number;

const NOTIFICATION_KEYS = ['canal', 'contenu', 'date_envoi', 'date_lecture', 'id', 'intervention_id', 'lu', 'planning_id', 'type', 'user_id'];

type Json = Record<string, any>;

const t = useTestApp({ clock }, async (app) => {
  const clientId = await insertClient(app.db);
  users.admin = await seedUser(app, 'admin');
  users.responsable = await seedUser(app, 'responsable');
  users.technicien = await seedUser(app, 'technicien');
  users.client = await seedUser(app, 'client', { clientId });
  for (const role of Object.keys(users) as (keyof typeof users)[]) tokens[role] = await login(app, users[role]);
  interventionId = await insertIntervention(app.db, await insertEquipement(app.db));
});

async function request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, caller: Tokens | null, payload?: unknown, headers: Record<string, string> = {}) {
  return t().app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...(caller ? bearer(caller) : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Json }),
  });
}

function assertError(response: { statusCode: number; json: () => any }, status: number, message: string) {
  assert.equal(response.statusCode, status, JSON.stringify(response.json()));
  assert.equal(response.json().error.message, message);
}

function assert422(response: { statusCode: number; json: () => any }, loc: (string | number)[]) {
  assert.equal(response.statusCode, 422, JSON.stringify(response.json()));
  assert.equal(response.json().error.code, 'VALIDATION_ERROR');
  const details = response.json().error.details as { loc: unknown[] }[];
  assert.ok(
    details.some((d) => JSON.stringify(d.loc) === JSON.stringify(loc)),
    `expected an issue at ${JSON.stringify(loc)}: ${JSON.stringify(details)}`,
  );
}

async function countNotifications(): Promise<number> {
  const r = await t().db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function notificationRow(id: number) {
  return t().db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts notifications for `userId`, each `date_envoi` one minute after the previous one. */
async function seed(userId: number, rows: Partial<NewNotification>[], start = Date.parse('2026-06-01T00:00:00Z')): Promise<number[]> {
  return new NotificationsRepository(t().db).insert(
    rows.map((r, i) => ({ type: 'information', canal: 'log', contenu: `n${i}`, userId, dateEnvoi: new Date(start + i * MINUTE), ...r })),
  );
}

function ids(response: { json: () => Json[] }): number[] {
  return response.json().map((n) => n.id);
}

describe('POST /notifications/', () => {
  test('201 NotificationOut (legacy fields and additions); contenu trimmed; date_envoi = now; unread', async () => {
    const response = await request('POST', '/notifications/', tokens.responsable, {
      type: 'rappel',
      canal: 'email',
      contenu: '  Pensez au contrôle  ',
      user_id: users.technicien.id,
      intervention_id: interventionId,
    });
    assert.equal(response.statusCode, 201);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), NOTIFICATION_KEYS);
    assert.deepEqual(
      { ...body, id: 0 },
      {
        id: 0,
        type: 'rappel',
        canal: 'email',
        contenu: 'Pensez au contrôle',
        date_envoi: '2026-06-15T08:00:00.000Z',
        intervention_id: interventionId,
        user_id: users.technicien.id,
        lu: false,
        date_lecture: null,
        planning_id: null,
      },
    );
    const stored = await notificationRow(body.id);
    assert.equal(stored?.contenu, 'Pensez au contrôle');
    assert.equal(stored?.user_id, users.technicien.id);
  });

  test('admin creates; contenu and intervention_id optional (absent, null or blank → null); every type and canal', async () => {
    const minimal = await request('POST', '/notifications/', tokens.admin, { type: 'information', canal: 'push', user_id: users.client.id });
    assert.equal(minimal.statusCode, 201);
    assert.equal(minimal.json().contenu, null);
    assert.equal(minimal.json().intervention_id, null);
    const nulls = await request('POST', '/notifications/', tokens.admin, { type: 'cloture', canal: 'sms', user_id: users.client.id, contenu: null, intervention_id: null });
    assert.equal(nulls.statusCode, 201);
    assert.equal(nulls.json().contenu, null);
    const blank = await request('POST', '/notifications/', tokens.admin, { type: 'retard', canal: 'log', user_id: users.client.id, contenu: '   ' });
    assert.equal(blank.json().contenu, null);
    for (const type of ['affectation', 'cloture', 'rappel', 'retard', 'information']) {
      for (const canal of ['email', 'log', 'sms', 'push']) {
        const response = await request('POST', '/notifications', tokens.responsable, { type, canal, user_id: users.admin.id, contenu: 'x'.repeat(1000) });
        assert.equal(response.statusCode, 201, `${type}/${canal}`);
        assert.deepEqual([response.json().type, response.json().canal], [type, canal]);
      }
    }
  });

  test('404 "Utilisateur cible introuvable", 404 "Intervention cible introuvable"; nothing written', async () => {
    const before = await countNotifications();
    assertError(await request('POST', '/notifications/', tokens.responsable, { type: 'information', canal: 'log', user_id: 999_999 }), 404, 'Utilisateur cible introuvable');
    assertError(
      await request('POST', '/notifications/', tokens.responsable, { type: 'information', canal: 'log', user_id: users.client.id, intervention_id: 999_999 }),
      404,
      'Intervention cible introuvable',
    );
    assert.equal(await countNotifications(), before);
  });

  test('422: unknown type or canal (legacy: silent "information" / 500), missing or mistyped fields, too long contenu; nothing written', async () => {
    const before = await countNotifications();
    const base = { type: 'information', canal: 'log', user_id: users.client.id };
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, type: 'urgent' }), ['body', 'type']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, type: 'Information' }), ['body', 'type']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, canal: 'fax' }), ['body', 'canal']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { canal: 'log', user_id: users.client.id }), ['body', 'type']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { type: 'information', user_id: users.client.id }), ['body', 'canal']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { type: 'information', canal: 'log' }), ['body', 'user_id']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, user_id: 'moi' }), ['body', 'user_id']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, user_id: 0 }), ['body', 'user_id']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, intervention_id: 'abc' }), ['body', 'intervention_id']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, contenu: 'x'.repeat(1001) }), ['body', 'contenu']);
    assert422(await request('POST', '/notifications/', tokens.responsable, { ...base, contenu: { texte: 'x' } }), ['body', 'contenu']);
    assert422(await request('POST', '/notifications/', tokens.responsable, '', { 'content-type': 'application/json' }), ['body']);
    assert.equal(await countNotifications(), before);
  });

  test('unknown fields are ignored (lu, date_lecture, planning_id, date_envoi are not assignable)', async () => {
    const response = await request('POST', '/notifications/', tokens.responsable, {
      type: 'information',
      canal: 'log',
      user_id: users.client.id,
      lu: true,
      date_lecture: '2020-01-01T00:00:00Z',
      date_envoi: '2020-01-01T00:00:00Z',
      planning_id: 5,
    });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().lu, false);
    assert.equal(response.json().date_lecture, null);
    assert.equal(response.json().planning_id, null);
    assert.equal(response.json().date_envoi, clock.now().toISOString());
  });

  test('RBAC: technicien and client → 403, no token → 401; nothing written', async () => {
    const before = await countNotifications();
    const payload = { type: 'information', canal: 'log', user_id: users.admin.id };
    assertError(await request('POST', '/notifications/', tokens.technicien, payload), 403, 'Accès réservé aux rôles : admin, responsable');
    assertError(await request('POST', '/notifications/', tokens.client, payload), 403, 'Accès réservé aux rôles : admin, responsable');
    assertError(await request('POST', '/notifications/', null, payload), 401, 'Non authentifié');
    assert.equal(await countNotifications(), before);
  });
});

describe('lists', () => {
  let reader: TestUser;
  let readerTokens: Tokens;
  let other: TestUser;
  let otherTokens: Tokens;
  let many: TestUser;
  let manyIds: number[];
  const n: Record<string, number> = {};

  before(async () => {
    reader = await seedUser(t(), 'technicien');
    other = await seedUser(t(), 'client', { clientId: await insertClient(t().db) });
    many = await seedUser(t(), 'responsable');
    [readerTokens, otherTokens] = [await login(t(), reader), await login(t(), other)];
    // reader: a (oldest) … e (newest); b and d share date_envoi.
    const start = Date.parse('2026-05-01T00:00:00Z');
    const [a, b, c, d, e] = await new NotificationsRepository(t().db).insert([
      { type: 'affectation', canal: 'email', contenu: 'a', userId: reader.id, interventionId, dateEnvoi: new Date(start) },
      { type: 'rappel', canal: 'log', contenu: 'b', userId: reader.id, dateEnvoi: new Date(start + 2 * MINUTE) },
      { type: 'retard', canal: 'sms', contenu: 'c', userId: reader.id, interventionId, dateEnvoi: new Date(start + 3 * MINUTE) },
      { type: 'rappel', canal: 'push', contenu: 'd', userId: reader.id, dateEnvoi: new Date(start + 2 * MINUTE) },
      { type: 'information', canal: 'email', contenu: 'e', userId: reader.id, dateEnvoi: new Date(start + 4 * MINUTE) },
    ]);
    Object.assign(n, { a, b, c, d, e });
    await t().db.updateTable('notifications').set({ lu: true, date_lecture: new Date(start + 10 * MINUTE) }).where('id', 'in', [c!, e!]).execute();
    n.x = (await seed(other.id, [{ type: 'rappel' }]))[0]!;
    manyIds = await seed(many.id, Array.from({ length: 55 }, () => ({})));
  });

  describe('GET /notifications/ (admin)', () => {
    test('filter user_id: default sort -date_envoi (ties by id), X-Total-Count, NotificationOut', async () => {
      const response = await request('GET', `/notifications/?user_id=${reader.id}`, tokens.admin);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-total-count'], '5');
      assert.deepEqual(ids(response), [n.e, n.c, n.b, n.d, n.a]);
      assert.deepEqual(Object.keys(response.json()[0]).sort(), NOTIFICATION_KEYS);
    });

    test('default limit 50, with the total before paging; limit / offset; bounds → 422', async () => {
      const page = await request('GET', `/notifications/?user_id=${many.id}`, tokens.admin);
      assert.equal(page.json().length, 50);
      assert.equal(page.headers['x-total-count'], '55');
      assert.deepEqual(ids(page), [...manyIds].reverse().slice(0, 50));
      const tail = await request('GET', `/notifications/?user_id=${many.id}&offset=50&limit=10`, tokens.admin);
      assert.deepEqual(ids(tail), [...manyIds].reverse().slice(50));
      assert.equal(tail.headers['x-total-count'], '55');
      assert.equal((await request('GET', `/notifications/?user_id=${many.id}&limit=500`, tokens.admin)).json().length, 55);
      assert422(await request('GET', '/notifications/?limit=501', tokens.admin), ['query', 'limit']);
      assert422(await request('GET', '/notifications/?limit=0', tokens.admin), ['query', 'limit']);
      assert422(await request('GET', '/notifications/?limit=abc', tokens.admin), ['query', 'limit']);
      assert422(await request('GET', '/notifications/?offset=-1', tokens.admin), ['query', 'offset']);
    });

    test('filters intervention_id, type (comma list or repeated), canal, lu', async () => {
      const q = `/notifications/?user_id=${reader.id}`;
      assert.deepEqual(ids(await request('GET', `${q}&intervention_id=${interventionId}`, tokens.admin)), [n.c, n.a]);
      assert.deepEqual(ids(await request('GET', `${q}&type=rappel`, tokens.admin)), [n.b, n.d]);
      assert.deepEqual(ids(await request('GET', `${q}&type=rappel,retard`, tokens.admin)), [n.c, n.b, n.d]);
      assert.deepEqual(ids(await request('GET', `${q}&type=affectation&type=information`, tokens.admin)), [n.e, n.a]);
      assert.deepEqual(ids(await request('GET', `${q}&canal=email`, tokens.admin)), [n.e, n.a]);
      assert.deepEqual(ids(await request('GET', `${q}&canal=sms,push`, tokens.admin)), [n.c, n.d]);
      assert.deepEqual(ids(await request('GET', `${q}&lu=true`, tokens.admin)), [n.e, n.c]);
      assert.deepEqual(ids(await request('GET', `${q}&lu=0`, tokens.admin)), [n.b, n.d, n.a]);
      assert.deepEqual(ids(await request('GET', `${q}&lu=no&type=rappel&canal=push`, tokens.admin)), [n.d]);
      const all = await request('GET', `/notifications/?type=rappel&limit=500`, tokens.admin);
      assert.ok(ids(all).includes(n.x!) && ids(all).includes(n.b!));
      assert.ok(all.json().every((row: Json) => row.type === 'rappel'));
    });

    test('sort id, -id, date_envoi; unknown field → 422; bad filters → 422', async () => {
      const q = `/notifications/?user_id=${reader.id}`;
      assert.deepEqual(ids(await request('GET', `${q}&sort=id`, tokens.admin)), [n.a, n.b, n.c, n.d, n.e]);
      assert.deepEqual(ids(await request('GET', `${q}&sort=-id`, tokens.admin)), [n.e, n.d, n.c, n.b, n.a]);
      assert.deepEqual(ids(await request('GET', `${q}&sort=date_envoi`, tokens.admin)), [n.a, n.b, n.d, n.c, n.e]);
      assert.deepEqual(ids(await request('GET', `${q}&sort=date_envoi,-id`, tokens.admin)), [n.a, n.d, n.b, n.c, n.e]);
      assert422(await request('GET', `${q}&sort=contenu`, tokens.admin), ['query', 'sort']);
      assert422(await request('GET', `${q}&type=urgent`, tokens.admin), ['query', 'type', 0]);
      assert422(await request('GET', `${q}&canal=fax`, tokens.admin), ['query', 'canal', 0]);
      assert422(await request('GET', `${q}&lu=peut-etre`, tokens.admin), ['query', 'lu']);
      assert422(await request('GET', '/notifications/?user_id=abc', tokens.admin), ['query', 'user_id']);
    });

    test('RBAC: responsable, technicien, client → 403 "Accès réservé aux rôles : admin"; no token → 401; root alias', async () => {
      for (const role of ['responsable', 'technicien', 'client'] as const) {
        assertError(await request('GET', '/notifications/', tokens[role]), 403, 'Accès réservé aux rôles : admin');
      }
      assertError(await request('GET', '/notifications/', null), 401, 'Non authentifié');
      const root = await t().app.inject({ method: 'GET', url: `/notifications?user_id=${reader.id}`, headers: bearer(tokens.admin) });
      assert.equal(root.statusCode, 200);
      assert.equal(root.headers['x-total-count'], '5');
    });
  });

  describe('GET /notifications/user/me', () => {
    test('reachable (not shadowed by /user/{user_id}): own rows only, -date_envoi, X-Total-Count; root alias and trailing slash', async () => {
      for (const url of ['/api/v1/notifications/user/me', '/api/v1/notifications/user/me/', '/notifications/user/me']) {
        const response = await t().app.inject({ method: 'GET', url, headers: bearer(readerTokens) });
        assert.equal(response.statusCode, 200, url);
        assert.equal(response.headers['x-total-count'], '5');
        assert.deepEqual(ids(response), [n.e, n.c, n.b, n.d, n.a]);
      }
      const own = await request('GET', '/notifications/user/me', otherTokens);
      assert.deepEqual(ids(own), [n.x]);
      // The front end sends Content-Type: application/json with an empty body on GET too.
      const emptyBody = await request('GET', '/notifications/user/me', otherTokens, '', { 'content-type': 'application/json' });
      assert.equal(emptyBody.statusCode, 200);
      assert.deepEqual(ids(emptyBody), [n.x]);
    });

    test('every role reads its own list', async () => {
      for (const role of ['admin', 'responsable', 'technicien', 'client'] as const) {
        const response = await request('GET', '/notifications/user/me?limit=500', tokens[role]);
        assert.equal(response.statusCode, 200, role);
        assert.ok(response.json().every((row: Json) => row.user_id === users[role].id), role);
      }
      assertError(await request('GET', '/notifications/user/me', null), 401, 'Non authentifié');
    });

    test('filters lu and type; sort; default limit 50; bad input → 422', async () => {
      assert.deepEqual(ids(await request('GET', '/notifications/user/me?lu=false', readerTokens)), [n.b, n.d, n.a]);
      assert.deepEqual(ids(await request('GET', '/notifications/user/me?lu=1&type=retard', readerTokens)), [n.c]);
      assert.deepEqual(ids(await request('GET', '/notifications/user/me?type=rappel,affectation', readerTokens)), [n.b, n.d, n.a]);
      assert.deepEqual(ids(await request('GET', '/notifications/user/me?sort=id&limit=2&offset=1', readerTokens)), [n.b, n.c]);
      const manyTokens = await login(t(), many);
      const page = await request('GET', '/notifications/user/me', manyTokens);
      assert.equal(page.json().length, 50);
      assert.equal(page.headers['x-total-count'], '55');
      assert422(await request('GET', '/notifications/user/me?type=urgent', readerTokens), ['query', 'type', 0]);
      assert422(await request('GET', '/notifications/user/me?sort=user_id', readerTokens), ['query', 'sort']);
      assert422(await request('GET', '/notifications/user/me?lu=maybe', readerTokens), ['query', 'lu']);
    });
  });

  describe('GET /notifications/user/{user_id}', () => {
    test('admin reads anyone’s list, with filters; an unknown user → empty list', async () => {
      const response = await request('GET', `/notifications/user/${reader.id}?lu=false&type=rappel`, tokens.admin);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-total-count'], '2');
      assert.deepEqual(ids(response), [n.b, n.d]);
      const none = await request('GET', '/notifications/user/999999', tokens.admin);
      assert.equal(none.statusCode, 200);
      assert.deepEqual(none.json(), []);
      assert.equal(none.headers['x-total-count'], '0');
    });

    test('any user reads their own id', async () => {
      const response = await request('GET', `/notifications/user/${reader.id}`, readerTokens);
      assert.equal(response.statusCode, 200);
      assert.deepEqual(ids(response), [n.e, n.c, n.b, n.d, n.a]);
    });

    test("another user's id → 403 \"Accès réservé aux rôles : admin\" (audited rbac.denied), for every non-admin role", async () => {
      for (const role of ['responsable', 'technicien', 'client'] as const) {
        assertError(await request('GET', `/notifications/user/${reader.id}`, tokens[role]), 403, 'Accès réservé aux rôles : admin');
      }
      const audit = await t().db
        .selectFrom('audit_events')
        .select(['actor_user_id', 'outcome', 'resource_type', 'resource_id', 'details'])
        .where('event_type', '=', 'rbac.denied')
        .where('resource_type', '=', 'user')
        .where('resource_id', '=', String(reader.id))
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.map((a) => [a.actor_user_id, a.outcome, (a.details as Json).reason]),
        [
          [users.responsable.id, 'denied', 'role'],
          [users.technicien.id, 'denied', 'role'],
          [users.client.id, 'denied', 'role'],
        ],
      );
    });

    test('bad id → 422; bad filters → 422', async () => {
      assert422(await request('GET', '/notifications/user/abc', tokens.admin), ['path', 'user_id']);
      assert422(await request('GET', '/notifications/user/0', tokens.admin), ['path', 'user_id']);
      assert422(await request('GET', `/notifications/user/${reader.id}?type=x`, readerTokens), ['query', 'type', 0]);
    });
  });
});

describe('read state', () => {
  let owner: TestUser;
  let ownerTokens: Tokens;
  let stranger: TestUser;

  before(async () => {
    owner = await seedUser(t(), 'technicien');
    ownerTokens = await login(t(), owner);
    stranger = await seedUser(t(), 'technicien');
  });

  test('PUT /notifications/{id}/read: lu and date_lecture persisted; idempotent (date_lecture kept)', async () => {
    const [id] = await seed(owner.id, [{}]);
    const response = await request('PUT', `/notifications/${id}/read`, ownerTokens);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Notification marquée comme lue' });
    const firstRead = clock.now().toISOString();
    assert.equal((await notificationRow(id!))?.lu, true);
    assert.equal((await notificationRow(id!))?.date_lecture?.toISOString(), firstRead);
    clock.advance(5 * MINUTE);
    const again = await request('PUT', `/notifications/${id}/read/`, ownerTokens, '', { 'content-type': 'application/json' });
    assert.equal(again.statusCode, 200);
    assert.equal((await notificationRow(id!))?.date_lecture?.toISOString(), firstRead);
    const listed = await request('GET', '/notifications/user/me?lu=true', ownerTokens);
    const item = listed.json().find((row: Json) => row.id === id);
    assert.deepEqual([item.lu, item.date_lecture], [true, firstRead]);
  });

  test("someone else's notification → 404 \"Notification non trouvée\" (admin included), audited hors_perimetre, unchanged", async () => {
    const [id] = await seed(stranger.id, [{}]);
    for (const caller of [ownerTokens, tokens.admin, tokens.responsable]) {
      assertError(await request('PUT', `/notifications/${id}/read`, caller), 404, 'Notification non trouvée');
    }
    const row = await notificationRow(id!);
    assert.deepEqual([row?.lu, row?.date_lecture], [false, null]);
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['actor_user_id', 'outcome', 'details'])
      .where('event_type', '=', 'rbac.denied')
      .where('resource_type', '=', 'notification')
      .where('resource_id', '=', String(id))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.actor_user_id, a.outcome, (a.details as Json).reason]),
      [
        [owner.id, 'denied', 'hors_perimetre'],
        [users.admin.id, 'denied', 'hors_perimetre'],
        [users.responsable.id, 'denied', 'hors_perimetre'],
      ],
    );
  });

  test('missing → 404; bad id → 422; no token → 401', async () => {
    assertError(await request('PUT', '/notifications/999999/read', ownerTokens), 404, 'Notification non trouvée');
    assert422(await request('PUT', '/notifications/abc/read', ownerTokens), ['path', 'notification_id']);
    assertError(await request('PUT', '/notifications/1/read', null), 401, 'Non authentifié');
  });

  test('PUT /notifications/read-all: own unread only, count, date_lecture of already-read rows kept; then count 0', async () => {
    const reader = await seedUser(t(), 'client', { clientId: await insertClient(t().db) });
    const readerTokens = await login(t(), reader);
    const [r1, r2, r3] = await seed(reader.id, [{}, {}, {}]);
    const [foreign] = await seed(stranger.id, [{}]);
    const earlier = new Date('2026-06-01T00:00:00Z');
    await t().db.updateTable('notifications').set({ lu: true, date_lecture: earlier }).where('id', '=', r3!).execute();
    clock.advance(MINUTE);
    const response = await request('PUT', '/notifications/read-all', readerTokens);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Notifications marquées comme lues', count: 2 });
    for (const id of [r1!, r2!]) {
      const row = await notificationRow(id);
      assert.deepEqual([row?.lu, row?.date_lecture?.toISOString()], [true, clock.now().toISOString()]);
    }
    assert.equal((await notificationRow(r3!))?.date_lecture?.toISOString(), earlier.toISOString());
    assert.equal((await notificationRow(foreign!))?.lu, false);
    const again = await t().app.inject({ method: 'PUT', url: '/notifications/read-all/', headers: { ...bearer(readerTokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), { message: 'Notifications marquées comme lues', count: 0 });
    assertError(await request('PUT', '/notifications/read-all', null), 401, 'Non authentifié');
  });
});

describe('DELETE /notifications/{id}', () => {
  test('admin: 200 {"detail":"Notification supprimée"}, row gone, audited data.deleted; again → 404', async () => {
    const [id] = await seed(users.technicien.id, [{}]);
    const response = await request('DELETE', `/notifications/${id}`, tokens.admin);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { detail: 'Notification supprimée' });
    assert.equal(await notificationRow(id!), undefined);
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_user_id', 'resource_type', 'resource_id'])
      .where('event_type', '=', 'data.deleted')
      .where('resource_type', '=', 'notification')
      .where('resource_id', '=', String(id))
      .execute();
    assert.deepEqual(audit, [{ event_type: 'data.deleted', outcome: 'success', actor_user_id: users.admin.id, resource_type: 'notification', resource_id: String(id) }]);
    assertError(await request('DELETE', `/notifications/${id}`, tokens.admin), 404, 'Notification non trouvée');
  });

  test('responsable, technicien (even the recipient) and client → 403; the row stays; bad id → 422; empty JSON body accepted', async () => {
    const [id] = await seed(users.technicien.id, [{}]);
    for (const role of ['responsable', 'technicien', 'client'] as const) {
      assertError(await request('DELETE', `/notifications/${id}`, tokens[role]), 403, 'Accès réservé aux rôles : admin');
    }
    assert.notEqual(await notificationRow(id!), undefined);
    assert422(await request('DELETE', '/notifications/abc', tokens.admin), ['path', 'notification_id']);
    const response = await t().app.inject({ method: 'DELETE', url: `/notifications/${id}/`, headers: { ...bearer(tokens.admin), 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 200);
    assert.equal(await notificationRow(id!), undefined);
  });
});
