/**
 * PATCH /interventions/{id}: field edits per status, assignment, reassignment, unassignment and
 * equipment changes (docs/api.md §4.5 "Edits and reassignment").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatutIntervention } from '../../../src/db/schema.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, MINUTE } from '../../helpers/auth.js';
import { assertError, call, errorOf } from '../../helpers/http.js';
import { buildWorld, fullName, seedIntervention, snapshot, type Member, type World } from './world.js';

const clock = new FakeClock();
let w: World;

const t = useTestApp({ clock }, async () => {
  w = await buildWorld(t());
});

function patch(who: Member, id: number | string, payload?: unknown, url = `/api/v1/interventions/${id}`) {
  return call(t(), 'PATCH', url, { as: who.tokens, payload });
}

async function history(id: number) {
  return t().db.selectFrom('historiques_interventions').select(['statut_precedent', 'statut', 'remarque', 'user_id']).where('intervention_id', '=', id).orderBy('id').execute();
}

async function notifications(id: number) {
  return t().db.selectFrom('notifications').select(['type', 'contenu', 'user_id']).where('intervention_id', '=', id).orderBy('id').execute();
}

/** The refusal's error details; the intervention, its history and notifications unchanged. */
async function expectRefused(id: number, payload: unknown, status: 404 | 409 | 422, message: string): Promise<unknown> {
  const before = await snapshot(t(), id);
  const details = assertError(await patch(w.resp, id, payload), status, message);
  assert.deepEqual(await snapshot(t(), id), before);
  return details;
}

describe('field edits', () => {
  test('every editable field, trimmed, with updated_at; no history row for plain edits', async () => {
    const id = await seedIntervention(t(), w, 'ouverte', { description: 'Ancienne', date_limite: new Date('2026-07-01T00:00:00Z') });
    clock.advance(MINUTE);
    const response = await patch(w.resp, id, {
      titre: '  Nouveau titre ',
      description: '   ',
      type_intervention: 'ameliorative',
      priorite: 'urgente',
      urgence: true,
      date_limite: null,
      duree_estimee: 120,
      duree_reelle: 0,
      cout_estime: 1500.5,
      cout_reel: 0,
      rapport_intervention: 'Rapport',
      travaux_realises: 'Travaux',
      recommandations: 'Reco',
      created_by_id: w.admin.user.id,
      client_id: w.client2,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.titre, 'Nouveau titre');
    assert.equal(body.description, null);
    assert.equal(body.type, 'ameliorative');
    assert.equal(body.priorite, 'urgente');
    assert.equal(body.urgence, true);
    assert.equal(body.date_limite, null);
    assert.equal(body.duree_estimee, 120);
    assert.equal(body.duree_reelle, 0);
    assert.equal(body.cout_estime, 1500.5);
    assert.equal(body.cout_reel, 0);
    assert.equal(body.rapport_intervention, 'Rapport');
    assert.equal(body.travaux_realises, 'Travaux');
    assert.equal(body.recommandations, 'Reco');
    assert.equal(body.updated_at, clock.now().toISOString());
    assert.equal(body.statut, 'ouverte');
    assert.equal(body.created_by_id, w.resp.user.id, 'unknown / forbidden fields are ignored');
    assert.equal(body.client_id, w.client1);
    assert.deepEqual(await history(id), []);
  });

  test('admin may edit; null leaves a required field unchanged and clears an optional one; money is rounded to cents', async () => {
    const id = await seedIntervention(t(), w, 'affectee', { titre: 'Garder', cout_estime: 10 });
    const response = await patch(w.admin, id, { titre: null, priorite: null, urgence: null, cout_estime: 12.345, duree_estimee: null });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().titre, 'Garder');
    assert.equal(response.json().priorite, 'normale');
    assert.equal(response.json().cout_estime, 12.35);
    assert.equal(response.json().duree_estimee, null);
  });

  test('an empty body (or Content-Type JSON without a body) changes nothing, not even updated_at', async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    const before = await snapshot(t(), id);
    const a = await call(t(), 'PATCH', `/interventions/${id}/`, { as: w.resp.tokens, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(a.statusCode, 200, a.body);
    const b = await patch(w.resp, id, {});
    assert.equal(b.statusCode, 200);
    assert.deepEqual(await snapshot(t(), id), before);
  });

  test('`statut` in the body → 422 "Le statut se modifie via PATCH /interventions/{id}/statut", even with other fields', async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    const details = await expectRefused(id, { statut: 'en_cours', titre: 'X' }, 422, 'Le statut se modifie via PATCH /interventions/{id}/statut');
    assert.deepEqual(details, [{ loc: ['body', 'statut'], msg: 'Le statut se modifie via PATCH /interventions/{id}/statut', type: 'value' }]);
    await expectRefused(id, { statut: 'ouverte' }, 422, 'Le statut se modifie via PATCH /interventions/{id}/statut');
  });

  test('bad input → 422, nothing written', async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    const generic = 'Erreur de validation des données';
    await expectRefused(id, { titre: '  ' }, 422, generic);
    await expectRefused(id, { titre: 'x'.repeat(256) }, 422, generic);
    await expectRefused(id, { duree_estimee: -1 }, 422, generic);
    await expectRefused(id, { duree_reelle: 1.5 }, 422, generic);
    await expectRefused(id, { cout_estime: 'cher' }, 422, generic);
    await expectRefused(id, { cout_reel: -0.01 }, 422, generic);
    await expectRefused(id, { cout_reel: 1e12 }, 422, generic);
    await expectRefused(id, { priorite: 'critique' }, 422, generic);
    await expectRefused(id, { type: 'autre' }, 422, generic);
    await expectRefused(id, { urgence: 'oui peut-être' }, 422, generic);
    await expectRefused(id, { date_limite: '31/12/2026' }, 422, generic);
    await expectRefused(id, { technicien_id: 'T1' }, 422, generic);
    await expectRefused(id, { technicien_id: 0 }, 422, generic);
    await expectRefused(id, { equipement_id: -3 }, 422, generic);
    await expectRefused(id, { recommandations: 'x\u0000y' }, 422, 'Caractère NUL interdit');
    const malformed = await call(t(), 'PATCH', `/api/v1/interventions/${id}`, { as: w.resp.tokens, headers: { 'content-type': 'application/json' }, payload: '{"titre":' });
    assert.equal(malformed.statusCode, 422);
    assert.deepEqual(errorOf(malformed).details, [{ loc: ['body'], msg: 'JSON invalide', type: 'json_invalid' }]);
  });

  test('unknown or invalid id → 404 / 422', async () => {
    const unknown = await patch(w.resp, 999_999, { titre: 'X' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).message, 'Intervention introuvable');
    const invalid = await patch(w.resp, 'x', { titre: 'X' });
    assert.equal(invalid.statusCode, 422);
  });
});

