import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { MINUTE, seedUser } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement, insertIntervention } from '../../helpers/fixtures.js';
import { assertError, assertIssue, call } from '../../helpers/http.js';
import { snapshot, useWorld } from './world.js';

const { clock, t, w } = useWorld();

const CLIENT_FIELDS = [
  'id',
  'nom_entreprise',
  'nom_commercial',
  'type_client',
  'secteur_activite',
  'ice',
  'numero_tva',
  'nom_contact',
  'prenom_contact',
  'fonction_contact',
  'email',
  'telephone',
  'telephone_mobile',
  'adresse_ligne1',
  'adresse_ligne2',
  'code_postal',
  'ville',
  'region',
  'pays',
  'niveau_service',
  'is_active',
  'notes',
  'date_creation',
  'date_modification',
].sort();

let counter = 0;
/** A valid create body with a unique name. */
function newClient(extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return { nom_entreprise: `Entreprise ${counter}`, nom_contact: 'Benali', email: `contact${counter}@exemple.ma`, ...extra };
}

async function post(body: unknown, actor: 'admin' | 'responsable' = 'admin') {
  return call(t(), 'POST', '/api/v1/clients/', { as: w.tokens[actor], payload: body });
}

async function countClients(): Promise<number> {
  return (await snapshot(t(), 'clients')).length;
}

