/**
 * Generated passwords (docs/security.md §2): accepted by the policy for their owner, long enough for
 * PASSWORD_MIN_LENGTH, different every time; none possible beyond the maximum length.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditService } from '../../../src/modules/audit/service.js';
import { argon2Hasher } from '../../../src/modules/auth/password-hash.js';
import { checkPassword } from '../../../src/modules/auth/password-policy.js';
import { PasswordService } from '../../../src/modules/auth/password-service.js';

// generate() never audits: no audit service is needed.
const service = (minLength: number) => new PasswordService({ audit: {} as AuditService, hasher: argon2Hasher, minLength });
const owner = { username: 'admin', email: 'admin@example.com', userId: null };

test('a generated password passes the policy, honours PASSWORD_MIN_LENGTH and is never the same twice', () => {
  for (const minLength of [8, 30]) {
    const passwords = Array.from({ length: 50 }, () => service(minLength).generate(owner));
    for (const password of passwords) {
      assert.deepEqual(checkPassword(password, owner, { minLength }), [], password);
      assert.match(password, /^[A-HJ-NP-Za-km-z2-9]{5}(-[A-HJ-NP-Za-km-z2-9]{5}){3,}$/, 'groups without look-alike characters');
    }
    assert.equal(new Set(passwords).size, passwords.length);
  }
});

test('PASSWORD_MIN_LENGTH above the maximum length: generation fails instead of looping', () => {
  assert.throws(() => service(129).generate(owner), /Aucun mot de passe généré ne respecte la politique \(PASSWORD_MIN_LENGTH=129\)/);
});
