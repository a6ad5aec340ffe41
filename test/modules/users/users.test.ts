import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { bearer, FakeClock, login, MINUTE, seedUser, type Tokens, type TestUser } from '../../helpers/auth.js';
import { insertClient, insertTechnicien } from '../../helpers/fixtures.js';
import { deactivateUser } from '../../../src/modules/users/service.js';
import { AppError } from '../../../src/lib/errors.js';

const clock = new FakeClock();
let t: TestApp;
let admin: TestUser;
let adminTokens: Tokens;
let resp: TestUser;
let respTokens: Tokens;
let tech: TestUser;
let techTokens: Tokens;
let clientUser: TestUser;
let clientTokens: Tokens;
let clientId: number;

before(async () => {
  t = await createTestApp({ clock });
  clientId = await insertClient(t.app.db);
  admin = await seedUser(t, 'admin');
  resp = await seedUser(t, 'responsable');
  tech = await seedUser(t, 'technicien');
  clientUser = await seedUser(t, 'client', { clientId });
  [adminTokens, respTokens, techTokens, clientTokens] = await Promise.all([login(t, admin), login(t, resp), login(t, tech), login(t, clientUser)]);
});
after(async () => {
  await t.close();
});

type Json = Record<string, any>;

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, tokens?: Tokens | string | null, payload?: unknown, remoteAddress?: string) {
  const response = await t.app.inject({
    method,
    url: url.startsWith('/') && !url.startsWith('/api/') ? `/api/v1${url}` : url,
    headers: tokens ? bearer(tokens) : {},
    ...(payload === undefined ? {} : { payload: payload as Json }),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  return { status: response.statusCode, headers: response.headers, body: response.body ? (JSON.parse(response.body) as any) : null };
}

function assertError(response: { status: number; body: any }, status: number, code: string, message: string) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.error.code, code);
  assert.equal(response.body.error.message, message);
  assert.equal(typeof response.body.error.trace_id, 'string');
}

async function userCount(): Promise<number> {
  const row = await t.app.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditRows(eventType: string, resourceId?: number) {
  let query = t.app.db.selectFrom('audit_events').selectAll().where('event_type', '=', eventType);
  if (resourceId !== undefined) query = query.where('resource_id', '=', String(resourceId));
  return query.orderBy('id').execute();
}

async function assertAudited(eventType: string, actorId: number, resourceId: number, outcome = 'success') {
  const rows = await auditRows(eventType, resourceId);
  assert.equal(rows.length > 0, true, `audit ${eventType} for ${resourceId}`);
  const row = rows.at(-1)!;
  assert.equal(row.outcome, outcome);
  assert.equal(row.actor_user_id, actorId);
  assert.equal(row.resource_type, 'user');
  assert.equal(row.resource_id, String(resourceId));
  return row;
}

/** Both tokens of a session are dead: the access token on /auth/me, the refresh token on /auth/refresh. */
async function assertTokensDead(tokens: Tokens, message = 'Token invalide ou expiré') {
  const me = await call('GET', '/auth/me', tokens);
  assertError(me, 401, 'UNAUTHORIZED', message);
  const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: tokens.refresh_token } });
  assert.equal(refreshed.statusCode, 401);
  assert.equal(refreshed.json().error.message, 'Refresh token invalide');
}

async function assertTokensAlive(tokens: Tokens) {
  const me = await call('GET', '/auth/me', tokens);
  assert.equal(me.status, 200);
}

let uniq = 0;
function newUserBody(overrides: Json = {}): Json {
  uniq++;
  return {
    username: `nouveau.${uniq}`,
    full_name: `Nouvel Utilisateur ${uniq}`,
    email: `nouveau.${uniq}@exemple.test`,
    role: 'technicien',
    password: 'Atelier#Moteur-2026',
    ...overrides,
  };
}

const USER_OUT_KEYS = ['client_id', 'created_at', 'email', 'full_name', 'id', 'is_active', 'last_login', 'role', 'technicien_id', 'updated_at', 'username'];