describe('POST /clients/', () => {
  test('201 with every column: trimmed strings, empty optional → null, lower-case e-mail, timestamps from the clock', async () => {
    const response = await post({
      nom_entreprise: '  Atlas Froid Industrie  ',
      nom_commercial: ' Atlas Froid ',
      type_client: 'collectivite',
      secteur_activite: 'Agroalimentaire',
      ice: '001234567000089',
      numero_tva: '12345678',
      nom_contact: ' Idrissi ',
      prenom_contact: 'Salma',
      fonction_contact: '',
      email: ' Salma.Idrissi@Atlas-Froid.MA ',
      telephone: '+212522000000',
      telephone_mobile: '   ',
      adresse_ligne1: '12 rue des Oliviers',
      adresse_ligne2: null,
      code_postal: '20250',
      ville: 'Casablanca',
      region: 'Casablanca-Settat',
      pays: 'Maroc',
      niveau_service: 'premium',
      is_active: false,
      notes: 'Client historique',
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), CLIENT_FIELDS);
    assert.equal(typeof body.id, 'number');
    assert.deepEqual(
      { ...body, id: 0 },
      {
        id: 0,
        nom_entreprise: 'Atlas Froid Industrie',
        nom_commercial: 'Atlas Froid',
        type_client: 'collectivite',
        secteur_activite: 'Agroalimentaire',
        ice: '001234567000089',
        numero_tva: '12345678',
        nom_contact: 'Idrissi',
        prenom_contact: 'Salma',
        fonction_contact: null,
        email: 'salma.idrissi@atlas-froid.ma',
        telephone: '+212522000000',
        telephone_mobile: null,
        adresse_ligne1: '12 rue des Oliviers',
        adresse_ligne2: null,
        code_postal: '20250',
        ville: 'Casablanca',
        region: 'Casablanca-Settat',
        pays: 'Maroc',
        niveau_service: 'premium',
        is_active: false,
        notes: 'Client historique',
        date_creation: clock.now().toISOString(),
        date_modification: clock.now().toISOString(),
      },
    );
    const row = await t().db.selectFrom('clients').select(['email', 'nom_entreprise']).where('id', '=', body.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { email: 'salma.idrissi@atlas-froid.ma', nom_entreprise: 'Atlas Froid Industrie' });
  });

  test('required fields only: the column defaults; explicit nulls on defaulted columns give the defaults too', async () => {
    for (const extra of [{}, { type_client: null, pays: null, niveau_service: null, is_active: null }]) {
      const response = await call(t(), 'POST', '/api/v1/clients', { as: w.tokens.responsable, payload: newClient(extra) });
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.equal(body.type_client, 'entreprise');
      assert.equal(body.pays, 'Maroc');
      assert.equal(body.niveau_service, 'standard');
      assert.equal(body.is_active, true);
      assert.equal(body.ice, null);
      assert.equal(body.notes, null);
    }
  });

  test('unknown fields are ignored, never stored (id, date_creation, user_id)', async () => {
    const response = await post(newClient({ id: 999_999, date_creation: '2000-01-01T00:00:00Z', user_id: 1, siret: '123' }));
    assert.equal(response.statusCode, 201);
    const body = response.json();
    assert.notEqual(body.id, 999_999);
    assert.equal(body.date_creation, clock.now().toISOString());
    assert.equal('siret' in body, false);
  });

  test('409 "Client déjà existant": same name, case-insensitive and trimmed; nothing written', async () => {
    await post(newClient({ nom_entreprise: 'Maghreb Textile' }));
    const before = await countClients();
    const response = await post(newClient({ nom_entreprise: '  MAGHREB textile ' }));
    assertError(response, 409, 'Client déjà existant');
    assert.equal(await countClients(), before);
  });

  test('409 "ICE déjà utilisé"; nothing written', async () => {
    await post(newClient({ ice: '111222333444555' }));
    const before = await countClients();
    assertError(await post(newClient({ ice: ' 111222333444555 ' })), 409, 'ICE déjà utilisé');
    assert.equal(await countClients(), before);
  });

  test('422 "ICE invalide (15 chiffres attendus)": too short, too long, letters; nothing written', async () => {
    const before = await countClients();
    for (const ice of ['12345', '1234567890123456', 'ABCDEFGHIJKLMNO', '12345678901234-', 123456789012345678]) {
      const response = await post(newClient({ ice }));
      const details = assertError(response, 422, 'ICE invalide (15 chiffres attendus)');
      assert.deepEqual(details, [{ loc: ['body', 'ice'], msg: 'ICE invalide (15 chiffres attendus)', type: 'format' }]);
    }
    assert.equal(await countClients(), before);
  });

  test('422 for missing required fields (absent, null or blank); nothing written', async () => {
    const before = await countClients();
    const absent = await post({ nom_commercial: 'Sans nom' });
    assertError(absent, 422, 'Erreur de validation des données');
    for (const field of ['nom_entreprise', 'nom_contact', 'email']) assertIssue(absent, ['body', field], 'missing', 'Champ obligatoire');
    assertIssue(await post(newClient({ nom_entreprise: '   ' })), ['body', 'nom_entreprise'], 'missing');
    assertIssue(await post(newClient({ nom_contact: null })), ['body', 'nom_contact'], 'missing');
    assertIssue(await post(newClient({ email: '' })), ['body', 'email'], 'missing');
    assert.equal(await countClients(), before);
  });

  test('422 for a bad e-mail, an unknown enum value, a wrong type, an oversized string; nothing written', async () => {
    const before = await countClients();
    assertIssue(await post(newClient({ email: 'pas-une-adresse' })), ['body', 'email'], 'format', 'Adresse e-mail invalide');
    assertIssue(await post(newClient({ type_client: 'societe' })), ['body', 'type_client'], 'enum');
    assertIssue(await post(newClient({ type_client: 'Entreprise' })), ['body', 'type_client'], 'enum');
    assertIssue(await post(newClient({ niveau_service: 'gold' })), ['body', 'niveau_service'], 'enum');
    assertIssue(await post(newClient({ nom_entreprise: { nom: 'x' } })), ['body', 'nom_entreprise'], 'type');
    assertIssue(await post(newClient({ is_active: 'peut-être' })), ['body', 'is_active'], 'type');
    assertIssue(await post(newClient({ nom_entreprise: 'x'.repeat(256) })), ['body', 'nom_entreprise'], 'too_long');
    assertIssue(await post(newClient({ telephone: '0'.repeat(21) })), ['body', 'telephone'], 'too_long');
    assertIssue(await post(newClient({ code_postal: '12345678901' })), ['body', 'code_postal'], 'too_long');
    assertIssue(await post(newClient({ nom_contact: 'n'.repeat(101) })), ['body', 'nom_contact'], 'too_long');
    assertIssue(await post(newClient({ email: `${'e'.repeat(250)}@exemple.ma` })), ['body', 'email'], 'too_long');
    assertIssue(await post(newClient({ notes: 'avant\u0000après' })), ['body', 'notes'], 'value', 'Caractère NUL interdit');
    assert.equal(await countClients(), before);
  });

  test('422 for an empty JSON body, a JSON array and malformed JSON', async () => {
    const before = await countClients();
    const empty = await call(t(), 'POST', '/api/v1/clients/', { as: w.tokens.admin, headers: { 'content-type': 'application/json' } });
    assertError(empty, 422, 'Erreur de validation des données');
    assertError(await post([newClient()]), 422, 'Erreur de validation des données');
    const malformed = await call(t(), 'POST', '/api/v1/clients/', { as: w.tokens.admin, payload: '{"nom_entreprise": ', headers: { 'content-type': 'application/json' } });
    assertIssue(malformed, ['body'], 'json_invalid');
    assert.equal(await countClients(), before);
  });
});