describe('edits per status', () => {
  for (const statut of ['annulee', 'archivee'] as StatutIntervention[]) {
    test(`${statut}: no field may change → 409`, async () => {
      const id = await seedIntervention(t(), w, statut, { titre: 'Figée' });
      const message = `Intervention non modifiable dans le statut '${statut}'`;
      await expectRefused(id, { titre: 'Autre' }, 409, message);
      await expectRefused(id, { recommandations: 'Trop tard' }, 409, message);
      await expectRefused(id, { cout_reel: 5 }, 409, message);
      // Sending the current values changes nothing, which is allowed.
      const same = await patch(w.resp, id, { titre: 'Figée' });
      assert.equal(same.statusCode, 200);
    });
  }

  test('cloturee: only the closure fields may change', async () => {
    const id = await seedIntervention(t(), w, 'cloturee', { date_cloture: new Date('2026-06-01T00:00:00Z') });
    const message = "Intervention non modifiable dans le statut 'cloturee'";
    await expectRefused(id, { titre: 'Autre' }, 409, message);
    await expectRefused(id, { cout_estime: 3, cout_reel: 4 }, 409, message);
    await expectRefused(id, { date_limite: '2026-09-01' }, 409, message);
    await expectRefused(id, { technicien_id: w.t2.technicienId }, 409, message);
    await expectRefused(id, { technicien_id: null }, 409, message);
    await expectRefused(id, { equipement_id: w.e0 }, 409, message);
    const response = await patch(w.resp, id, { duree_reelle: 45, cout_reel: 320.4, rapport_intervention: 'R', travaux_realises: 'T', recommandations: 'Reco' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual([body.duree_reelle, body.cout_reel, body.rapport_intervention, body.travaux_realises, body.recommandations, body.statut], [45, 320.4, 'R', 'T', 'Reco', 'cloturee']);
  });

  for (const statut of ['ouverte', 'affectee', 'en_cours', 'en_attente'] as StatutIntervention[]) {
    test(`${statut}: the fields may change`, async () => {
      const id = await seedIntervention(t(), w, statut);
      const response = await patch(w.resp, id, { titre: `Modifiée en ${statut}`, cout_estime: 1 });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().titre, `Modifiée en ${statut}`);
      assert.equal(response.json().statut, statut);
    });
  }
});

describe('technician assignment and reassignment', () => {
  test('ouverte + technicien_id → affectee, date_affectation, history row, affectation notification', async () => {
    const id = await seedIntervention(t(), w, 'ouverte', { titre: 'Ventilation' });
    const response = await patch(w.resp, id, { technicien_id: w.t2.technicienId });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.statut, 'affectee');
    assert.equal(body.technicien_id, w.t2.technicienId);
    assert.equal(body.technicien_nom, fullName(w.t2));
    assert.equal(body.date_affectation, clock.now().toISOString());
    assert.deepEqual(await history(id), [{ statut_precedent: 'ouverte', statut: 'affectee', remarque: `Affectation : ${fullName(w.t2)}`, user_id: w.resp.user.id }]);
    assert.deepEqual(await notifications(id), [{ type: 'affectation', contenu: `Intervention n°${id} « Ventilation » vous a été affectée`, user_id: w.t2.user.id }]);
  });

  for (const statut of ['affectee', 'en_cours', 'en_attente'] as StatutIntervention[]) {
    test(`${statut}: a new technician keeps the status, "Réaffectation : {ancien} → {nouveau}", the new one is notified`, async () => {
      const id = await seedIntervention(t(), w, statut, { titre: 'Réaff' });
      clock.advance(MINUTE);
      const response = await patch(w.resp, id, { technicien_id: w.t2.technicienId });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().statut, statut);
      assert.equal(response.json().technicien_id, w.t2.technicienId);
      assert.equal(response.json().date_affectation, clock.now().toISOString());
      assert.deepEqual(await history(id), [{ statut_precedent: statut, statut, remarque: `Réaffectation : ${fullName(w.t1)} → ${fullName(w.t2)}`, user_id: w.resp.user.id }]);
      assert.deepEqual(await notifications(id), [{ type: 'affectation', contenu: `Intervention n°${id} « Réaff » vous a été affectée`, user_id: w.t2.user.id }]);
    });
  }

  test('a remark sent with the reassignment is appended to the history remark', async () => {
    const id = await seedIntervention(t(), w, 'affectee');
    await patch(w.resp, id, { technicien_id: w.t2.technicienId, remarque: ' Congé de T1 ' });
    assert.deepEqual((await history(id)).map((h) => h.remarque), [`Réaffectation : ${fullName(w.t1)} → ${fullName(w.t2)} — Congé de T1`]);
  });

  test('the same technician again is no change (no history, no notification)', async () => {
    const id = await seedIntervention(t(), w, 'affectee');
    const response = await patch(w.resp, id, { technicien_id: w.t1.technicienId });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(await history(id), []);
    assert.deepEqual(await notifications(id), []);
  });

  test('technicien_id null in affectee → ouverte (technician and date_affectation cleared)', async () => {
    const id = await seedIntervention(t(), w, 'affectee', { date_affectation: new Date('2026-06-01T00:00:00Z') });
    const response = await patch(w.resp, id, { technicien_id: null });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual([body.statut, body.technicien_id, body.date_affectation, body.technicien_nom], ['ouverte', null, null, null]);
    assert.deepEqual(await history(id), [{ statut_precedent: 'affectee', statut: 'ouverte', remarque: `Désaffectation : ${fullName(w.t1)}`, user_id: w.resp.user.id }]);
    assert.deepEqual(await notifications(id), []);
  });

  for (const statut of ['en_cours', 'en_attente'] as StatutIntervention[]) {
    test(`technicien_id null in ${statut} → 409 "Impossible de retirer le technicien d'une intervention en cours"`, async () => {
      const id = await seedIntervention(t(), w, statut);
      await expectRefused(id, { technicien_id: null }, 409, "Impossible de retirer le technicien d'une intervention en cours");
    });
  }

  test('an unknown or inactive technician → 404 "Technicien assigné introuvable"', async () => {
    const id = await seedIntervention(t(), w, 'affectee');
    for (const technicienId of [999_999, w.t3TechnicienId, w.t4TechnicienId]) {
      await expectRefused(id, { technicien_id: technicienId }, 404, 'Technicien assigné introuvable');
    }
  });
});

