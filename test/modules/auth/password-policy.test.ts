/**
 * Password policy (docs/security.md §2): pure, no database.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AppError } from '../../../src/lib/errors.js';
import {
  assertPasswordPolicy,
  checkPassword,
  passwordPolicyError,
  type PasswordContext,
  type PasswordPolicyOptions,
  type PasswordRuleCode,
} from '../../../src/modules/auth/password-policy.js';

const DEFAULTS: PasswordPolicyOptions = { minLength: 8 };

const MESSAGE: Record<Exclude<PasswordRuleCode, 'min_length'>, string> & { min_length: (n: number) => string } = {
  min_length: (n) => `Le mot de passe doit contenir au moins ${n} caractères`,
  max_length: 'Le mot de passe ne doit pas dépasser 128 caractères',
  uppercase: 'Le mot de passe doit contenir au moins une lettre majuscule',
  lowercase: 'Le mot de passe doit contenir au moins une lettre minuscule',
  digit: 'Le mot de passe doit contenir au moins un chiffre',
  special: 'Le mot de passe doit contenir au moins un caractère spécial',
  common: 'Ce mot de passe est trop courant',
  contains_username: "Le mot de passe ne doit pas contenir le nom d'utilisateur",
  contains_email: "Le mot de passe ne doit pas contenir la partie locale de l'adresse e-mail",
};

function codes(password: string, context: PasswordContext = {}, options: PasswordPolicyOptions = DEFAULTS): PasswordRuleCode[] {
  return checkPassword(password, context, options).map((failure) => failure.code);
}

describe('one rule at a time: a password failing only that rule', () => {
  const cases: { code: PasswordRuleCode; password: string; context?: PasswordContext; message: string }[] = [
    { code: 'min_length', password: 'Ab1!xyz', message: MESSAGE.min_length(8) },
    { code: 'max_length', password: 'Aa1!' + 'x'.repeat(125), message: MESSAGE.max_length },
    { code: 'uppercase', password: 'complexe123!', message: MESSAGE.uppercase },
    { code: 'lowercase', password: 'COMPLEXE123!', message: MESSAGE.lowercase },
    { code: 'digit', password: 'Complexe!!', message: MESSAGE.digit },
    { code: 'special', password: 'Complexe123', message: MESSAGE.special },
    { code: 'common', password: 'P@ssw0rd', message: MESSAGE.common },
    { code: 'contains_username', password: 'Jdupont#2026', context: { username: 'jdupont' }, message: MESSAGE.contains_username },
    {
      code: 'contains_email',
      password: 'Jean.Dupont#2026',
      context: { username: 'jdupont', email: 'jean.dupont@mif.ma' },
      message: MESSAGE.contains_email,
    },
  ];
  for (const { code, password, context, message } of cases) {
    test(`${code}: ${JSON.stringify(password.length > 20 ? password.slice(0, 20) + '…' : password)}`, () => {
      assert.deepEqual(checkPassword(password, context ?? {}, DEFAULTS), [{ code, message }]);
    });
  }
});

describe('the spec examples', () => {
  test('`abc` reports every failing rule, in table order, with the joined message', () => {
    const failures = checkPassword('abc', {}, DEFAULTS);
    assert.deepEqual(
      failures.map((failure) => failure.code),
      ['min_length', 'uppercase', 'digit', 'special'],
    );
    const error = passwordPolicyError(failures);
    assert.equal(
      error.message,
      'Mot de passe invalide: Le mot de passe doit contenir au moins 8 caractères; ' +
        'Le mot de passe doit contenir au moins une lettre majuscule; ' +
        'Le mot de passe doit contenir au moins un chiffre; ' +
        'Le mot de passe doit contenir au moins un caractère spécial',
    );
    assert.deepEqual(error.details, ['min_length', 'uppercase', 'digit', 'special']);
  });

  test('the later rules keep table order too (common, then username, then e-mail)', () => {
    assert.deepEqual(codes('password', { username: 'pass', email: 'word@mif.ma' }), [
      'uppercase',
      'digit',
      'special',
      'common',
      'contains_username',
      'contains_email',
    ]);
    assert.deepEqual(codes('PASSWORD', { username: 'pass', email: 'word@mif.ma' }), [
      'lowercase',
      'digit',
      'special',
      'common',
      'contains_username',
      'contains_email',
    ]);
  });

  test('`Complexe123!` is accepted for username `jdupont`', () => {
    assert.deepEqual(checkPassword('Complexe123!', { username: 'jdupont', email: 'jean.dupont@mif.ma' }, DEFAULTS), []);
    assert.doesNotThrow(() => assertPasswordPolicy('Complexe123!', { username: 'jdupont' }, DEFAULTS));
  });

  test('`P@ssw0rd` is rejected as common (the list is matched lower-cased)', () => {
    const found = codes('P@ssw0rd');
    assert.ok(found.includes('common'), `expected common among ${JSON.stringify(found)}`);
    assert.deepEqual(found, ['common']);
    assert.deepEqual(codes('P@SSW0RD'), ['lowercase', 'common']);
  });

  test('`Jdupont#2026` is rejected for username `jdupont`', () => {
    assert.deepEqual(codes('Jdupont#2026', { username: 'jdupont' }), ['contains_username']);
    assert.throws(
      () => assertPasswordPolicy('Jdupont#2026', { username: 'jdupont' }, DEFAULTS),
      (error: unknown) =>
        error instanceof AppError &&
        error.status === 400 &&
        error.message === `Mot de passe invalide: ${MESSAGE.contains_username}` &&
        JSON.stringify(error.details) === JSON.stringify(['contains_username']),
    );
  });

  test('a password whose only special character is a space is accepted', () => {
    assert.deepEqual(checkPassword('Mot de passe 42', {}, DEFAULTS), []);
    assert.deepEqual(codes('Motdepasse42'), ['special']);
  });
});

describe('maximum length (128 code points)', () => {
  test('129 code points are rejected with max_length, 128 pass', () => {
    const base = 'Aa1!';
    const at128 = base + 'x'.repeat(124);
    const at129 = base + 'x'.repeat(125);
    assert.equal([...at128].length, 128);
    assert.equal([...at129].length, 129);
    assert.deepEqual(codes(at128), []);
    assert.deepEqual(checkPassword(at129, {}, DEFAULTS), [{ code: 'max_length', message: MESSAGE.max_length }]);
  });

  test('counted in code points, not UTF-16 units', () => {
    const emoji128 = 'Aa1!' + '😀'.repeat(124); // 128 code points, 252 UTF-16 units
    assert.equal(emoji128.length, 252);
    assert.deepEqual(codes(emoji128), []);
    assert.deepEqual(codes(emoji128 + '😀'), ['max_length']);
  });
});

describe('minimum length', () => {
  test('an emoji counts as one character', () => {
    assert.equal('Ab1!😀xy'.length, 8); // 7 code points
    assert.deepEqual(codes('Ab1!😀xy'), ['min_length']);
    assert.deepEqual(codes('Ab1!😀xyz'), []);
  });

  test('length is counted after NFC normalisation', () => {
    const decomposed = 'Ab1!xye\u0301'; // 8 code points as sent, 7 after NFC (é)
    assert.equal([...decomposed].length, 8);
    assert.deepEqual(codes(decomposed), ['min_length']);
    assert.deepEqual(codes('Ab1!xyze\u0301'), []);
  });

  test('PASSWORD_MIN_LENGTH is configurable', () => {
    const options = { minLength: 12 };
    assert.deepEqual(checkPassword('Complexe12!', {}, options), [{ code: 'min_length', message: MESSAGE.min_length(12) }]);
    assert.deepEqual(checkPassword('Complexe123!', {}, options), []);
  });

  test('a minimum below 8 is clamped to 8', () => {
    for (const minLength of [4, 0, -1, 7.9, Number.NaN]) {
      assert.deepEqual(
        checkPassword('Ab1!xyz', {}, { minLength }),
        [{ code: 'min_length', message: MESSAGE.min_length(8) }],
        `minLength ${minLength}`,
      );
      assert.deepEqual(checkPassword('Ab1!xyzw', {}, { minLength }), [], `minLength ${minLength}`);
    }
  });
});

describe('character classes', () => {
  test('letters and digits beyond ASCII count for their class, not as special', () => {
    assert.deepEqual(codes('école123!'), ['uppercase']);
    assert.deepEqual(codes('ÉCOLE123!'), ['lowercase']);
    assert.deepEqual(codes('Complexe٣!'), []); // U+0663 ARABIC-INDIC DIGIT THREE is \p{Nd}
    assert.deepEqual(codes('Complexéà123'), ['special']);
  });

  test('symbols and emoji count as special', () => {
    assert.deepEqual(codes('Complexe123😀'), []);
    assert.deepEqual(codes('Complexe123€'), []);
    assert.deepEqual(codes('Complexe123_'), []);
  });
});

describe('username and e-mail containment', () => {
  test('case-insensitive', () => {
    assert.deepEqual(codes('xxJDUPONTxx1!', { username: 'jDupont' }), ['contains_username']);
    assert.deepEqual(codes('Xx-JEAN.DUPONT-1', { email: 'Jean.Dupont@MIF.ma' }), ['contains_email']);
  });

  test('only checked when the string has at least 3 characters', () => {
    assert.deepEqual(codes('Jdupont#2026', { username: 'jd', email: 'jd@mif.ma' }), []);
    assert.deepEqual(codes('Jdupont#2026', { username: 'jdu' }), ['contains_username']);
    assert.deepEqual(codes('Jdupont#2026', { email: 'jdu@mif.ma' }), ['contains_email']);
  });

  test('only the local part of the e-mail address is looked for', () => {
    assert.deepEqual(codes('Mif.ma#2026', { email: 'jean@mif.ma' }), []);
  });

  test('missing or null username and e-mail are ignored', () => {
    assert.deepEqual(codes('Complexe123!', { username: null, email: null }), []);
    assert.deepEqual(codes('Complexe123!', {}), []);
  });
});

describe('the 400 error', () => {
  test('passwordPolicyError builds the 400 with messages joined by "; " and the codes as details', () => {
    const failures = checkPassword('complexe!!', {}, DEFAULTS);
    const error = passwordPolicyError(failures);
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(error.message, `Mot de passe invalide: ${MESSAGE.uppercase}; ${MESSAGE.digit}`);
    assert.deepEqual(error.details, ['uppercase', 'digit']);
  });

  test('assertPasswordPolicy throws that error for `abc`', () => {
    let thrown: unknown;
    try {
      assertPasswordPolicy('abc', {}, DEFAULTS);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof AppError, 'expected an AppError');
    assert.equal(thrown.status, 400);
    assert.deepEqual(thrown.details, ['min_length', 'uppercase', 'digit', 'special']);
    assert.equal(thrown.message, passwordPolicyError(checkPassword('abc', {}, DEFAULTS)).message);
  });
});

describe('the bundled common-password list', () => {
  const text = readFileSync(new URL('../../../src/modules/auth/data/common-passwords.txt', import.meta.url), 'utf8');
  const entries = text.split('\n');
  assert.equal(entries.pop(), '', 'the file ends with a newline');

  test('holds at least 10,000 entries, lower-cased, deduplicated, one per line', () => {
    assert.ok(entries.length >= 10_000, `only ${entries.length} entries`);
    const notLower = entries.filter((entry) => entry !== entry.toLowerCase());
    assert.deepEqual(notLower, []);
    const blank = entries.filter((entry) => entry.trim() === '' || /[\r\n]/.test(entry));
    assert.deepEqual(blank, []);
    assert.equal(new Set(entries).size, entries.length, 'duplicates in the list');
    assert.ok(entries.includes('p@ssw0rd'));
  });

  test('the policy rejects the list entries as common, whatever their case', () => {
    for (const entry of [entries[0]!, entries[1]!, entries[entries.length - 1]!, 'p@ssw0rd']) {
      assert.ok(codes(entry).includes('common'), entry);
      assert.ok(codes(entry.toUpperCase()).includes('common'), entry.toUpperCase());
    }
  });
});