describe('GET /clients/{client_id}', () => {
  test('200 ClientOut for admin and responsable; also at the root and with a trailing slash', async () => {
    for (const [actor, prefix, path] of [
      ['admin', '/api/v1', `/clients/${w.c1}`],
      ['responsable', '/api/v1', `/clients/${w.c2}/`],
      ['admin', '', `/clients/${w.c1}`],
    ] as const) {
      const response = await call(t(), 'GET', `${prefix}${path}`, { as: w.tokens[actor] });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(Object.keys(response.json()).sort(), CLIENT_FIELDS);
    }
    assert.equal((await call(t(), 'GET', `/api/v1/clients/${w.c1}`, { as: w.tokens.admin })).json().nom_entreprise, 'Société Une');
  });

  test('404 "Client introuvable" for an unknown id; 422 for a non-positive or non-integer id', async () => {
    assertError(await call(t(), 'GET', '/api/v1/clients/987654', { as: w.tokens.admin }), 404, 'Client introuvable');
    for (const id of ['0', '-3', 'abc', '1.5']) {
      assertIssue(await call(t(), 'GET', `/api/v1/clients/${id}`, { as: w.tokens.admin }), ['path', 'client_id'], id === 'abc' || id === '1.5' ? 'type' : 'range');
    }
  });
});

describe('PATCH /clients/{client_id}', () => {
  test('updates the given columns only and date_modification; null or blank clears an optional column', async () => {
    const id = (await post(newClient({ ville: 'Fès', telephone: '0535000000', notes: 'à garder' }))).json().id;
    const created = (await call(t(), 'GET', `/api/v1/clients/${id}`, { as: w.tokens.admin })).json();
    clock.advance(5 * MINUTE);
    const response = await call(t(), 'PATCH', `/api/v1/clients/${id}`, {
      as: w.tokens.responsable,
      payload: { ville: ' Meknès ', telephone: null, region: '', email: 'NOUVEAU@Exemple.MA', niveau_service: 'basique', is_active: false },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      ...created,
      ville: 'Meknès',
      telephone: null,
      region: null,
      email: 'nouveau@exemple.ma',
      niveau_service: 'basique',
      is_active: false,
      date_modification: clock.now().toISOString(),
    });
    assert.equal(response.json().notes, 'à garder');
    assert.equal(response.json().date_creation, created.date_creation);
  });

  test('an empty body (or an empty JSON body) changes nothing, not even date_modification', async () => {
    const id = (await post(newClient())).json().id;
    const before = (await call(t(), 'GET', `/api/v1/clients/${id}`, { as: w.tokens.admin })).json();
    clock.advance(MINUTE);
    const empty = await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, headers: { 'content-type': 'application/json' } });
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual(empty.json(), before);
    const emptyObject = await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: {} });
    assert.deepEqual(emptyObject.json(), before);
  });

  test('renaming to its own name in another case is allowed; to another client\'s name → 409', async () => {
    const id = (await post(newClient({ nom_entreprise: 'Casa Énergie' }))).json().id;
    const own = await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: { nom_entreprise: 'CASA ÉNERGIE' } });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().nom_entreprise, 'CASA ÉNERGIE');
    const before = await snapshot(t(), 'clients');
    assertError(await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: { nom_entreprise: 'société une' } }), 409, 'Client déjà existant');
    assert.deepEqual(await snapshot(t(), 'clients'), before);
  });

  test('409 "ICE déjà utilisé", 422 ICE invalide; its own ICE again is fine; nothing written on refusal', async () => {
    await post(newClient({ ice: '999888777666555' }));
    const id = (await post(newClient({ ice: '000111222333444' }))).json().id;
    const before = await snapshot(t(), 'clients');
    assertError(await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: { ice: '999888777666555' } }), 409, 'ICE déjà utilisé');
    assertError(await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: { ice: '12' } }), 422, 'ICE invalide (15 chiffres attendus)');
    assert.deepEqual(await snapshot(t(), 'clients'), before);
    const same = await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: { ice: '000111222333444' } });
    assert.equal(same.statusCode, 200);
    const cleared = await call(t(), 'PATCH', `/api/v1/clients/${id}`, { as: w.tokens.admin, payload: { ice: null } });
    assert.equal(cleared.json().ice, null);
  });

  test('422 on bad input (null on a required column, enum, type, length); 404 for an unknown client', async () => {
    const before = await snapshot(t(), 'clients');
    const path = `/clients/${w.c1}`;
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { nom_entreprise: null } }), ['body', 'nom_entreprise'], 'missing');
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { email: '  ' } }), ['body', 'email'], 'missing');
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { email: 'sans-arobase' } }), ['body', 'email'], 'format');
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { is_active: null } }), ['body', 'is_active'], 'missing');
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { type_client: 'pme' } }), ['body', 'type_client'], 'enum');
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { ville: ['a', 'b'] } }), ['body', 'ville'], 'type');
    assertIssue(await call(t(), 'PATCH', `/api/v1${path}`, { as: w.tokens.admin, payload: { region: 'r'.repeat(101) } }), ['body', 'region'], 'too_long');
    assert.deepEqual(await snapshot(t(), 'clients'), before);
    assertError(await call(t(), 'PATCH', '/api/v1/clients/987654', { as: w.tokens.admin, payload: { ville: 'Oujda' } }), 404, 'Client introuvable');
  });
});

