/**
 * New passwords (docs/security.md §2): the policy, its audited refusals, the hash. Shared by the
 * password change, the admin reset, user creation and the first admin.
 */
import type { AppError } from '../../lib/errors.js';
import type { AuditService, AuditSubject } from '../audit/service.js';
import type { PasswordHasher } from './password-hash.js';
import { assertPasswordPolicy } from './password-policy.js';

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

  hash(password: string): Promise<string> {
    return this.deps.hasher.hash(password);
  }
}
