import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ContratsRepository } from '../../../src/modules/clients/contrats-repository.js';
import { MINUTE } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement, insertIntervention } from '../../helpers/fixtures.js';
import { assertError, assertIssue, call } from '../../helpers/http.js';
import { snapshot, useWorld } from './world.js';

const { clock, t, w } = useWorld();

const CONTRAT_FIELDS = [
  'id',
  'numero_contrat',
  'nom_contrat',
  'description',
  'type_contrat',
  'statut',
  'date_signature',
  'date_renouvellement',
  'date_debut',
  'date_fin',
  'montant_annuel',
  'devise',
  'mode_facturation',
  'temps_reponse_urgence_h',
  'temps_reponse_normal_h',
  'nb_interventions_incluses',
  'heures_maintenance_incluses',
  'client_id',
  'is_active',
  'date_creation',
  'date_modification',
  'nb_interventions_utilisees',
].sort();

const DATES_ORDER = 'La date de fin doit être postérieure ou égale à la date de début';

let counter = 0;
function newContrat(extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    numero_contrat: `CTR-2026-${String(counter).padStart(3, '0')}`,
    nom_contrat: `Maintenance ${counter}`,
    type_contrat: 'maintenance_preventive',
    date_debut: '2026-01-01',
    date_fin: '2026-12-31',
    client_id: w.c1,
    ...extra,
  };
}

async function post(body: unknown, actor: 'admin' | 'responsable' = 'admin') {
  return call(t(), 'POST', '/api/v1/contrats/', { as: w.tokens[actor], payload: body });
}

async function patch(id: number, body: unknown) {
  return call(t(), 'PATCH', `/api/v1/contrats/${id}`, { as: w.tokens.admin, payload: body });
}

async function countContrats(): Promise<number> {
  return (await snapshot(t(), 'contrats')).length;
}

