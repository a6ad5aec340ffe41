import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../../src/lib/errors.js';
import { isCalendarDate, normalizeClientInput, normalizeContratInput } from '../../../src/modules/clients/input.js';
import { clientChangeAllowed, companyScope, inScope, READ_ROLES, WRITE_ROLES } from '../../../src/modules/clients/policy.js';
import { forbiddenRoleMessage, hasRole } from '../../../src/modules/auth/policy.js';

describe('roles (docs/security.md §5: clients, contracts)', () => {
  test('read: admin, responsable, client; write: admin, responsable; technicien: nothing', () => {
    assert.deepEqual(
      (['admin', 'responsable', 'technicien', 'client'] as const).map((role) => [role, hasRole(role, READ_ROLES), hasRole(role, WRITE_ROLES)]),
      [
        ['admin', true, true],
        ['responsable', true, true],
        ['technicien', false, false],
        ['client', true, false],
      ],
    );
    assert.equal(forbiddenRoleMessage(READ_ROLES), 'Accès réservé aux rôles : admin, responsable, client');
    assert.equal(forbiddenRoleMessage(WRITE_ROLES), 'Accès réservé aux rôles : admin, responsable');
  });
});

describe('company scope', () => {
  test('admin and responsable see every company', () => {
    for (const role of ['admin', 'responsable'] as const) {
      const scope = companyScope({ role, clientId: null });
      assert.deepEqual(scope, { kind: 'all' });
      assert.equal(inScope(scope, 1), true);
      assert.equal(inScope(scope, 987), true);
    }
  });

  test('the system (jobs, operator commands) sees every company', () => {
    assert.deepEqual(companyScope({ role: 'system', clientId: null }), { kind: 'all' });
  });

  test('a client user sees its own company only', () => {
    const scope = companyScope({ role: 'client', clientId: 7 });
    assert.deepEqual(scope, { kind: 'company', clientId: 7 });
    assert.equal(inScope(scope, 7), true);
    assert.equal(inScope(scope, 8), false);
  });

  test('a client user without company, and a technician, see nothing', () => {
    for (const user of [{ role: 'client' as const, clientId: null }, { role: 'technicien' as const, clientId: null }]) {
      const scope = companyScope(user);
      assert.deepEqual(scope, { kind: 'none' });
      assert.equal(inScope(scope, 1), false);
    }
  });

  test("a contract's client may change only while nothing refers to the contract", () => {
    assert.equal(clientChangeAllowed(1, 1, true), true);
    assert.equal(clientChangeAllowed(1, 2, false), true);
    assert.equal(clientChangeAllowed(1, 2, true), false);
  });
});

describe('calendar dates', () => {
  test('real YYYY-MM-DD dates only', () => {
    for (const ok of ['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31']) assert.equal(isCalendarDate(ok), true, ok);
    for (const bad of ['2026-02-29', '1900-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '2026-1-01', '2026/01/01', '2026-01-01T00:00:00Z', '', 'demain']) {
      assert.equal(isCalendarDate(bad), false, bad);
    }
  });
});

function issuesOf(fn: () => unknown): { error: AppError; issues: { loc: unknown[]; msg: string; type: string }[] } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 422);
    return { error, issues: error.details as { loc: unknown[]; msg: string; type: string }[] };
  }
  assert.fail('expected a 422');
}

describe('client input normalisation', () => {
  test('trims, empty optional → null, lower-case e-mail, absent fields omitted', () => {
    const values = normalizeClientInput(
      { nom_entreprise: '  Atlas Froid  ', nom_contact: ' Idrissi ', email: ' Contact@Atlas.MA ', ville: '   ', nom_commercial: '', ice: ' 001234567000089 ', notes: null },
      'create',
    );
    assert.deepEqual(values, { nom_entreprise: 'Atlas Froid', nom_contact: 'Idrissi', email: 'contact@atlas.ma', ville: null, nom_commercial: null, ice: '001234567000089', notes: null });
  });

  test('create: null or blank on a defaulted column = the default (omitted); patch: 422', () => {
    const created = normalizeClientInput({ nom_entreprise: 'A', nom_contact: 'B', email: 'a@b.ma', pays: ' ', type_client: null, is_active: null }, 'create');
    assert.deepEqual(created, { nom_entreprise: 'A', nom_contact: 'B', email: 'a@b.ma' });
    const { issues } = issuesOf(() => normalizeClientInput({ pays: null, type_client: null, is_active: null, nom_entreprise: '  ' }, 'patch'));
    assert.deepEqual(
      issues.map((i) => [i.loc[1], i.type]).sort(),
      [
        ['is_active', 'missing'],
        ['nom_entreprise', 'missing'],
        ['pays', 'missing'],
        ['type_client', 'missing'],
      ],
    );
  });

  test('create: the required fields are reported together', () => {
    const { error, issues } = issuesOf(() => normalizeClientInput({}, 'create'));
    assert.equal(error.message, 'Erreur de validation des données');
    assert.deepEqual(issues.map((i) => i.loc[1]).sort(), ['email', 'nom_contact', 'nom_entreprise']);
  });

  test('patch: absent fields are untouched', () => {
    assert.deepEqual(normalizeClientInput({}, 'patch'), {});
    assert.deepEqual(normalizeClientInput({ telephone: ' 0522 ' }, 'patch'), { telephone: '0522' });
  });

  test('ICE: exactly 15 digits, with the specific message', () => {
    for (const bad of ['12345678901234', '1234567890123456', '12345678901234A', '123 456 789 012 345']) {
      const { error, issues } = issuesOf(() => normalizeClientInput({ ice: bad }, 'patch'));
      assert.equal(error.message, 'ICE invalide (15 chiffres attendus)');
      assert.deepEqual(issues, [{ loc: ['body', 'ice'], msg: 'ICE invalide (15 chiffres attendus)', type: 'format' }]);
    }
  });

  test('lengths are checked after trimming, in characters', () => {
    assert.deepEqual(normalizeClientInput({ code_postal: ' 1234567890 ' }, 'patch'), { code_postal: '1234567890' });
    assert.deepEqual(normalizeClientInput({ ville: 'é'.repeat(100) }, 'patch'), { ville: 'é'.repeat(100) });
    const { issues } = issuesOf(() => normalizeClientInput({ code_postal: '12345678901' }, 'patch'));
    assert.deepEqual(issues, [{ loc: ['body', 'code_postal'], msg: 'Ne doit pas dépasser 10 caractères', type: 'too_long' }]);
  });

  test('e-mail format', () => {
    const { issues } = issuesOf(() => normalizeClientInput({ email: 'pas-une-adresse' }, 'patch'));
    assert.deepEqual(issues, [{ loc: ['body', 'email'], msg: 'Adresse e-mail invalide', type: 'format' }]);
  });
});

