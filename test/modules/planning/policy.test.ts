import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anchorAfterUpdate, PLANNING_MESSAGES, statutAfterDateMove, STATUTS_PLANNING_CREATION } from '../../../src/modules/planning/policy.js';

const current = { frequence: 'mensuel' as const, prochaineDate: new Date('2026-07-01T08:00:00Z'), dateReference: new Date('2026-01-01T08:00:00Z') };

test('anchor: reset to an explicit prochaine_date (with or without a frequency change)', () => {
  const explicit = new Date('2026-09-15T08:00:00Z');
  assert.equal(anchorAfterUpdate(current, { prochaineDate: explicit }), explicit);
  assert.equal(anchorAfterUpdate(current, { prochaineDate: explicit, frequence: 'annuel' }), explicit);
});

test('anchor: reset to the current prochaine_date when the frequency changes', () => {
  assert.equal(anchorAfterUpdate(current, { frequence: 'trimestriel' }), current.prochaineDate);
  assert.equal(anchorAfterUpdate({ ...current, prochaineDate: null }, { frequence: 'trimestriel' }), null);
});

test('anchor: unchanged when the frequency is the same or absent', () => {
  assert.equal(anchorAfterUpdate(current, { frequence: 'mensuel' }), undefined);
  assert.equal(anchorAfterUpdate(current, {}), undefined);
});

test('dates move: en_retard → actif only without an overdue generated intervention; other statuses untouched', () => {
  assert.equal(statutAfterDateMove('en_retard', false), 'actif');
  assert.equal(statutAfterDateMove('en_retard', true), 'en_retard');
  for (const statut of ['actif', 'suspendu', 'termine'] as const) {
    assert.equal(statutAfterDateMove(statut, false), statut);
    assert.equal(statutAfterDateMove(statut, true), statut);
  }
});

test('creation statuses and messages', () => {
  assert.deepEqual([...STATUTS_PLANNING_CREATION], ['actif', 'suspendu']);
  assert.deepEqual(PLANNING_MESSAGES, {
    notFound: 'Planning introuvable',
    equipementNotFound: 'Équipement introuvable',
    frequenceInvalid: 'Fréquence invalide',
    technicienNotFound: 'Technicien assigné introuvable',
  });
});
