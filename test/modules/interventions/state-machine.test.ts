import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STATUT_INTERVENTION_VALUES, type StatutIntervention } from '../../../src/db/schema.js';
import {
  checkTransition,
  isTransitionAllowed,
  technicienMayTransition,
  TRANSITIONS,
  transitionEffects,
} from '../../../src/modules/interventions/state-machine.js';
import { ALLOWED } from './transitions.js';


const TECHNICIEN_ALLOWED: [StatutIntervention, StatutIntervention][] = [
  ['affectee', 'en_cours'],
  ['en_cours', 'en_attente'],
  ['en_cours', 'cloturee'],
  ['en_attente', 'en_cours'],
  ['en_attente', 'cloturee'],
];

const isAllowed = (from: StatutIntervention, to: StatutIntervention) => ALLOWED.some(([a, b]) => a === from && b === to);

/** The message expected for a refused pair (precedence: closed, archive, generic). */
function expectedRefusal(from: StatutIntervention, to: StatutIntervention): string {
  if (from === 'cloturee' && to !== 'archivee') return 'Intervention déjà clôturée';
  if (to === 'archivee') return "Transition vers 'archivee' interdite";
  return `Transition de '${from}' vers '${to}' interdite`;
}

describe('every pair of statuses', () => {
  for (const from of STATUT_INTERVENTION_VALUES) {
    for (const to of STATUT_INTERVENTION_VALUES) {
      if (isAllowed(from, to)) {
        test(`${from} → ${to} is allowed`, () => {
          assert.equal(isTransitionAllowed(from, to), true);
          assert.deepEqual(checkTransition(from, to, { technicienGiven: true }), { ok: true });
        });
      } else {
        test(`${from} → ${to} is refused with "${expectedRefusal(from, to)}" and the allowed targets`, () => {
          assert.equal(isTransitionAllowed(from, to), false);
          const result = checkTransition(from, to, { technicienGiven: true });
          assert.deepEqual(result, {
            ok: false,
            message: expectedRefusal(from, to),
            details: { statut_actuel: from, statut_demande: to, transitions_autorisees: ALLOWED.filter(([a]) => a === from).map(([, b]) => b) },
          });
        });
      }
    }
  }
});

test('the table has exactly the 13 edges of the spec', () => {
  const edges = Object.entries(TRANSITIONS).flatMap(([from, targets]) => targets.map((to) => `${from}>${to}`));
  assert.deepEqual(edges.sort(), ALLOWED.map(([a, b]) => `${a}>${b}`).sort());
});

test('requesting the current status is refused from every status', () => {
  for (const statut of STATUT_INTERVENTION_VALUES) {
    const result = checkTransition(statut, statut, { technicienGiven: true });
    assert.equal(result.ok, false, statut);
  }
  assert.deepEqual(checkTransition('en_cours', 'en_cours', { technicienGiven: true }), {
    ok: false,
    message: "Transition de 'en_cours' vers 'en_cours' interdite",
    details: { statut_actuel: 'en_cours', statut_demande: 'en_cours', transitions_autorisees: ['en_attente', 'cloturee', 'annulee'] },
  });
});

test('ouverte → affectee needs a technician in the request', () => {
  assert.deepEqual(checkTransition('ouverte', 'affectee', { technicienGiven: false }), {
    ok: false,
    message: "Un technicien doit être affecté pour passer au statut 'affectee'",
    details: { statut_actuel: 'ouverte', statut_demande: 'affectee', transitions_autorisees: ['affectee', 'annulee'] },
  });
  // A forbidden pair keeps its own message even without a technician.
  assert.equal((checkTransition('en_cours', 'affectee', { technicienGiven: false }) as { message: string }).message, "Transition de 'en_cours' vers 'affectee' interdite");
});

describe('technician rights', () => {
  for (const [from, to] of ALLOWED) {
    const expected = TECHNICIEN_ALLOWED.some(([a, b]) => a === from && b === to);
    test(`${from} → ${to}: technician ${expected ? 'may' : 'may not'}`, () => {
      assert.equal(technicienMayTransition(from, to), expected);
    });
  }
  test('never a transition outside the table', () => {
    for (const from of STATUT_INTERVENTION_VALUES) {
      for (const to of STATUT_INTERVENTION_VALUES) {
        if (technicienMayTransition(from, to)) assert.ok(isAllowed(from, to), `${from} → ${to}`);
      }
    }
  });
});

describe('effects', () => {
  const now = new Date('2026-06-15T08:00:00.000Z');
  const earlier = new Date('2026-06-01T08:00:00.000Z');

  test('→affectee sets the technician and date_affectation', () => {
    assert.deepEqual(transitionEffects({ date_debut_travaux: null }, 'affectee', now, 7), { technicien_id: 7, date_affectation: now });
  });
  test('→en_cours sets date_debut_travaux only the first time', () => {
    assert.deepEqual(transitionEffects({ date_debut_travaux: null }, 'en_cours', now, null), { date_debut_travaux: now });
    assert.deepEqual(transitionEffects({ date_debut_travaux: earlier }, 'en_cours', now, null), {});
  });
  test('→ouverte clears the technician and date_affectation', () => {
    assert.deepEqual(transitionEffects({ date_debut_travaux: null }, 'ouverte', now, null), { technicien_id: null, date_affectation: null });
  });
  test('→cloturee sets date_fin_travaux and date_cloture', () => {
    assert.deepEqual(transitionEffects({ date_debut_travaux: earlier }, 'cloturee', now, null), { date_fin_travaux: now, date_cloture: now });
  });
  test('→archivee sets date_archivage; →en_attente and →annulee set nothing', () => {
    assert.deepEqual(transitionEffects({ date_debut_travaux: earlier }, 'archivee', now, null), { date_archivage: now });
    assert.deepEqual(transitionEffects({ date_debut_travaux: earlier }, 'en_attente', now, null), {});
    assert.deepEqual(transitionEffects({ date_debut_travaux: earlier }, 'annulee', now, null), {});
  });
});
