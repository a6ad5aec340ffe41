import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { AppError } from '../../../src/lib/errors.js';
import { useTestApp } from '../../helpers/app.js';
import { actorOf, bearer, FakeClock, login, MINUTE, seedUser, type Tokens, type TestUser } from '../../helpers/auth.js';
import { insertClient, insertTechnicien } from '../../helpers/fixtures.js';
import { assertError, call, type Method } from '../../helpers/http.js';

const clock = new FakeClock();
let admin: TestUser;
let adminTokens: Tokens;
let resp: TestUser;
let respTokens: Tokens;
let tech: TestUser;
let techTokens: Tokens;
let clientUser: TestUser;
let clientTokens: Tokens;
let clientId: number;

const t = useTestApp({ clock }, async (app) => {
  clientId = await insertClient(app.db);
  admin = await seedUser(app, 'admin');
  resp = await seedUser(app, 'responsable');
  tech = await seedUser(app, 'technicien');
  clientUser = await seedUser(app, 'client', { clientId });
  [adminTokens, respTokens, techTokens, clientTokens] = await Promise.all([login(app, admin), login(app, resp), login(app, tech), login(app, clientUser)]);
});

type Json = Record<string, any>;

async function userCount(): Promise<number> {
  const row = await t().db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditRows(eventType: string, resourceId?: number) {
  let query = t().db.selectFrom('audit_events').selectAll().where('event_type', '=', eventType);
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
  const me = await call(t(), 'GET', '/api/v1/auth/me', { as: tokens });
  assertError(me, 401, message);
  const refreshed = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: tokens.refresh_token } });
  assert.equal(refreshed.statusCode, 401);
  assert.equal(refreshed.json().error.message, 'Refresh token invalide');
}

