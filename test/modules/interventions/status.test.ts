import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatutIntervention } from '../../../src/db/schema.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, MINUTE } from '../../helpers/auth.js';
import { call, errorOf } from '../../helpers/http.js';
import { buildWorld, seedIntervention, snapshot, type Member, type World } from './world.js';
import { ALLOWED } from './transitions.js';

const clock = new FakeClock();
let w: World;

const t = useTestApp({ clock }, async () => {
  w = await buildWorld(t());
});

interface StatusInput {
  statut?: string;
  remarque?: string;
  technicien_id?: number | string;
}

function viaQuery(who: Member, id: number | string, input: StatusInput) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) if (value !== undefined) params.set(key, String(value));
  return call(t(), 'PATCH', `/api/v1/interventions/${id}/statut?${params.toString()}`, { as: who.tokens });
}

function viaBody(who: Member, id: number | string, body: Record<string, unknown>) {
  return call(t(), 'PATCH', `/api/v1/interventions/${id}/statut`, { as: who.tokens, payload: body });
}

async function row(id: number) {
  return t().db.selectFrom('interventions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function history(id: number) {
  return t().db.selectFrom('historiques_interventions').select(['statut_precedent', 'statut', 'remarque', 'user_id', 'horodatage']).where('intervention_id', '=', id).orderBy('id').execute();
}

async function notifications(id: number) {
  return t().db.selectFrom('notifications').select(['type', 'canal', 'contenu', 'user_id']).where('intervention_id', '=', id).orderBy('user_id').execute();
}

async function deniedAudits(who: Member, resourceId: number) {
  return t().db
    .selectFrom('audit_events')
    .select(['event_type', 'outcome', 'resource_type', 'details'])
    .where('actor_user_id', '=', who.user.id)
    .where('resource_id', '=', String(resourceId))
    .orderBy('id')
    .execute();
}


const TARGETS: Record<StatutIntervention, StatutIntervention[]> = {
  ouverte: ['affectee', 'annulee'],
  affectee: ['en_cours', 'ouverte', 'annulee'],
  en_cours: ['en_attente', 'cloturee', 'annulee'],
  en_attente: ['en_cours', 'cloturee', 'annulee'],
  cloturee: ['archivee'],
  annulee: ['archivee'],
  archivee: [],
};

describe('every allowed transition (responsable, query string)', () => {
  for (const [from, to] of ALLOWED) {
    test(`${from} → ${to} → 200, status stored, history row appended`, async () => {
      const id = await seedIntervention(t(), w, from);
      const input: StatusInput = { statut: to, remarque: 'Motif du changement' };
      if (to === 'affectee') input.technicien_id = w.t2.technicienId;
      const response = await viaQuery(w.resp, id, input);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().statut, to);
      assert.equal((await row(id)).statut, to);
      assert.deepEqual(await history(id), [{ statut_precedent: from, statut: to, remarque: 'Motif du changement', user_id: w.resp.user.id, horodatage: clock.now() }]);
    });
  }
});

