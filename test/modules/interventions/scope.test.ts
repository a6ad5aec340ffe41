/**
 * Record-level scope (docs/security.md §5): T1 and the C1 user get 404 on C2's work (read, history,
 * status change) with the database unchanged and an audit row; lists never contain rows out of scope.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock } from '../../helpers/auth.js';
import { call, errorOf } from '../../helpers/http.js';
import { buildWorld, member, seedIntervention, snapshot, type Member, type World } from './world.js';

const clock = new FakeClock();
let w: World;
/** C1's, assigned to T1, with costs. */
let i1: number;
/** C1's, open (no technician). */
let i1Open: number;
/** C2's, assigned to T2. */
let i2: number;
/** MIF's own equipment, assigned to T2. */
let iMif: number;
/** A technician account without a technician profile. */
let tNoProfile: Member;

const t = useTestApp({ clock }, async () => {
  w = await buildWorld(t());
  i1 = await seedIntervention(t(), w, 'en_cours', { cout_estime: 100.5, cout_reel: 80 });
  i1Open = await seedIntervention(t(), w, 'ouverte');
  i2 = await seedIntervention(t(), w, 'en_cours', { equipement_id: w.e2, client_id: w.client2, contrat_id: null, technicien_id: w.t2.technicienId });
  iMif = await seedIntervention(t(), w, 'affectee', { equipement_id: w.e0, client_id: null, contrat_id: null, technicien_id: w.t2.technicienId });
  tNoProfile = await member(t(), 'technicien');
});

function get(who: Member, url: string) {
  return call(t(), 'GET', url, { as: who.tokens });
}

async function scopeAudits(who: Member) {
  return t().db
    .selectFrom('audit_events')
    .select(['outcome', 'resource_type', 'resource_id', 'details'])
    .where('event_type', '=', 'rbac.denied')
    .where('actor_user_id', '=', who.user.id)
    .orderBy('id')
    .execute();
}

function ids(response: { json: () => unknown }): number[] {
  return (response.json() as { id: number }[]).map((row) => row.id).sort((a, b) => a - b);
}

describe('out of scope → 404 "Intervention introuvable", audited, nothing changed', () => {
  const cases: [string, () => Member, () => number][] = [
    ["T1 on T2's intervention", () => w.t1, () => i2],
    ["T1 on an open intervention of C1 (not assigned to T1)", () => w.t1, () => i1Open],
    ["the C1 user on C2's intervention", () => w.c1, () => i2],
    ["the C1 user on MIF's own intervention", () => w.c1, () => iMif],
    ['a client without company', () => w.c0, () => i1],
    ['a technician without profile', () => tNoProfile, () => i1],
  ];
  for (const [name, actorOf, idOf] of cases) {
    test(name, async () => {
      const actor = actorOf();
      const id = idOf();
      const before = await snapshot(t(), id);
      const auditsBefore = (await scopeAudits(actor)).length;
      const read = await get(actor, `/api/v1/interventions/${id}`);
      const history = await get(actor, `/api/v1/interventions/${id}/historique`);
      const status = await call(t(), 'PATCH', `/api/v1/interventions/${id}/statut?statut=en_attente`, { as: actor.tokens });
      const statusBody = await call(t(), 'PATCH', `/api/v1/interventions/${id}/statut`, { as: actor.tokens, payload: { statut: 'cloturee' } });
      for (const response of [read, history, status, statusBody]) {
        assert.equal(response.statusCode, 404, response.body);
        assert.equal(errorOf(response).code, 'RESOURCE_NOT_FOUND');
        assert.equal(errorOf(response).message, 'Intervention introuvable');
      }
      assert.deepEqual(await snapshot(t(), id), before);
      const audits = (await scopeAudits(actor)).slice(auditsBefore);
      assert.deepEqual(audits, Array(4).fill({ outcome: 'denied', resource_type: 'intervention', resource_id: String(id), details: { reason: 'hors_perimetre' } }));
    });
  }

  test('an unknown id answers the same 404, without an audit row', async () => {
    const before = (await scopeAudits(w.t1)).length;
    const response = await get(w.t1, '/api/v1/interventions/999999');
    assert.equal(response.statusCode, 404);
    assert.equal(errorOf(response).message, 'Intervention introuvable');
    assert.equal((await scopeAudits(w.t1)).length, before);
  });
});