async function assertTokensAlive(tokens: Tokens) {
  const me = await call(t(), 'GET', '/api/v1/auth/me', { as: tokens });
  assert.equal(me.statusCode, 200);
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
    const response = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ username: 'nadia.b', full_name: '  Nadia Bennani  ', email: ' Nadia.B@Exemple.TEST ', role: 'responsable' }) });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
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
    const row = await t().db.selectFrom('users').select('hashed_password').where('id', '=', body.id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audit = await assertAudited('user.created', admin.id, body.id);
    assert.equal(audit.actor_role, 'admin');
    assert.ok(!JSON.stringify(audit.details).includes('Atelier#Moteur-2026'));
    const login = await t().app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: 'NADIA.B@exemple.test', password: 'Atelier#Moteur-2026' } });
    assert.equal(login.statusCode, 200);
  });

  test('a client account can be linked to an existing client company', async () => {
    const response = await call(t(), 'POST', '/api/v1/users', { as: adminTokens, payload: newUserBody({ role: 'client', client_id: clientId }) });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().role, 'client');
    assert.equal(response.json().client_id, clientId);
  });

  test('client_id on a non-client role → 422 with the specific message; unknown client → 404', async () => {
    const before = await userCount();
    const wrongRole = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ role: 'technicien', client_id: clientId }) });
    assertError(wrongRole, 422, 'Seul un utilisateur client peut être rattaché à un client');
    assert.deepEqual(wrongRole.json().error.details[0].loc, ['body', 'client_id']);
    const unknown = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ role: 'client', client_id: 999_999 }) });
    assertError(unknown, 404, 'Client introuvable');
    assert.equal(await userCount(), before);
  });

  test('duplicate e-mail or username (case-insensitive) → 409, checked before the password', async () => {
    const before = await userCount();
    const email = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ email: resp.email.toUpperCase(), password: 'abc' }) });
    assertError(email, 409, 'Email déjà utilisé.');
    const username = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ username: resp.username.toUpperCase(), password: 'abc' }) });
    assertError(username, 409, 'Username déjà utilisé.');
    assert.equal(await userCount(), before);
  });

  test('a password failing the policy → 400 with every failing rule, audited without the password, nothing created', async () => {
    const before = await userCount();
    const body = newUserBody({ username: 'jdupont', email: 'jdupont@exemple.test', password: 'Jdupont#2026' });
    const response = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: body });
    assertError(response, 400, "Mot de passe invalide: Le mot de passe ne doit pas contenir le nom d'utilisateur; Le mot de passe ne doit pas contenir la partie locale de l'adresse e-mail");
    assert.deepEqual(response.json().error.details, ['contains_username', 'contains_email']);
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
      const response = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: body });
      assert.equal(response.statusCode, 422, `${JSON.stringify(overrides)} → ${response.body}`);
      assert.equal(response.json().error.code, 'VALIDATION_ERROR');
      const issue = response.json().error.details.find((d: any) => JSON.stringify(d.loc) === JSON.stringify(loc));
      assert.ok(issue, `${JSON.stringify(overrides)}: ${JSON.stringify(response.json().error.details)}`);
      assert.equal(issue.type, type, JSON.stringify(overrides));
    }
    const malformed = await t().app.inject({ method: 'POST', url: '/api/v1/users/', headers: { ...bearer(adminTokens), 'content-type': 'application/json' }, payload: '{"username":' });
    assert.equal(malformed.statusCode, 422);
    assert.equal(malformed.json().error.details[0].type, 'json_invalid');
    assert.equal(await userCount(), before);
  });

  test('unknown fields are ignored (no mass assignment)', async () => {
    const response = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ id: 424242, is_active: false, hashed_password: 'x', tokens_valid_after: '2030-01-01T00:00:00Z', last_login: '2020-01-01T00:00:00Z' }) });
    assert.equal(response.statusCode, 201);
    assert.notEqual(response.json().id, 424242);
    assert.equal(response.json().is_active, true);
    assert.equal(response.json().last_login, null);
    const row = await t().db.selectFrom('users').select(['hashed_password', 'tokens_valid_after']).where('id', '=', response.json().id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password, /^\$argon2id\$/);
    assert.equal(row.tokens_valid_after, null);
  });

  test('concurrent creations with one e-mail → exactly one 201, the others 409 "Email déjà utilisé." (never 500)', async () => {
    const email = 'course@exemple.test';
    const responses = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload: newUserBody({ email, username: `course.${i}` }) })),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409]);
    for (const r of responses.filter((r) => r.statusCode === 409)) assert.equal(r.json().error.message, 'Email déjà utilisé.');
    const rows = await t().db.selectFrom('users').select('id').where('email', '=', email).execute();
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
      const payload = {
        username,
        full_name: fullName,
        email: `${username.toLowerCase()}@liste.test`,
        role,
        password: 'Atelier#Moteur-2026',
        ...(role === 'client' ? { client_id: clientId } : {}),
      };
      const created = await call(t(), 'POST', '/api/v1/users/', { as: adminTokens, payload });
      assert.equal(created.statusCode, 201, created.body);
      ids[username] = created.json().id;
      if (!active) await t().db.updateTable('users').set({ is_active: false }).where('id', '=', created.json().id).execute();
    }
  });

  test('plain array of UserOut and X-Total-Count, default order by id', async () => {
    const response = await call(t(), 'GET', '/api/v1/users/?q=zzlist', { as: adminTokens });
    assert.equal(response.statusCode, 200);
    assert.ok(Array.isArray(response.json()));
    assert.equal(response.headers['x-total-count'], '4');
    assert.deepEqual(response.json().map((u: any) => u.username), ['zzlist-alpha', 'zzlist-Bravo', 'zzlist-charlie', 'zzlist-delta']);
    assert.deepEqual(Object.keys(response.json()[0]).sort(), USER_OUT_KEYS);
    const all = await call(t(), 'GET', '/api/v1/users', { as: adminTokens });
    assert.equal(all.headers['x-total-count'], String(await userCount()));
    assert.equal(all.json().length, await userCount());
  });

  test('limit and offset page the rows; the count is before paging', async () => {
    const page = await call(t(), 'GET', '/api/v1/users/?q=zzlist&limit=2&offset=1', { as: adminTokens });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['x-total-count'], '4');
    assert.deepEqual(page.json().map((u: any) => u.username), ['zzlist-Bravo', 'zzlist-charlie']);
    const beyond = await call(t(), 'GET', '/api/v1/users/?q=zzlist&offset=10', { as: adminTokens });
    assert.deepEqual(beyond.json(), []);
    assert.equal(beyond.headers['x-total-count'], '4');
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'offset=-1']) {
      const response = await call(t(), 'GET', `/api/v1/users/?${bad}`, { as: adminTokens });
      assert.equal(response.statusCode, 422, bad);
      assert.equal(response.json().error.details[0].loc[0], 'query');
    }
  });

  test('sort with `-`, case-insensitive username order; unknown sort field → 422', async () => {
    const desc = await call(t(), 'GET', '/api/v1/users/?q=zzlist&sort=-username', { as: adminTokens });
    assert.deepEqual(desc.json().map((u: any) => u.username), ['zzlist-delta', 'zzlist-charlie', 'zzlist-Bravo', 'zzlist-alpha']);
    const byEmail = await call(t(), 'GET', '/api/v1/users/?q=zzlist&sort=email', { as: adminTokens });
    assert.deepEqual(byEmail.json().map((u: any) => u.username), ['zzlist-alpha', 'zzlist-Bravo', 'zzlist-charlie', 'zzlist-delta']);
    const unknown = await call(t(), 'GET', '/api/v1/users/?sort=hashed_password', { as: adminTokens });
    assertError(unknown, 422, 'Erreur de validation des données');
    assert.deepEqual(unknown.json().error.details[0].loc, ['query', 'sort']);
  });

  test('q is a case-insensitive substring on username, full name and e-mail; % and _ match literally', async () => {
    const percent = await call(t(), 'GET', `/api/v1/users/?q=${encodeURIComponent('100%')}`, { as: adminTokens });
    assert.deepEqual(percent.json().map((u: any) => u.username), ['zzlist-alpha']);
    const onlyPercent = await call(t(), 'GET', `/api/v1/users/?q=${encodeURIComponent('%')}`, { as: adminTokens });
    assert.deepEqual(onlyPercent.json().map((u: any) => u.username), ['zzlist-alpha']);
    const underscore = await call(t(), 'GET', `/api/v1/users/?q=${encodeURIComponent('e_s')}`, { as: adminTokens });
    assert.deepEqual(underscore.json().map((u: any) => u.username), ['zzlist-charlie']);
    const backslash = await call(t(), 'GET', `/api/v1/users/?q=${encodeURIComponent('\\')}`, { as: adminTokens });
    assert.deepEqual(backslash.json(), []);
    const upper = await call(t(), 'GET', '/api/v1/users/?q=BRAVO', { as: adminTokens });
    assert.deepEqual(upper.json().map((u: any) => u.username), ['zzlist-Bravo']);
    const byEmail = await call(t(), 'GET', '/api/v1/users/?q=charlie%40liste', { as: adminTokens });
    assert.deepEqual(byEmail.json().map((u: any) => u.username), ['zzlist-charlie']);
  });

  test('filters role (comma list or repeated), is_active (query booleans) and client_id combine with AND', async () => {
    const comma = await call(t(), 'GET', '/api/v1/users/?q=zzlist&role=client,responsable', { as: adminTokens });
    assert.deepEqual(comma.json().map((u: any) => u.username), ['zzlist-charlie', 'zzlist-delta']);
    const repeated = await call(t(), 'GET', '/api/v1/users/?q=zzlist&role=client&role=responsable', { as: adminTokens });
    assert.deepEqual(repeated.json().map((u: any) => u.username), ['zzlist-charlie', 'zzlist-delta']);
    for (const word of ['false', '0', 'no', 'off', 'NO']) {
      const inactive = await call(t(), 'GET', `/api/v1/users/?q=zzlist&is_active=${word}`, { as: adminTokens });
      assert.deepEqual(inactive.json().map((u: any) => u.username), ['zzlist-delta'], word);
    }
    for (const word of ['true', '1', 'yes', 'on']) {
      const active = await call(t(), 'GET', `/api/v1/users/?q=zzlist&is_active=${word}&role=technicien`, { as: adminTokens });
      assert.deepEqual(active.json().map((u: any) => u.username), ['zzlist-alpha', 'zzlist-Bravo'], word);
    }
    const byClient = await call(t(), 'GET', `/api/v1/users/?q=zzlist&client_id=${clientId}`, { as: adminTokens });
    assert.deepEqual(byClient.json().map((u: any) => u.username), ['zzlist-charlie']);
    const badRole = await call(t(), 'GET', '/api/v1/users/?role=chef', { as: adminTokens });
    assert.equal(badRole.statusCode, 422);
    assert.equal(badRole.json().error.details[0].loc[1], 'role');
    const badBool = await call(t(), 'GET', '/api/v1/users/?is_active=peut-etre', { as: adminTokens });
    assert.equal(badBool.statusCode, 422);
    assert.deepEqual(badBool.json().error.details[0].loc, ['query', 'is_active']);
  });

  test('responsable may list and read; technicien and client get 403; no token → 401', async () => {
    const list = await call(t(), 'GET', '/api/v1/users/?q=zzlist', { as: respTokens });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().length, 4);
    const read = await call(t(), 'GET', `/api/v1/users/${ids['zzlist-alpha']}`, { as: respTokens });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().username, 'zzlist-alpha');
    for (const tokens of [techTokens, clientTokens]) {
      assertError(await call(t(), 'GET', '/api/v1/users/', { as: tokens }), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await call(t(), 'GET', `/api/v1/users/${admin.id}`, { as: tokens }), 403, 'Accès réservé aux rôles : admin, responsable');
    }
    const anonymous = await call(t(), 'GET', '/api/v1/users/');
    assertError(anonymous, 401, 'Non authentifié');
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
  });
});

