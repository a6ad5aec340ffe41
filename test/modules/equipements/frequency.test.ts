import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../../src/lib/errors.js';
import {
  FREQUENCE_ENTRETIEN_INVALIDE,
  formatFrequenceEntretien,
  normaliseLabel,
  parseFrequenceEntretien,
} from '../../../src/modules/equipements/frequency.js';

function assertInvalid(value: unknown) {
  assert.throws(
    () => parseFrequenceEntretien(value),
    (error: unknown) => {
      assert.ok(error instanceof AppError, `AppError attendue pour ${JSON.stringify(value)}`);
      assert.equal(error.status, 422);
      assert.equal(error.message, FREQUENCE_ENTRETIEN_INVALIDE);
      assert.deepEqual(error.details, [{ loc: ['body', 'frequence_entretien'], msg: "Fréquence d'entretien invalide", type: 'value' }]);
      return true;
    },
    `invalide : ${JSON.stringify(value)}`,
  );
}

describe('parseFrequenceEntretien', () => {
  test('every label of docs/api.md §4.4, masculine and feminine, French and English', () => {
    const expected: [string, number][] = [
      ['journalier', 1],
      ['daily', 1],
      ['hebdomadaire', 7],
      ['weekly', 7],
      ['bimensuel', 15],
      ['bimensuelle', 15],
      ['mensuel', 30],
      ['mensuelle', 30],
      ['monthly', 30],
      ['trimestriel', 90],
      ['trimestrielle', 90],
      ['quarterly', 90],
      ['semestriel', 180],
      ['semestrielle', 180],
      ['semiannual', 180],
      ['annuel', 365],
      ['annuelle', 365],
      ['yearly', 365],
    ];
    for (const [label, days] of expected) assert.equal(parseFrequenceEntretien(label), days, label);
  });

  test('labels are trimmed, case-insensitive and accent-insensitive', () => {
    assert.equal(parseFrequenceEntretien('  Mensuelle  '), 30);
    assert.equal(parseFrequenceEntretien('MENSUEL'), 30);
    assert.equal(parseFrequenceEntretien('Hébdomadaire'), 7);
    assert.equal(parseFrequenceEntretien('TRIMESTRIÈLLE'), 90);
    assert.equal(parseFrequenceEntretien('\tAnnuel\n'), 365);
    assert.equal(parseFrequenceEntretien('Journalièr'), 1);
    // NFD input (e + combining accent) as well as NFC.
    assert.equal(parseFrequenceEntretien('mensue\u0301l'), 30);
    assert.equal(parseFrequenceEntretien('Weekly'), 7);
    assert.equal(normaliseLabel('  ÉtÉ '), 'ete');
  });

  test('digit strings and integers, with the bounds 1 and 3650', () => {
    assert.equal(parseFrequenceEntretien('30'), 30);
    assert.equal(parseFrequenceEntretien(' 45 '), 45);
    assert.equal(parseFrequenceEntretien('030'), 30);
    assert.equal(parseFrequenceEntretien('0000001'), 1);
    assert.equal(parseFrequenceEntretien('1'), 1);
    assert.equal(parseFrequenceEntretien('3650'), 3650);
    assert.equal(parseFrequenceEntretien(1), 1);
    assert.equal(parseFrequenceEntretien(3650), 3650);
    assert.equal(parseFrequenceEntretien(30), 30);
  });

  test('out of range: 0 and 3651, as numbers and as strings', () => {
    for (const value of [0, 3651, -1, '0', '3651', '000', '99999999999999999999', Number.MAX_SAFE_INTEGER + 2]) assertInvalid(value);
  });

  test('empty, blank and null mean no frequency', () => {
    assert.equal(parseFrequenceEntretien(''), null);
    assert.equal(parseFrequenceEntretien('   '), null);
    assert.equal(parseFrequenceEntretien(null), null);
  });

  test('garbage → 422 "Fréquence d\'entretien invalide", never anything else', () => {
    for (const value of [
      'tous les mois',
      'mensuelles',
      'bimensual',
      'journaliere',
      '30 jours',
      '+30',
      '-30',
      '30.0',
      '1e2',
      '0x1E',
      '３０',
      'NaN',
      'Infinity',
      12.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      false,
      [],
      [30],
      {},
      { jours: 30 },
      undefined,
      'constructor',
      '__proto__',
      'toString',
    ]) {
      assertInvalid(value);
    }
  });
});

test('formatFrequenceEntretien answers the number of days as a string, or null', () => {
  assert.equal(formatFrequenceEntretien(30), '30');
  assert.equal(formatFrequenceEntretien(1), '1');
  assert.equal(formatFrequenceEntretien(null), null);
});