describe('POST /users/', () => {
  test('admin creates a user → 201 UserOut, e-mail lower-cased, argon2 hash, audit user.created', async () => {
    const response = await call('POST', '/users/', adminTokens, newUserBody({ username: 'nadia.b', full_name: '  Nadia Bennani  ', email: ' Nadia.B@Exemple.TEST ', role: 'responsable' }));
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const body = response.body;
    assert.deepEqual(Object.keys(body).sort(), USER_OUT_KEYS);
    assert.equal(typeof body.id, 'number');
    assert.equal(body.username, 'nadia.b');
    assert.equal(body.full_name, 'Nadia Bennani');
    assert.equal(body.email, 'nadia.b@exemple.test');
    assert.equal(body.role, 'responsable');
    assert.equal(body.is_active, true);
    assert.equal(body.created_at, clock.now().toISOString());
    assert.equal(body.updated_at, clock.now().toISOString());
    assert.equal(body.last_login, null);
    assert.equal(body.client_id, null);
    assert.equal(body.technicien_id, null);
    const row = await t.app.db.selectFrom('users').select('hashed_password').where('id', '=', body.id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audit = await assertAudited('user.created', admin.id, body.id);
    assert.equal(audit.actor_role, 'admin');
    assert.ok(!JSON.stringify(audit.details).includes('Atelier#Moteur-2026'));
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: 'NADIA.B@exemple.test', password: 'Atelier#Moteur-2026' } });
    assert.equal(login.statusCode, 200);
  });

  test('a client account can be linked to an existing client company', async () => {
    const response = await call('POST', '/users', adminTokens, newUserBody({ role: 'client', client_id: clientId }));
    assert.equal(response.status, 201);
    assert.equal(response.body.role, 'client');
    assert.equal(response.body.client_id, clientId);
  });

  test('client_id on a non-client role → 422 with the specific message; unknown client → 404', async () => {
    const before = await userCount();
    const wrongRole = await call('POST', '/users/', adminTokens, newUserBody({ role: 'technicien', client_id: clientId }));
    assertError(wrongRole, 422, 'VALIDATION_ERROR', 'Seul un utilisateur client peut être rattaché à un client');
    assert.deepEqual(wrongRole.body.error.details[0].loc, ['body', 'client_id']);
    const unknown = await call('POST', '/users/', adminTokens, newUserBody({ role: 'client', client_id: 999_999 }));
    assertError(unknown, 404, 'RESOURCE_NOT_FOUND', 'Client introuvable');
    assert.equal(await userCount(), before);
  });

  test('duplicate e-mail or username (case-insensitive) → 409, checked before the password', async () => {
    const before = await userCount();
    const email = await call('POST', '/users/', adminTokens, newUserBody({ email: resp.email.toUpperCase(), password: 'abc' }));
    assertError(email, 409, 'CONFLICT', 'Email déjà utilisé.');
    const username = await call('POST', '/users/', adminTokens, newUserBody({ username: resp.username.toUpperCase(), password: 'abc' }));
    assertError(username, 409, 'CONFLICT', 'Username déjà utilisé.');
    assert.equal(await userCount(), before);
  });

  test('a password failing the policy → 400 with every failing rule, audited without the password, nothing created', async () => {
    const before = await userCount();
    const body = newUserBody({ username: 'jdupont', email: 'jdupont@exemple.test', password: 'Jdupont#2026' });
    const response = await call('POST', '/users/', adminTokens, body);
    assertError(response, 400, 'BAD_REQUEST', "Mot de passe invalide: Le mot de passe ne doit pas contenir le nom d'utilisateur; Le mot de passe ne doit pas contenir la partie locale de l'adresse e-mail");
    assert.deepEqual(response.body.error.details, ['contains_username', 'contains_email']);
    assert.equal(await userCount(), before);
    const rows = await auditRows('auth.password.policy_violation');
    const row = rows.at(-1)!;
    assert.equal(row.outcome, 'failure');
    assert.equal(row.actor_user_id, admin.id);
    assert.deepEqual(row.details.rules, ['contains_username', 'contains_email']);
    assert.ok(!JSON.stringify(row.details).includes('Jdupont#2026'));
  });

  test('invalid input → 422 envelope located on the field, and no row written', async () => {
    const before = await userCount();
    const cases: [Json, (string | number)[], string][] = [
      [{ full_name: undefined }, ['body', 'full_name'], 'missing'],
      [{ full_name: '   ' }, ['body', 'full_name'], 'value'],
      [{ full_name: { nom: 'x' } }, ['body', 'full_name'], 'type'],
      [{ email: 'pas-une-adresse' }, ['body', 'email'], 'format'],
      [{ role: 'chef' }, ['body', 'role'], 'enum'],
      [{ role: 'Admin' }, ['body', 'role'], 'enum'],
      [{ username: 'u'.repeat(101) }, ['body', 'username'], 'too_long'],
      [{ username: 'ligne\nbrisée' }, ['body', 'username'], 'value'],
      [{ full_name: 'n'.repeat(256) }, ['body', 'full_name'], 'too_long'],
      [{ email: `${'e'.repeat(250)}@x.test` }, ['body', 'email'], 'too_long'],
      [{ client_id: 'abc', role: 'client' }, ['body', 'client_id'], 'type'],
      [{ client_id: 0, role: 'client' }, ['body', 'client_id'], 'range'],
      [{ password: undefined }, ['body', 'password'], 'missing'],
    ];
    for (const [overrides, loc, type] of cases) {
      const body = newUserBody(overrides);
      for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];
      const response = await call('POST', '/users/', adminTokens, body);
      assert.equal(response.status, 422, `${JSON.stringify(overrides)} → ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.code, 'VALIDATION_ERROR');
      const issue = response.body.error.details.find((d: any) => JSON.stringify(d.loc) === JSON.stringify(loc));
      assert.ok(issue, `${JSON.stringify(overrides)}: ${JSON.stringify(response.body.error.details)}`);
      assert.equal(issue.type, type, JSON.stringify(overrides));
    }
    const malformed = await t.app.inject({ method: 'POST', url: '/api/v1/users/', headers: { ...bearer(adminTokens), 'content-type': 'application/json' }, payload: '{"username":' });
    assert.equal(malformed.statusCode, 422);
    assert.equal(malformed.json().error.details[0].type, 'json_invalid');
    assert.equal(await userCount(), before);
  });

  test('unknown fields are ignored (no mass assignment)', async () => {
    const response = await call('POST', '/users/', adminTokens, newUserBody({ id: 424242, is_active: false, hashed_password: 'x', tokens_valid_after: '2030-01-01T00:00:00Z', last_login: '2020-01-01T00:00:00Z' }));
    assert.equal(response.status, 201);
    assert.notEqual(response.body.id, 424242);
    assert.equal(response.body.is_active, true);
    assert.equal(response.body.last_login, null);
    const row = await t.app.db.selectFrom('users').select(['hashed_password', 'tokens_valid_after']).where('id', '=', response.body.id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password, /^\$argon2id\$/);
    assert.equal(row.tokens_valid_after, null);
  });

  test('concurrent creations with one e-mail → exactly one 201, the others 409 "Email déjà utilisé." (never 500)', async () => {
    const email = 'course@exemple.test';
    const responses = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => call('POST', '/users/', adminTokens, newUserBody({ email, username: `course.${i}` }))),
    );
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409]);
    for (const r of responses.filter((r) => r.status === 409)) assert.equal(r.body.error.message, 'Email déjà utilisé.');
    const rows = await t.app.db.selectFrom('users').select('id').where('email', '=', email).execute();
    assert.equal(rows.length, 1);
  });
});

describe('GET /users/ (list)', () => {
  const ids: Record<string, number> = {};
  before(async () => {
    const specs: [string, string, string, boolean][] = [
      ['zzlist-alpha', 'Remise 100% Alpha', 'technicien', true],
      ['zzlist-Bravo', 'Remise 1000 Bravo', 'technicien', true],
      ['zzlist-charlie', 'Charlie_Souligné', 'client', true],
      ['zzlist-delta', 'Delta Inactif', 'responsable', false],
    ];
    for (const [username, fullName, role, active] of specs) {
      const created = await call('POST', '/users/', adminTokens, {
        username,
        full_name: fullName,
        email: `${username.toLowerCase()}@liste.test`,
        role,
        password: 'Atelier#Moteur-2026',
        ...(role === 'client' ? { client_id: clientId } : {}),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids[username] = created.body.id;
      if (!active) await t.app.db.updateTable('users').set({ is_active: false }).where('id', '=', created.body.id).execute();
    }
  });

  test('plain array of UserOut and X-Total-Count, default order by id', async () => {
    const response = await call('GET', '/users/?q=zzlist', adminTokens);
    assert.equal(response.status, 200);
    assert.ok(Array.isArray(response.body));
    assert.equal(response.headers['x-total-count'], '4');
    assert.deepEqual(response.body.map((u: any) => u.username), ['zzlist-alpha', 'zzlist-Bravo', 'zzlist-charlie', 'zzlist-delta']);
    assert.deepEqual(Object.keys(response.body[0]).sort(), USER_OUT_KEYS);
    const all = await call('GET', '/users', adminTokens);
    assert.equal(all.headers['x-total-count'], String(await userCount()));
    assert.equal(all.body.length, await userCount());
  });

  test('limit and offset page the rows; the count is before paging', async () => {
    const page = await call('GET', '/users/?q=zzlist&limit=2&offset=1', adminTokens);
    assert.equal(page.status, 200);
    assert.equal(page.headers['x-total-count'], '4');
    assert.deepEqual(page.body.map((u: any) => u.username), ['zzlist-Bravo', 'zzlist-charlie']);
    const beyond = await call('GET', '/users/?q=zzlist&offset=10', adminTokens);
    assert.deepEqual(beyond.body, []);
    assert.equal(beyond.headers['x-total-count'], '4');
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'offset=-1']) {
      const response = await call('GET', `/users/?${bad}`, adminTokens);
      assert.equal(response.status, 422, bad);
      assert.equal(response.body.error.details[0].loc[0], 'query');
    }
  });

  test('sort with `-`, case-insensitive username order; unknown sort field → 422', async () => {
    const desc = await call('GET', '/users/?q=zzlist&sort=-username', adminTokens);
    assert.deepEqual(desc.body.map((u: any) => u.username), ['zzlist-delta', 'zzlist-charlie', 'zzlist-Bravo', 'zzlist-alpha']);
    const byEmail = await call('GET', '/users/?q=zzlist&sort=email', adminTokens);
    assert.deepEqual(byEmail.body.map((u: any) => u.username), ['zzlist-alpha', 'zzlist-Bravo', 'zzlist-charlie', 'zzlist-delta']);
    const unknown = await call('GET', '/users/?sort=hashed_password', adminTokens);
    assertError(unknown, 422, 'VALIDATION_ERROR', 'Erreur de validation des données');
    assert.deepEqual(unknown.body.error.details[0].loc, ['query', 'sort']);
  });

  test('q is a case-insensitive substring on username, full name and e-mail; % and _ match literally', async () => {
    const percent = await call('GET', `/users/?q=${encodeURIComponent('100%')}`, adminTokens);
    assert.deepEqual(percent.body.map((u: any) => u.username), ['zzlist-alpha']);
    const onlyPercent = await call('GET', `/users/?q=${encodeURIComponent('%')}`, adminTokens);
    assert.deepEqual(onlyPercent.body.map((u: any) => u.username), ['zzlist-alpha']);
    const underscore = await call('GET', `/users/?q=${encodeURIComponent('e_s')}`, adminTokens);
    assert.deepEqual(underscore.body.map((u: any) => u.username), ['zzlist-charlie']);
    const backslash = await call('GET', `/users/?q=${encodeURIComponent('\\')}`, adminTokens);
    assert.deepEqual(backslash.body, []);
    const upper = await call('GET', '/users/?q=BRAVO', adminTokens);
    assert.deepEqual(upper.body.map((u: any) => u.username), ['zzlist-Bravo']);
    const byEmail = await call('GET', '/users/?q=charlie%40liste', adminTokens);
    assert.deepEqual(byEmail.body.map((u: any) => u.username), ['zzlist-charlie']);
  });

  test('filters role (comma list or repeated), is_active (query booleans) and client_id combine with AND', async () => {
    const comma = await call('GET', '/users/?q=zzlist&role=client,responsable', adminTokens);
    assert.deepEqual(comma.body.map((u: any) => u.username), ['zzlist-charlie', 'zzlist-delta']);
    const repeated = await call('GET', '/users/?q=zzlist&role=client&role=responsable', adminTokens);
    assert.deepEqual(repeated.body.map((u: any) => u.username), ['zzlist-charlie', 'zzlist-delta']);
    for (const word of ['false', '0', 'no', 'off', 'NO']) {
      const inactive = await call('GET', `/users/?q=zzlist&is_active=${word}`, adminTokens);
      assert.deepEqual(inactive.body.map((u: any) => u.username), ['zzlist-delta'], word);
    }
    for (const word of ['true', '1', 'yes', 'on']) {
      const active = await call('GET', `/users/?q=zzlist&is_active=${word}&role=technicien`, adminTokens);
      assert.deepEqual(active.body.map((u: any) => u.username), ['zzlist-alpha', 'zzlist-Bravo'], word);
    }
    const byClient = await call('GET', `/users/?q=zzlist&client_id=${clientId}`, adminTokens);
    assert.deepEqual(byClient.body.map((u: any) => u.username), ['zzlist-charlie']);
    const badRole = await call('GET', '/users/?role=chef', adminTokens);
    assert.equal(badRole.status, 422);
    assert.equal(badRole.body.error.details[0].loc[1], 'role');
    const badBool = await call('GET', '/users/?is_active=peut-etre', adminTokens);
    assert.equal(badBool.status, 422);
    assert.deepEqual(badBool.body.error.details[0].loc, ['query', 'is_active']);
  });

  test('responsable may list and read; technicien and client get 403; no token → 401', async () => {
    const list = await call('GET', '/users/?q=zzlist', respTokens);
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 4);
    const read = await call('GET', `/users/${ids['zzlist-alpha']}`, respTokens);
    assert.equal(read.status, 200);
    assert.equal(read.body.username, 'zzlist-alpha');
    for (const tokens of [techTokens, clientTokens]) {
      assertError(await call('GET', '/users/', tokens), 403, 'FORBIDDEN', 'Accès réservé aux rôles : admin, responsable');
      assertError(await call('GET', `/users/${admin.id}`, tokens), 403, 'FORBIDDEN', 'Accès réservé aux rôles : admin, responsable');
    }
    const anonymous = await call('GET', '/users/');
    assertError(anonymous, 401, 'UNAUTHORIZED', 'Non authentifié');
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
  });
});

describe('GET /users/me and GET /users/{user_id}', () => {
  test('every role reads its own profile, with its technician profile id', async () => {
    const technicienId = await insertTechnicien(t.app.db, tech.id);
    for (const [user, tokens] of [
      [admin, adminTokens],
      [resp, respTokens],
      [tech, techTokens],
      [clientUser, clientTokens],
    ] as const) {
      const response = await call('GET', '/users/me', tokens);
      assert.equal(response.status, 200);
      assert.equal(response.body.id, user.id);
      assert.equal(response.body.email, user.email);
      assert.equal(response.body.role, user.role);
      assert.equal(response.body.last_login, clock.now().toISOString());
    }
    assert.equal((await call('GET', '/users/me', techTokens)).body.technicien_id, technicienId);
    assert.equal((await call('GET', '/users/me', clientTokens)).body.client_id, clientId);
    const legacyRoot = await call('GET', '/users/me/', techTokens);
    assert.equal(legacyRoot.status, 200);
    const root = await t.app.inject({ method: 'GET', url: '/users/me', headers: bearer(techTokens) });
    assert.equal(root.statusCode, 200);
    assertError(await call('GET', '/users/me'), 401, 'UNAUTHORIZED', 'Non authentifié');
  });

  test('by id: 200, 404 "Utilisateur non trouvé.", and 422 for a non-positive or non-integer id', async () => {
    const found = await call('GET', `/users/${resp.id}`, adminTokens);
    assert.equal(found.status, 200);
    assert.equal(found.body.username, resp.username);
    assertError(await call('GET', '/users/999999', adminTokens), 404, 'RESOURCE_NOT_FOUND', 'Utilisateur non trouvé.');
    for (const bad of ['0', '-3', 'abc', '1.5']) {
      const response = await call('GET', `/users/${bad}`, adminTokens);
      assert.equal(response.status, 422, bad);
      assert.deepEqual(response.body.error.details[0].loc, ['path', 'user_id']);
    }
  });
});

describe('RBAC on writes', () => {
  test('responsable, technicien and client get 403 "Accès réservé aux rôles : admin" on every write, and nothing changes', async () => {
    const target = await seedUser(t, 'technicien');
    const writes: [string, string, unknown][] = [
      ['POST', '/users/', newUserBody()],
      ['PATCH', `/users/${target.id}`, { full_name: 'Piraté' }],
      ['DELETE', `/users/${target.id}`, undefined],
      ['PATCH', `/users/${target.id}/activate`, undefined],
      ['POST', `/users/${target.id}/reset-password`, { new_password: 'Nouveau#Secret-2026' }],
      ['POST', `/users/${target.id}/revoke-sessions`, undefined],
    ];
    const before = await userCount();
    for (const tokens of [respTokens, techTokens, clientTokens]) {
      for (const [method, url, payload] of writes) {
        const response = await call(method as 'POST', url, tokens, payload);
        assertError(response, 403, 'FORBIDDEN', 'Accès réservé aux rôles : admin');
      }
    }
    assert.equal(await userCount(), before);
    const row = await t.app.db.selectFrom('users').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
    assert.equal(row.full_name, `Test ${target.username}`);
    assert.equal(row.is_active, true);
    assert.equal(row.tokens_valid_after, null);
    const denied = await t.app.db.selectFrom('audit_events').select('id').where('event_type', '=', 'rbac.denied').where('actor_user_id', '=', resp.id).execute();
    assert.equal(denied.length, writes.length);
    for (const [method, url, payload] of writes) assertError(await call(method as 'POST', url, null, payload), 401, 'UNAUTHORIZED', 'Non authentifié');
  });
});

describe('PUT /users/update (self)', () => {
  test('full_name only → 200 UserOut without tokens; other keys are ignored; audited', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    clock.advance(MINUTE);
    const response = await call('PUT', '/users/update', tokens, { full_name: '  Youssef Amrani ', role: 'admin', email: 'pirate@exemple.test', is_active: false });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body).sort(), USER_OUT_KEYS);
    assert.equal(response.body.full_name, 'Youssef Amrani');
    assert.equal(response.body.role, 'technicien');
    assert.equal(response.body.email, user.email);
    assert.equal(response.body.is_active, true);
    assert.equal(response.body.updated_at, clock.now().toISOString());
    await assertTokensAlive(tokens);
    const audit = await assertAudited('user.updated', user.id, user.id);
    assert.deepEqual(audit.details.fields, ['full_name']);
  });

  test('password with the current one → UserOut + a new session; every old token dies; the new password logs in', async () => {
    const user = await seedUser(t, 'client', { clientId });
    const first = await login(t, user);
    const second = await login(t, user);
    const response = await call('PUT', '/users/update', first, { password: 'Nouveau#Secret-2026', current_password: user.password, full_name: 'Salma Idrissi' });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const body = response.body;
    assert.equal(body.id, user.id);
    assert.equal(body.full_name, 'Salma Idrissi');
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(typeof body.access_token, 'string');
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    await assertTokensDead(first);
    await assertTokensDead(second);
    await assertTokensAlive(body.access_token);
    const sessions = await t.app.db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).where('revoked_at', 'is not', null).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['password_changed', 'password_changed']);
    const oldLogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.9.0.1', payload: { email: user.email, password: user.password } });
    assert.equal(oldLogin.statusCode, 401);
    await login(t, { email: user.email, password: 'Nouveau#Secret-2026' });
    await assertAudited('auth.password.changed', user.id, user.id);
  });

  test('password without current_password → 400 "Mot de passe actuel requis"; a wrong one → 400 and counts as a failed attempt', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    const missing = await call('PUT', '/users/update', tokens, { password: 'Nouveau#Secret-2026' });
    assertError(missing, 400, 'BAD_REQUEST', 'Mot de passe actuel requis');
    const nullCurrent = await call('PUT', '/users/update', tokens, { password: 'Nouveau#Secret-2026', current_password: null });
    assertError(nullCurrent, 400, 'BAD_REQUEST', 'Mot de passe actuel requis');
    const wrong = await call('PUT', '/users/update', tokens, { password: 'Nouveau#Secret-2026', current_password: 'Mauvais#1Pass', full_name: 'Jamais Appliqué' }, '10.9.0.2');
    assertError(wrong, 400, 'BAD_REQUEST', 'Mot de passe actuel incorrect');
    const attempts = await t.app.db.selectFrom('login_attempts').selectAll().where('user_id', '=', user.id).where('endpoint', '=', 'users_update').execute();
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.reason, 'bad_password');
    const lockout = await t.app.db.selectFrom('lockouts').select('failures').where('scope', '=', 'account').where('key', '=', `user:${user.id}`).executeTakeFirstOrThrow();
    assert.equal(lockout.failures, 1);
    const weak = await call('PUT', '/users/update', tokens, { password: 'abc', current_password: user.password });
    assert.equal(weak.status, 400);
    assert.match(weak.body.error.message, /^Mot de passe invalide: Le mot de passe doit contenir au moins 8 caractères; /);
    const row = await t.app.db.selectFrom('users').select('full_name').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.full_name, `Test ${user.username}`);
    await assertTokensAlive(tokens);
    await login(t, user);
  });

  test('an empty body changes nothing; an empty full_name → 422', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    const empty = await t.app.inject({ method: 'PUT', url: '/api/v1/users/update', headers: { ...bearer(tokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 200);
    assert.equal(empty.json().full_name, `Test ${user.username}`);
    const blank = await call('PUT', '/users/update', tokens, { full_name: '  ' });
    assert.equal(blank.status, 422);
    assert.deepEqual(blank.body.error.details[0].loc, ['body', 'full_name']);
  });
});

describe('PATCH /users/{user_id}', () => {
  test('full_name, e-mail and username → 200 UserOut, audit user.updated with the changed field names', async () => {
    const user = await seedUser(t, 'technicien');
    clock.advance(MINUTE);
    const response = await call('PATCH', `/users/${user.id}`, adminTokens, { full_name: 'Karim Tazi', email: 'Karim.Tazi@Exemple.TEST', username: 'ktazi', hashed_password: 'x' });
    assert.equal(response.status, 200);
    assert.equal(response.body.full_name, 'Karim Tazi');
    assert.equal(response.body.email, 'karim.tazi@exemple.test');
    assert.equal(response.body.username, 'ktazi');
    assert.equal(response.body.role, 'technicien');
    assert.equal(response.body.updated_at, clock.now().toISOString());
    const audit = await assertAudited('user.updated', admin.id, user.id);
    assert.deepEqual(audit.details.fields, ['username', 'full_name', 'email']);
    assert.equal((await auditRows('user.role_changed', user.id)).length, 0);
  });

  test('role change → user.role_changed with old → new; leaving the client role unlinks the client', async () => {
    const user = await seedUser(t, 'client', { clientId });
    const response = await call('PATCH', `/users/${user.id}`, adminTokens, { role: 'responsable' });
    assert.equal(response.status, 200);
    assert.equal(response.body.role, 'responsable');
    assert.equal(response.body.client_id, null);
    const audit = await assertAudited('user.role_changed', admin.id, user.id);
    assert.deepEqual(audit.details, { old_role: 'client', new_role: 'responsable' });
    const updated = await assertAudited('user.updated', admin.id, user.id);
    assert.deepEqual(updated.details.fields, ['client_id']);
  });

  test('client rules: client_id on a non-client → 422; unknown client → 404; linking a client account → 200', async () => {
    const user = await seedUser(t, 'technicien');
    assertError(await call('PATCH', `/users/${user.id}`, adminTokens, { client_id: clientId }), 422, 'VALIDATION_ERROR', 'Seul un utilisateur client peut être rattaché à un client');
    assertError(await call('PATCH', `/users/${user.id}`, adminTokens, { role: 'client', client_id: 999_999 }), 404, 'RESOURCE_NOT_FOUND', 'Client introuvable');
    const linked = await call('PATCH', `/users/${user.id}`, adminTokens, { role: 'client', client_id: clientId });
    assert.equal(linked.status, 200);
    assert.equal(linked.body.client_id, clientId);
    const unlinked = await call('PATCH', `/users/${user.id}`, adminTokens, { client_id: null });
    assert.equal(unlinked.body.client_id, null);
    assert.equal(unlinked.body.role, 'client');
  });

  test('e-mail / username taken by another user → 409; 404 unknown; a technician profile blocks the role change', async () => {
    const user = await seedUser(t, 'technicien');
    assertError(await call('PATCH', `/users/${user.id}`, adminTokens, { email: resp.email.toUpperCase() }), 409, 'CONFLICT', 'Email déjà utilisé.');
    assertError(await call('PATCH', `/users/${user.id}`, adminTokens, { username: resp.username.toUpperCase() }), 409, 'CONFLICT', 'Username déjà utilisé.');
    const ownCase = await call('PATCH', `/users/${user.id}`, adminTokens, { username: user.username.toUpperCase(), email: user.email.toUpperCase() });
    assert.equal(ownCase.status, 200);
    assert.equal(ownCase.body.username, user.username.toUpperCase());
    assertError(await call('PATCH', '/users/999999', adminTokens, { full_name: 'X' }), 404, 'RESOURCE_NOT_FOUND', 'Utilisateur non trouvé.');
    await insertTechnicien(t.app.db, user.id);
    assertError(
      await call('PATCH', `/users/${user.id}`, adminTokens, { role: 'responsable' }),
      409,
      'CONFLICT',
      'Ce compte possède un profil technicien : supprimez-le avant de changer le rôle',
    );
    const row = await t.app.db.selectFrom('users').select('role').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.role, 'technicien');
  });

  test('bad input → 422 and nothing changes', async () => {
    const user = await seedUser(t, 'technicien');
    for (const body of [{ role: 'chef' }, { is_active: 'peut-être' }, { email: 'pas-une-adresse' }, { username: '' }, { full_name: 'x'.repeat(256) }, { client_id: 0 }, { client_id: 'abc' }]) {
      const response = await call('PATCH', `/users/${user.id}`, adminTokens, body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.details[0].loc[0], 'body');
    }
    assert.equal((await call('PATCH', '/users/0', adminTokens, {})).status, 422);
    const row = await t.app.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.role, 'technicien');
    assert.equal(row.is_active, true);
    assert.equal(row.email, user.email);
  });

  test('is_active: false has the effects of DELETE; is_active: true reactivates; self-deactivation → 409', async () => {
    const user = await seedUser(t, 'responsable');
    const tokens = await login(t, user);
    const response = await call('PATCH', `/users/${user.id}`, adminTokens, { is_active: false });
    assert.equal(response.status, 200);
    assert.equal(response.body.is_active, false);
    await assertTokensDead(tokens, 'Utilisateur désactivé');
    const relogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: user.email, password: user.password } });
    assert.equal(relogin.statusCode, 403);
    assert.equal(relogin.json().error.message, 'Compte désactivé');
    const audit = await assertAudited('user.deactivated', admin.id, user.id);
    assert.equal(audit.details.sessions, 1);
    const reactivated = await call('PATCH', `/users/${user.id}`, adminTokens, { is_active: true });
    assert.equal(reactivated.body.is_active, true);
    await assertAudited('user.activated', admin.id, user.id);
    assertError(await call('PATCH', `/users/${admin.id}`, adminTokens, { is_active: false }), 409, 'CONFLICT', 'Vous ne pouvez pas désactiver votre propre compte');
    await assertTokensAlive(adminTokens);
  });
});

describe('DELETE /users/{user_id} and PATCH /users/{user_id}/activate', () => {
  test('deactivation → 204 twice; tokens die; login → 403 "Compte désactivé"; audited once; activation restores the login', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    const first = await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: { ...bearer(adminTokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(first.statusCode, 204);
    assert.equal(first.body, '');
    const second = await call('DELETE', `/users/${user.id}`, adminTokens);
    assert.equal(second.status, 204);
    await assertTokensDead(tokens, 'Utilisateur désactivé');
    const relogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: user.email, password: user.password } });
    assert.equal(relogin.statusCode, 403);
    assert.equal(relogin.json().error.message, 'Compte désactivé');
    const row = await t.app.db.selectFrom('users').select(['is_active', 'tokens_valid_after']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.is_active, false);
    assert.equal(row.tokens_valid_after?.toISOString(), clock.now().toISOString());
    const sessions = await t.app.db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['user_deactivated']);
    assert.equal((await auditRows('user.deactivated', user.id)).length, 1);
    await assertAudited('user.deactivated', admin.id, user.id);

    clock.advance(MINUTE);
    const activated = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}/activate`, headers: { ...bearer(adminTokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(activated.statusCode, 200);
    assert.equal(activated.json().is_active, true);
    assert.equal(activated.json().id, user.id);
    assert.equal(activated.json().updated_at, clock.now().toISOString());
    await assertAudited('user.activated', admin.id, user.id);
    await assertTokensDead(tokens);
    await login(t, user);
    const again = await call('PATCH', `/users/${user.id}/activate`, adminTokens);
    assert.equal(again.status, 200);
    assert.equal((await auditRows('user.activated', user.id)).length, 1);
  });

  test('404 for an unknown user; 409 when deactivating oneself', async () => {
    assertError(await call('DELETE', '/users/999999', adminTokens), 404, 'RESOURCE_NOT_FOUND', 'Utilisateur non trouvé.');
    assertError(await call('PATCH', '/users/999999/activate', adminTokens), 404, 'RESOURCE_NOT_FOUND', 'Utilisateur non trouvé.');
    assertError(await call('DELETE', `/users/${admin.id}`, adminTokens), 409, 'CONFLICT', 'Vous ne pouvez pas désactiver votre propre compte');
    const row = await t.app.db.selectFrom('users').select('is_active').where('id', '=', admin.id).executeTakeFirstOrThrow();
    assert.equal(row.is_active, true);
    await assertTokensAlive(adminTokens);
  });
});

describe('POST /users/{user_id}/reset-password', () => {
  test('200 message; every session of the target dies; the new password logs in, the old one no longer', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    const response = await call('POST', `/users/${user.id}/reset-password`, adminTokens, { new_password: 'Reinit#Atelier-2026' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { message: 'Mot de passe réinitialisé' });
    await assertTokensDead(tokens);
    await assertTokensAlive(adminTokens);
    const old = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.9.0.3', payload: { email: user.email, password: user.password } });
    assert.equal(old.statusCode, 401);
    await login(t, { email: user.email, password: 'Reinit#Atelier-2026' });
    const sessions = await t.app.db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).where('revoked_at', 'is not', null).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['password_reset']);
    const audit = await assertAudited('auth.password.reset', admin.id, user.id);
    assert.ok(!JSON.stringify(audit.details).includes('Reinit#Atelier-2026'));
  });

  test('policy → 400 (audited); unknown user → 404; missing new_password → 422', async () => {
    const user = await seedUser(t, 'technicien');
    const tokens = await login(t, user);
    const weak = await call('POST', `/users/${user.id}/reset-password`, adminTokens, { new_password: 'P@ssw0rd' });
    assertError(weak, 400, 'BAD_REQUEST', 'Mot de passe invalide: Ce mot de passe est trop courant');
    assert.deepEqual(weak.body.error.details, ['common']);
    const violation = (await auditRows('auth.password.policy_violation', user.id)).at(-1)!;
    assert.equal(violation.outcome, 'failure');
    assert.equal(violation.actor_user_id, admin.id);
    assert.deepEqual(violation.details.rules, ['common']);
    await assertTokensAlive(tokens);
    assertError(await call('POST', '/users/999999/reset-password', adminTokens, { new_password: 'Reinit#Atelier-2026' }), 404, 'RESOURCE_NOT_FOUND', 'Utilisateur non trouvé.');
    const missing = await call('POST', `/users/${user.id}/reset-password`, adminTokens, {});
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.error.details[0].loc, ['body', 'new_password']);
  });
});