describe('GET /users/me and GET /users/{user_id}', () => {
  test('every role reads its own profile, with its technician profile id', async () => {
    const technicienId = await insertTechnicien(t().db, tech.id);
    for (const [user, tokens] of [
      [admin, adminTokens],
      [resp, respTokens],
      [tech, techTokens],
      [clientUser, clientTokens],
    ] as const) {
      const response = await call(t(), 'GET', '/api/v1/users/me', { as: tokens });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().id, user.id);
      assert.equal(response.json().email, user.email);
      assert.equal(response.json().role, user.role);
      assert.equal(response.json().last_login, clock.now().toISOString());
    }
    assert.equal((await call(t(), 'GET', '/api/v1/users/me', { as: techTokens })).json().technicien_id, technicienId);
    assert.equal((await call(t(), 'GET', '/api/v1/users/me', { as: clientTokens })).json().client_id, clientId);
    const legacyRoot = await call(t(), 'GET', '/api/v1/users/me/', { as: techTokens });
    assert.equal(legacyRoot.statusCode, 200);
    const root = await t().app.inject({ method: 'GET', url: '/users/me', headers: bearer(techTokens) });
    assert.equal(root.statusCode, 200);
    assertError(await call(t(), 'GET', '/api/v1/users/me'), 401, 'Non authentifié');
  });

  test('by id: 200, 404 "Utilisateur non trouvé.", and 422 for a non-positive or non-integer id', async () => {
    const found = await call(t(), 'GET', `/api/v1/users/${resp.id}`, { as: adminTokens });
    assert.equal(found.statusCode, 200);
    assert.equal(found.json().username, resp.username);
    assertError(await call(t(), 'GET', '/api/v1/users/999999', { as: adminTokens }), 404, 'Utilisateur non trouvé.');
    for (const bad of ['0', '-3', 'abc', '1.5']) {
      const response = await call(t(), 'GET', `/api/v1/users/${bad}`, { as: adminTokens });
      assert.equal(response.statusCode, 422, bad);
      assert.deepEqual(response.json().error.details[0].loc, ['path', 'user_id']);
    }
  });
});