describe('DELETE /clients/{client_id}', () => {
  test('204 with an empty body, audited data.deleted; the client is gone', async () => {
    const id = (await post(newClient({ nom_entreprise: 'À supprimer' }))).json().id;
    const response = await call(t(), 'DELETE', `/api/v1/clients/${id}`, { as: w.tokens.responsable, headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 204, response.body);
    assert.equal(response.body, '');
    assertError(await call(t(), 'GET', `/api/v1/clients/${id}`, { as: w.tokens.admin }), 404, 'Client introuvable');
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_user_id', 'actor_role', 'resource_type', 'resource_id', 'details'])
      .where('event_type', '=', 'data.deleted')
      .where('resource_id', '=', String(id))
      .execute();
    assert.deepEqual(audit, [
      { event_type: 'data.deleted', outcome: 'success', actor_user_id: w.userIds.responsable, actor_role: 'responsable', resource_type: 'client', resource_id: String(id), details: { nom_entreprise: 'À supprimer' } },
    ]);
    assertError(await call(t(), 'DELETE', `/api/v1/clients/${id}`, { as: w.tokens.admin }), 404, 'Client introuvable');
  });

  test('409 while a user, a contract, an equipment item or an intervention refers to it; nothing deleted', async () => {
    const db = t().db;
    const withUser = await insertClient(db);
    await seedUser(t(), 'client', { clientId: withUser });
    const withContrat = await insertClient(db);
    await insertContrat(db, withContrat);
    const withEquipement = await insertClient(db);
    await insertEquipement(db, { client_id: withEquipement });
    const withIntervention = await insertClient(db);
    await insertIntervention(db, await insertEquipement(db), { client_id: withIntervention });
    const before = await snapshot(t(), 'clients');
    for (const id of [withUser, withContrat, withEquipement, withIntervention]) {
      assertError(
        await call(t(), 'DELETE', `/api/v1/clients/${id}`, { as: w.tokens.admin }),
        409,
        'Client lié à des utilisateurs, contrats, équipements ou interventions : désactivez-le',
      );
    }
    assert.deepEqual(await snapshot(t(), 'clients'), before);
    const deactivated = await call(t(), 'PATCH', `/api/v1/clients/${withContrat}`, { as: w.tokens.admin, payload: { is_active: false } });
    assert.equal(deactivated.json().is_active, false);
  });
});

describe('GET /clients/', () => {
  let ids: Record<string, number>;
  before(async () => {
    const make = async (body: Record<string, unknown>) => (await post(newClient(body))).json().id as number;
    ids = {
      zeta: await make({ nom_entreprise: 'zz Liste Zeta', type_client: 'association', ville: 'Tanger', nom_commercial: 'ZetaCom' }),
      alpha: await make({ nom_entreprise: 'ZZ Liste Alpha', type_client: 'particulier', ville: 'tanger', ice: '555000555000555' }),
      mid: await make({ nom_entreprise: 'zz Liste Mid 100%', type_client: 'association', ville: 'Agadir', is_active: false }),
    };
  });

  async function list(query: Record<string, string | string[]>, actor: 'admin' | 'responsable' = 'admin') {
    return call(t(), 'GET', '/api/v1/clients/', { as: w.tokens[actor], query });
  }
  function names(response: Awaited<ReturnType<typeof list>>): string[] {
    assert.equal(response.statusCode, 200, response.body);
    return response.json().map((c: { nom_entreprise: string }) => c.nom_entreprise);
  }

  test('every client, ordered by id, X-Total-Count; plain array of ClientOut', async () => {
    const response = await list({});
    const body = response.json();
    assert.ok(Array.isArray(body));
    const total = await countClients();
    assert.equal(response.headers['x-total-count'], String(total));
    assert.equal(body.length, total);
    assert.deepEqual(body.map((c: { id: number }) => c.id), [...body.map((c: { id: number }) => c.id)].sort((a: number, b: number) => a - b));
    assert.deepEqual(Object.keys(body[0]).sort(), CLIENT_FIELDS);
  });

  test('filters: q (nom_entreprise, nom_commercial, ICE; % literal), type_client (comma list or repeated), ville (case-insensitive), is_active', async () => {
    const search = await list({ q: 'zz liste' });
    assert.deepEqual(names(search), ['zz Liste Zeta', 'ZZ Liste Alpha', 'zz Liste Mid 100%']);
    assert.deepEqual(search.json().map((c: { id: number }) => c.id), [ids.zeta, ids.alpha, ids.mid]);
    assert.deepEqual(names(await list({ q: 'zetacom' })), ['zz Liste Zeta']);
    assert.deepEqual(names(await list({ q: '555000' })), ['ZZ Liste Alpha']);
    assert.deepEqual(names(await list({ q: '100%' })), ['zz Liste Mid 100%']);
    assert.deepEqual(names(await list({ q: '%' })), ['zz Liste Mid 100%']);
    assert.deepEqual(names(await list({ q: 'zz liste', type_client: 'association' })), ['zz Liste Zeta', 'zz Liste Mid 100%']);
    assert.deepEqual(names(await list({ q: 'zz liste', type_client: 'association,particulier' })), ['zz Liste Zeta', 'ZZ Liste Alpha', 'zz Liste Mid 100%']);
    assert.deepEqual(names(await list({ q: 'zz liste', type_client: ['particulier', 'collectivite'] })), ['ZZ Liste Alpha']);
    assert.deepEqual(names(await list({ ville: 'TANGER' })), ['zz Liste Zeta', 'ZZ Liste Alpha']);
    assert.deepEqual(names(await list({ q: 'zz liste', is_active: 'no' })), ['zz Liste Mid 100%']);
    const active = await list({ q: 'zz liste', is_active: 'TRUE' });
    assert.deepEqual(names(active), ['zz Liste Zeta', 'ZZ Liste Alpha']);
    assert.equal(active.headers['x-total-count'], '2');
  });

  test('sort nom_entreprise (case-insensitive), -nom_entreprise, -id; unknown field → 422', async () => {
    assert.deepEqual(names(await list({ q: 'zz liste', sort: 'nom_entreprise' })), ['ZZ Liste Alpha', 'zz Liste Mid 100%', 'zz Liste Zeta']);
    assert.deepEqual(names(await list({ q: 'zz liste', sort: '-nom_entreprise' })), ['zz Liste Zeta', 'zz Liste Mid 100%', 'ZZ Liste Alpha']);
    assert.deepEqual(names(await list({ q: 'zz liste', sort: '-id' })), ['zz Liste Mid 100%', 'ZZ Liste Alpha', 'zz Liste Zeta']);
    assertIssue(await list({ sort: 'ville' }), ['query', 'sort'], 'enum');
  });

  test('pagination: limit/offset after the count; bad values → 422', async () => {
    const page = await list({ q: 'zz liste', sort: 'nom_entreprise', limit: '1', offset: '1' });
    assert.deepEqual(names(page), ['zz Liste Mid 100%']);
    assert.equal(page.headers['x-total-count'], '3');
    assertIssue(await list({ limit: '0' }), ['query', 'limit'], 'range');
    assertIssue(await list({ limit: '501' }), ['query', 'limit'], 'range');
    assertIssue(await list({ offset: '-1' }), ['query', 'offset'], 'range');
    assertIssue(await list({ type_client: 'pme' }), ['query', 'type_client', 0], 'enum');
    assertIssue(await list({ is_active: 'peut-etre' }), ['query', 'is_active'], 'format');
    assertIssue(await list({ q: 'a\u0000b' }), ['query', 'q'], 'value', 'Caractère NUL interdit');
    assertIssue(await list({ ville: 'x'.repeat(101) }), ['query', 'ville'], 'too_long');
  });

  test('served at /clients, /clients/ and at the root', async () => {
    for (const [prefix, path] of [
      ['/api/v1', '/clients'],
      ['', '/clients/'],
      ['', '/clients'],
    ] as const) {
      const response = await call(t(), 'GET', `${prefix}${path}`, { as: w.tokens.responsable, query: { q: 'zz liste' } });
      assert.equal(response.statusCode, 200, `${prefix}${path}`);
      assert.equal(response.headers['x-total-count'], '3');
    }
  });
});
