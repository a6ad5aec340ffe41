/**
 * GET /interventions/ and GET /filters/interventions: filters, sort, pagination, X-Total-Count,
 * `en_retard` against the injected clock; GET /interventions/{id}/historique sort.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { DAY, FakeClock, MINUTE } from '../../helpers/auth.js';
import { call, errorOf } from '../../helpers/http.js';
import { buildWorld, fullName, seedIntervention, type World } from './world.js';

const clock = new FakeClock(); // 2026-06-15T08:00:00Z
let w: World;
let planningId: number;
const L: Record<number, number> = {};

const at = (iso: string) => new Date(iso);

const t = useTestApp({ clock }, async () => {
  w = await buildWorld(t());
  const planning = await t().db.insertInto('plannings').values({ equipement_id: w.e0, frequence: 'mensuel' }).returning('id').executeTakeFirstOrThrow();
  planningId = planning.id;
  const rows = [
    { statut: 'ouverte', priorite: 'basse', type_intervention: 'corrective', equipement_id: w.e1, technicien_id: null, date_creation: at('2026-01-10T09:00:00Z'), date_limite: at('2026-06-01T00:00:00Z'), titre: "Fuite d'huile", description: null },
    { statut: 'affectee', priorite: 'haute', type_intervention: 'preventive', urgence: true, equipement_id: w.e1, technicien_id: w.t1.technicienId, date_creation: at('2026-02-10T09:00:00Z'), date_limite: at('2026-07-01T00:00:00Z'), titre: 'Contrôle annuel', description: 'Vérifier 100% des joints' },
    { statut: 'en_cours', priorite: 'urgente', type_intervention: 'corrective', equipement_id: w.e2, client_id: w.client2, contrat_id: null, technicien_id: w.t1.technicienId, date_creation: at('2026-03-10T09:00:00Z'), date_limite: null, titre: 'Panne MOTEUR', description: null },
    { statut: 'cloturee', priorite: 'normale', type_intervention: 'diagnostic', equipement_id: w.e2, client_id: w.client2, contrat_id: null, technicien_id: w.t2.technicienId, date_creation: at('2026-04-10T09:00:00Z'), date_limite: at('2026-05-01T00:00:00Z'), titre: 'Diagnostic bruit', description: null },
    { statut: 'annulee', priorite: 'programmee', type_intervention: 'ameliorative', equipement_id: w.e0, client_id: null, contrat_id: null, technicien_id: null, planning_id: 0, date_creation: at('2026-04-10T09:00:00Z'), date_limite: null, titre: 'Remplacement filtre', description: null },
    { statut: 'en_attente', priorite: 'normale', type_intervention: 'corrective', urgence: true, equipement_id: w.e0, client_id: null, contrat_id: null, technicien_id: w.t2.technicienId, date_creation: at('2026-05-10T09:00:00Z'), date_limite: at('2026-06-15T07:00:00Z'), titre: 'Moteur_2 à vérifier', description: null },
  ] as const;
  for (const [index, values] of rows.entries()) {
    const { statut, ...rest } = values;
    const planning = 'planning_id' in rest ? { planning_id: planningId } : {};
    L[index + 1] = await seedIntervention(t(), w, statut, {
      ...rest,
      ...planning,
      // updated_at in the reverse order of date_creation, to tell the two sorts apart.
      updated_at: new Date(Date.parse('2026-06-10T00:00:00Z') - index * DAY),
    });
  }
});

function list(query = '', url = '/api/v1/interventions/') {
  return call(t(), 'GET', `${url}${query ? `?${query}` : ''}`, { as: w.resp.tokens });
}

/** The ids of the answer, as L numbers (1–6), in order. */
async function names(query = '', url?: string): Promise<number[]> {
  const response = await list(query, url);
  assert.equal(response.statusCode, 200, response.body);
  const byId = new Map(Object.entries(L).map(([n, id]) => [id, Number(n)]));
  return (response.json() as { id: number }[]).map((row) => byId.get(row.id) ?? -row.id);
}