describe('RBAC on writes', () => {
  test('responsable, technicien and client get 403 "Accès réservé aux rôles : admin" on every write, and nothing changes', async () => {
    const target = await seedUser(t(), 'technicien');
    const writes: [Method, string, unknown][] = [
      ['POST', '/api/v1/users/', newUserBody()],
      ['PATCH', `/api/v1/users/${target.id}`, { full_name: 'Piraté' }],
      ['DELETE', `/api/v1/users/${target.id}`, undefined],
      ['PATCH', `/api/v1/users/${target.id}/activate`, undefined],
      ['POST', `/api/v1/users/${target.id}/reset-password`, { new_password: 'Nouveau#Secret-2026' }],
      ['POST', `/api/v1/users/${target.id}/revoke-sessions`, undefined],
    ];
    const before = await userCount();
    for (const tokens of [respTokens, techTokens, clientTokens]) {
      for (const [method, url, payload] of writes) {
        const response = await call(t(), method, url, { as: tokens, payload });
        assertError(response, 403, 'Accès réservé aux rôles : admin');
      }
    }
    assert.equal(await userCount(), before);
    const row = await t().db.selectFrom('users').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
    assert.equal(row.full_name, `Test ${target.username}`);
    assert.equal(row.is_active, true);
    assert.equal(row.tokens_valid_after, null);
    const denied = await t().db.selectFrom('audit_events').select('id').where('event_type', '=', 'rbac.denied').where('actor_user_id', '=', resp.id).execute();
    assert.equal(denied.length, writes.length);
    for (const [method, url, payload] of writes) assertError(await call(t(), method, url, { payload }), 401, 'Non authentifié');
  });
});