describe('POST /contrats/', () => {
  test('201 ContratOut with every column and nb_interventions_utilisees; dates as YYYY-MM-DD, money as a number', async () => {
    const response = await post({
      numero_contrat: ' CTR-2026-900 ',
      nom_contrat: ' Contrat cadre froid ',
      description: 'Couverture complète',
      type_contrat: 'contrat_cadre',
      statut: 'en_cours',
      date_signature: '2025-12-15',
      date_renouvellement: '',
      date_debut: '2026-01-01',
      date_fin: '2027-12-31',
      montant_annuel: 125000.5,
      devise: 'EUR',
      mode_facturation: 'trimestriel',
      temps_reponse_urgence_h: 4,
      temps_reponse_normal_h: 48,
      nb_interventions_incluses: 12,
      heures_maintenance_incluses: 0,
      client_id: w.c2,
      is_active: true,
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), CONTRAT_FIELDS);
    assert.deepEqual(
      { ...body, id: 0 },
      {
        id: 0,
        numero_contrat: 'CTR-2026-900',
        nom_contrat: 'Contrat cadre froid',
        description: 'Couverture complète',
        type_contrat: 'contrat_cadre',
        statut: 'en_cours',
        date_signature: '2025-12-15',
        date_renouvellement: null,
        date_debut: '2026-01-01',
        date_fin: '2027-12-31',
        montant_annuel: 125000.5,
        devise: 'EUR',
        mode_facturation: 'trimestriel',
        temps_reponse_urgence_h: 4,
        temps_reponse_normal_h: 48,
        nb_interventions_incluses: 12,
        heures_maintenance_incluses: 0,
        client_id: w.c2,
        is_active: true,
        date_creation: clock.now().toISOString(),
        date_modification: clock.now().toISOString(),
        nb_interventions_utilisees: 0,
      },
    );
  });

  test('required fields only: statut brouillon, devise MAD, mode mensuel, active; nulls on defaulted columns too', async () => {
    for (const extra of [{}, { statut: null, devise: null, mode_facturation: null, is_active: null }]) {
      const response = await post(newContrat(extra), 'responsable');
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.deepEqual(
        [body.statut, body.devise, body.mode_facturation, body.is_active, body.montant_annuel, body.date_signature],
        ['brouillon', 'MAD', 'mensuel', true, null, null],
      );
    }
  });

  test('unknown and computed fields are ignored (id, nb_interventions_utilisees, date_creation)', async () => {
    const response = await post(newContrat({ id: 999_999, nb_interventions_utilisees: 42, date_creation: '2000-01-01', facture: true }));
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.notEqual(body.id, 999_999);
    assert.equal(body.nb_interventions_utilisees, 0);
    assert.equal(body.date_creation, clock.now().toISOString());
    assert.equal('facture' in body, false);
  });

  test('same start and end date is allowed', async () => {
    const response = await post(newContrat({ date_debut: '2026-03-01', date_fin: '2026-03-01' }));
    assert.equal(response.statusCode, 201, response.body);
  });

  test('404 "Client introuvable" for an unknown client_id; nothing written', async () => {
    const before = await countContrats();
    assertError(await post(newContrat({ client_id: 987654 })), 404, 'Client introuvable');
    assert.equal(await countContrats(), before);
  });

  test('409 "Numéro de contrat déjà utilisé"; nothing written', async () => {
    const before = await countContrats();
    assertError(await post(newContrat({ numero_contrat: ' W-C1-001 ' })), 409, 'Numéro de contrat déjà utilisé');
    assert.equal(await countContrats(), before);
  });

  test('422 "La date de fin doit être postérieure ou égale à la date de début"; nothing written', async () => {
    const before = await countContrats();
    const details = assertError(await post(newContrat({ date_debut: '2026-06-02', date_fin: '2026-06-01' })), 422, DATES_ORDER);
    assert.deepEqual(details, [{ loc: ['body', 'date_fin'], msg: DATES_ORDER, type: 'value' }]);
    assert.equal(await countContrats(), before);
  });

  test('422 for impossible or malformed dates, bad ranges, devise, enums, types, lengths, missing fields; nothing written', async () => {
    const before = await countContrats();
    const cases: [Record<string, unknown>, (string | number)[], string][] = [
      [{ date_fin: '2026-02-30' }, ['body', 'date_fin'], 'format'],
      [{ date_debut: '2026-13-01' }, ['body', 'date_debut'], 'format'],
      [{ date_debut: '01/01/2026' }, ['body', 'date_debut'], 'format'],
      [{ date_signature: '2026-02-29' }, ['body', 'date_signature'], 'format'],
      [{ date_renouvellement: '2026-01-01T00:00:00Z' }, ['body', 'date_renouvellement'], 'format'],
      [{ montant_annuel: -1 }, ['body', 'montant_annuel'], 'range'],
      [{ montant_annuel: 10_000_000_000 }, ['body', 'montant_annuel'], 'range'],
      [{ montant_annuel: 12.345 }, ['body', 'montant_annuel'], 'value'],
      [{ montant_annuel: 'beaucoup' }, ['body', 'montant_annuel'], 'type'],
      [{ temps_reponse_urgence_h: 0 }, ['body', 'temps_reponse_urgence_h'], 'range'],
      [{ temps_reponse_urgence_h: 169 }, ['body', 'temps_reponse_urgence_h'], 'range'],
      [{ temps_reponse_normal_h: 721 }, ['body', 'temps_reponse_normal_h'], 'range'],
      [{ temps_reponse_normal_h: 2.5 }, ['body', 'temps_reponse_normal_h'], 'type'],
      [{ nb_interventions_incluses: -1 }, ['body', 'nb_interventions_incluses'], 'range'],
      [{ heures_maintenance_incluses: -5 }, ['body', 'heures_maintenance_incluses'], 'range'],
      [{ devise: 'eur' }, ['body', 'devise'], 'format'],
      [{ devise: 'EURO' }, ['body', 'devise'], 'format'],
      [{ type_contrat: 'maintenance' }, ['body', 'type_contrat'], 'enum'],
      [{ statut: 'actif' }, ['body', 'statut'], 'enum'],
      [{ mode_facturation: 'hebdomadaire' }, ['body', 'mode_facturation'], 'enum'],
      [{ client_id: 'abc' }, ['body', 'client_id'], 'type'],
      [{ client_id: 0 }, ['body', 'client_id'], 'range'],
      [{ client_id: null }, ['body', 'client_id'], 'missing'],
      [{ type_contrat: null }, ['body', 'type_contrat'], 'missing'],
      [{ is_active: 'oui' }, ['body', 'is_active'], 'type'],
      [{ numero_contrat: 'N'.repeat(51) }, ['body', 'numero_contrat'], 'too_long'],
      [{ nom_contrat: 'n'.repeat(256) }, ['body', 'nom_contrat'], 'too_long'],
      [{ nom_contrat: '   ' }, ['body', 'nom_contrat'], 'missing'],
      [{ description: { texte: 'x' } }, ['body', 'description'], 'type'],
      [{ description: 'nul\u0000' }, ['body', 'description'], 'value'],
    ];
    for (const [extra, loc, type] of cases) assertIssue(await post(newContrat(extra)), loc, type);
    const absent = await post({ nom_contrat: 'Sans le reste' });
    for (const field of ['numero_contrat', 'type_contrat', 'date_debut', 'date_fin', 'client_id']) assertIssue(absent, ['body', field], 'missing', 'Champ obligatoire');
    assertError(await call(t(), 'POST', '/api/v1/contrats', { as: w.tokens.admin, headers: { 'content-type': 'application/json' } }), 422, 'Erreur de validation des données');
    assert.equal(await countContrats(), before);
  });
});