describe('refused transitions (409, details, nothing written)', () => {
  const cases: [StatutIntervention, StatutIntervention, string][] = [
    ['ouverte', 'ouverte', "Transition de 'ouverte' vers 'ouverte' interdite"],
    ['ouverte', 'en_cours', "Transition de 'ouverte' vers 'en_cours' interdite"],
    ['ouverte', 'archivee', "Transition vers 'archivee' interdite"],
    ['affectee', 'affectee', "Transition de 'affectee' vers 'affectee' interdite"],
    ['affectee', 'cloturee', "Transition de 'affectee' vers 'cloturee' interdite"],
    ['en_cours', 'en_cours', "Transition de 'en_cours' vers 'en_cours' interdite"],
    ['en_cours', 'ouverte', "Transition de 'en_cours' vers 'ouverte' interdite"],
    ['en_cours', 'archivee', "Transition vers 'archivee' interdite"],
    ['en_attente', 'en_attente', "Transition de 'en_attente' vers 'en_attente' interdite"],
    ['en_attente', 'affectee', "Transition de 'en_attente' vers 'affectee' interdite"],
    ['cloturee', 'cloturee', 'Intervention déjà clôturée'],
    ['cloturee', 'en_cours', 'Intervention déjà clôturée'],
    ['cloturee', 'annulee', 'Intervention déjà clôturée'],
    ['annulee', 'annulee', "Transition de 'annulee' vers 'annulee' interdite"],
    ['annulee', 'ouverte', "Transition de 'annulee' vers 'ouverte' interdite"],
    ['archivee', 'archivee', "Transition vers 'archivee' interdite"],
    ['archivee', 'ouverte', "Transition de 'archivee' vers 'ouverte' interdite"],
  ];
  for (const [from, to, message] of cases) {
    test(`${from} → ${to} → 409 "${message}"`, async () => {
      const id = await seedIntervention(t(), w, from);
      const before = await snapshot(t(), id);
      const response = await viaQuery(w.resp, id, { statut: to, remarque: 'Essai', technicien_id: w.t1.technicienId });
      assert.equal(response.statusCode, 409);
      assert.deepEqual(errorOf(response), {
        code: 'CONFLICT',
        message,
        details: { statut_actuel: from, statut_demande: to, transitions_autorisees: TARGETS[from] },
        trace_id: response.headers['x-request-id'],
      });
      assert.deepEqual(await snapshot(t(), id), before);
    });
  }

  test("ouverte → affectee without a technician → 409 \"Un technicien doit être affecté pour passer au statut 'affectee'\"", async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    const before = await snapshot(t(), id);
    const response = await viaQuery(w.resp, id, { statut: 'affectee' });
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).message, "Un technicien doit être affecté pour passer au statut 'affectee'");
    assert.deepEqual(errorOf(response).details, { statut_actuel: 'ouverte', statut_demande: 'affectee', transitions_autorisees: ['affectee', 'annulee'] });
    assert.deepEqual(await snapshot(t(), id), before);
  });

  test('ouverte → affectee with an unknown or inactive technician → 404 "Technicien assigné introuvable"', async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    const before = await snapshot(t(), id);
    for (const technicienId of [999_999, w.t3TechnicienId, w.t4TechnicienId]) {
      const response = await viaQuery(w.resp, id, { statut: 'affectee', technicien_id: technicienId });
      assert.equal(response.statusCode, 404);
      assert.equal(errorOf(response).message, 'Technicien assigné introuvable');
    }
    assert.deepEqual(await snapshot(t(), id), before);
  });

  test('cancelling without a remark (absent or blank) → 422, nothing written', async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const before = await snapshot(t(), id);
    const a = await viaQuery(w.resp, id, { statut: 'annulee' });
    assert.equal(a.statusCode, 422);
    assert.equal(errorOf(a).message, 'Une remarque est requise pour annuler une intervention');
    assert.deepEqual(errorOf(a).details, [{ loc: ['query', 'remarque'], msg: 'Une remarque est requise pour annuler une intervention', type: 'value' }]);
    const b = await viaBody(w.resp, id, { statut: 'annulee', remarque: '   ' });
    assert.equal(b.statusCode, 422);
    assert.equal(errorOf(b).message, 'Une remarque est requise pour annuler une intervention');
    assert.deepEqual(await snapshot(t(), id), before);
  });
});

