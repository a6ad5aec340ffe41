import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveRoles, forbiddenRoleMessage, hasRole } from '../../../src/modules/auth/policy.js';

test('admin has every right of the responsable, and only those', () => {
  assert.equal(hasRole('admin', ['responsable']), true);
  assert.equal(hasRole('admin', ['technicien']), false);
  assert.equal(hasRole('admin', ['client']), false);
  assert.equal(hasRole('responsable', ['admin']), false);
  assert.equal(hasRole('technicien', ['responsable', 'technicien']), true);
  assert.equal(hasRole('client', ['admin', 'responsable', 'technicien']), false);
});

test('the 403 message lists the effective roles in a stable order', () => {
  assert.deepEqual(effectiveRoles(['technicien', 'responsable']), ['admin', 'responsable', 'technicien']);
  assert.equal(forbiddenRoleMessage(['responsable']), 'Accès réservé aux rôles : admin, responsable');
  assert.equal(forbiddenRoleMessage(['admin']), 'Accès réservé aux rôles : admin');
});
