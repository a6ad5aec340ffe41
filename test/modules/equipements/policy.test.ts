import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canReadEquipement, equipementReadScope, resolveOwnership } from '../../../src/modules/equipements/policy.js';

describe('read scope (docs/security.md §5: equipment read all for A/R/T, own company for C)', () => {
  test('admin, responsable and technicien read every equipment', () => {
    for (const role of ['admin', 'responsable', 'technicien'] as const) {
      assert.deepEqual(equipementReadScope({ role, clientId: null }), { kind: 'all' });
      assert.equal(canReadEquipement({ role, clientId: null }, { client_id: 7 }), true);
      assert.equal(canReadEquipement({ role, clientId: null }, { client_id: null }), true);
    }
  });

  test("a client user reads only its company's equipment", () => {
    const caller = { role: 'client' as const, clientId: 7 };
    assert.deepEqual(equipementReadScope(caller), { kind: 'client', clientId: 7 });
    assert.equal(canReadEquipement(caller, { client_id: 7 }), true);
    assert.equal(canReadEquipement(caller, { client_id: 8 }), false);
    assert.equal(canReadEquipement(caller, { client_id: null }), false, "MIF's own equipment is not a client's");
  });

  test('a client user without a company reads nothing', () => {
    const caller = { role: 'client' as const, clientId: null };
    assert.deepEqual(equipementReadScope(caller), { kind: 'none' });
    assert.equal(canReadEquipement(caller, { client_id: null }), false);
    assert.equal(canReadEquipement(caller, { client_id: 1 }), false);
  });
});

describe('resolveOwnership (a contract requires its client)', () => {
  const none = { clientId: null, contratId: null };

  test('create: nothing given → MIF equipment', () => {
    assert.deepEqual(resolveOwnership(none, { clientId: undefined, contratId: undefined }, null), { ok: true, clientId: null, contratId: null });
  });

  test('create: a client without a contract', () => {
    assert.deepEqual(resolveOwnership(none, { clientId: 3, contratId: undefined }, null), { ok: true, clientId: 3, contratId: null });
  });

  test("create: a contract with its client, with another client, or with client_id omitted (takes the contract's)", () => {
    assert.deepEqual(resolveOwnership(none, { clientId: 3, contratId: 10 }, 3), { ok: true, clientId: 3, contratId: 10 });
    assert.deepEqual(resolveOwnership(none, { clientId: 4, contratId: 10 }, 3), { ok: false, error: 'contratMismatch' });
    assert.deepEqual(resolveOwnership(none, { clientId: undefined, contratId: 10 }, 3), { ok: true, clientId: 3, contratId: 10 });
  });

  test('an explicit client_id null with a contract is refused', () => {
    assert.deepEqual(resolveOwnership(none, { clientId: null, contratId: 10 }, 3), { ok: false, error: 'contratMismatch' });
    assert.deepEqual(resolveOwnership({ clientId: 3, contratId: 10 }, { clientId: null, contratId: undefined }, 3), { ok: false, error: 'contratMismatch' });
  });

  test('update: a new contract of the current client; of another client → refused (never moved silently)', () => {
    const current = { clientId: 3, contratId: null };
    assert.deepEqual(resolveOwnership(current, { clientId: undefined, contratId: 11 }, 3), { ok: true, clientId: 3, contratId: 11 });
    assert.deepEqual(resolveOwnership(current, { clientId: undefined, contratId: 12 }, 4), { ok: false, error: 'contratMismatch' });
  });

  test('update: a contract on an equipment without a client takes the contract client', () => {
    assert.deepEqual(resolveOwnership(none, { clientId: undefined, contratId: 12 }, 4), { ok: true, clientId: 4, contratId: 12 });
  });

  test('update: moving to another client keeps the current contract only if it is theirs', () => {
    const current = { clientId: 3, contratId: 10 };
    assert.deepEqual(resolveOwnership(current, { clientId: 4, contratId: undefined }, 3), { ok: false, error: 'contratMismatch' });
    assert.deepEqual(resolveOwnership(current, { clientId: 4, contratId: null }, null), { ok: true, clientId: 4, contratId: null });
    assert.deepEqual(resolveOwnership(current, { clientId: 4, contratId: 20 }, 4), { ok: true, clientId: 4, contratId: 20 });
  });

  test('update: removing the contract keeps the client; removing both → MIF equipment', () => {
    const current = { clientId: 3, contratId: 10 };
    assert.deepEqual(resolveOwnership(current, { clientId: undefined, contratId: null }, null), { ok: true, clientId: 3, contratId: null });
    assert.deepEqual(resolveOwnership(current, { clientId: null, contratId: null }, null), { ok: true, clientId: null, contratId: null });
  });
});