describe('technician rights (own interventions)', () => {
  const allowed: [StatutIntervention, StatutIntervention][] = [
    ['affectee', 'en_cours'],
    ['en_cours', 'en_attente'],
    ['en_cours', 'cloturee'],
    ['en_attente', 'en_cours'],
    ['en_attente', 'cloturee'],
  ];
  for (const [from, to] of allowed) {
    test(`T1 may ${from} → ${to}`, async () => {
      const id = await seedIntervention(t(), w, from);
      const response = await viaQuery(w.t1, id, { statut: to });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().statut, to);
      assert.deepEqual((await history(id)).map((h) => [h.statut_precedent, h.statut, h.user_id, h.remarque]), [[from, to, w.t1.user.id, null]]);
    });
  }

  const refused: [StatutIntervention, StatutIntervention][] = [
    ['affectee', 'ouverte'],
    ['affectee', 'annulee'],
    ['en_cours', 'annulee'],
    ['en_attente', 'annulee'],
    ['cloturee', 'archivee'],
    ['annulee', 'archivee'],
  ];
  for (const [from, to] of refused) {
    test(`T1 may not ${from} → ${to} → 403, audited, nothing written`, async () => {
      const id = await seedIntervention(t(), w, from);
      const before = await snapshot(t(), id);
      const response = await viaQuery(w.t1, id, { statut: to, remarque: 'Je veux annuler' });
      assert.equal(response.statusCode, 403);
      assert.equal(errorOf(response).code, 'FORBIDDEN');
      assert.equal(errorOf(response).message, 'Transition non autorisée pour le rôle technicien');
      assert.deepEqual(await snapshot(t(), id), before);
      assert.deepEqual(await deniedAudits(w.t1, id), [{ event_type: 'rbac.denied', outcome: 'denied', resource_type: 'intervention', details: { reason: 'transition', from, to } }]);
    });
  }

  test("a technician's cancellation without a remark → 403 (rights before the remark)", async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const response = await viaQuery(w.t1, id, { statut: 'annulee' });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).message, 'Transition non autorisée pour le rôle technicien');
  });

  test('the state machine is checked before the technician rights: en_cours → affectee → 409', async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const response = await viaQuery(w.t1, id, { statut: 'affectee', technicien_id: w.t1.technicienId });
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).message, "Transition de 'en_cours' vers 'affectee' interdite");
  });
});

describe('clients never change a status', () => {
  test("a client on its own company's intervention → 403, audited, nothing written", async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const before = await snapshot(t(), id);
    const response = await viaQuery(w.c1, id, { statut: 'en_attente' });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).message, 'Accès réservé aux rôles : admin, responsable, technicien');
    assert.deepEqual(await snapshot(t(), id), before);
    assert.deepEqual(await deniedAudits(w.c1, id), [{ event_type: 'rbac.denied', outcome: 'denied', resource_type: 'intervention', details: { reason: 'role', action: 'statut' } }]);
  });
});