describe('list', () => {
  test('default: -date_creation, ties by id ascending; X-Total-Count; joined names', async () => {
    const response = await list();
    assert.equal(response.headers['x-total-count'], '6');
    assert.deepEqual(await names(), [6, 4, 5, 3, 2, 1]);
    const rows = response.json() as Record<string, unknown>[];
    const l2 = rows.find((row) => row.id === L[2])!;
    assert.equal(l2.technicien_nom, fullName(w.t1));
    const equipement = await t().db.selectFrom('equipements').select('nom').where('id', '=', w.e1).executeTakeFirstOrThrow();
    assert.equal(l2.equipement_nom, equipement.nom);
    assert.equal(l2.type, 'preventive');
    assert.equal(rows.find((row) => row.id === L[1])!.technicien_nom, null);
  });

  test('root alias and trailing slash', async () => {
    assert.deepEqual(await names('', '/interventions'), [6, 4, 5, 3, 2, 1]);
    assert.deepEqual(await names('', '/api/v1/interventions'), [6, 4, 5, 3, 2, 1]);
  });

  test('sort by every allowed field, ascending and descending', async () => {
    assert.deepEqual(await names('sort=id'), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await names('sort=-id'), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(await names('sort=date_creation'), [1, 2, 3, 4, 5, 6]);
    // priorite and statut follow the order of their enumeration.
    assert.deepEqual(await names('sort=priorite'), [3, 2, 4, 6, 1, 5]);
    assert.deepEqual(await names('sort=-priorite'), [5, 1, 4, 6, 2, 3]);
    assert.deepEqual(await names('sort=statut'), [1, 2, 3, 6, 4, 5]);
    assert.deepEqual(await names('sort=-statut'), [5, 4, 6, 3, 2, 1]);
    // Null deadlines last in both directions.
    assert.deepEqual(await names('sort=date_limite'), [4, 1, 6, 2, 3, 5]);
    assert.deepEqual(await names('sort=-date_limite'), [2, 6, 1, 4, 3, 5]);
    assert.deepEqual(await names('sort=updated_at'), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(await names('sort=-updated_at'), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await names('sort=priorite,-id'), [3, 2, 6, 4, 1, 5]);
  });

  test('an unknown sort field → 422', async () => {
    for (const sort of ['titre', '-password', 'id,foo']) {
      const response = await list(`sort=${sort}`);
      assert.equal(response.statusCode, 422);
      assert.equal(errorOf(response).code, 'VALIDATION_ERROR');
      assert.deepEqual((errorOf(response).details as { loc: unknown[] }[])[0]!.loc, ['query', 'sort']);
    }
  });

  test('enum filters: comma list or repeated parameter; unknown value → 422', async () => {
    assert.deepEqual(await names('statut=ouverte,affectee'), [2, 1]);
    assert.deepEqual(await names('statut=ouverte&statut=en_cours'), [3, 1]);
    assert.deepEqual(await names('priorite=normale'), [6, 4]);
    assert.deepEqual(await names('priorite=urgente,haute'), [3, 2]);
    assert.deepEqual(await names('type=corrective'), [6, 3, 1]);
    assert.deepEqual(await names('type=diagnostic,ameliorative'), [4, 5]);
    for (const query of ['statut=terminee', 'priorite=critique', 'type=autre', 'statut=OUVERTE']) {
      const response = await list(query);
      assert.equal(response.statusCode, 422, query);
    }
  });

  test('boolean and id filters', async () => {
    assert.deepEqual(await names('urgence=true'), [6, 2]);
    assert.deepEqual(await names('urgence=no'), [4, 5, 3, 1]);
    assert.deepEqual(await names(`technicien_id=${w.t1.technicienId}`), [3, 2]);
    assert.deepEqual(await names(`equipement_id=${w.e2}`), [4, 3]);
    assert.deepEqual(await names(`client_id=${w.client1}`), [2, 1]);
    assert.deepEqual(await names(`contrat_id=${w.contrat1}`), [2, 1]);
    assert.deepEqual(await names(`planning_id=${planningId}`), [5]);
    assert.deepEqual(await names('client_id=999999'), []);
    for (const query of ['urgence=peut-etre', 'technicien_id=abc', 'technicien_id=0', 'client_id=-1']) {
      const response = await list(query);
      assert.equal(response.statusCode, 422, query);
    }
  });

  test('en_retard: active and date_limite < now', async () => {
    assert.deepEqual(await names('en_retard=true'), [6, 1]);
    assert.deepEqual(await names('en_retard=false'), [4, 5, 3, 2]);
    const rows = (await list('sort=id')).json() as { en_retard: boolean }[];
    assert.deepEqual(rows.map((row) => row.en_retard), [true, false, false, false, false, true]);
  });

  test('date filters are inclusive', async () => {
    assert.deepEqual(await names('date_creation_min=2026-04-10T09:00:00Z'), [6, 4, 5]);
    assert.deepEqual(await names('date_creation_max=2026-02-10T09:00:00'), [2, 1]);
    assert.deepEqual(await names('date_creation_min=2026-02-01&date_creation_max=2026-03-31'), [3, 2]);
    assert.deepEqual(await names('date_limite_max=2026-06-01'), [4, 1]);
    for (const query of ['date_creation_min=hier', 'date_limite_max=2026-02-30']) {
      const response = await list(query);
      assert.equal(response.statusCode, 422, query);
    }
  });

  test('q: case-insensitive substring of the title or the description, wildcards taken literally', async () => {
    assert.deepEqual(await names('q=moteur'), [6, 3]);
    assert.deepEqual(await names('q=JOINTS'), [2]);
    assert.deepEqual(await names('q=%25'), [2]);
    assert.deepEqual(await names('q=_'), [6]);
    assert.deepEqual(await names("q=d'huile"), [1]);
    assert.deepEqual(await names('q=inexistant'), []);
  });

  test('filters combine with AND; X-Total-Count counts the matches', async () => {
    const response = await list('statut=en_cours,en_attente,ouverte&urgence=true');
    assert.equal(response.headers['x-total-count'], '1');
    assert.deepEqual(await names('statut=en_cours,en_attente,ouverte&urgence=true'), [6]);
  });

  test('pagination: limit and offset, X-Total-Count before them; bounds → 422', async () => {
    const first = await list('limit=2');
    assert.equal(first.headers['x-total-count'], '6');
    assert.deepEqual(await names('limit=2'), [6, 4]);
    assert.deepEqual(await names('limit=2&offset=2'), [5, 3]);
    const beyond = await list('offset=10');
    assert.deepEqual(beyond.json(), []);
    assert.equal(beyond.headers['x-total-count'], '6');
    assert.deepEqual(await names('limit=500'), [6, 4, 5, 3, 2, 1]);
    for (const query of ['limit=0', 'limit=501', 'offset=-1', 'limit=abc']) {
      const response = await list(query);
      assert.equal(response.statusCode, 422, query);
    }
  });
});

describe('/filters/interventions (legacy)', () => {
  const url = '/api/v1/filters/interventions';

  test('technicien_id=0 means no filter; other values filter', async () => {
    assert.deepEqual(await names('technicien_id=0', url), [6, 4, 5, 3, 2, 1]);
    assert.equal((await list('technicien_id=0', url)).headers['x-total-count'], '6');
    assert.deepEqual(await names(`technicien_id=${w.t1.technicienId}`, url), [3, 2]);
    assert.deepEqual(await names('', url), [6, 4, 5, 3, 2, 1]);
  });

  test('the legacy filters statut, urgence, type, plus every list filter, limit, offset, sort', async () => {
    assert.deepEqual(await names('statut=ouverte', url), [1]);
    assert.deepEqual(await names('urgence=true&type=corrective', url), [6]);
    assert.deepEqual(await names('technicien_id=0&urgence=false&statut=cloturee', url), [4]);
    assert.deepEqual(await names(`client_id=${w.client2}&en_retard=false`, url), [4, 3]);
    assert.deepEqual(await names('q=moteur&sort=id', url), [3, 6]);
    const page = await list('sort=id&limit=2&offset=1', url);
    assert.deepEqual(await names('sort=id&limit=2&offset=1', url), [2, 3]);
    assert.equal(page.headers['x-total-count'], '6');
    const bad = await list('statut=fermee', url);
    assert.equal(bad.statusCode, 422);
    const badSort = await list('sort=titre', url);
    assert.equal(badSort.statusCode, 422);
  });

  test('served at the root too', async () => {
    assert.deepEqual(await names('technicien_id=0&statut=ouverte', '/filters/interventions'), [1]);
  });
});

describe('history', () => {
  test('sort horodatage ascending by default, -horodatage, unknown → 422', async () => {
    const id = L[2]!;
    await t().db
      .insertInto('historiques_interventions')
      .values([
        { intervention_id: id, statut_precedent: 'ouverte', statut: 'affectee', remarque: 'b', user_id: w.resp.user.id, horodatage: at('2026-02-11T00:00:00Z') },
        { intervention_id: id, statut_precedent: null, statut: 'ouverte', remarque: 'a', user_id: null, horodatage: at('2026-02-10T09:00:00Z') },
      ])
      .execute();
    const asc = await call(t(), 'GET', `/api/v1/interventions/${id}/historique/`, { as: w.t1.tokens });
    assert.equal(asc.statusCode, 200);
    assert.deepEqual(
      (asc.json() as Record<string, unknown>[]).map((h) => [h.remarque, h.user_nom, h.horodatage]),
      [
        ['a', null, '2026-02-10T09:00:00.000Z'],
        ['b', fullName(w.resp), '2026-02-11T00:00:00.000Z'],
      ],
    );
    assert.equal(asc.headers['x-total-count'], '2');
    const desc = await call(t(), 'GET', `/interventions/${id}/historique?sort=-horodatage`, { as: w.resp.tokens });
    assert.deepEqual((desc.json() as { remarque: string }[]).map((h) => h.remarque), ['b', 'a']);
    const bad = await call(t(), 'GET', `/api/v1/interventions/${id}/historique?sort=statut`, { as: w.resp.tokens });
    assert.equal(bad.statusCode, 422);
    const unknown = await call(t(), 'GET', '/api/v1/interventions/999999/historique', { as: w.resp.tokens });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).message, 'Intervention introuvable');
  });
});

describe('en_retard follows the clock', () => {
  test('an active intervention becomes overdue when the clock passes its deadline; a closed one never does', async () => {
    const open = await seedIntervention(t(), w, 'affectee', { date_limite: new Date(clock.now().getTime() + 2 * MINUTE) });
    const closed = await seedIntervention(t(), w, 'cloturee', { date_limite: new Date(clock.now().getTime() + 2 * MINUTE) });
    const read = async (id: number) => (await call(t(), 'GET', `/api/v1/interventions/${id}`, { as: w.resp.tokens })).json().en_retard;
    assert.equal(await read(open), false);
    assert.equal(await read(closed), false);
    assert.deepEqual(await names('en_retard=true'), [6, 1]);
    clock.advance(3 * MINUTE);
    assert.equal(await read(open), true);
    assert.equal(await read(closed), false);
    assert.deepEqual(await names('en_retard=true&sort=id'), [1, 6, -open]);
  });
});
