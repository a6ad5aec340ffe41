/**
 * /equipements: create, read, update, delete — success shapes, every specific error, bad input,
 * the RBAC cells of docs/security.md §5 and the record-level scope of client users.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, login, MINUTE, seedUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement, insertIntervention } from '../../helpers/fixtures.js';
import { assertError, assertIssue, call } from '../../helpers/http.js';

const clock = new FakeClock();
let admin: Tokens;
let responsable: Tokens;
let technicien: Tokens;
let clientUser: Tokens;
let clientUserId: number;
let orphanClient: Tokens;
let c1: number;
let c2: number;
let k1: number; // contract of c1
let k2: number; // contract of c2

const t = useTestApp({ clock }, async () => {
  c1 = await insertClient(t().db);
  c2 = await insertClient(t().db);
  k1 = await insertContrat(t().db, c1);
  k2 = await insertContrat(t().db, c2);
  admin = await login(t(), await seedUser(t(), 'admin'));
  responsable = await login(t(), await seedUser(t(), 'responsable'));
  technicien = await login(t(), await seedUser(t(), 'technicien'));
  const cu = await seedUser(t(), 'client', { clientId: c1 });
  clientUserId = cu.id;
  clientUser = await login(t(), cu);
  orphanClient = await login(t(), await seedUser(t(), 'client'));
});

type Json = Record<string, unknown>;

async function countRows(): Promise<number> {
  const row = await t().db.selectFrom('equipements').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function storedRow(id: number) {
  return t().db.selectFrom('equipements').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

let sequence = 0;
const uniqueName = (base = 'Équipement') => `${base} ${++sequence}`;

async function create(body: Json, tokens: Tokens = responsable) {
  const response = await call(t(), 'POST', '/api/v1/equipements/', { as: tokens, payload: body });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

const EQUIPEMENT_OUT_KEYS = [
  'id',
  'nom',
  'type',
  'localisation',
  'frequence_entretien',
  'numero_serie',
  'code_interne',
  'marque',
  'modele',
  'batiment',
  'etage',
  'zone',
  'statut',
  'criticite',
  'description',
  'date_mise_en_service',
  'date_fin_garantie',
  'cout_acquisition',
  'client_id',
  'contrat_id',
  'created_at',
  'updated_at',
].sort();

// -------------------------------------------------------------------------------------------------

describe('POST /equipements/', () => {
  test('every field: 200 EquipementOut with legacy names, `type`, frequency as a string of days', async () => {
    const response = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: {
      nom: '  Compresseur Atlas  ',
      type: ' compresseur ',
      localisation: ' Atelier A ',
      frequence_entretien: 'Mensuelle',
      numero_serie: 'SN-001',
      code_interne: 'CI-001',
      marque: 'Atlas Copco',
      modele: 'GA 30',
      batiment: 'B1',
      etage: 'RDC',
      zone: 'Nord',
      statut: 'maintenance',
      criticite: 'critique',
      description: 'Compresseur principal',
      date_mise_en_service: '2024-03-01T10:00:00',
      date_fin_garantie: '2027-03-01',
      cout_acquisition: 125000.5,
      client_id: c1,
      contrat_id: k1,
      unknown_field: 'ignoré',
    } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), EQUIPEMENT_OUT_KEYS);
    assert.equal(typeof body.id, 'number');
    assert.deepEqual(
      { ...body, id: undefined },
      {
        id: undefined,
        nom: 'Compresseur Atlas',
        type: 'compresseur',
        localisation: 'Atelier A',
        frequence_entretien: '30',
        numero_serie: 'SN-001',
        code_interne: 'CI-001',
        marque: 'Atlas Copco',
        modele: 'GA 30',
        batiment: 'B1',
        etage: 'RDC',
        zone: 'Nord',
        statut: 'maintenance',
        criticite: 'critique',
        description: 'Compresseur principal',
        date_mise_en_service: '2024-03-01T10:00:00.000Z',
        date_fin_garantie: '2027-03-01T00:00:00.000Z',
        cout_acquisition: 125000.5,
        client_id: c1,
        contrat_id: k1,
        created_at: clock.now().toISOString(),
        updated_at: clock.now().toISOString(),
      },
    );
    const row = await storedRow(body.id);
    assert.equal(row.type_equipement, 'compresseur');
    assert.equal(row.frequence_entretien_jours, 30);
    assert.equal('unknown_field' in row, false);
  });

  test('minimal body: defaults (operationnel, standard), nulls, MIF equipment (no client)', async () => {
    const body = await create({ nom: uniqueName('Pompe'), type: 'pompe', localisation: 'Local technique' });
    assert.equal(body.statut, 'operationnel');
    assert.equal(body.criticite, 'standard');
    for (const key of ['frequence_entretien', 'numero_serie', 'code_interne', 'marque', 'modele', 'batiment', 'etage', 'zone', 'description', 'date_mise_en_service', 'date_fin_garantie', 'cout_acquisition', 'client_id', 'contrat_id']) {
      assert.equal(body[key], null, key);
    }
  });

  test('`type_equipement` is accepted as an alias; `type` wins when both are given', async () => {
    const alias = await create({ nom: uniqueName(), type_equipement: 'groupe électrogène', localisation: 'Sous-sol' });
    assert.equal(alias.type, 'groupe électrogène');
    assert.equal('type_equipement' in alias, false);
    const both = await create({ nom: uniqueName(), type: 'chaudière', type_equipement: 'autre', localisation: 'Sous-sol' });
    assert.equal(both.type, 'chaudière');
    assert.equal((await storedRow(both.id)).type_equipement, 'chaudière');
    const nullType = await create({ nom: uniqueName(), type: null, type_equipement: 'onduleur', localisation: 'Sous-sol' });
    assert.equal(nullType.type, 'onduleur');
  });

  test('frequence_entretien: integers, digit strings, labels → a string of days; empty string and null → null', async () => {
    const cases: [unknown, string | null][] = [
      [45, '45'],
      ['90', '90'],
      [' Trimestrielle ', '90'],
      ['HEBDOMADAIRE', '7'],
      ['annuel', '365'],
      ['yearly', '365'],
      [1, '1'],
      [3650, '3650'],
      ['', null],
      [null, null],
    ];
    for (const [input, expected] of cases) {
      const body = await create({ nom: uniqueName(), type: 'x', localisation: 'y', frequence_entretien: input });
      assert.equal(body.frequence_entretien, expected, JSON.stringify(input));
    }
  });

  test('an invalid frequence_entretien → 422 "Fréquence d\'entretien invalide" (never a 500), nothing written', async () => {
    const before = await countRows();
    for (const value of ['abc', 'tous les mois', '30 jours', 0, 3651, '0', '3651', -5, 12.5, true, false, '12.5']) {
      const response = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: uniqueName(), type: 'x', localisation: 'y', frequence_entretien: value } });
      assertError(response, 422, "Fréquence d'entretien invalide");
      assert.equal(response.json().error.code, 'VALIDATION_ERROR');
      assert.deepEqual(response.json().error.details, [{ loc: ['body', 'frequence_entretien'], msg: "Fréquence d'entretien invalide", type: 'value' }]);
    }
    for (const value of [[], {}, 'x'.repeat(51)]) {
      const response = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: uniqueName(), type: 'x', localisation: 'y', frequence_entretien: value } });
      assert.equal(response.statusCode, 422, JSON.stringify(value));
      assert.deepEqual(response.json().error.details[0].loc, ['body', 'frequence_entretien']);
    }
    assert.equal(await countRows(), before);
  });

  test('missing nom, type and localisation → 422 listing each; empty JSON body too', async () => {
    const before = await countRows();
    const response = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { marque: 'x' } });
    assertError(response, 422, 'Erreur de validation des données');
    const invalidStatut = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: uniqueName(), type: 'x', localisation: 'y', statut: 'hs' } });
    assert.deepEqual(invalidStatut.json().error.details, [
      { loc: ['body', 'statut'], msg: 'Valeur non autorisée. Valeurs acceptées : operationnel, maintenance, panne, retire', type: 'enum' },
    ]);
    assert.deepEqual(response.json().error.details, [
      { loc: ['body', 'nom'], msg: 'Champ obligatoire', type: 'missing' },
      { loc: ['body', 'type'], msg: 'Champ obligatoire', type: 'missing' },
      { loc: ['body', 'localisation'], msg: 'Champ obligatoire', type: 'missing' },
    ]);
    const empty = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 422);
    assert.deepEqual(empty.json().error.details.map((d: any) => d.loc[1]), ['nom', 'type', 'localisation']);
    const nulls = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: null, type: null, type_equipement: null, localisation: null } });
    assert.equal(nulls.statusCode, 422);
    assert.deepEqual(nulls.json().error.details.map((d: any) => d.type), ['missing', 'missing', 'missing']);
    assert.equal(await countRows(), before);
  });

  test('blank mandatory strings → 422 too_short; blank optional strings → NULL', async () => {
    const blank = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: '   ', type: 'x', localisation: '\t' } });
    assert.equal(blank.statusCode, 422);
    assert.deepEqual(blank.json().error.details, [
      { loc: ['body', 'nom'], msg: 'Ne doit pas être vide', type: 'too_short' },
      { loc: ['body', 'localisation'], msg: 'Ne doit pas être vide', type: 'too_short' },
    ]);
    const blankAlias = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: uniqueName(), type_equipement: ' ', localisation: 'x' } });
    // The alias is read as `type` (src/http/aliases.ts): the issue is located there.
    assert.deepEqual(blankAlias.json().error.details, [{ loc: ['body', 'type'], msg: 'Ne doit pas être vide', type: 'too_short' }]);
    const body = await create({ nom: uniqueName(), type: 'x', localisation: 'y', numero_serie: '  ', code_interne: '', marque: ' ', description: '  ', date_fin_garantie: '' });
    assert.equal(body.numero_serie, null);
    assert.equal(body.code_interne, null);
    assert.equal(body.marque, null);
    assert.equal(body.description, null);
    assert.equal(body.date_fin_garantie, null);
  });

  test('oversized strings, wrong types, unknown enum values, negative cost, bad dates → 422, nothing written', async () => {
    const before = await countRows();
    const base = { nom: uniqueName(), type: 'x', localisation: 'y' };
    const cases: [Json, (string | number)[], string][] = [
      [{ ...base, nom: 'n'.repeat(256) }, ['body', 'nom'], 'too_long'],
      [{ ...base, type: 't'.repeat(101) }, ['body', 'type'], 'too_long'],
      [{ ...base, type_equipement: 't'.repeat(101), type: undefined }, ['body', 'type_equipement'], 'too_long'],
      [{ ...base, localisation: 'l'.repeat(256) }, ['body', 'localisation'], 'too_long'],
      [{ ...base, numero_serie: 's'.repeat(101) }, ['body', 'numero_serie'], 'too_long'],
      [{ ...base, code_interne: 'c'.repeat(51) }, ['body', 'code_interne'], 'too_long'],
      [{ ...base, etage: 'e'.repeat(21) }, ['body', 'etage'], 'too_long'],
      [{ ...base, marque: 'm'.repeat(101) }, ['body', 'marque'], 'too_long'],
      [{ ...base, statut: 'cassé' }, ['body', 'statut'], 'enum'],
      [{ ...base, statut: '' }, ['body', 'statut'], 'enum'],
      [{ ...base, criticite: 'CRITIQUE' }, ['body', 'criticite'], 'enum'],
      [{ ...base, cout_acquisition: -0.01 }, ['body', 'cout_acquisition'], 'range'],
      [{ ...base, cout_acquisition: 10_000_000_000 }, ['body', 'cout_acquisition'], 'range'],
      [{ ...base, cout_acquisition: 'cher' }, ['body', 'cout_acquisition'], 'type'],
      [{ ...base, client_id: 0 }, ['body', 'client_id'], 'range'],
      [{ ...base, client_id: 2_147_483_648 }, ['body', 'client_id'], 'range'],
      [{ ...base, contrat_id: 'abc' }, ['body', 'contrat_id'], 'type'],
      [{ ...base, nom: { a: 1 } }, ['body', 'nom'], 'type'],
      [{ ...base, date_mise_en_service: '2026-02-30' }, ['body', 'date_mise_en_service'], 'format'],
      [{ ...base, date_fin_garantie: 'demain' }, ['body', 'date_fin_garantie'], 'format'],
      [{ ...base, date_fin_garantie: '2026-01-01T25:00:00Z' }, ['body', 'date_fin_garantie'], 'format'],
    ];
    for (const [payload, loc, type] of cases) {
      assertIssue(await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload }), loc, type);
    }
    const badDate = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { ...base, date_mise_en_service: '2026-02-30' } });
    assert.deepEqual(badDate.json().error.details, [{ loc: ['body', 'date_mise_en_service'], msg: 'Date invalide', type: 'format' }]);
    assert.equal(await countRows(), before);
  });

  test('limits count characters (not bytes); dates with an offset; cost rounded to the cent; coerced numeric strings', async () => {
    const body = await create({
      nom: 'é'.repeat(255),
      type: 'x',
      localisation: 'y',
      etage: 'ü'.repeat(20),
      date_mise_en_service: '2026-03-01T10:00:00+01:00',
      cout_acquisition: '99.999',
      client_id: String(c2),
    });
    assert.equal(body.nom, 'é'.repeat(255));
    assert.equal(body.etage, 'ü'.repeat(20));
    assert.equal(body.date_mise_en_service, '2026-03-01T09:00:00.000Z');
    assert.equal(body.cout_acquisition, 100);
    assert.equal(body.client_id, c2);
  });

  test('409 "Équipement déjà existant" for the same name, whatever the case and spaces', async () => {
    await create({ nom: 'Chiller Nord', type: 'x', localisation: 'y' });
    const before = await countRows();
    for (const nom of ['Chiller Nord', 'CHILLER NORD', '  chiller nord ']) {
      const response = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom, type: 'x', localisation: 'y' } });
      assertError(response, 409, 'Équipement déjà existant');
    }
    assert.equal(await countRows(), before);
  });

  test('409 "Numéro de série déjà utilisé" and 409 "Code interne déjà utilisé"', async () => {
    await create({ nom: uniqueName(), type: 'x', localisation: 'y', numero_serie: 'SN-DUP', code_interne: 'CI-DUP' });
    const before = await countRows();
    const serie = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: uniqueName(), type: 'x', localisation: 'y', numero_serie: ' SN-DUP ' } });
    assertError(serie, 409, 'Numéro de série déjà utilisé');
    assert.equal(serie.json().error.code, 'CONFLICT');
    const code = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { nom: uniqueName(), type: 'x', localisation: 'y', code_interne: 'CI-DUP' } });
    assertError(code, 409, 'Code interne déjà utilisé');
    assert.equal(await countRows(), before);
  });

  test('404 "Client introuvable", 404 "Contrat introuvable", 422 "Le contrat n\'appartient pas à ce client"', async () => {
    const before = await countRows();
    const base = { type: 'x', localisation: 'y' };
    assertError(await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { ...base, nom: uniqueName(), client_id: 999_999 } }), 404, 'Client introuvable');
    assertError(await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { ...base, nom: uniqueName(), contrat_id: 999_999 } }), 404, 'Contrat introuvable');
    assertError(await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { ...base, nom: uniqueName(), client_id: c1, contrat_id: 999_999 } }), 404, 'Contrat introuvable');
    const mismatch = await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { ...base, nom: uniqueName(), client_id: c1, contrat_id: k2 } });
    assertError(mismatch, 422, "Le contrat n'appartient pas à ce client");
    assert.deepEqual(mismatch.json().error.details, [{ loc: ['body', 'contrat_id'], msg: "Le contrat n'appartient pas à ce client", type: 'value' }]);
    assertError(await call(t(), 'POST', '/api/v1/equipements/', { as: responsable, payload: { ...base, nom: uniqueName(), client_id: null, contrat_id: k1 } }), 422, "Le contrat n'appartient pas à ce client");
    assert.equal(await countRows(), before);
  });

  test("a contract without client_id: the equipment takes the contract's client", async () => {
    const body = await create({ nom: uniqueName(), type: 'x', localisation: 'y', contrat_id: k2 });
    assert.equal(body.client_id, c2);
    assert.equal(body.contrat_id, k2);
  });

  test('admin may create; technicien and client → 403; no token → 401; nothing written', async () => {
    const created = await create({ nom: uniqueName(), type: 'x', localisation: 'y' }, admin);
    assert.equal(typeof created.id, 'number');
    const before = await countRows();
    for (const tokens of [technicien, clientUser]) {
      assertError(await call(t(), 'POST', '/api/v1/equipements/', { as: tokens, payload: { nom: uniqueName(), type: 'x', localisation: 'y' } }), 403, 'Accès réservé aux rôles : admin, responsable');
    }
    assertError(await call(t(), 'POST', '/api/v1/equipements/', { payload: { nom: uniqueName(), type: 'x', localisation: 'y' } }), 401, 'Non authentifié');
    assert.equal(await countRows(), before);
    const denied = await t().db.selectFrom('audit_events').select(['actor_user_id', 'details']).where('event_type', '=', 'rbac.denied').where('actor_user_id', '=', clientUserId).execute();
    assert.ok(denied.some((row) => (row.details as any).reason === 'role'));
  });

  test('trailing slash optional, root alias served', async () => {
    const noSlash = await call(t(), 'POST', '/api/v1/equipements', { as: responsable, payload: { nom: uniqueName(), type: 'x', localisation: 'y' } });
    assert.equal(noSlash.statusCode, 200);
    const root = await call(t(), 'POST', '/equipements/', { as: responsable, payload: { nom: uniqueName('Racine'), type: 'x', localisation: 'y' } });
    assert.equal(root.statusCode, 200);
    assert.match(root.json().nom, /^Racine/);
    const rootNoSlash = await call(t(), 'POST', '/equipements', { as: responsable, payload: { nom: uniqueName('Racine'), type: 'x', localisation: 'y' } });
    assert.equal(rootNoSlash.statusCode, 200);
  });
});

// -------------------------------------------------------------------------------------------------

describe('GET /equipements/{id}', () => {
  let own: number;
  let other: number;
  let mif: number;
  before(async () => {
    own = await insertEquipement(t().db, { client_id: c1, frequence_entretien_jours: 180, cout_acquisition: 1500.25 });
    other = await insertEquipement(t().db, { client_id: c2 });
    mif = await insertEquipement(t().db);
  });

  test('admin, responsable and technicien read any equipment; frequency as a string, cost as a number', async () => {
    for (const tokens of [admin, responsable, technicien]) {
      for (const id of [own, other, mif]) {
        const response = await call(t(), 'GET', `/api/v1/equipements/${id}`, { as: tokens });
        assert.equal(response.statusCode, 200);
        assert.equal(response.json().id, id);
      }
    }
    const body = (await call(t(), 'GET', `/api/v1/equipements/${own}`, { as: technicien })).json();
    assert.deepEqual(Object.keys(body).sort(), EQUIPEMENT_OUT_KEYS);
    assert.equal(body.frequence_entretien, '180');
    assert.equal(body.cout_acquisition, 1500.25);
    assert.equal(body.client_id, c1);
  });

  test("a client user reads its company's equipment; other companies' and MIF's → 404 audited hors_perimetre", async () => {
    const response = await call(t(), 'GET', `/api/v1/equipements/${own}`, { as: clientUser });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().id, own);
    for (const id of [other, mif]) {
      assertError(await call(t(), 'GET', `/api/v1/equipements/${id}`, { as: clientUser }), 404, 'Équipement introuvable');
      const audit = await t().db
        .selectFrom('audit_events')
        .select(['outcome', 'actor_user_id', 'actor_role', 'resource_type', 'details'])
        .where('event_type', '=', 'rbac.denied')
        .where('resource_id', '=', String(id))
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.outcome, 'denied');
      assert.equal(audit[0]!.actor_user_id, clientUserId);
      assert.equal(audit[0]!.actor_role, 'client');
      assert.equal(audit[0]!.resource_type, 'equipement');
      assert.equal((audit[0]!.details as any).reason, 'hors_perimetre');
    }
  });

  test('a client user without a company → 404 on every equipment', async () => {
    for (const id of [own, other, mif]) assertError(await call(t(), 'GET', `/api/v1/equipements/${id}`, { as: orphanClient }), 404, 'Équipement introuvable');
  });

  test('unknown id → 404 (not audited); non-integer, zero, out-of-range ids → 422', async () => {
    const before = await t().db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('event_type', '=', 'rbac.denied').executeTakeFirstOrThrow();
    assertError(await call(t(), 'GET', '/api/v1/equipements/999999', { as: responsable }), 404, 'Équipement introuvable');
    assertError(await call(t(), 'GET', '/api/v1/equipements/999999', { as: clientUser }), 404, 'Équipement introuvable');
    const afterCount = await t().db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('event_type', '=', 'rbac.denied').executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
    for (const id of ['abc', '0', '-1', '1.5', '2147483648']) {
      const response = await call(t(), 'GET', `/api/v1/equipements/${id}`, { as: responsable });
      assert.equal(response.statusCode, 422, id);
      assert.equal(response.json().error.details[0].loc[0], 'path');
    }
  });

  test('no token → 401; trailing slash and root alias', async () => {
    assertError(await call(t(), 'GET', `/api/v1/equipements/${own}`), 401, 'Non authentifié');
    assert.equal((await call(t(), 'GET', `/api/v1/equipements/${own}/`, { as: responsable })).statusCode, 200);
    assert.equal((await call(t(), 'GET', `/equipements/${own}`, { as: responsable })).json().id, own);
  });
});

// -------------------------------------------------------------------------------------------------

describe('PATCH /equipements/{id}', () => {
  test('partial update: given fields change, others are kept, updated_at moves, created_at does not', async () => {
    const created = await create({ nom: uniqueName('Patch'), type: 'pompe', localisation: 'A', marque: 'Grundfos', frequence_entretien: 30 });
    clock.advance(MINUTE);
    const response = await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, payload: { localisation: '  B  ', statut: 'panne', frequence_entretien: 'semestriel' } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.deepEqual(body, { ...created, localisation: 'B', statut: 'panne', frequence_entretien: '180', updated_at: clock.now().toISOString() });
    assert.notEqual(body.created_at, body.updated_at);
    assert.equal((await storedRow(created.id)).frequence_entretien_jours, 180);
  });

  test('null keeps a mandatory field and clears an optional one; "" clears an optional one', async () => {
    const created = await create({ nom: uniqueName('Null'), type: 'pompe', localisation: 'A', marque: 'M', modele: 'X', frequence_entretien: 7, cout_acquisition: 10, date_fin_garantie: '2027-01-01', criticite: 'critique' });
    const response = await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, payload: {
      nom: null,
      type: null,
      localisation: null,
      statut: null,
      criticite: null,
      marque: null,
      modele: '  ',
      frequence_entretien: '',
      cout_acquisition: null,
      date_fin_garantie: null,
    } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.nom, created.nom);
    assert.equal(body.type, 'pompe');
    assert.equal(body.localisation, 'A');
    assert.equal(body.statut, 'operationnel');
    assert.equal(body.criticite, 'critique');
    assert.equal(body.marque, null);
    assert.equal(body.modele, null);
    assert.equal(body.frequence_entretien, null);
    assert.equal(body.cout_acquisition, null);
    assert.equal(body.date_fin_garantie, null);
    const cleared = await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, payload: { frequence_entretien: null } });
    assert.equal(cleared.json().frequence_entretien, null);
  });

  test('`type` and its alias `type_equipement`; `type` wins', async () => {
    const created = await create({ nom: uniqueName(), type: 'a', localisation: 'A' });
    assert.equal((await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, payload: { type_equipement: 'b' } })).json().type, 'b');
    assert.equal((await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, payload: { type: 'c', type_equipement: 'd' } })).json().type, 'c');
    assert.equal((await storedRow(created.id)).type_equipement, 'c');
  });

  test('empty body (or empty JSON) changes nothing, not even updated_at', async () => {
    const created = await create({ nom: uniqueName(), type: 'a', localisation: 'A' });
    clock.advance(MINUTE);
    const empty = await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual(empty.json(), created);
    const unknownOnly = await call(t(), 'PATCH', `/api/v1/equipements/${created.id}`, { as: responsable, payload: { inconnu: 1 } });
    assert.deepEqual(unknownOnly.json(), created);
  });

  test('409 duplicate name (case-insensitive, another row); renaming itself with another case is fine', async () => {
    const a = await create({ nom: uniqueName('Dup'), type: 'a', localisation: 'A' });
    const b = await create({ nom: uniqueName('Dup'), type: 'a', localisation: 'A' });
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${b.id}`, { as: responsable, payload: { nom: a.nom.toUpperCase() } }), 409, 'Équipement déjà existant');
    assert.equal((await storedRow(b.id)).nom, b.nom);
    const self = await call(t(), 'PATCH', `/api/v1/equipements/${b.id}`, { as: responsable, payload: { nom: b.nom.toLowerCase() } });
    assert.equal(self.statusCode, 200);
    assert.equal(self.json().nom, b.nom.toLowerCase());
  });

  test('409 serial number and internal code taken by another equipment; keeping its own is fine', async () => {
    const a = await create({ nom: uniqueName(), type: 'a', localisation: 'A', numero_serie: 'SN-P1', code_interne: 'CI-P1' });
    const b = await create({ nom: uniqueName(), type: 'a', localisation: 'A', numero_serie: 'SN-P2' });
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${b.id}`, { as: responsable, payload: { numero_serie: 'SN-P1' } }), 409, 'Numéro de série déjà utilisé');
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${b.id}`, { as: responsable, payload: { code_interne: 'CI-P1' } }), 409, 'Code interne déjà utilisé');
    assert.equal((await storedRow(b.id)).numero_serie, 'SN-P2');
    assert.equal((await storedRow(b.id)).code_interne, null);
    assert.equal((await call(t(), 'PATCH', `/api/v1/equipements/${a.id}`, { as: responsable, payload: { numero_serie: 'SN-P1', code_interne: 'CI-P1' } })).statusCode, 200);
  });

  test('client and contract: 404s, mismatch 422, adopting the contract client, moving requires a matching contract', async () => {
    const e = await create({ nom: uniqueName('Own'), type: 'a', localisation: 'A', client_id: c1, contrat_id: k1 });
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { client_id: 999_999 } }), 404, 'Client introuvable');
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { contrat_id: 999_999 } }), 404, 'Contrat introuvable');
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { contrat_id: k2 } }), 422, "Le contrat n'appartient pas à ce client");
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { client_id: c2 } }), 422, "Le contrat n'appartient pas à ce client");
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { client_id: null } }), 422, "Le contrat n'appartient pas à ce client");
    let row = await storedRow(e.id);
    assert.deepEqual([row.client_id, row.contrat_id], [c1, k1]);

    const moved = await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { client_id: c2, contrat_id: k2 } });
    assert.equal(moved.statusCode, 200);
    assert.deepEqual([moved.json().client_id, moved.json().contrat_id], [c2, k2]);
    const noContract = await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { contrat_id: null } });
    assert.deepEqual([noContract.json().client_id, noContract.json().contrat_id], [c2, null]);
    const mif = await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { client_id: null } });
    assert.deepEqual([mif.json().client_id, mif.json().contrat_id], [null, null]);
    const adopted = await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { contrat_id: k1 } });
    assert.deepEqual([adopted.json().client_id, adopted.json().contrat_id], [c1, k1]);
    row = await storedRow(e.id);
    assert.deepEqual([row.client_id, row.contrat_id], [c1, k1]);
  });

  test("existing interventions keep the client and contract they were created with", async () => {
    const e = await create({ nom: uniqueName(), type: 'a', localisation: 'A', client_id: c1, contrat_id: k1 });
    const intervention = await insertIntervention(t().db, e.id, { client_id: c1, contrat_id: k1 });
    assert.equal((await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { client_id: c2, contrat_id: k2 } })).statusCode, 200);
    const row = await t().db.selectFrom('interventions').select(['client_id', 'contrat_id']).where('id', '=', intervention).executeTakeFirstOrThrow();
    assert.deepEqual(row, { client_id: c1, contrat_id: k1 });
  });

  test('bad input → 422 and nothing changed', async () => {
    const e = await create({ nom: uniqueName(), type: 'a', localisation: 'A', frequence_entretien: 30 });
    const before = await storedRow(e.id);
    assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload: { frequence_entretien: 'souvent', localisation: 'B' } }), 422, "Fréquence d'entretien invalide");
    for (const payload of [{ nom: '  ' }, { statut: 'inconnu' }, { cout_acquisition: -1 }, { etage: 'x'.repeat(21) }, { date_mise_en_service: '31/12/2026' }, { client_id: 0 }]) {
      const response = await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: responsable, payload });
      assert.equal(response.statusCode, 422, JSON.stringify(payload));
    }
    assert.deepEqual(await storedRow(e.id), before);
  });

  test('404 unknown id; technicien and client → 403, nothing changed; admin may', async () => {
    assertError(await call(t(), 'PATCH', '/api/v1/equipements/999999', { as: responsable, payload: { marque: 'x' } }), 404, 'Équipement introuvable');
    const e = await create({ nom: uniqueName(), type: 'a', localisation: 'A', client_id: c1 });
    for (const tokens of [technicien, clientUser]) {
      assertError(await call(t(), 'PATCH', `/api/v1/equipements/${e.id}`, { as: tokens, payload: { marque: 'x' } }), 403, 'Accès réservé aux rôles : admin, responsable');
    }
    assert.equal((await storedRow(e.id)).marque, null);
    const byAdmin = await call(t(), 'PATCH', `/equipements/${e.id}`, { as: admin, payload: { marque: 'x' } });
    assert.equal(byAdmin.statusCode, 200);
    assert.equal(byAdmin.json().marque, 'x');
  });
});

// -------------------------------------------------------------------------------------------------

describe('DELETE /equipements/{id}', () => {
  async function insertPlanning(equipementId: number): Promise<number> {
    const row = await t().db.insertInto('plannings').values({ equipement_id: equipementId, frequence: 'mensuel' }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  test('200 {"detail":"Équipement supprimé avec succès."}; its plannings are deleted; audited data.deleted', async () => {
    const e = await create({ nom: uniqueName('Suppr'), type: 'a', localisation: 'A', client_id: c1 });
    const p1 = await insertPlanning(e.id);
    const p2 = await insertPlanning(e.id);
    const otherEquipement = await insertEquipement(t().db);
    const kept = await insertPlanning(otherEquipement);
    const response = await call(t(), 'DELETE', `/api/v1/equipements/${e.id}`, { as: responsable });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { detail: 'Équipement supprimé avec succès.' });
    assert.equal(await t().db.selectFrom('equipements').select('id').where('id', '=', e.id).executeTakeFirst(), undefined);
    const plannings = await t().db.selectFrom('plannings').select('id').where('id', 'in', [p1, p2, kept]).execute();
    assert.deepEqual(plannings.map((p) => p.id), [kept]);
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['outcome', 'actor_role', 'resource_type', 'details'])
      .where('event_type', '=', 'data.deleted')
      .where('resource_id', '=', String(e.id))
      .executeTakeFirstOrThrow();
    assert.equal(audit.outcome, 'success');
    assert.equal(audit.actor_role, 'responsable');
    assert.equal(audit.resource_type, 'equipement');
    assert.deepEqual(audit.details, { nom: e.nom, client_id: c1, plannings_supprimes: 2 });
    assertError(await call(t(), 'DELETE', `/api/v1/equipements/${e.id}`, { as: responsable }), 404, 'Équipement introuvable');
  });

  test('409 "Équipement utilisé par des interventions" (even closed ones); row and plannings kept', async () => {
    const e = await insertEquipement(t().db);
    const planning = await insertPlanning(e);
    await insertIntervention(t().db, e, { statut: 'annulee' });
    const response = await call(t(), 'DELETE', `/api/v1/equipements/${e}`, { as: admin });
    assertError(response, 409, 'Équipement utilisé par des interventions');
    assert.equal(response.json().error.code, 'CONFLICT');
    assert.equal((await storedRow(e)).id, e);
    assert.ok(await t().db.selectFrom('plannings').select('id').where('id', '=', planning).executeTakeFirst());
    const audit = await t().db.selectFrom('audit_events').select('id').where('event_type', '=', 'data.deleted').where('resource_id', '=', String(e)).execute();
    assert.equal(audit.length, 0);
  });

  test('technicien and client → 403 and the row stays; unknown → 404; bad id → 422', async () => {
    const e = await insertEquipement(t().db, { client_id: c1 });
    for (const tokens of [technicien, clientUser]) {
      assertError(await call(t(), 'DELETE', `/api/v1/equipements/${e}`, { as: tokens }), 403, 'Accès réservé aux rôles : admin, responsable');
    }
    assertError(await call(t(), 'DELETE', `/api/v1/equipements/${e}`), 401, 'Non authentifié');
    assert.equal((await storedRow(e)).id, e);
    assertError(await call(t(), 'DELETE', '/api/v1/equipements/999999', { as: admin }), 404, 'Équipement introuvable');
    assert.equal((await call(t(), 'DELETE', '/api/v1/equipements/abc', { as: admin })).statusCode, 422);
  });

  test('empty JSON body accepted; root alias and trailing slash', async () => {
    const e1 = await insertEquipement(t().db);
    const empty = await call(t(), 'DELETE', `/api/v1/equipements/${e1}/`, { as: admin, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 200, empty.body);
    const e2 = await insertEquipement(t().db);
    const root = await call(t(), 'DELETE', `/equipements/${e2}`, { as: admin });
    assert.deepEqual(root.json(), { detail: 'Équipement supprimé avec succès.' });
  });
});