describe('PUT /users/update (self)', () => {
  test('full_name only → 200 UserOut without tokens; other keys are ignored; audited', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user);
    clock.advance(MINUTE);
    const response = await call(t(), 'PUT', '/api/v1/users/update', { as: tokens, payload: { full_name: '  Youssef Amrani ', role: 'admin', email: 'pirate@exemple.test', is_active: false } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(Object.keys(response.json()).sort(), USER_OUT_KEYS);
    assert.equal(response.json().full_name, 'Youssef Amrani');
    assert.equal(response.json().role, 'technicien');
    assert.equal(response.json().email, user.email);
    assert.equal(response.json().is_active, true);
    assert.equal(response.json().updated_at, clock.now().toISOString());
    await assertTokensAlive(tokens);
    const audit = await assertAudited('user.updated', user.id, user.id);
    assert.deepEqual(audit.details.fields, ['full_name']);
  });

  test('password with the current one → UserOut + a new session; every old token dies; the new password logs in', async () => {
    const user = await seedUser(t(), 'client', { clientId });
    const first = await login(t(), user);
    const second = await login(t(), user);
    const response = await call(t(), 'PUT', '/api/v1/users/update', { as: first, payload: { password: 'Nouveau#Secret-2026', current_password: user.password, full_name: 'Salma Idrissi' } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.id, user.id);
    assert.equal(body.full_name, 'Salma Idrissi');
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(typeof body.access_token, 'string');
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    await assertTokensDead(first);
    await assertTokensDead(second);
    await assertTokensAlive(body.access_token);
    const sessions = await t().db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).where('revoked_at', 'is not', null).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['password_changed', 'password_changed']);
    const oldLogin = await t().app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.9.0.1', payload: { email: user.email, password: user.password } });
    assert.equal(oldLogin.statusCode, 401);
    await login(t(), { email: user.email, password: 'Nouveau#Secret-2026' });
    await assertAudited('auth.password.changed', user.id, user.id);
  });

  test('password without current_password → 400 "Mot de passe actuel requis"; a wrong one → 400 and counts as a failed attempt', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user);
    const missing = await call(t(), 'PUT', '/api/v1/users/update', { as: tokens, payload: { password: 'Nouveau#Secret-2026' } });
    assertError(missing, 400, 'Mot de passe actuel requis');
    const nullCurrent = await call(t(), 'PUT', '/api/v1/users/update', { as: tokens, payload: { password: 'Nouveau#Secret-2026', current_password: null } });
    assertError(nullCurrent, 400, 'Mot de passe actuel requis');
    const wrong = await call(t(), 'PUT', '/api/v1/users/update', { as: tokens, payload: { password: 'Nouveau#Secret-2026', current_password: 'Mauvais#1Pass', full_name: 'Jamais Appliqué' }, remoteAddress: '10.9.0.2' });
    assertError(wrong, 400, 'Mot de passe actuel incorrect');
    const attempts = await t().db.selectFrom('login_attempts').selectAll().where('user_id', '=', user.id).where('endpoint', '=', 'users_update').execute();
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.reason, 'bad_password');
    const lockout = await t().db.selectFrom('lockouts').select('failures').where('scope', '=', 'account').where('key', '=', `user:${user.id}`).executeTakeFirstOrThrow();
    assert.equal(lockout.failures, 1);
    const weak = await call(t(), 'PUT', '/api/v1/users/update', { as: tokens, payload: { password: 'abc', current_password: user.password } });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.json().error.message, /^Mot de passe invalide: Le mot de passe doit contenir au moins 8 caractères; /);
    const row = await t().db.selectFrom('users').select('full_name').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.full_name, `Test ${user.username}`);
    await assertTokensAlive(tokens);
    await login(t(), user);
  });

  test('an empty body changes nothing; an empty full_name → 422', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user);
    const empty = await t().app.inject({ method: 'PUT', url: '/api/v1/users/update', headers: { ...bearer(tokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 200);
    assert.equal(empty.json().full_name, `Test ${user.username}`);
    const blank = await call(t(), 'PUT', '/api/v1/users/update', { as: tokens, payload: { full_name: '  ' } });
    assert.equal(blank.statusCode, 422);
    assert.deepEqual(blank.json().error.details[0].loc, ['body', 'full_name']);
  });
});

