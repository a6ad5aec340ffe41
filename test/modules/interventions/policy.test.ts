import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closureRecipients,
  equipementInCreationScope,
  hidesCosts,
  initialStatus,
  inScope,
  interventionScope,
  isOverdue,
  mayChangeStatus,
  reassignmentRemark,
  refusedEditFields,
  scopeMatchesAnything,
  technicienChange,
  type InterventionPrincipal,
} from '../../../src/modules/interventions/policy.js';

const admin: InterventionPrincipal = { userId: 1, role: 'admin', technicienId: null, clientId: null };
const resp: InterventionPrincipal = { userId: 2, role: 'responsable', technicienId: null, clientId: null };
const t1: InterventionPrincipal = { userId: 3, role: 'technicien', technicienId: 10, clientId: null };
const tNoProfile: InterventionPrincipal = { userId: 4, role: 'technicien', technicienId: null, clientId: null };
const c1: InterventionPrincipal = { userId: 5, role: 'client', technicienId: null, clientId: 100 };
const c0: InterventionPrincipal = { userId: 6, role: 'client', technicienId: null, clientId: null };
const system: InterventionPrincipal = { userId: null, role: 'system', technicienId: null, clientId: null };

test('scope: managers and the system see everything', () => {
  for (const principal of [admin, resp, system]) {
    assert.deepEqual(interventionScope(principal), { kind: 'all' });
    assert.equal(inScope(interventionScope(principal), { technicien_id: null, client_id: null }), true);
  }
});

test('scope: a technician sees the interventions assigned to their profile only', () => {
  const scope = interventionScope(t1);
  assert.equal(inScope(scope, { technicien_id: 10, client_id: 100 }), true);
  assert.equal(inScope(scope, { technicien_id: 11, client_id: 100 }), false);
  assert.equal(inScope(scope, { technicien_id: null, client_id: null }), false);
  assert.equal(scopeMatchesAnything(scope), true);
  const none = interventionScope(tNoProfile);
  assert.equal(inScope(none, { technicien_id: null, client_id: null }), false);
  assert.equal(scopeMatchesAnything(none), false);
});

test("scope: a client sees its company's interventions; without a company, nothing", () => {
  const scope = interventionScope(c1);
  assert.equal(inScope(scope, { technicien_id: 10, client_id: 100 }), true);
  assert.equal(inScope(scope, { technicien_id: 10, client_id: 101 }), false);
  assert.equal(inScope(scope, { technicien_id: null, client_id: null }), false);
  const none = interventionScope(c0);
  assert.equal(scopeMatchesAnything(none), false);
  assert.equal(inScope(none, { technicien_id: null, client_id: null }), false);
});

test("creation: a client targets its company's equipment only", () => {
  assert.equal(equipementInCreationScope(c1, { client_id: 100 }), true);
  assert.equal(equipementInCreationScope(c1, { client_id: 101 }), false);
  assert.equal(equipementInCreationScope(c1, { client_id: null }), false);
  assert.equal(equipementInCreationScope(c0, { client_id: null }), false);
  assert.equal(equipementInCreationScope(resp, { client_id: 101 }), true);
  assert.equal(equipementInCreationScope(resp, { client_id: null }), true);
});

test('initial status: affectee with a technician, else ouverte; only ouverte/affectee accepted', () => {
  assert.deepEqual(initialStatus(undefined, false), { statut: 'ouverte' });
  assert.deepEqual(initialStatus(null, true), { statut: 'affectee' });
  assert.deepEqual(initialStatus('ouverte', true), { statut: 'affectee' });
  assert.deepEqual(initialStatus('affectee', true), { statut: 'affectee' });
  assert.deepEqual(initialStatus('affectee', false), { error: "Un technicien est requis pour le statut 'affectee'" });
  for (const statut of ['en_cours', 'en_attente', 'cloturee', 'annulee', 'archivee'] as const) {
    assert.deepEqual(initialStatus(statut, true), { error: "Statut initial invalide : seuls 'ouverte' et 'affectee' sont acceptés" });
  }
});

test('edits: nothing in annulee/archivee, only closure fields in cloturee, anything before', () => {
  assert.deepEqual(refusedEditFields('annulee', ['recommandations']), ['recommandations']);
  assert.deepEqual(refusedEditFields('archivee', ['titre']), ['titre']);
  assert.deepEqual(refusedEditFields('cloturee', ['duree_reelle', 'cout_reel', 'rapport_intervention', 'travaux_realises', 'recommandations']), []);
  assert.deepEqual(refusedEditFields('cloturee', ['titre', 'cout_reel', 'technicien_id']), ['titre', 'technicien_id']);
  for (const statut of ['ouverte', 'affectee', 'en_cours', 'en_attente'] as const) {
    assert.deepEqual(refusedEditFields(statut, ['titre', 'technicien_id', 'cout_estime']), []);
  }
});

test('technician changes: assign, reassign, unassign or refuse, per status', () => {
  assert.deepEqual(technicienChange('ouverte', null, 5), { kind: 'assign' });
  assert.deepEqual(technicienChange('affectee', 4, 5), { kind: 'reassign' });
  assert.deepEqual(technicienChange('en_cours', 4, 5), { kind: 'reassign' });
  assert.deepEqual(technicienChange('en_attente', 4, 5), { kind: 'reassign' });
  assert.deepEqual(technicienChange('affectee', 4, null), { kind: 'unassign' });
  assert.deepEqual(technicienChange('en_cours', 4, null), { kind: 'refused', message: "Impossible de retirer le technicien d'une intervention en cours" });
  assert.deepEqual(technicienChange('en_attente', 4, null), { kind: 'refused', message: "Impossible de retirer le technicien d'une intervention en cours" });
  assert.deepEqual(technicienChange('cloturee', 4, 5), { kind: 'refused', message: "Intervention non modifiable dans le statut 'cloturee'" });
});

test('the reassignment remark names both technicians', () => {
  assert.equal(reassignmentRemark('Ali Benali', 'Sara Idrissi'), 'Réaffectation : Ali Benali → Sara Idrissi');
});

test('overdue = active and date_limite < now', () => {
  const now = new Date('2026-06-15T08:00:00.000Z');
  const past = new Date('2026-06-15T07:59:59.999Z');
  for (const statut of ['ouverte', 'affectee', 'en_cours', 'en_attente'] as const) {
    assert.equal(isOverdue({ statut, date_limite: past }, now), true, statut);
  }
  for (const statut of ['cloturee', 'annulee', 'archivee'] as const) {
    assert.equal(isOverdue({ statut, date_limite: past }, now), false, statut);
  }
  assert.equal(isOverdue({ statut: 'ouverte', date_limite: now }, now), false);
  assert.equal(isOverdue({ statut: 'ouverte', date_limite: null }, now), false);
});

test('costs are hidden from clients only; clients never change a status', () => {
  assert.equal(hidesCosts('client'), true);
  assert.equal(hidesCosts('technicien'), false);
  assert.equal(hidesCosts('responsable'), false);
  assert.equal(mayChangeStatus('client'), false);
  assert.equal(mayChangeStatus('technicien'), true);
  assert.equal(mayChangeStatus('system'), true);
});

test('closure recipients: creator, responsables and client users, once each, without the actor', () => {
  assert.deepEqual(closureRecipients(2, [2, 7], [9, 10], 10), [2, 7, 9]);
  assert.deepEqual(closureRecipients(null, [7], [], 7), []);
  assert.deepEqual(closureRecipients(3, [], [], null), [3]);
});