describe('query string and JSON body', () => {
  test('the same change through either form gives the same result', async () => {
    const a = await seedIntervention(t(), w, 'affectee');
    const b = await seedIntervention(t(), w, 'affectee');
    const q = await viaQuery(w.resp, a, { statut: 'en_cours', remarque: 'Départ' });
    const j = await viaBody(w.resp, b, { statut: 'en_cours', remarque: 'Départ' });
    assert.equal(q.statusCode, 200);
    assert.equal(j.statusCode, 200);
    const strip = (body: Record<string, unknown>) => ({ ...body, id: 0, titre: '', date_creation: '' });
    assert.deepEqual(strip(q.json()), strip(j.json()));
    assert.deepEqual((await history(a)).map((h) => [h.statut, h.remarque]), [['en_cours', 'Départ']]);
    assert.deepEqual((await history(b)).map((h) => [h.statut, h.remarque]), [['en_cours', 'Départ']]);
  });

  test('ouverte → affectee with technicien_id in the JSON body', async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    const response = await viaBody(w.resp, id, { statut: 'affectee', technicien_id: w.t2.technicienId });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().technicien_id, w.t2.technicienId);
  });

  test('the legacy front end: query string plus Content-Type application/json with an empty body', async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const response = await call(t(), 'PATCH', `/interventions/${id}/statut/?statut=en_attente&remarque=Pi%C3%A8ce%20manquante`, {
      as: w.resp.tokens,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().statut, 'en_attente');
    assert.deepEqual((await history(id)).map((h) => h.remarque), ['Pièce manquante']);
  });

  test('a missing statut → 422; an unknown statut → 422 in either form; nothing written', async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const before = await snapshot(t(), id);
    const missing = await viaQuery(w.resp, id, { remarque: 'x' });
    assert.equal(missing.statusCode, 422);
    assert.deepEqual(errorOf(missing).details, [{ loc: ['query', 'statut'], msg: 'Champ obligatoire', type: 'missing' }]);
    const unknownQuery = await viaQuery(w.resp, id, { statut: 'terminee' });
    assert.equal(unknownQuery.statusCode, 422);
    assert.deepEqual((errorOf(unknownQuery).details as { loc: unknown[]; type: string }[]).map((d) => [d.loc, d.type]), [[['query', 'statut'], 'enum']]);
    const unknownBody = await viaBody(w.resp, id, { statut: 'EN_COURS' });
    assert.equal(unknownBody.statusCode, 422);
    assert.deepEqual((errorOf(unknownBody).details as { loc: unknown[]; type: string }[]).map((d) => [d.loc, d.type]), [[['body', 'statut'], 'enum']]);
    const nul = await viaBody(w.resp, id, { statut: 'en_attente', remarque: 'a\u0000' });
    assert.equal(nul.statusCode, 422);
    assert.deepEqual(errorOf(nul).details, [{ loc: ['body', 'remarque'], msg: 'Caractère NUL interdit', type: 'value' }]);
    const wrongType = await viaQuery(w.resp, id, { statut: 'affectee', technicien_id: 'abc' });
    assert.equal(wrongType.statusCode, 422);
    assert.deepEqual(await snapshot(t(), id), before);
  });

  test('bad or unknown ids: 422 for a non-positive id, 404 "Intervention introuvable" for an unknown one', async () => {
    const bad = await viaQuery(w.resp, 'abc', { statut: 'en_cours' });
    assert.equal(bad.statusCode, 422);
    const zero = await viaQuery(w.resp, 0, { statut: 'en_cours' });
    assert.equal(zero.statusCode, 422);
    const unknown = await viaQuery(w.resp, 999_999, { statut: 'en_cours' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).message, 'Intervention introuvable');
  });
});

