/**
 * GET /equipements/: scope per role, filters, sort, pagination and X-Total-Count, aliases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, login, seedUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement } from '../../helpers/fixtures.js';
import { assertError, call } from '../../helpers/http.js';

const clock = new FakeClock();
let admin: Tokens;
let responsable: Tokens;
let technicien: Tokens;
let clientUser: Tokens;
let orphanClient: Tokens;
let c1: number;
let c2: number;
let k1: number;
let k1b: number;
const ids: Record<string, number> = {};

const t = useTestApp({ clock }, async () => {
  c1 = await insertClient(t().db);
  c2 = await insertClient(t().db);
  k1 = await insertContrat(t().db, c1);
  k1b = await insertContrat(t().db, c1);
  const db = t().db;
  // Inserted in this order, so ids ascend alphabetically by key.
  ids.a = await insertEquipement(db, { nom: 'Zeta compresseur', type_equipement: 'Compresseur', localisation: 'Atelier Nord', statut: 'panne', criticite: 'critique', numero_serie: 'SN-100', client_id: c1, contrat_id: k1, created_at: new Date('2026-01-03T00:00:00Z') });
  ids.b = await insertEquipement(db, { nom: 'alpha pompe', type_equipement: 'pompe', localisation: 'Atelier Sud', statut: 'operationnel', criticite: 'non_critique', code_interne: 'CI-7', client_id: c1, contrat_id: k1b, created_at: new Date('2026-01-01T00:00:00Z') });
  ids.c = await insertEquipement(db, { nom: 'Beta chaudière', type_equipement: 'chaudière', localisation: 'Chaufferie', statut: 'maintenance', criticite: 'important', client_id: c2, created_at: new Date('2026-01-02T00:00:00Z') });
  ids.d = await insertEquipement(db, { nom: 'Gamma 100% inox', type_equipement: 'COMPRESSEUR', localisation: 'atelier nord bis', statut: 'retire', criticite: 'standard', code_interne: 'X_1', created_at: new Date('2026-01-02T00:00:00Z') });
  admin = await login(t(), await seedUser(t(), 'admin'));
  responsable = await login(t(), await seedUser(t(), 'responsable'));
  technicien = await login(t(), await seedUser(t(), 'technicien'));
  clientUser = await login(t(), await seedUser(t(), 'client', { clientId: c1 }));
  orphanClient = await login(t(), await seedUser(t(), 'client'));
});

/** GET of the list with a raw query string (repeated and comma-list parameters as written). */
function list(query = '', tokens: Tokens = responsable, prefix = '/api/v1', path = '/equipements/') {
  return call(t(), 'GET', `${prefix}${path}${query ? `?${query}` : ''}`, { as: tokens });
}

async function listIds(query = '', tokens: Tokens = responsable): Promise<{ ids: number[]; total: number }> {
  const response = await list(query, tokens);
  assert.equal(response.statusCode, 200, response.body);
  return { ids: response.json().map((e: { id: number }) => e.id), total: Number(response.headers['x-total-count']) };
}

const all = () => [ids.a!, ids.b!, ids.c!, ids.d!];

describe('scope', () => {
  test('admin, responsable and technicien see every equipment, default order id', async () => {
    for (const tokens of [admin, responsable, technicien]) assert.deepEqual(await listIds('', tokens), { ids: all(), total: 4 });
  });

  test("a client user sees only its company's equipment, and X-Total-Count counts only those", async () => {
    assert.deepEqual(await listIds('', clientUser), { ids: [ids.a, ids.b], total: 2 });
    assert.deepEqual(await listIds(`client_id=${c2}`, clientUser), { ids: [], total: 0 });
    assert.deepEqual(await listIds('q=beta', clientUser), { ids: [], total: 0 });
  });

  test('a client user without a company gets an empty list', async () => {
    const response = await list('', orphanClient);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), []);
    assert.equal(response.headers['x-total-count'], '0');
  });

  test('no token → 401', async () => {
    assertError(await call(t(), 'GET', '/api/v1/equipements/'), 401, 'Non authentifié');
  });

  test('items have the EquipementOut shape (frequency as a string)', async () => {
    await t().db.updateTable('equipements').set({ frequence_entretien_jours: 90 }).where('id', '=', ids.a!).execute();
    const [first] = (await list(`q=zeta`)).json();
    assert.equal(first.type, 'Compresseur');
    assert.equal(first.frequence_entretien, '90');
    assert.equal(first.client_id, c1);
    assert.equal(first.contrat_id, k1);
    assert.equal(first.created_at, '2026-01-03T00:00:00.000Z');
  });
});

