/**
 * The planning routes (docs/api.md §4.6) over HTTP: inputs, answers, RBAC, aliases. The business
 * rules through the service without HTTP are in service.test.ts.
 */
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, login, seedUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';
import { assertError, assertIssue, call } from '../../helpers/http.js';

const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));

// One describe around the file: on Node 20, root-level before() hooks do not wait for each other.
describe('planning over HTTP', () => {
  const t = useTestApp({ clock });
  let admin: Tokens;
  let responsable: Tokens;
  let technicien: Tokens;
  let client: Tokens;
  let equipementId: number;
  let technicienId: number;
  let inactiveTechnicienId: number;
  let technicienOfInactiveUserId: number;

  const PLANNING_KEYS = [
    'commentaire',
    'date_creation',
    'date_modification',
    'derniere_date',
    'equipement_id',
    'frequence',
    'id',
    'is_active',
    'priorite',
    'prochaine_date',
    'statut',
    'technicien_id',
  ];

  before(async () => {
    const db = t().db;
    const adminUser = await seedUser(t(), 'admin');
    const responsableUser = await seedUser(t(), 'responsable');
    const technicienUser = await seedUser(t(), 'technicien');
    const clientId = await insertClient(db);
    const clientUser = await seedUser(t(), 'client', { clientId });
    technicienId = await insertTechnicien(db, technicienUser.id);
    inactiveTechnicienId = await insertTechnicien(db, (await seedUser(t(), 'technicien')).id, { is_active: false });
    const inactiveUser = await seedUser(t(), 'technicien');
    technicienOfInactiveUserId = await insertTechnicien(db, inactiveUser.id);
    await db.updateTable('users').set({ is_active: false }).where('id', '=', inactiveUser.id).execute();
    equipementId = await insertEquipement(db, { client_id: clientId });
    [admin, responsable, technicien, client] = await Promise.all([login(t(), adminUser), login(t(), responsableUser), login(t(), technicienUser), login(t(), clientUser)]);
  });

  type Json = Record<string, any>;

  function post(payload: unknown, as: Tokens | null = responsable, headers?: Record<string, string>) {
    return call(t(), 'POST', '/api/v1/planning/', { as, payload, headers });
  }

  async function create(body: Json, tokens: Tokens = responsable): Promise<Json> {
    const response = await post({ equipement_id: equipementId, ...body }, tokens);
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }

  async function row(id: number) {
    return t().db.selectFrom('plannings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async function countPlannings(): Promise<number> {
    const r = await t().db.selectFrom('plannings').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  describe('POST /planning/', () => {
    test('201 with PlanningOut: legacy fields and additions, the frequency label, defaults, the anchor stored', async () => {
      const response = await post({
        frequence: ' Mensuelle ',
        equipement_id: equipementId,
        prochaine_date: '2026-07-01T08:00:00+01:00',
        commentaire: '  Vidange compresseur  ',
        technicien_id: technicienId,
        priorite: 'haute',
      });
      assert.equal(response.statusCode, 201);
      const body = response.json();
      assert.deepEqual(Object.keys(body).sort(), PLANNING_KEYS);
      assert.deepEqual(
        { ...body, id: 0 },
        {
          id: 0,
          frequence: 'mensuelle',
          prochaine_date: '2026-07-01T07:00:00.000Z',
          derniere_date: null,
          equipement_id: equipementId,
          date_creation: '2026-06-15T08:00:00.000Z',
          statut: 'actif',
          commentaire: 'Vidange compresseur',
          is_active: true,
          technicien_id: technicienId,
          priorite: 'haute',
          date_modification: '2026-06-15T08:00:00.000Z',
        },
      );
      const stored = await row(body.id);
      assert.equal(stored?.frequence, 'mensuel');
      assert.equal(stored?.date_reference?.toISOString(), '2026-07-01T07:00:00.000Z');
    });

    test('defaults: statut actif, priorite normale, no technician, prochaine_date = now + one period (APP_TIMEZONE)', async () => {
      const monthly = await create({ frequence: 'mensuel' });
      assert.equal(monthly.prochaine_date, '2026-07-15T08:00:00.000Z');
      assert.equal(monthly.statut, 'actif');
      assert.equal(monthly.priorite, 'normale');
      assert.equal(monthly.technicien_id, null);
      assert.equal(monthly.commentaire, null);
      assert.equal((await row(monthly.id))?.date_reference?.toISOString(), '2026-07-15T08:00:00.000Z');
      assert.equal((await create({ frequence: 'weekly' })).prochaine_date, '2026-06-22T08:00:00.000Z');
      assert.equal((await create({ frequence: 'annuelle' })).prochaine_date, '2027-06-15T08:00:00.000Z');
    });

    test('prochaine_date = derniere_date + one period when only derniere_date is given (08:00 Casablanca kept across the Ramadan offset)', async () => {
      // 31 Jan 2026 08:00 local (+01) → 28 Feb 08:00 local (+00 during Ramadan 2026).
      const body = await create({ frequence: 'monthly', derniere_date: '2026-01-31T07:00:00Z' });
      assert.equal(body.derniere_date, '2026-01-31T07:00:00.000Z');
      assert.equal(body.prochaine_date, '2026-02-28T08:00:00.000Z');
      assert.equal((await row(body.id))?.date_reference?.toISOString(), '2026-02-28T08:00:00.000Z');
    });

    test('an explicit prochaine_date wins over derniere_date; naive and date-only inputs are UTC', async () => {
      const body = await create({ frequence: 'journalier', derniere_date: '2026-06-01', prochaine_date: '2026-06-20T09:30:00' });
      assert.equal(body.derniere_date, '2026-06-01T00:00:00.000Z');
      assert.equal(body.prochaine_date, '2026-06-20T09:30:00.000Z');
    });

    test('every frequency alias is accepted and answered with the legacy label', async () => {
      const cases: [string, string, string][] = [
        ['journalier', 'journalier', 'journalier'],
        ['Journalière', 'journalier', 'journalier'],
        ['quotidien', 'journalier', 'journalier'],
        ['QUOTIDIENNE', 'journalier', 'journalier'],
        ['daily', 'journalier', 'journalier'],
        ['hebdomadaire', 'hebdomadaire', 'hebdomadaire'],
        ['Weekly', 'hebdomadaire', 'hebdomadaire'],
        ['mensuel', 'mensuel', 'mensuelle'],
        ['mensuelle', 'mensuel', 'mensuelle'],
        ['monthly', 'mensuel', 'mensuelle'],
        ['trimestriel', 'trimestriel', 'trimestrielle'],
        ['Trimestrielle', 'trimestriel', 'trimestrielle'],
        ['quarterly', 'trimestriel', 'trimestrielle'],
        ['semestriel', 'semestriel', 'semestrielle'],
        ['semestrielle', 'semestriel', 'semestrielle'],
        ['semiannual', 'semestriel', 'semestrielle'],
        ['semi-annual', 'semestriel', 'semestrielle'],
        ['annuel', 'annuel', 'annuelle'],
        ['annuelle', 'annuel', 'annuelle'],
        ['yearly', 'annuel', 'annuelle'],
        ['annual', 'annuel', 'annuelle'],
      ];
      for (const [input, stored, label] of cases) {
        const body = await create({ frequence: input, prochaine_date: '2026-07-01T08:00:00Z' });
        assert.equal(body.frequence, label, input);
        assert.equal((await row(body.id))?.frequence, stored, input);
      }
    });

    test('statut suspendu may be set at creation; null optional fields take their defaults', async () => {
      const body = await create({ frequence: 'mensuel', statut: 'suspendu' });
      assert.equal(body.statut, 'suspendu');
      const nulls = await create({ frequence: 'mensuel', statut: null, priorite: null, technicien_id: null, commentaire: null, prochaine_date: null, derniere_date: null });
      assert.equal(nulls.statut, 'actif');
      assert.equal(nulls.priorite, 'normale');
      assert.equal(nulls.prochaine_date, '2026-07-15T08:00:00.000Z');
      assert.equal((await create({ frequence: 'mensuel', commentaire: '   ' })).commentaire, null);
    });

    test('404 "Équipement introuvable", 400 "Fréquence invalide", 404 "Technicien assigné introuvable" (unknown or inactive); nothing written', async () => {
      const before = await countPlannings();
      assertError(await post({ frequence: 'mensuel', equipement_id: 999_999 }), 404, 'Équipement introuvable');
      const badFrequency = await post({ frequence: 'bimensuel', equipement_id: equipementId });
      assertError(badFrequency, 400, 'Fréquence invalide');
      assert.equal(badFrequency.json().error.code, 'BAD_REQUEST');
      assertError(await post({ frequence: '', equipement_id: equipementId }), 400, 'Fréquence invalide');
      for (const id of [999_999, inactiveTechnicienId, technicienOfInactiveUserId]) {
        assertError(await post({ frequence: 'mensuel', equipement_id: equipementId, technicien_id: id }), 404, 'Technicien assigné introuvable');
      }
      assert.equal(await countPlannings(), before);
    });

    test('422 for bad input: statut other than actif/suspendu, unknown priorite, missing or mistyped fields, bad dates, too long comment', async () => {
      const before = await countPlannings();
      const base = { frequence: 'mensuel', equipement_id: equipementId };
      assertIssue(await post({ ...base, statut: 'termine' }), ['body', 'statut'], 'enum');
      assertIssue(await post({ ...base, statut: 'en_retard' }), ['body', 'statut'], 'enum');
      assertIssue(await post({ ...base, statut: 'ACTIF' }), ['body', 'statut'], 'enum');
      assertIssue(await post({ ...base, priorite: 'critique' }), ['body', 'priorite'], 'enum');
      // An empty string is not read as null (found by the fuzz).
      assertIssue(await post({ ...base, priorite: '' }), ['body', 'priorite'], 'enum');
      assertIssue(await post({ ...base, statut: '' }), ['body', 'statut'], 'enum');
      assertIssue(await post({ equipement_id: equipementId }), ['body', 'frequence'], 'missing');
      assertIssue(await post({ frequence: 'mensuel' }), ['body', 'equipement_id'], 'missing');
      assertIssue(await post({ ...base, equipement_id: 'abc' }), ['body', 'equipement_id'], 'type');
      assertIssue(await post({ ...base, equipement_id: 0 }), ['body', 'equipement_id'], 'range');
      assertIssue(await post({ ...base, frequence: { x: 1 } }), ['body', 'frequence'], 'type');
      assertIssue(await post({ ...base, technicien_id: 'x' }), ['body', 'technicien_id'], 'type');
      assertIssue(await post({ ...base, prochaine_date: 'demain' }), ['body', 'prochaine_date'], 'format');
      assertIssue(await post({ ...base, prochaine_date: '2026-02-30T08:00:00Z' }), ['body', 'prochaine_date'], 'format');
      assertIssue(await post({ ...base, derniere_date: '2026-13-01' }), ['body', 'derniere_date'], 'format');
      assertIssue(await post({ ...base, commentaire: 'x'.repeat(256) }), ['body', 'commentaire'], 'type');
      assertIssue(await post({ ...base, frequence: 'm'.repeat(51) }), ['body', 'frequence'], 'too_long');
      assertIssue(await post([base]), ['body'], 'type');
      // An empty JSON body is no body.
      assertIssue(await post('', responsable, { 'content-type': 'application/json' }), ['body'], 'type');
      assert.equal(await countPlannings(), before);
    });

    test('unknown fields are ignored (is_active, date_reference, id are not assignable)', async () => {
      const body = await create({ frequence: 'mensuel', prochaine_date: '2026-08-01T08:00:00Z', is_active: false, id: 424242, date_reference: '2020-01-01T00:00:00Z', date_creation: '2020-01-01T00:00:00Z' });
      assert.notEqual(body.id, 424242);
      assert.equal(body.is_active, true);
      assert.equal(body.date_creation, '2026-06-15T08:00:00.000Z');
      assert.equal((await row(body.id))?.date_reference?.toISOString(), '2026-08-01T08:00:00.000Z');
    });

    test('RBAC: admin creates; technicien and client → 403 (audited); no token → 401; nothing written', async () => {
      assert.equal((await create({ frequence: 'mensuel' }, admin)).frequence, 'mensuelle');
      const before = await countPlannings();
      const payload = { frequence: 'mensuel', equipement_id: equipementId };
      assertError(await post(payload, technicien), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await post(payload, client), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await post(payload, null), 401, 'Non authentifié');
      assert.equal(await countPlannings(), before);
      const denied = await t().db.selectFrom('audit_events').select(['actor_role', 'details']).where('event_type', '=', 'rbac.denied').execute();
      assert.ok(denied.some((e) => e.actor_role === 'technicien' && (e.details as Json).route === '/api/v1/planning/'));
    });

    test('root alias and optional trailing slash', async () => {
      const root = await call(t(), 'POST', '/planning', { as: responsable, payload: { frequence: 'hebdomadaire', equipement_id: equipementId } });
      assert.equal(root.statusCode, 201);
      assert.equal(root.json().frequence, 'hebdomadaire');
      const noSlash = await call(t(), 'POST', '/api/v1/planning', { as: responsable, payload: { frequence: 'hebdomadaire', equipement_id: equipementId } });
      assert.equal(noSlash.statusCode, 201);
    });
  });

  describe('GET /planning/ and /planning/{id}', () => {
    let equipement: number;
    let other: number;
    const ids: Record<string, number> = {};

    before(async () => {
      equipement = await insertEquipement(t().db);
      other = await insertEquipement(t().db);
      const make = async (key: string, body: Json) => {
        ids[key] = (await create({ equipement_id: equipement, ...body })).id;
      };
      await make('a', { frequence: 'mensuel', prochaine_date: '2026-09-01T08:00:00Z', technicien_id: technicienId });
      await make('b', { frequence: 'hebdomadaire', prochaine_date: '2026-07-01T08:00:00Z' });
      await make('c', { frequence: 'annuel', prochaine_date: '2026-08-01T08:00:00Z', statut: 'suspendu' });
      await make('d', { frequence: 'mensuelle', prochaine_date: '2026-06-20T08:00:00Z', technicien_id: technicienId });
      await t().db.updateTable('plannings').set({ statut: 'en_retard' }).where('id', '=', ids.d!).execute();
      await create({ equipement_id: other, frequence: 'mensuel', prochaine_date: '2026-06-16T08:00:00Z' });
    });

    async function list(query: string, tokens: Tokens | null = responsable) {
      return call(t(), 'GET', `/api/v1/planning/?equipement_id=${equipement}${query}`, { as: tokens });
    }

    function listIds(response: { json: () => Json[] }): number[] {
      return response.json().map((p) => p.id);
    }

    test('default: sorted by id, X-Total-Count, labels out, only the filtered equipment', async () => {
      const response = await list('');
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-total-count'], '4');
      assert.deepEqual(listIds(response), [ids.a, ids.b, ids.c, ids.d]);
      assert.deepEqual(response.json().map((p: Json) => p.frequence), ['mensuelle', 'hebdomadaire', 'annuelle', 'mensuelle']);
      assert.deepEqual(Object.keys(response.json()[0]).sort(), PLANNING_KEYS);
    });

    test('filters: statut (repeated or comma list), frequence with aliases, technicien_id, prochaine_date_max', async () => {
      assert.deepEqual(listIds(await list('&statut=actif')), [ids.a, ids.b]);
      assert.deepEqual(listIds(await list('&statut=suspendu,en_retard')), [ids.c, ids.d]);
      assert.deepEqual(listIds(await list('&statut=suspendu&statut=en_retard')), [ids.c, ids.d]);
      assert.deepEqual(listIds(await list('&frequence=monthly')), [ids.a, ids.d]);
      assert.deepEqual(listIds(await list('&frequence=Mensuelle')), [ids.a, ids.d]);
      assert.deepEqual(listIds(await list('&frequence=annuelle,weekly')), [ids.b, ids.c]);
      assert.deepEqual(listIds(await list(`&technicien_id=${technicienId}`)), [ids.a, ids.d]);
      const max = await list('&prochaine_date_max=2026-08-01T08:00:00Z');
      assert.deepEqual(listIds(max), [ids.b, ids.c, ids.d]);
      assert.equal(max.headers['x-total-count'], '3');
      assert.deepEqual(listIds(await list('&prochaine_date_max=2026-07-01')), [ids.d]);
      const all = await call(t(), 'GET', `/api/v1/planning/?prochaine_date_max=2026-06-16T08:00:00Z`, { as: responsable });
      assert.ok(all.json().every((p: Json) => Date.parse(p.prochaine_date) <= Date.parse('2026-06-16T08:00:00Z')));
      assert.ok(all.json().length >= 1);
    });

    test('sort prochaine_date, -prochaine_date, -id; unknown field → 422', async () => {
      assert.deepEqual(listIds(await list('&sort=prochaine_date')), [ids.d, ids.b, ids.c, ids.a]);
      assert.deepEqual(listIds(await list('&sort=-prochaine_date')), [ids.a, ids.c, ids.b, ids.d]);
      assert.deepEqual(listIds(await list('&sort=-id')), [ids.d, ids.c, ids.b, ids.a]);
      assertIssue(await list('&sort=frequence'), ['query', 'sort'], 'enum');
    });

    test('pagination: limit and offset with the total before paging; bounds → 422', async () => {
      const page = await list('&sort=id&limit=2&offset=1');
      assert.deepEqual(listIds(page), [ids.b, ids.c]);
      assert.equal(page.headers['x-total-count'], '4');
      assert.deepEqual(listIds(await list('&offset=10')), []);
      assertIssue(await list('&limit=0'), ['query', 'limit'], 'range');
      assertIssue(await list('&limit=501'), ['query', 'limit'], 'range');
      assertIssue(await list('&offset=-1'), ['query', 'offset'], 'range');
    });

    test('bad filters → 422', async () => {
      assertIssue(await list('&statut=ferme'), ['query', 'statut', 0], 'enum');
      assertIssue(await list('&frequence=bimensuel'), ['query', 'frequence', 0], 'enum');
      assertIssue(await list('&prochaine_date_max=hier'), ['query', 'prochaine_date_max'], 'format');
      assertIssue(await call(t(), 'GET', '/api/v1/planning/?equipement_id=abc', { as: responsable }), ['query', 'equipement_id'], 'type');
      assertIssue(await call(t(), 'GET', '/api/v1/planning/?technicien_id=0', { as: responsable }), ['query', 'technicien_id'], 'range');
    });

    test('RBAC: admin, responsable and technicien read; client → 403; no token → 401', async () => {
      for (const tokens of [admin, technicien]) {
        const response = await list('', tokens);
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers['x-total-count'], '4');
        const item = await call(t(), 'GET', `/api/v1/planning/${ids.a}`, { as: tokens });
        assert.equal(item.statusCode, 200);
        assert.equal(item.json().id, ids.a);
      }
      assertError(await list('', client), 403, 'Accès réservé aux rôles : admin, responsable, technicien');
      assertError(await call(t(), 'GET', `/api/v1/planning/${ids.a}`, { as: client }), 403, 'Accès réservé aux rôles : admin, responsable, technicien');
      assertError(await list('', null), 401, 'Non authentifié');
    });

    test('GET /planning/{id}: 200 PlanningOut; 404 "Planning introuvable"; bad ids → 422; root alias and trailing slash', async () => {
      const response = await call(t(), 'GET', `/api/v1/planning/${ids.c}`, { as: responsable });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(Object.keys(response.json()).sort(), PLANNING_KEYS);
      assert.equal(response.json().frequence, 'annuelle');
      assert.equal(response.json().statut, 'suspendu');
      assertError(await call(t(), 'GET', '/api/v1/planning/999999', { as: responsable }), 404, 'Planning introuvable');
      assertIssue(await call(t(), 'GET', '/api/v1/planning/abc', { as: responsable }), ['path', 'planning_id'], 'type');
      assertIssue(await call(t(), 'GET', '/api/v1/planning/0', { as: responsable }), ['path', 'planning_id'], 'range');
      const root = await call(t(), 'GET', `/planning/${ids.c}/`, { as: technicien });
      assert.equal(root.statusCode, 200);
      assert.equal(root.json().id, ids.c);
    });
  });

  describe('PUT /planning/{id}', () => {
    let id: number;
    beforeEach(async () => {
      id = (await create({ frequence: 'mensuel', prochaine_date: '2026-07-01T08:00:00Z', derniere_date: '2026-06-01T08:00:00Z', commentaire: 'initial', technicien_id: technicienId, priorite: 'basse' })).id;
      clock.advance(60_000);
    });

    async function put(body: unknown, tokens: Tokens | null = responsable, target = id) {
      return call(t(), 'PUT', `/api/v1/planning/${target}`, { as: tokens, payload: body });
    }

    test('partial: only the given field changes; date_modification moves; the anchor stays', async () => {
      const response = await put({ commentaire: 'révisé' });
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.commentaire, 'révisé');
      assert.equal(body.frequence, 'mensuelle');
      assert.equal(body.prochaine_date, '2026-07-01T08:00:00.000Z');
      assert.equal(body.derniere_date, '2026-06-01T08:00:00.000Z');
      assert.equal(body.technicien_id, technicienId);
      assert.equal(body.priorite, 'basse');
      assert.equal(body.date_modification, clock.now().toISOString());
      assert.notEqual(body.date_creation, body.date_modification);
      assert.equal((await row(id))?.date_reference?.toISOString(), '2026-07-01T08:00:00.000Z');
    });

    test('every field is updated at once (legacy PUT read only frequence)', async () => {
      const equipement = await insertEquipement(t().db);
      const response = await put({
        frequence: 'Quarterly',
        equipement_id: equipement,
        prochaine_date: '2026-10-01T08:00:00Z',
        derniere_date: '2026-07-01T08:00:00Z',
        commentaire: 'tout change',
        statut: 'termine',
        technicien_id: null,
        priorite: 'urgente',
      });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(
        { ...(response.json() as Json), id: 0, date_creation: null },
        {
          id: 0,
          date_creation: null,
          frequence: 'trimestrielle',
          equipement_id: equipement,
          prochaine_date: '2026-10-01T08:00:00.000Z',
          derniere_date: '2026-07-01T08:00:00.000Z',
          commentaire: 'tout change',
          statut: 'termine',
          is_active: true,
          technicien_id: null,
          priorite: 'urgente',
          date_modification: clock.now().toISOString(),
        },
      );
      const stored = await row(id);
      assert.equal(stored?.frequence, 'trimestriel');
      assert.equal(stored?.date_reference?.toISOString(), '2026-10-01T08:00:00.000Z');
    });

    test('anchor: a frequency change resets it to the current prochaine_date; the same frequency keeps it', async () => {
      await t().db.updateTable('plannings').set({ date_reference: new Date('2026-01-01T08:00:00Z') }).where('id', '=', id).execute();
      assert.equal((await put({ frequence: 'Mensuelle' })).statusCode, 200);
      assert.equal((await row(id))?.date_reference?.toISOString(), '2026-01-01T08:00:00.000Z');
      const changed = await put({ frequence: 'hebdomadaire' });
      assert.equal(changed.json().frequence, 'hebdomadaire');
      assert.equal((await row(id))?.date_reference?.toISOString(), '2026-07-01T08:00:00.000Z');
    });

    test('anchor: an explicit prochaine_date resets it', async () => {
      const response = await put({ prochaine_date: '2026-07-31T06:00:00Z' });
      assert.equal(response.json().prochaine_date, '2026-07-31T06:00:00.000Z');
      assert.equal((await row(id))?.date_reference?.toISOString(), '2026-07-31T06:00:00.000Z');
    });

    test('every statut is settable; null clears commentaire, technicien_id and derniere_date and leaves the others', async () => {
      for (const statut of ['suspendu', 'en_retard', 'termine', 'actif']) {
        assert.equal((await put({ statut })).json().statut, statut);
      }
      const cleared = await put({ commentaire: null, technicien_id: null, derniere_date: null, frequence: null, statut: null, priorite: null, prochaine_date: null, equipement_id: null });
      assert.equal(cleared.statusCode, 200);
      const body = cleared.json();
      assert.equal(body.commentaire, null);
      assert.equal(body.technicien_id, null);
      assert.equal(body.derniere_date, null);
      assert.equal(body.frequence, 'mensuelle');
      assert.equal(body.statut, 'actif');
      assert.equal(body.priorite, 'basse');
      assert.equal(body.prochaine_date, '2026-07-01T08:00:00.000Z');
      assert.equal(body.equipement_id, equipementId);
      assert.equal((await put({ commentaire: '  ' })).json().commentaire, null);
      // The app's Ajv coerces "" and null alike for a nullable string: an empty frequency is "not given".
      assert.equal((await put({ frequence: '' })).json().frequence, 'mensuelle');
      assertError(await put({ frequence: '   ' }), 400, 'Fréquence invalide');
    });

    test('an empty body (JSON or none) changes nothing but date_modification', async () => {
      const before = await row(id);
      for (const response of [await put({}), await put('', responsable), await call(t(), 'PUT', `/api/v1/planning/${id}`, { as: responsable, payload: '', headers: { 'content-type': 'application/json' } })]) {
        assert.equal(response.statusCode, 200);
        assert.equal(response.json().commentaire, 'initial');
      }
      const afterRow = await row(id);
      assert.deepEqual({ ...afterRow, date_modification: null }, { ...before, date_modification: null });
    });

    test('400 "Fréquence invalide", 404 equipment, 404 technician, 404 planning, 422 bad values: the row is unchanged', async () => {
      const before = await row(id);
      assertError(await put({ frequence: 'hourly', commentaire: 'non' }), 400, 'Fréquence invalide');
      assertError(await put({ equipement_id: 999_999, commentaire: 'non' }), 404, 'Équipement introuvable');
      assertError(await put({ technicien_id: 999_999 }), 404, 'Technicien assigné introuvable');
      assertError(await put({ technicien_id: inactiveTechnicienId }), 404, 'Technicien assigné introuvable');
      assertError(await put({ commentaire: 'x' }, responsable, 999_999), 404, 'Planning introuvable');
      assertIssue(await put({ statut: 'ferme' }), ['body', 'statut'], 'enum');
      assertIssue(await put({ priorite: 'critique' }), ['body', 'priorite'], 'enum');
      assertIssue(await put({ prochaine_date: '2026-02-29T08:00:00Z' }), ['body', 'prochaine_date'], 'format');
      assertIssue(await put({ derniere_date: 'hier' }), ['body', 'derniere_date'], 'format');
      assertIssue(await put({ commentaire: 'y'.repeat(256) }), ['body', 'commentaire'], 'type');
      assertIssue(await put({ equipement_id: 'abc' }), ['body', 'equipement_id'], 'type');
      assertIssue(await put([1]), ['body'], 'type');
      assertIssue(await put({ commentaire: 'x' }, responsable, 0), ['path', 'planning_id'], 'range');
      assert.deepEqual(await row(id), before);
    });

    test('RBAC: admin updates; technicien and client → 403, row unchanged', async () => {
      assert.equal((await put({ commentaire: 'admin' }, admin)).json().commentaire, 'admin');
      const before = await row(id);
      assertError(await put({ commentaire: 'tech' }, technicien), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await put({ commentaire: 'client' }, client), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await put({ commentaire: 'anon' }, null), 401, 'Non authentifié');
      assert.deepEqual(await row(id), before);
    });
  });

  describe('PATCH /planning/{id}/dates', () => {
    let id: number;
    beforeEach(async () => {
      id = (await create({ frequence: 'mensuel', prochaine_date: '2026-07-01T08:00:00Z', derniere_date: '2026-06-01T08:00:00Z' })).id;
    });

    async function patch(query: string, body?: unknown, tokens: Tokens = responsable, target = id) {
      return call(t(), 'PATCH', `/api/v1/planning/${target}/dates${query}`, { as: tokens, payload: body });
    }

    async function setStatut(statut: 'en_retard' | 'suspendu') {
      await t().db.updateTable('plannings').set({ statut }).where('id', '=', id).execute();
    }

    test('query string (legacy): derniere_date ← old prochaine_date, prochaine_date and the anchor ← nouvelle_date', async () => {
      const response = await patch(`?nouvelle_date=${encodeURIComponent('2026-07-10T10:00:00+01:00')}`);
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.derniere_date, '2026-07-01T08:00:00.000Z');
      assert.equal(body.prochaine_date, '2026-07-10T09:00:00.000Z');
      assert.equal(body.date_modification, clock.now().toISOString());
      assert.equal((await row(id))?.date_reference?.toISOString(), '2026-07-10T09:00:00.000Z');
    });

    test('JSON body alternative; a second move shifts again', async () => {
      const first = await patch('', { nouvelle_date: '2026-07-15' });
      assert.equal(first.statusCode, 200);
      assert.equal(first.json().prochaine_date, '2026-07-15T00:00:00.000Z');
      assert.equal(first.json().derniere_date, '2026-07-01T08:00:00.000Z');
      const second = await patch('', { nouvelle_date: '2026-08-01T08:00:00Z' });
      assert.equal(second.json().derniere_date, '2026-07-15T00:00:00.000Z');
      assert.equal(second.json().prochaine_date, '2026-08-01T08:00:00.000Z');
    });

    test('query string with an empty JSON body (the front end sends Content-Type on every PATCH)', async () => {
      const response = await call(t(), 'PATCH', `/api/v1/planning/${id}/dates?nouvelle_date=2026-07-20T08:00:00Z`, { as: responsable, payload: '', headers: { 'content-type': 'application/json' } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().prochaine_date, '2026-07-20T08:00:00.000Z');
    });

    test('en_retard → actif when no generated intervention is overdue', async () => {
      await setStatut('en_retard');
      // Overdue but of another planning, closed, or not yet due: none counts.
      const otherPlanning = (await create({ frequence: 'mensuel' })).id;
      await insertIntervention(t().db, equipementId, { planning_id: otherPlanning, statut: 'ouverte', date_limite: new Date('2026-06-01T00:00:00Z') });
      await insertIntervention(t().db, equipementId, { planning_id: id, statut: 'cloturee', date_limite: new Date('2026-06-01T00:00:00Z'), date_occurrence: new Date('2026-05-01T00:00:00Z') });
      await insertIntervention(t().db, equipementId, { planning_id: id, statut: 'ouverte', date_limite: new Date('2026-06-30T00:00:00Z'), date_occurrence: new Date('2026-06-01T00:00:00Z') });
      const response = await patch('?nouvelle_date=2026-07-05T08:00:00Z');
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().statut, 'actif');
    });

    test('en_retard stays while a generated intervention is overdue (active, date_limite < now)', async () => {
      await setStatut('en_retard');
      await insertIntervention(t().db, equipementId, { planning_id: id, statut: 'en_cours', technicien_id: technicienId, date_limite: new Date(clock.now().getTime() - 1000) });
      const response = await patch('?nouvelle_date=2026-07-05T08:00:00Z');
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().statut, 'en_retard');
      assert.equal(response.json().prochaine_date, '2026-07-05T08:00:00.000Z');
    });

    test('a suspended planning stays suspended', async () => {
      await setStatut('suspendu');
      assert.equal((await patch('?nouvelle_date=2026-07-05T08:00:00Z')).json().statut, 'suspendu');
    });

    test('the query string wins over the body when both are given', async () => {
      const response = await patch('?nouvelle_date=2026-07-05T08:00:00Z', { nouvelle_date: '2026-09-09T08:00:00Z' });
      assert.equal(response.json().prochaine_date, '2026-07-05T08:00:00.000Z');
    });

    test('404 "Planning introuvable"; 422 missing or invalid nouvelle_date; the row is unchanged', async () => {
      const before = await row(id);
      assertError(await patch('?nouvelle_date=2026-07-05T08:00:00Z', undefined, responsable, 999_999), 404, 'Planning introuvable');
      assertIssue(await patch(''), ['query', 'nouvelle_date'], 'missing');
      assertIssue(await patch('', {}), ['query', 'nouvelle_date'], 'missing');
      assertIssue(await patch('?nouvelle_date=demain'), ['query', 'nouvelle_date'], 'format');
      assertIssue(await patch('?nouvelle_date=2026-02-30'), ['query', 'nouvelle_date'], 'format');
      assertIssue(await patch('', { nouvelle_date: '2026-02-30T08:00:00Z' }), ['body', 'nouvelle_date'], 'format');
      assertIssue(await patch('', { nouvelle_date: 'bientôt' }), ['body', 'nouvelle_date'], 'format');
      assertIssue(await patch('?nouvelle_date=2026-07-05', undefined, responsable, 0), ['path', 'planning_id'], 'range');
      assert.deepEqual(await row(id), before);
    });

    test('RBAC: admin moves; technicien and client → 403, row unchanged; root alias', async () => {
      assert.equal((await patch('?nouvelle_date=2026-07-03T08:00:00Z', undefined, admin)).statusCode, 200);
      const before = await row(id);
      assertError(await patch('?nouvelle_date=2026-07-05T08:00:00Z', undefined, technicien), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await patch('?nouvelle_date=2026-07-05T08:00:00Z', undefined, client), 403, 'Accès réservé aux rôles : admin, responsable');
      assert.deepEqual(await row(id), before);
      const root = await call(t(), 'PATCH', `/planning/${id}/dates/?nouvelle_date=2026-07-04T08:00:00Z`, { as: responsable });
      assert.equal(root.statusCode, 200);
      assert.equal(root.json().prochaine_date, '2026-07-04T08:00:00.000Z');
    });
  });

  describe('DELETE /planning/{id}', () => {
    test('204 without a body; generated interventions are kept (planning_id set to null); audited data.deleted', async () => {
      const id = (await create({ frequence: 'mensuel' })).id;
      const interventionId = await insertIntervention(t().db, equipementId, { planning_id: id, type_intervention: 'preventive' });
      const response = await call(t(), 'DELETE', `/api/v1/planning/${id}`, { as: responsable });
      assert.equal(response.statusCode, 204);
      assert.equal(response.body, '');
      assert.equal(await row(id), undefined);
      const intervention = await t().db.selectFrom('interventions').select(['id', 'planning_id']).where('id', '=', interventionId).executeTakeFirst();
      assert.deepEqual(intervention, { id: interventionId, planning_id: null });
      const audit = await t().db
        .selectFrom('audit_events')
        .select(['event_type', 'outcome', 'actor_role', 'resource_type', 'resource_id'])
        .where('event_type', '=', 'data.deleted')
        .where('resource_type', '=', 'planning')
        .where('resource_id', '=', String(id))
        .execute();
      assert.deepEqual(audit, [{ event_type: 'data.deleted', outcome: 'success', actor_role: 'responsable', resource_type: 'planning', resource_id: String(id) }]);
      assertError(await call(t(), 'DELETE', `/api/v1/planning/${id}`, { as: responsable }), 404, 'Planning introuvable');
    });

    test('admin deletes with an empty JSON body; technicien and client → 403 and the row stays; 422 bad id', async () => {
      const id = (await create({ frequence: 'mensuel' })).id;
      assertError(await call(t(), 'DELETE', `/api/v1/planning/${id}`, { as: technicien }), 403, 'Accès réservé aux rôles : admin, responsable');
      assertError(await call(t(), 'DELETE', `/api/v1/planning/${id}`, { as: client }), 403, 'Accès réservé aux rôles : admin, responsable');
      assert.notEqual(await row(id), undefined);
      assertIssue(await call(t(), 'DELETE', '/api/v1/planning/abc', { as: admin }), ['path', 'planning_id'], 'type');
      const response = await call(t(), 'DELETE', `/api/v1/planning/${id}/`, { as: admin, payload: '', headers: { 'content-type': 'application/json' } });
      assert.equal(response.statusCode, 204);
      assert.equal(await row(id), undefined);
    });
  });
});