describe('PATCH /users/{user_id}', () => {
  test('full_name, e-mail and username → 200 UserOut, audit user.updated with the changed field names', async () => {
    const user = await seedUser(t(), 'technicien');
    clock.advance(MINUTE);
    const response = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { full_name: 'Karim Tazi', email: 'Karim.Tazi@Exemple.TEST', username: 'ktazi', hashed_password: 'x' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().full_name, 'Karim Tazi');
    assert.equal(response.json().email, 'karim.tazi@exemple.test');
    assert.equal(response.json().username, 'ktazi');
    assert.equal(response.json().role, 'technicien');
    assert.equal(response.json().updated_at, clock.now().toISOString());
    const audit = await assertAudited('user.updated', admin.id, user.id);
    assert.deepEqual(audit.details.fields, ['username', 'full_name', 'email']);
    assert.equal((await auditRows('user.role_changed', user.id)).length, 0);
  });

  test('role change → user.role_changed with old → new; leaving the client role unlinks the client', async () => {
    const user = await seedUser(t(), 'client', { clientId });
    const response = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { role: 'responsable' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().role, 'responsable');
    assert.equal(response.json().client_id, null);
    const audit = await assertAudited('user.role_changed', admin.id, user.id);
    assert.deepEqual(audit.details, { old_role: 'client', new_role: 'responsable' });
    const updated = await assertAudited('user.updated', admin.id, user.id);
    assert.deepEqual(updated.details.fields, ['client_id']);
  });

  test('client rules: client_id on a non-client → 422; unknown client → 404; linking a client account → 200', async () => {
    const user = await seedUser(t(), 'technicien');
    assertError(await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { client_id: clientId } }), 422, 'Seul un utilisateur client peut être rattaché à un client');
    assertError(await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { role: 'client', client_id: 999_999 } }), 404, 'Client introuvable');
    const linked = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { role: 'client', client_id: clientId } });
    assert.equal(linked.statusCode, 200);
    assert.equal(linked.json().client_id, clientId);
    const unlinked = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { client_id: null } });
    assert.equal(unlinked.json().client_id, null);
    assert.equal(unlinked.json().role, 'client');
  });

  test('e-mail / username taken by another user → 409; 404 unknown; a technician profile blocks the role change', async () => {
    const user = await seedUser(t(), 'technicien');
    assertError(await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { email: resp.email.toUpperCase() } }), 409, 'Email déjà utilisé.');
    assertError(await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { username: resp.username.toUpperCase() } }), 409, 'Username déjà utilisé.');
    const ownCase = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { username: user.username.toUpperCase(), email: user.email.toUpperCase() } });
    assert.equal(ownCase.statusCode, 200);
    assert.equal(ownCase.json().username, user.username.toUpperCase());
    assertError(await call(t(), 'PATCH', '/api/v1/users/999999', { as: adminTokens, payload: { full_name: 'X' } }), 404, 'Utilisateur non trouvé.');
    await insertTechnicien(t().db, user.id);
    assertError(
      await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { role: 'responsable' } }),
      409,
      'Ce compte possède un profil technicien : supprimez-le avant de changer le rôle',
    );
    const row = await t().db.selectFrom('users').select('role').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.role, 'technicien');
  });

  test('bad input → 422 and nothing changes', async () => {
    const user = await seedUser(t(), 'technicien');
    for (const body of [{ role: 'chef' }, { role: '' }, { is_active: 'peut-être' }, { email: 'pas-une-adresse' }, { username: '' }, { full_name: 'x'.repeat(256) }, { client_id: 0 }, { client_id: 'abc' }]) {
      const response = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: body });
      assert.equal(response.statusCode, 422, JSON.stringify(body));
      assert.equal(response.json().error.details[0].loc[0], 'body');
    }
    assert.equal((await call(t(), 'PATCH', '/api/v1/users/0', { as: adminTokens, payload: {} })).statusCode, 422);
    const row = await t().db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.role, 'technicien');
    assert.equal(row.is_active, true);
    assert.equal(row.email, user.email);
  });

  test('is_active: false has the effects of DELETE; is_active: true reactivates; self-deactivation → 409', async () => {
    const user = await seedUser(t(), 'responsable');
    const tokens = await login(t(), user);
    const response = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { is_active: false } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().is_active, false);
    await assertTokensDead(tokens, 'Utilisateur désactivé');
    const relogin = await t().app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: user.email, password: user.password } });
    assert.equal(relogin.statusCode, 403);
    assert.equal(relogin.json().error.message, 'Compte désactivé');
    const audit = await assertAudited('user.deactivated', admin.id, user.id);
    assert.equal(audit.details.sessions, 1);
    const reactivated = await call(t(), 'PATCH', `/api/v1/users/${user.id}`, { as: adminTokens, payload: { is_active: true } });
    assert.equal(reactivated.json().is_active, true);
    await assertAudited('user.activated', admin.id, user.id);
    assertError(await call(t(), 'PATCH', `/api/v1/users/${admin.id}`, { as: adminTokens, payload: { is_active: false } }), 409, 'Vous ne pouvez pas désactiver votre propre compte');
    await assertTokensAlive(adminTokens);
  });
});