describe('filters', () => {
  test('statut: single, comma list, repeated parameter; unknown value → 422', async () => {
    assert.deepEqual(await listIds('statut=panne'), { ids: [ids.a], total: 1 });
    assert.deepEqual(await listIds('statut=panne,retire'), { ids: [ids.a, ids.d], total: 2 });
    assert.deepEqual(await listIds('statut=panne&statut=maintenance'), { ids: [ids.a, ids.c], total: 2 });
    const bad = await list('statut=cassé');
    assert.equal(bad.statusCode, 422);
    assert.deepEqual(bad.json().error.details[0].loc.slice(0, 2), ['query', 'statut']);
  });

  test('criticite', async () => {
    assert.deepEqual(await listIds('criticite=critique,important'), { ids: [ids.a, ids.c], total: 2 });
    assert.equal((await list('criticite=haute')).statusCode, 422);
  });

  test('type: exact, case-insensitive', async () => {
    assert.deepEqual(await listIds('type=compresseur'), { ids: [ids.a, ids.d], total: 2 });
    assert.deepEqual(await listIds(`type=${encodeURIComponent('CHAUDIÈRE')}`), { ids: [ids.c], total: 1 });
    assert.deepEqual(await listIds('type=compress'), { ids: [], total: 0 });
  });

  test('client_id and contrat_id; bad ids → 422', async () => {
    assert.deepEqual(await listIds(`client_id=${c1}`), { ids: [ids.a, ids.b], total: 2 });
    assert.deepEqual(await listIds(`contrat_id=${k1b}`), { ids: [ids.b], total: 1 });
    assert.equal((await list('client_id=abc')).statusCode, 422);
    assert.equal((await list('contrat_id=0')).statusCode, 422);
  });

  test('localisation: case-insensitive substring', async () => {
    assert.deepEqual(await listIds('localisation=NORD'), { ids: [ids.a, ids.d], total: 2 });
    assert.deepEqual(await listIds('localisation=atelier'), { ids: [ids.a, ids.b, ids.d], total: 3 });
  });

  test('q: nom, numero_serie or code_interne, case-insensitive; LIKE wildcards match literally', async () => {
    assert.deepEqual(await listIds('q=POMPE'), { ids: [ids.b], total: 1 });
    assert.deepEqual(await listIds('q=sn-10'), { ids: [ids.a], total: 1 });
    assert.deepEqual(await listIds('q=ci-7'), { ids: [ids.b], total: 1 });
    assert.deepEqual(await listIds('q=100%25'), { ids: [ids.d], total: 1 });
    assert.deepEqual(await listIds('q=X_1'), { ids: [ids.d], total: 1 });
    assert.deepEqual(await listIds('q=x%25'), { ids: [], total: 0 });
  });

  test('filters combine with AND', async () => {
    assert.deepEqual(await listIds(`type=compresseur&client_id=${c1}`), { ids: [ids.a], total: 1 });
    assert.deepEqual(await listIds('localisation=atelier&statut=operationnel,retire&q=a'), { ids: [ids.b, ids.d], total: 2 });
  });
});

describe('sort and pagination', () => {
  test('sort by nom (case-insensitive), -nom, statut and criticite (enum order), created_at with id tie-break', async () => {
    assert.deepEqual((await listIds('sort=nom')).ids, [ids.b, ids.c, ids.d, ids.a]);
    assert.deepEqual((await listIds('sort=-nom')).ids, [ids.a, ids.d, ids.c, ids.b]);
    // operationnel, maintenance, panne, retire
    assert.deepEqual((await listIds('sort=statut')).ids, [ids.b, ids.c, ids.a, ids.d]);
    // critique, important, standard, non_critique
    assert.deepEqual((await listIds('sort=criticite')).ids, [ids.a, ids.c, ids.d, ids.b]);
    assert.deepEqual((await listIds('sort=-criticite')).ids, [ids.b, ids.d, ids.c, ids.a]);
    assert.deepEqual((await listIds('sort=created_at')).ids, [ids.b, ids.c, ids.d, ids.a]);
    assert.deepEqual((await listIds('sort=-created_at')).ids, [ids.a, ids.c, ids.d, ids.b]);
    assert.deepEqual((await listIds('sort=-id')).ids, [ids.d, ids.c, ids.b, ids.a]);
  });

  test('unknown sort field → 422', async () => {
    const response = await list('sort=prix');
    assert.equal(response.statusCode, 422);
    assert.deepEqual(response.json().error.details[0].loc, ['query', 'sort']);
    assert.equal((await list('sort=nom,-type')).statusCode, 422);
  });

  test('limit and offset; X-Total-Count is the count before paging; bad values → 422', async () => {
    assert.deepEqual(await listIds('limit=2'), { ids: [ids.a, ids.b], total: 4 });
    assert.deepEqual(await listIds('limit=2&offset=3'), { ids: [ids.d], total: 4 });
    assert.deepEqual(await listIds('offset=10'), { ids: [], total: 4 });
    for (const query of ['limit=0', 'limit=501', 'offset=-1', 'limit=abc']) assert.equal((await list(query)).statusCode, 422, query);
  });

  test('default limit 50', async () => {
    const rows = Array.from({ length: 51 }, (_, i) => ({ nom: `Lot ${i}`, type_equipement: 'lot', localisation: 'Entrepôt' }));
    await t().db.insertInto('equipements').values(rows).execute();
    const page = await listIds('type=lot');
    assert.equal(page.ids.length, 50);
    assert.equal(page.total, 51);
    assert.equal((await listIds('type=lot&limit=500')).ids.length, 51);
    await t().db.deleteFrom('equipements').where('type_equipement', '=', 'lot').execute();
  });
});

test('trailing slash optional; root alias served', async () => {
  for (const [prefix, path] of [
    ['/api/v1', '/equipements'],
    ['', '/equipements/'],
    ['', '/equipements'],
  ] as const) {
    const response = await list('', clientUser, prefix, path);
    assert.equal(response.statusCode, 200, `${prefix}${path}`);
    assert.deepEqual(response.json().map((e: { id: number }) => e.id), [ids.a, ids.b]);
    assert.equal(response.headers['x-total-count'], '2');
  }
});