describe('GET /contrats/{contrat_id}', () => {
  test('200 for admin and responsable (root alias and trailing slash too); 404 "Contrat introuvable"; 422 bad id', async () => {
    for (const [actor, prefix, path] of [
      ['admin', '/api/v1', `/contrats/${w.contratC1}`],
      ['responsable', '/api/v1', `/contrats/${w.contratC2}/`],
      ['admin', '', `/contrats/${w.contratC1}`],
    ] as const) {
      const response = await call(t(), 'GET', `${prefix}${path}`, { as: w.tokens[actor] });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(Object.keys(response.json()).sort(), CONTRAT_FIELDS);
    }
    assert.equal((await call(t(), 'GET', `/api/v1/contrats/${w.contratC2}`, { as: w.tokens.admin })).json().numero_contrat, 'W-C2-001');
    assertError(await call(t(), 'GET', '/api/v1/contrats/987654', { as: w.tokens.admin }), 404, 'Contrat introuvable');
    assertIssue(await call(t(), 'GET', '/api/v1/contrats/0', { as: w.tokens.admin }), ['path', 'contrat_id'], 'range');
    assertIssue(await call(t(), 'GET', '/api/v1/contrats/x', { as: w.tokens.admin }), ['path', 'contrat_id'], 'type');
  });
});

describe('nb_interventions_utilisees', () => {
  test('counts non-cancelled interventions of the contract created from date_debut to the end of date_fin (Africa/Casablanca days)', async () => {
    const db = t().db;
    const client = await insertClient(db);
    // June 2026: Casablanca is UTC+1.
    const contrat = await insertContrat(db, client, { date_debut: '2026-06-01', date_fin: '2026-06-30' });
    const other = await insertContrat(db, client, { date_debut: '2026-06-01', date_fin: '2026-06-30' });
    const equipement = await insertEquipement(db, { client_id: client });
    const at = (iso: string, values: Record<string, unknown> = {}) =>
      insertIntervention(db, equipement, { contrat_id: contrat, client_id: client, date_creation: new Date(iso), ...values });
    await at('2026-05-31T23:00:00Z'); // 1 June 00:00 local: counted
    await at('2026-05-31T23:30:00Z'); // 1 June 00:30 local: counted
    await at('2026-06-15T10:00:00Z', { statut: 'cloturee', date_cloture: new Date('2026-06-16T10:00:00Z') }); // counted
    await at('2026-06-30T22:30:00Z'); // 30 June 23:30 local: counted
    await at('2026-06-10T10:00:00Z', { statut: 'annulee' }); // cancelled
    await at('2026-05-31T22:30:00Z'); // 31 May 23:30 local: before
    await at('2026-06-30T23:30:00Z'); // 1 July 00:30 local: after
    await insertIntervention(db, equipement, { contrat_id: other, date_creation: new Date('2026-06-12T10:00:00Z') });
    await insertIntervention(db, equipement, { date_creation: new Date('2026-06-12T10:00:00Z') });

    const one = await call(t(), 'GET', `/api/v1/contrats/${contrat}`, { as: w.tokens.admin });
    assert.equal(one.json().nb_interventions_utilisees, 4);
    const list = await call(t(), 'GET', '/api/v1/contrats/', { as: w.tokens.admin, query: { client_id: String(client) } });
    assert.deepEqual(
      list.json().map((c: { id: number; nb_interventions_utilisees: number }) => [c.id, c.nb_interventions_utilisees]),
      [
        [contrat, 4],
        [other, 1],
      ],
    );
  });
});