describe('DELETE /users/{user_id} and PATCH /users/{user_id}/activate', () => {
  test('deactivation → 204 twice; tokens die; login → 403 "Compte désactivé"; audited once; activation restores the login', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user);
    const first = await t().app.inject({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: { ...bearer(adminTokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(first.statusCode, 204);
    assert.equal(first.body, '');
    const second = await call(t(), 'DELETE', `/api/v1/users/${user.id}`, { as: adminTokens });
    assert.equal(second.statusCode, 204);
    await assertTokensDead(tokens, 'Utilisateur désactivé');
    const relogin = await t().app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: user.email, password: user.password } });
    assert.equal(relogin.statusCode, 403);
    assert.equal(relogin.json().error.message, 'Compte désactivé');
    const row = await t().db.selectFrom('users').select(['is_active', 'tokens_valid_after']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.is_active, false);
    assert.equal(row.tokens_valid_after?.toISOString(), clock.now().toISOString());
    const sessions = await t().db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['user_deactivated']);
    assert.equal((await auditRows('user.deactivated', user.id)).length, 1);
    await assertAudited('user.deactivated', admin.id, user.id);

    clock.advance(MINUTE);
    const activated = await t().app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}/activate`, headers: { ...bearer(adminTokens), 'content-type': 'application/json' }, payload: '' });
    assert.equal(activated.statusCode, 200);
    assert.equal(activated.json().is_active, true);
    assert.equal(activated.json().id, user.id);
    assert.equal(activated.json().updated_at, clock.now().toISOString());
    await assertAudited('user.activated', admin.id, user.id);
    await assertTokensDead(tokens);
    await login(t(), user);
    const again = await call(t(), 'PATCH', `/api/v1/users/${user.id}/activate`, { as: adminTokens });
    assert.equal(again.statusCode, 200);
    assert.equal((await auditRows('user.activated', user.id)).length, 1);
  });

  test('404 for an unknown user; 409 when deactivating oneself', async () => {
    assertError(await call(t(), 'DELETE', '/api/v1/users/999999', { as: adminTokens }), 404, 'Utilisateur non trouvé.');
    assertError(await call(t(), 'PATCH', '/api/v1/users/999999/activate', { as: adminTokens }), 404, 'Utilisateur non trouvé.');
    assertError(await call(t(), 'DELETE', `/api/v1/users/${admin.id}`, { as: adminTokens }), 409, 'Vous ne pouvez pas désactiver votre propre compte');
    const row = await t().db.selectFrom('users').select('is_active').where('id', '=', admin.id).executeTakeFirstOrThrow();
    assert.equal(row.is_active, true);
    await assertTokensAlive(adminTokens);
  });
});

describe('POST /users/{user_id}/reset-password', () => {
  test('200 message; every session of the target dies; the new password logs in, the old one no longer', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user);
    const response = await call(t(), 'POST', `/api/v1/users/${user.id}/reset-password`, { as: adminTokens, payload: { new_password: 'Reinit#Atelier-2026' } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Mot de passe réinitialisé' });
    await assertTokensDead(tokens);
    await assertTokensAlive(adminTokens);
    const old = await t().app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: '10.9.0.3', payload: { email: user.email, password: user.password } });
    assert.equal(old.statusCode, 401);
    await login(t(), { email: user.email, password: 'Reinit#Atelier-2026' });
    const sessions = await t().db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).where('revoked_at', 'is not', null).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['password_reset']);
    const audit = await assertAudited('auth.password.reset', admin.id, user.id);
    assert.ok(!JSON.stringify(audit.details).includes('Reinit#Atelier-2026'));
  });

  test('policy → 400 (audited); unknown user → 404; missing new_password → 422', async () => {
    const user = await seedUser(t(), 'technicien');
    const tokens = await login(t(), user);
    const weak = await call(t(), 'POST', `/api/v1/users/${user.id}/reset-password`, { as: adminTokens, payload: { new_password: 'P@ssw0rd' } });
    assertError(weak, 400, 'Mot de passe invalide: Ce mot de passe est trop courant');
    assert.deepEqual(weak.json().error.details, ['common']);
    const violation = (await auditRows('auth.password.policy_violation', user.id)).at(-1)!;
    assert.equal(violation.outcome, 'failure');
    assert.equal(violation.actor_user_id, admin.id);
    assert.deepEqual(violation.details.rules, ['common']);
    await assertTokensAlive(tokens);
    assertError(await call(t(), 'POST', '/api/v1/users/999999/reset-password', { as: adminTokens, payload: { new_password: 'Reinit#Atelier-2026' } }), 404, 'Utilisateur non trouvé.');
    const missing = await call(t(), 'POST', `/api/v1/users/${user.id}/reset-password`, { as: adminTokens, payload: {} });
    assert.equal(missing.statusCode, 422);
    assert.deepEqual(missing.json().error.details[0].loc, ['body', 'new_password']);
  });
});

describe('POST /users/{user_id}/revoke-sessions', () => {
  test('200 "Sessions révoquées": the target’s access and refresh tokens die, the admin’s own still work', async () => {
    const user = await seedUser(t(), 'responsable');
    const a = await login(t(), user);
    const b = await login(t(), user);
    const response = await call(t(), 'POST', `/api/v1/users/${user.id}/revoke-sessions`, { as: adminTokens });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Sessions révoquées' });
    await assertTokensDead(a);
    await assertTokensDead(b);
    await assertTokensAlive(adminTokens);
    const refreshed = await t().app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: adminTokens.refresh_token } });
    assert.equal(refreshed.statusCode, 200);
    adminTokens = refreshed.json();
    const sessions = await t().db.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).execute();
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['admin_revoked', 'admin_revoked']);
    const audit = await assertAudited('auth.sessions.revoked', admin.id, user.id);
    assert.equal(audit.details.sessions, 2);
    await login(t(), user);
  });

  test('404 for an unknown user', async () => {
    assertError(await call(t(), 'POST', '/api/v1/users/999999/revoke-sessions', { as: adminTokens }), 404, 'Utilisateur non trouvé.');
  });
});

describe('last active admin', () => {
  const solo = useTestApp({ clock });
  let a: TestUser;
  let aTokens: Tokens;

  before(async () => {
    a = await seedUser(solo(), 'admin');
    aTokens = await login(solo(), a);
  });

  const patchAs = (userId: number, payload: Json) => call(solo(), 'PATCH', `/api/v1/users/${userId}`, { as: aTokens, payload });

  test('the only active admin cannot lose the admin role; with a second admin the role change passes', async () => {
    assertError(await patchAs(a.id, { role: 'responsable' }), 409, "Impossible : c'est le dernier administrateur actif");
    const b = await seedUser(solo(), 'admin');
    const demoteB = await patchAs(b.id, { role: 'responsable' });
    assert.equal(demoteB.statusCode, 200);
    assert.equal(demoteB.json().role, 'responsable');
    assertError(await patchAs(a.id, { role: 'technicien' }), 409, "Impossible : c'est le dernier administrateur actif");
    const promoteB = await patchAs(b.id, { role: 'admin' });
    assert.equal(promoteB.statusCode, 200);
    const demoteSelf = await patchAs(a.id, { role: 'responsable' });
    assert.equal(demoteSelf.statusCode, 200);
    // Put A back as the only admin for the next test.
    await solo().db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.id).execute();
    await solo().db.updateTable('users').set({ role: 'responsable' }).where('id', '=', b.id).execute();
  });

  test('two admins deactivating each other at once: exactly one wins, one admin stays active', async () => {
    const b = await seedUser(solo(), 'admin');
    const { users } = solo().services;
    const results = await Promise.allSettled([users.deactivate(actorOf(a), b.id), users.deactivate(actorOf(b), a.id)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(rejected.reason instanceof AppError);
    assert.equal(rejected.reason.status, 409);
    assert.equal(rejected.reason.message, "Impossible : c'est le dernier administrateur actif");
    const active = await solo().db.selectFrom('users').select('id').where('role', '=', 'admin').where('is_active', '=', true).execute();
    assert.equal(active.length, 1);
    // Back to A as the only active admin.
    await solo().db.updateTable('users').set({ is_active: true }).where('id', '=', a.id).execute();
    await solo().db.updateTable('users').set({ is_active: false }).where('id', '=', b.id).execute();
  });

  test('a stale admin (deactivated meanwhile) cannot deactivate the last active admin', async () => {
    const b = await seedUser(solo(), 'admin');
    await solo().db.updateTable('users').set({ is_active: false }).where('id', '=', b.id).execute();
    await assert.rejects(solo().services.users.deactivate(actorOf(b), a.id), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.status, 409);
      assert.equal(error.message, "Impossible : c'est le dernier administrateur actif");
      return true;
    });
    const row = await solo().db.selectFrom('users').select('is_active').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.is_active, true);
  });
});