describe('effects, timestamps and history over a whole life', () => {
  test('create → affectee → en_cours → en_attente → en_cours → cloturee → archivee', async () => {
    const t0 = clock.now();
    const created = await call(t(), 'POST', '/api/v1/interventions/', { as: w.resp.tokens, payload: { titre: 'Cycle', type: 'corrective', equipement_id: w.e1 } });
    assert.equal(created.statusCode, 200);
    const id: number = created.json().id;
    const step = async (who: Member, input: Record<string, unknown>) => {
      clock.advance(MINUTE);
      const response = await viaBody(who, id, input);
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    const at = (n: number) => new Date(t0.getTime() + n * MINUTE).toISOString();

    let body = await step(w.resp, { statut: 'affectee', technicien_id: w.t1.technicienId, remarque: 'Affectation' });
    assert.equal(body.date_affectation, at(1));
    assert.equal(body.technicien_id, w.t1.technicienId);
    body = await step(w.t1, { statut: 'en_cours' });
    assert.equal(body.date_debut_travaux, at(2));
    body = await step(w.t1, { statut: 'en_attente', remarque: 'Pièce' });
    assert.equal(body.date_debut_travaux, at(2));
    body = await step(w.t1, { statut: 'en_cours' });
    assert.equal(body.date_debut_travaux, at(2), 'set only the first time');
    assert.equal(body.date_fin_travaux, null);
    body = await step(w.t1, {
      statut: 'cloturee',
      remarque: 'Fini',
      rapport_intervention: ' Rapport ',
      travaux_realises: 'Joint changé',
      recommandations: '',
      duree_reelle: 95,
    });
    assert.equal(body.date_fin_travaux, at(5));
    assert.equal(body.date_cloture, at(5));
    assert.equal(body.rapport_intervention, 'Rapport');
    assert.equal(body.travaux_realises, 'Joint changé');
    assert.equal(body.recommandations, null);
    assert.equal(body.duree_reelle, 95);
    body = await step(w.resp, { statut: 'archivee' });
    assert.equal(body.date_archivage, at(6));
    assert.equal(body.updated_at, at(6));
    assert.equal(body.date_affectation, at(1));
    assert.equal(body.date_creation, t0.toISOString());

    const response = await call(t(), 'GET', `/api/v1/interventions/${id}/historique`, { as: w.resp.tokens });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-total-count'], '7');
    const rows = response.json() as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((h) => [h.statut_precedent, h.statut, h.remarque, h.user_id, h.user_nom, h.horodatage]),
      [
        [null, 'ouverte', 'Création de l’intervention', w.resp.user.id, `Test ${w.resp.user.username}`, at(0)],
        ['ouverte', 'affectee', 'Affectation', w.resp.user.id, `Test ${w.resp.user.username}`, at(1)],
        ['affectee', 'en_cours', null, w.t1.user.id, `Test ${w.t1.user.username}`, at(2)],
        ['en_cours', 'en_attente', 'Pièce', w.t1.user.id, `Test ${w.t1.user.username}`, at(3)],
        ['en_attente', 'en_cours', null, w.t1.user.id, `Test ${w.t1.user.username}`, at(4)],
        ['en_cours', 'cloturee', 'Fini', w.t1.user.id, `Test ${w.t1.user.username}`, at(5)],
        ['cloturee', 'archivee', null, w.resp.user.id, `Test ${w.resp.user.username}`, at(6)],
      ],
    );
    assert.deepEqual(Object.keys(rows[0]!).sort(), ['horodatage', 'id', 'intervention_id', 'remarque', 'statut', 'statut_precedent', 'user_id', 'user_nom']);
    assert.equal(rows[0]!.intervention_id, id);
  });

  test('affectee → ouverte clears the technician and date_affectation', async () => {
    const id = await seedIntervention(t(), w, 'affectee', { date_affectation: new Date('2026-06-01T00:00:00Z') });
    const response = await viaQuery(w.resp, id, { statut: 'ouverte', remarque: 'Retour' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.technicien_id, null);
    assert.equal(body.technicien_nom, null);
    assert.equal(body.date_affectation, null);
  });

  test('closure fields are ignored on other targets', async () => {
    const id = await seedIntervention(t(), w, 'en_cours');
    const response = await viaBody(w.resp, id, { statut: 'en_attente', rapport_intervention: 'Pas maintenant', duree_reelle: 3 });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().rapport_intervention, null);
    assert.equal(response.json().duree_reelle, null);
  });
});