describe('equipment changes', () => {
  for (const statut of ['ouverte', 'affectee'] as StatutIntervention[]) {
    test(`${statut}: the equipment may change, and client_id / contrat_id follow it`, async () => {
      const id = await seedIntervention(t(), w, statut);
      const toC2 = await patch(w.resp, id, { equipement_id: w.e2 });
      assert.equal(toC2.statusCode, 200);
      assert.deepEqual([toC2.json().equipement_id, toC2.json().client_id, toC2.json().contrat_id], [w.e2, w.client2, null]);
      const back = await patch(w.resp, id, { equipement_id: w.e1 });
      assert.deepEqual([back.json().equipement_id, back.json().client_id, back.json().contrat_id], [w.e1, w.client1, w.contrat1]);
      const mif = await patch(w.resp, id, { equipement_id: w.e0 });
      assert.deepEqual([mif.json().equipement_id, mif.json().client_id, mif.json().contrat_id], [w.e0, null, null]);
    });
  }

  for (const statut of ['en_cours', 'en_attente'] as StatutIntervention[]) {
    test(`${statut}: the equipment may not change → 409`, async () => {
      const id = await seedIntervention(t(), w, statut);
      await expectRefused(id, { equipement_id: w.e2 }, 409, "L'équipement ne peut plus être changé après le début des travaux");
    });
  }

  test('unknown equipment → 404; retired equipment → 409', async () => {
    const id = await seedIntervention(t(), w, 'ouverte');
    await expectRefused(id, { equipement_id: 999_999 }, 404, 'Équipement cible introuvable');
    await expectRefused(id, { equipement_id: w.eRetired }, 409, 'Équipement retiré du service');
  });
});