describe('contract input normalisation', () => {
  const base = { numero_contrat: ' CTR-1 ', nom_contrat: 'Maintenance', type_contrat: 'support_technique' as const, date_debut: '2026-01-01', date_fin: '2026-12-31', client_id: 3 };

  test('create: required fields, defaults omitted, trimmed values', () => {
    assert.deepEqual(normalizeContratInput({ ...base, devise: null, statut: null, description: '  ' }, 'create'), {
      numero_contrat: 'CTR-1',
      nom_contrat: 'Maintenance',
      type_contrat: 'support_technique',
      date_debut: '2026-01-01',
      date_fin: '2026-12-31',
      client_id: 3,
      description: null,
    });
    const { issues } = issuesOf(() => normalizeContratInput({}, 'create'));
    assert.deepEqual(issues.map((i) => i.loc[1]).sort(), ['client_id', 'date_debut', 'date_fin', 'nom_contrat', 'numero_contrat', 'type_contrat']);
  });

  test('date_fin before date_debut: the specific message; the same day is allowed', () => {
    const { error, issues } = issuesOf(() => normalizeContratInput({ ...base, date_debut: '2026-06-02', date_fin: '2026-06-01' }, 'create'));
    assert.equal(error.message, 'La date de fin doit être postérieure ou égale à la date de début');
    assert.deepEqual(issues, [{ loc: ['body', 'date_fin'], msg: 'La date de fin doit être postérieure ou égale à la date de début', type: 'value' }]);
    assert.equal(normalizeContratInput({ ...base, date_debut: '2026-06-01', date_fin: '2026-06-01' }, 'create').date_fin, '2026-06-01');
  });

  test('impossible dates, devise and money precision', () => {
    const { issues } = issuesOf(() =>
      normalizeContratInput({ date_debut: '2026-02-30', date_signature: '31/12/2026', devise: 'eur', montant_annuel: 10.555 }, 'patch'),
    );
    assert.deepEqual(
      issues.map((i) => [i.loc[1], i.type, i.msg]).sort(),
      [
        ['date_debut', 'format', 'Date invalide (AAAA-MM-JJ attendu)'],
        ['date_signature', 'format', 'Date invalide (AAAA-MM-JJ attendu)'],
        ['devise', 'format', 'Devise invalide (3 lettres majuscules, code ISO 4217)'],
        ['montant_annuel', 'value', 'Montant invalide (2 décimales au plus)'],
      ],
    );
    assert.deepEqual(normalizeContratInput({ devise: ' EUR ', montant_annuel: 1234.5, date_signature: '' }, 'patch'), { devise: 'EUR', montant_annuel: 1234.5, date_signature: null });
    assert.deepEqual(normalizeContratInput({ montant_annuel: 9_999_999_999.99 }, 'patch'), { montant_annuel: 9_999_999_999.99 });
  });

  test('patch: null on a NOT NULL column → 422; null on an optional one clears it', () => {
    const { issues } = issuesOf(() => normalizeContratInput({ statut: null, client_id: null, date_fin: null, devise: '' }, 'patch'));
    assert.deepEqual(issues.map((i) => i.loc[1]).sort(), ['client_id', 'date_fin', 'devise', 'statut']);
    assert.deepEqual(normalizeContratInput({ montant_annuel: null, temps_reponse_urgence_h: null }, 'patch'), { montant_annuel: null, temps_reponse_urgence_h: null });
  });
});