describe('notifications', () => {
  test('→affectee notifies the technician (affectation)', async () => {
    const id = await seedIntervention(t(), w, 'ouverte', { titre: 'Pompe' });
    await viaQuery(w.resp, id, { statut: 'affectee', technicien_id: w.t2.technicienId });
    assert.deepEqual(await notifications(id), [{ type: 'affectation', canal: 'email', contenu: `Intervention n°${id} « Pompe » vous a été affectée`, user_id: w.t2.user.id }]);
  });

  test('→cloturee by the technician notifies the creator, the active responsables and the active client users', async () => {
    const id = await seedIntervention(t(), w, 'en_cours', { titre: 'Chaudière', created_by_id: w.admin.user.id });
    const response = await viaQuery(w.t1, id, { statut: 'cloturee' });
    assert.equal(response.statusCode, 200);
    const expected = [w.admin.user.id, w.resp.user.id, w.resp2.user.id, w.c1.user.id, w.c1b.user.id]
      .sort((a, b) => a - b)
      .map((userId) => ({ type: 'cloture', canal: 'email', contenu: `Intervention n°${id} « Chaudière » clôturée`, user_id: userId }));
    assert.deepEqual(await notifications(id), expected);
  });

  test('→cloturee by a responsable does not notify the actor; the creator is notified once', async () => {
    const id = await seedIntervention(t(), w, 'en_attente', { titre: 'Four', created_by_id: w.resp2.user.id });
    const response = await viaQuery(w.resp, id, { statut: 'cloturee' });
    assert.equal(response.statusCode, 200);
    const recipients = (await notifications(id)).map((n) => n.user_id);
    assert.deepEqual(recipients, [w.resp2.user.id, w.c1.user.id, w.c1b.user.id].sort((a, b) => a - b));
    assert.ok(!recipients.includes(w.respInactiveId));
  });

  test('→cloturee of MIF equipment (no company) notifies no client user', async () => {
    const id = await seedIntervention(t(), w, 'en_cours', { equipement_id: w.e0, client_id: null, contrat_id: null, created_by_id: null });
    await viaQuery(w.t1, id, { statut: 'cloturee' });
    assert.deepEqual((await notifications(id)).map((n) => n.user_id), [w.resp.user.id, w.resp2.user.id].sort((a, b) => a - b));
  });

  test('→annulee notifies the assigned technician with the remark (information)', async () => {
    const id = await seedIntervention(t(), w, 'en_attente', { titre: 'Groupe froid' });
    const response = await viaQuery(w.resp, id, { statut: 'annulee', remarque: 'Doublon' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(await notifications(id), [{ type: 'information', canal: 'email', contenu: `Intervention n°${id} « Groupe froid » annulée : Doublon`, user_id: w.t1.user.id }]);
  });

  test('other transitions notify nobody', async () => {
    const id = await seedIntervention(t(), w, 'affectee');
    await viaQuery(w.t1, id, { statut: 'en_cours' });
    await viaQuery(w.t1, id, { statut: 'en_attente' });
    assert.deepEqual(await notifications(id), []);
  });
});

describe('concurrency', () => {
  test('two parallel transitions from the same status to different targets: one 200, one 409, one history row', async () => {
    // Closing and cancelling exclude each other in either order, so the outcome does not depend on
    // whether the two requests really overlap (a test of timing would be flaky on a loaded machine).
    const id = await seedIntervention(t(), w, 'en_cours');
    const responses = await Promise.all([
      viaQuery(w.resp, id, { statut: 'annulee', remarque: 'Doublon' }),
      viaQuery(w.resp2, id, { statut: 'cloturee' }),
    ]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 409]);
    const winner = responses.find((r) => r.statusCode === 200)!.json().statut as string;
    const loser = errorOf(responses.find((r) => r.statusCode === 409)!);
    assert.equal(loser.message, winner === 'cloturee' ? 'Intervention déjà clôturée' : "Transition de 'annulee' vers 'cloturee' interdite");
    assert.equal((loser.details as { statut_actuel: string }).statut_actuel, winner);
    assert.equal((await row(id)).statut, winner);
    assert.equal((await history(id)).length, 1);
    // Closed by resp2: the creator (resp) and C1's two client users; cancelled: the assigned technician.
    assert.equal((await notifications(id)).length, winner === 'cloturee' ? 3 : 1);
  });

  test('the same transition requested twice in parallel: one 200, one 409', async () => {
    const id = await seedIntervention(t(), w, 'affectee');
    const responses = await Promise.all([viaQuery(w.t1, id, { statut: 'en_cours' }), viaQuery(w.resp, id, { statut: 'en_cours' })]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 409]);
    assert.equal(errorOf(responses.find((r) => r.statusCode === 409)!).message, "Transition de 'en_cours' vers 'en_cours' interdite");
    assert.deepEqual((await history(id)).map((h) => [h.statut_precedent, h.statut]), [['affectee', 'en_cours']]);
  });
});