describe('PATCH /contrats/{contrat_id}', () => {
  test('updates the given columns and date_modification; null clears an optional column', async () => {
    const id = (await post(newContrat({ montant_annuel: 5000, temps_reponse_urgence_h: 8, description: 'garder' }))).json().id;
    const created = (await call(t(), 'GET', `/api/v1/contrats/${id}`, { as: w.tokens.admin })).json();
    clock.advance(10 * MINUTE);
    const response = await patch(id, { statut: 'en_cours', montant_annuel: null, temps_reponse_urgence_h: 2, date_fin: '2027-06-30', nom_contrat: ' Renommé ' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      ...created,
      statut: 'en_cours',
      montant_annuel: null,
      temps_reponse_urgence_h: 2,
      date_fin: '2027-06-30',
      nom_contrat: 'Renommé',
      date_modification: clock.now().toISOString(),
    });
  });

  test('date_fin ≥ date_debut against the stored value of the other date; nothing written on refusal', async () => {
    const id = (await post(newContrat({ date_debut: '2026-03-01', date_fin: '2026-09-30' }))).json().id;
    const before = await snapshot(t(), 'contrats');
    assertError(await patch(id, { date_fin: '2026-02-28' }), 422, DATES_ORDER);
    assertError(await patch(id, { date_debut: '2026-10-01' }), 422, DATES_ORDER);
    assertError(await patch(id, { date_debut: '2026-10-01', date_fin: '2026-09-01' }), 422, DATES_ORDER);
    assertIssue(await patch(id, { date_fin: '2026-09-31' }), ['body', 'date_fin'], 'format');
    assertIssue(await patch(id, { date_debut: null }), ['body', 'date_debut'], 'missing');
    assert.deepEqual(await snapshot(t(), 'contrats'), before);
    const moved = await patch(id, { date_debut: '2026-09-30' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual([moved.json().date_debut, moved.json().date_fin], ['2026-09-30', '2026-09-30']);
  });

  test('409 number taken, 404 unknown client, 404 unknown contract; its own number again is fine', async () => {
    const id = (await post(newContrat())).json().id;
    const own = (await call(t(), 'GET', `/api/v1/contrats/${id}`, { as: w.tokens.admin })).json().numero_contrat;
    const before = await snapshot(t(), 'contrats');
    assertError(await patch(id, { numero_contrat: 'W-C2-001' }), 409, 'Numéro de contrat déjà utilisé');
    assertError(await patch(id, { client_id: 987654 }), 404, 'Client introuvable');
    assertIssue(await patch(id, { statut: null }), ['body', 'statut'], 'missing');
    assertIssue(await patch(id, { statut: 'termine' }), ['body', 'statut'], 'enum');
    assertIssue(await patch(id, { devise: 'mad' }), ['body', 'devise'], 'format');
    assertIssue(await patch(id, { temps_reponse_normal_h: 0 }), ['body', 'temps_reponse_normal_h'], 'range');
    assert.deepEqual(await snapshot(t(), 'contrats'), before);
    assertError(await call(t(), 'PATCH', '/api/v1/contrats/987654', { as: w.tokens.admin, payload: { nom_contrat: 'x' } }), 404, 'Contrat introuvable');
    assert.equal((await patch(id, { numero_contrat: own })).statusCode, 200);
  });

  test('the client may change while nothing refers to the contract; 409 once equipment refers to it', async () => {
    const id = (await post(newContrat({ client_id: w.c1 }))).json().id;
    const moved = await patch(id, { client_id: w.c2 });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().client_id, w.c2);
    await insertEquipement(t().db, { client_id: w.c2, contrat_id: id });
    const before = await snapshot(t(), 'contrats');
    assertError(await patch(id, { client_id: w.c1 }), 409, 'Contrat utilisé par des équipements ou des interventions : son client ne peut pas changer');
    assert.deepEqual(await snapshot(t(), 'contrats'), before);
  });

  test('an empty JSON body changes nothing', async () => {
    const id = (await post(newContrat())).json().id;
    const before = (await call(t(), 'GET', `/api/v1/contrats/${id}`, { as: w.tokens.admin })).json();
    clock.advance(MINUTE);
    const response = await call(t(), 'PATCH', `/api/v1/contrats/${id}`, { as: w.tokens.admin, headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), before);
  });
});

describe('DELETE /contrats/{contrat_id}', () => {
  test('204, audited data.deleted; then 404', async () => {
    const id = (await post(newContrat({ numero_contrat: 'CTR-DEL-1' }))).json().id;
    const response = await call(t(), 'DELETE', `/api/v1/contrats/${id}`, { as: w.tokens.admin, headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 204, response.body);
    assert.equal(response.body, '');
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_user_id', 'resource_type', 'resource_id', 'details'])
      .where('event_type', '=', 'data.deleted')
      .where('resource_type', '=', 'contrat')
      .execute();
    assert.deepEqual(audit, [
      { event_type: 'data.deleted', outcome: 'success', actor_user_id: w.userIds.admin, resource_type: 'contrat', resource_id: String(id), details: { numero_contrat: 'CTR-DEL-1', client_id: w.c1 } },
    ]);
    assertError(await call(t(), 'GET', `/api/v1/contrats/${id}`, { as: w.tokens.admin }), 404, 'Contrat introuvable');
    assertError(await call(t(), 'DELETE', `/api/v1/contrats/${id}`, { as: w.tokens.admin }), 404, 'Contrat introuvable');
  });

  test("409 while equipment or an intervention refers to it (even a cancelled one); then resilie works", async () => {
    const db = t().db;
    const viaEquipement = (await post(newContrat())).json().id;
    await insertEquipement(db, { client_id: w.c1, contrat_id: viaEquipement });
    const viaIntervention = (await post(newContrat())).json().id;
    await insertIntervention(db, await insertEquipement(db), { contrat_id: viaIntervention, statut: 'annulee' });
    const before = await snapshot(t(), 'contrats');
    for (const id of [viaEquipement, viaIntervention]) {
      assertError(await call(t(), 'DELETE', `/api/v1/contrats/${id}`, { as: w.tokens.admin }), 409, "Contrat utilisé par des équipements ou des interventions : passez-le au statut 'resilie'");
    }
    assert.deepEqual(await snapshot(t(), 'contrats'), before);
    assert.equal((await patch(viaEquipement, { statut: 'resilie' })).json().statut, 'resilie');
  });
});

describe('GET /contrats/', () => {
  let client: number;
  let ids: Record<string, number>;
  before(async () => {
    client = await insertClient(t().db);
    const make = async (body: Record<string, unknown>) => (await post(newContrat({ client_id: client, ...body }))).json().id as number;
    ids = {
      b: await make({ numero_contrat: 'L-B', statut: 'en_cours', type_contrat: 'support_technique', date_fin: '2026-06-30' }),
      a: await make({ numero_contrat: 'L-A', statut: 'expire', type_contrat: 'maintenance_complete', date_fin: '2026-12-31' }),
      c: await make({ numero_contrat: 'L-C', statut: 'en_cours', type_contrat: 'maintenance_complete', date_fin: '2026-03-31' }),
    };
  });

  async function list(query: Record<string, string | string[]>) {
    return call(t(), 'GET', '/api/v1/contrats/', { as: w.tokens.admin, query: { client_id: String(client), ...query } });
  }
  function numeros(response: Awaited<ReturnType<typeof list>>): string[] {
    assert.equal(response.statusCode, 200, response.body);
    return response.json().map((c: { numero_contrat: string }) => c.numero_contrat);
  }

  test('every contract by id with X-Total-Count; client_id filter', async () => {
    const all = await call(t(), 'GET', '/api/v1/contrats', { as: w.tokens.responsable });
    assert.equal(all.headers['x-total-count'], String(await countContrats()));
    const response = await list({});
    assert.deepEqual(numeros(response), ['L-B', 'L-A', 'L-C']);
    assert.deepEqual(response.json().map((c: { id: number }) => c.id), [ids.b, ids.a, ids.c]);
    assert.equal(response.headers['x-total-count'], '3');
    assert.deepEqual(Object.keys(response.json()[0]).sort(), CONTRAT_FIELDS);
  });

  test('filters: statut (comma list / repeated), type_contrat, date_fin_max (inclusive)', async () => {
    assert.deepEqual(numeros(await list({ statut: 'en_cours' })), ['L-B', 'L-C']);
    assert.deepEqual(numeros(await list({ statut: 'expire,en_cours' })), ['L-B', 'L-A', 'L-C']);
    assert.deepEqual(numeros(await list({ statut: ['expire', 'resilie'] })), ['L-A']);
    assert.deepEqual(numeros(await list({ type_contrat: 'maintenance_complete' })), ['L-A', 'L-C']);
    assert.deepEqual(numeros(await list({ type_contrat: 'maintenance_complete', statut: 'en_cours' })), ['L-C']);
    assert.deepEqual(numeros(await list({ date_fin_max: '2026-06-30' })), ['L-B', 'L-C']);
    assert.deepEqual(numeros(await list({ date_fin_max: '2026-06-29' })), ['L-C']);
    assertIssue(await list({ date_fin_max: '2026-02-30' }), ['query', 'date_fin_max'], 'format');
    assertIssue(await list({ statut: 'actif' }), ['query', 'statut', 0], 'enum');
    assertIssue(await list({ client_id: 'abc' }), ['query', 'client_id'], 'type');
  });

  test('sort date_fin, -date_fin, numero_contrat, -numero_contrat; unknown → 422; pagination', async () => {
    assert.deepEqual(numeros(await list({ sort: 'date_fin' })), ['L-C', 'L-B', 'L-A']);
    assert.deepEqual(numeros(await list({ sort: '-date_fin' })), ['L-A', 'L-B', 'L-C']);
    assert.deepEqual(numeros(await list({ sort: 'numero_contrat' })), ['L-A', 'L-B', 'L-C']);
    assert.deepEqual(numeros(await list({ sort: '-numero_contrat' })), ['L-C', 'L-B', 'L-A']);
    assertIssue(await list({ sort: 'statut' }), ['query', 'sort'], 'enum');
    const page = await list({ sort: 'numero_contrat', limit: '2', offset: '1' });
    assert.deepEqual(numeros(page), ['L-B', 'L-C']);
    assert.equal(page.headers['x-total-count'], '3');
    assertIssue(await list({ limit: '501' }), ['query', 'limit'], 'range');
  });
});

describe('ContratsRepository.findClientOf', () => {
  test('returns the contract id and its client, or undefined', async () => {
    const contrats = new ContratsRepository(t().db);
    assert.deepEqual(await contrats.findClientOf(w.contratC2), { id: w.contratC2, client_id: w.c2 });
    assert.equal(await contrats.findClientOf(987654), undefined);
  });
});