describe('in scope', () => {
  test('T1 reads its intervention with the costs', async () => {
    const response = await get(w.t1, `/api/v1/interventions/${i1}`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().cout_estime, 100.5);
    assert.equal(response.json().cout_reel, 80);
  });

  test("the C1 user reads its company's interventions without the costs, and their history", async () => {
    for (const id of [i1, i1Open]) {
      const response = await get(w.c1, `/api/v1/interventions/${id}`);
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.id, id);
      assert.equal('cout_estime' in body, false);
      assert.equal('cout_reel' in body, false);
      assert.equal(body.client_id, w.client1);
    }
    const history = await get(w.c1, `/api/v1/interventions/${i1}/historique`);
    assert.equal(history.statusCode, 200);
    assert.deepEqual(history.json(), []);
    assert.equal(history.headers['x-total-count'], '0');
  });

  test('admin and responsable read everything', async () => {
    for (const actor of [w.admin, w.resp]) {
      for (const id of [i1, i2, iMif]) {
        const response = await get(actor, `/api/v1/interventions/${id}`);
        assert.equal(response.statusCode, 200);
        assert.equal('cout_estime' in response.json(), true);
      }
    }
  });
});

describe('lists apply the same scope (and X-Total-Count counts only rows in scope)', () => {
  test('T1 sees only its interventions', async () => {
    const response = await get(w.t1, '/api/v1/interventions/');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(ids(response), [i1]);
    assert.equal(response.headers['x-total-count'], '1');
    // A filter cannot widen the scope.
    const filtered = await get(w.t1, `/api/v1/interventions/?technicien_id=${w.t2.technicienId}`);
    assert.deepEqual(filtered.json(), []);
    assert.equal(filtered.headers['x-total-count'], '0');
  });

  test("the C1 user sees its company's interventions, without costs, also on /filters/interventions", async () => {
    for (const url of ['/api/v1/interventions/', '/api/v1/filters/interventions?technicien_id=0', `/interventions?client_id=${w.client2}`]) {
      const response = await get(w.c1, url);
      assert.equal(response.statusCode, 200);
      const expected = url.includes(`client_id=${w.client2}`) ? [] : [i1, i1Open].sort((a, b) => a - b);
      assert.deepEqual(ids(response), expected);
      assert.equal(response.headers['x-total-count'], String(expected.length));
      for (const row of response.json() as Record<string, unknown>[]) {
        assert.equal('cout_estime' in row, false);
        assert.equal('cout_reel' in row, false);
      }
    }
  });

  test('a client without company and a technician without profile see empty lists', async () => {
    for (const actor of [w.c0, tNoProfile]) {
      const response = await get(actor, '/api/v1/interventions/');
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), []);
      assert.equal(response.headers['x-total-count'], '0');
    }
  });

  test('admin and responsable see every row', async () => {
    for (const actor of [w.admin, w.resp]) {
      const response = await get(actor, '/api/v1/interventions/');
      assert.deepEqual(ids(response), [i1, i1Open, i2, iMif].sort((a, b) => a - b));
      assert.equal(response.headers['x-total-count'], '4');
    }
  });
});

describe('role refusals', () => {
  test('technicians and clients may not edit an intervention (403, audited), even their own', async () => {
    for (const [actor, id] of [
      [w.t1, i1],
      [w.c1, i1],
    ] as const) {
      const before = await snapshot(t(), id);
      const response = await call(t(), 'PATCH', `/api/v1/interventions/${id}`, { as: actor.tokens, payload: { titre: 'Piraté' } });
      assert.equal(response.statusCode, 403);
      assert.equal(errorOf(response).message, 'Accès réservé aux rôles : admin, responsable');
      assert.deepEqual(await snapshot(t(), id), before);
    }
  });

  test('every route needs a token', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/interventions/'],
      ['GET', '/api/v1/filters/interventions'],
      ['GET', `/api/v1/interventions/${i1}`],
      ['GET', `/api/v1/interventions/${i1}/historique`],
      ['PATCH', `/api/v1/interventions/${i1}`],
      ['PATCH', `/api/v1/interventions/${i1}/statut?statut=en_attente`],
    ] as const) {
      const response = await call(t(), method, url);
      assert.equal(response.statusCode, 401, `${method} ${url}`);
    }
  });
});
