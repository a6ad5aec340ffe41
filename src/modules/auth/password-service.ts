/**
 * New passwords (docs/security.md §2): the policy, its audited refusals, the hash. Shared by the
 * password change, the admin reset, user creation and the first admin.
 */
import { randomInt } from 'node:crypto';
import type { AppError } from '../../lib/errors.js';
import type { AuditService, AuditSubject } from '../audit/service.js';
import type { PasswordHasher } from './password-hash.js';
import { assertPasswordPolicy, checkPassword } from './password-policy.js';

/** No look-alike characters (0/O, 1/l/I): a generated password is read off a terminal and typed. */
const GENERATED_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const GENERATED_GROUP = 5;

/** Whose password it is: the policy refuses one containing the username or the e-mail's local part. */
export interface PasswordOwner {
  username: string;
  email: string;
  /** null before the account exists. */
  userId: number | null;
}

export interface PasswordDependencies {
  audit: AuditService;
  hasher: PasswordHasher;
  /** PASSWORD_MIN_LENGTH. */
  minLength: number;
}

export class PasswordService {
  constructor(private readonly deps: PasswordDependencies) {}

  /** The 400 of the policy when `password` fails it (not audited: the first admin's check). */
  assertPolicy(password: string, owner: PasswordOwner): void {
    assertPasswordPolicy(password, { username: owner.username, email: owner.email }, { minLength: this.deps.minLength });
  }

  /** The policy check of a password chosen by `subject`; a refusal is audited with the rule codes only. */
  async check(subject: AuditSubject, password: string, owner: PasswordOwner, details: Record<string, unknown> = {}): Promise<void> {
    try {
      this.assertPolicy(password, owner);
    } catch (error) {
      await this.deps.audit.record(subject, {
        eventType: 'auth.password.policy_violation',
        outcome: 'failure',
        resourceType: 'user',
        resourceId: owner.userId,
        details: { rules: (error as AppError).details, ...details },
      });
      throw error;
    }
  }

  /** A random password that passes the policy for `owner`: groups of 5 characters joined by '-'. */
  generate(owner: PasswordOwner): string {
    const groups = Math.max(4, Math.ceil((this.deps.minLength + 1) / (GENERATED_GROUP + 1)));
    // A few attempts suffice (a miss needs a group without digit or capital); none passes when
    // PASSWORD_MIN_LENGTH exceeds the maximum length.
    for (let attempt = 0; attempt < 100; attempt++) {
      const password = Array.from({ length: groups }, () =>
        Array.from({ length: GENERATED_GROUP }, () => GENERATED_ALPHABET[randomInt(GENERATED_ALPHABET.length)]).join(''),
      ).join('-');
      if (checkPassword(password, { username: owner.username, email: owner.email }, { minLength: this.deps.minLength }).length === 0) return password;
    }
    throw new Error(`Aucun mot de passe généré ne respecte la politique (PASSWORD_MIN_LENGTH=${this.deps.minLength})`);
  }

  hash(password: string): Promise<string> {
    return this.deps.hasher.hash(password);
  }
}
