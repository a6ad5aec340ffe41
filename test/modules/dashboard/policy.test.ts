import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashboardScope, monthAbbreviation, tauxResolution } from '../../../src/modules/dashboard/policy.js';

describe('dashboardScope', () => {
  test('admin and responsable see everything, whatever their profile fields', () => {
    for (const role of ['admin', 'responsable'] as const) {
      assert.deepEqual(dashboardScope({ role, clientId: null, technicienId: null }), {
        interventions: { kind: 'all' },
        equipements: { kind: 'all' },
        utilisateurs: { kind: 'all' },
      });
    }
  });

  test('technicien: their assigned interventions, all equipment, all users', () => {
    assert.deepEqual(dashboardScope({ role: 'technicien', clientId: null, technicienId: 7 }), {
      interventions: { kind: 'technicien', technicienId: 7 },
      equipements: { kind: 'all' },
      utilisateurs: { kind: 'all' },
    });
  });

  test('technicien without a technician profile: no intervention, still all equipment and users', () => {
    assert.deepEqual(dashboardScope({ role: 'technicien', clientId: null, technicienId: null }), {
      interventions: { kind: 'none' },
      equipements: { kind: 'all' },
      utilisateurs: { kind: 'all' },
    });
  });

  test("client: their company's interventions, equipment and users", () => {
    const own = { kind: 'client', clientId: 3 };
    assert.deepEqual(dashboardScope({ role: 'client', clientId: 3, technicienId: null }), { interventions: own, equipements: own, utilisateurs: own });
  });

  test('client without a company: nothing at all', () => {
    const none = { kind: 'none' };
    assert.deepEqual(dashboardScope({ role: 'client', clientId: null, technicienId: null }), { interventions: none, equipements: none, utilisateurs: none });
  });
});

describe('tauxResolution = round(100 × terminees / (total − annulee), 1)', () => {
  test('rounds to one decimal', () => {
    assert.equal(tauxResolution(1, 3, 0), 33.3);
    assert.equal(tauxResolution(2, 3, 0), 66.7);
    assert.equal(tauxResolution(5, 13, 2), 45.5); // 45.4545…
    assert.equal(tauxResolution(1, 8, 0), 12.5);
    assert.equal(tauxResolution(2, 7, 0), 28.6); // 28.571…
  });

  test('exact halves round up (no binary floating-point drift)', () => {
    assert.equal(tauxResolution(1, 16, 0), 6.3); // 6.25
    assert.equal(tauxResolution(1, 2000, 0), 0.1); // 0.05
    assert.equal(tauxResolution(3, 16, 0), 18.8); // 18.75
  });

  test('cancelled interventions are left out of the divisor', () => {
    assert.equal(tauxResolution(3, 5, 2), 100);
    assert.equal(tauxResolution(1, 4, 1), 33.3);
  });

  test('0 when the divisor is 0 (no intervention, or only cancelled ones)', () => {
    assert.equal(tauxResolution(0, 0, 0), 0);
    assert.equal(tauxResolution(0, 4, 4), 0);
  });

  test('0 % and 100 %', () => {
    assert.equal(tauxResolution(0, 9, 0), 0);
    assert.equal(tauxResolution(9, 9, 0), 100);
  });
});

describe('monthAbbreviation', () => {
  test('English three-letter abbreviations, January = 1', () => {
    assert.deepEqual(
      Array.from({ length: 12 }, (_, i) => monthAbbreviation(i + 1)),
      ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
    );
  });

  test('outside 1–12 → RangeError', () => {
    assert.throws(() => monthAbbreviation(0), RangeError);
    assert.throws(() => monthAbbreviation(13), RangeError);
  });
});