describe('POST /users/{user_id}/revoke-sessions', () => {
  test('200 "Sessions révoquées": the target’s access and refresh tokens die, the admin’s own still work', async () => {
    const user = await seedUser(t, 'responsable');
    const a = await login(t, user);
    const b = await login(t, user);
    const response = await call('POST', `/users/${user.id}/revoke-sessions`, adminTokens);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { message: 'Sessions révoquées' });
    await assertTokensDead(a);
    await assertTokensDead(b);
    await assertTokensAlive(adminTokens);
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: adminTokens.refresh_token } });
    assert.equal(refreshed.statusCode, 200);
    adminTokens = refreshed.json();
    const sessions = await t.app.db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['admin_revoked', 'admin_revoked']);
    const audit = await assertAudited('auth.sessions.revoked', admin.id, user.id);
    assert.equal(audit.details.sessions, 2);
    await login(t, user);
  });

  test('404 for an unknown user', async () => {
    assertError(await call('POST', '/users/999999/revoke-sessions', adminTokens), 404, 'RESOURCE_NOT_FOUND', 'Utilisateur non trouvé.');
  });
});

describe('last active admin', () => {
  let solo: TestApp;
  let a: TestUser;
  let aTokens: Tokens;

  before(async () => {
    solo = await createTestApp({ clock });
    a = await seedUser(solo, 'admin');
    aTokens = await login(solo, a);
  });
  after(async () => {
    await solo.close();
  });

  async function soloCall(method: 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    const response = await solo.app.inject({ method, url: `/api/v1${url}`, headers: bearer(aTokens), ...(payload ? { payload: payload as Json } : {}) });
    return { status: response.statusCode, body: response.body ? response.json() : null };
  }

  test('the only active admin cannot lose the admin role; with a second admin the role change passes', async () => {
    assertError(await soloCall('PATCH', `/users/${a.id}`, { role: 'responsable' }), 409, 'CONFLICT', "Impossible : c'est le dernier administrateur actif");
    const b = await seedUser(solo, 'admin');
    const demoteB = await soloCall('PATCH', `/users/${b.id}`, { role: 'responsable' });
    assert.equal(demoteB.status, 200);
    assert.equal(demoteB.body.role, 'responsable');
    assertError(await soloCall('PATCH', `/users/${a.id}`, { role: 'technicien' }), 409, 'CONFLICT', "Impossible : c'est le dernier administrateur actif");
    const promoteB = await soloCall('PATCH', `/users/${b.id}`, { role: 'admin' });
    assert.equal(promoteB.status, 200);
    const demoteSelf = await soloCall('PATCH', `/users/${a.id}`, { role: 'responsable' });
    assert.equal(demoteSelf.status, 200);
    // Put A back as the only admin for the next test.
    await solo.app.db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.id).execute();
    await solo.app.db.updateTable('users').set({ role: 'responsable' }).where('id', '=', b.id).execute();
  });

  test('two admins deactivating each other at once: exactly one wins, one admin stays active', async () => {
    const b = await seedUser(solo, 'admin');
    const results = await Promise.allSettled([
      deactivateUser(solo.app, { userId: a.id, role: 'admin' }, b.id),
      deactivateUser(solo.app, { userId: b.id, role: 'admin' }, a.id),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(rejected.reason instanceof AppError);
    assert.equal(rejected.reason.status, 409);
    assert.equal(rejected.reason.message, "Impossible : c'est le dernier administrateur actif");
    const active = await solo.app.db.selectFrom('users').select('id').where('role', '=', 'admin').where('is_active', '=', true).execute();
    assert.equal(active.length, 1);
    // Back to A as the only active admin.
    await solo.app.db.updateTable('users').set({ is_active: true }).where('id', '=', a.id).execute();
    await solo.app.db.updateTable('users').set({ is_active: false }).where('id', '=', b.id).execute();
  });

  test('a stale admin (deactivated meanwhile) cannot deactivate the last active admin', async () => {
    const b = await seedUser(solo, 'admin');
    await solo.app.db.updateTable('users').set({ is_active: false }).where('id', '=', b.id).execute();
    await assert.rejects(deactivateUser(solo.app, { userId: b.id, role: 'admin' }, a.id), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.status, 409);
      assert.equal(error.message, "Impossible : c'est le dernier administrateur actif");
      return true;
    });
    const row = await solo.app.db.selectFrom('users').select('is_active').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.is_active, true);
  });
});
