/**
 * The caller's own account (docs/api.md §4.2 "Own profile"): reading it, and PUT /users/update
 * (full name and/or password). A password change goes through the AuthService: the current
 * password is checked (a wrong one counts for brute force), every session is revoked and a new one
 * is returned.
 */
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import { INVALID_TOKEN } from '../auth/authenticator.js';
import type { TokenPair } from '../auth/schemas.js';
import type { AuthService } from '../auth/service.js';
import { checkFullName, USER_MESSAGES, validationError } from './policy.js';
import type { UsersRepository } from './repository.js';
import { toUserOut, type UserOut, type UserSelfUpdateOut } from './schemas.js';

export interface ProfileDependencies {
  store: Store<{ users: UsersRepository; audit: AuditRepository }>;
  auth: AuthService;
  clock: Clock;
}

/** A null field is treated as absent (the legacy `Optional[str]`). */
export interface SelfUpdateInput {
  fullName?: string | null;
  password?: string | null;
  currentPassword?: string | null;
}

export class ProfileService {
  constructor(private readonly deps: ProfileDependencies) {}

  /** GET /users/me. */
  async me(actor: Actor): Promise<UserOut> {
    const row = await this.ownRow(actor);
    if (!row) throw AppError.notFound(USER_MESSAGES.notFound);
    return toUserOut(row);
  }

  /** GET /auth/me: an account gone since the token was checked answers like a dead token. */
  async current(actor: Actor): Promise<UserOut> {
    const row = await this.ownRow(actor);
    if (!row) throw AppError.unauthorized(INVALID_TOKEN);
    return toUserOut(row);
  }

  /** PUT /users/update: the password first (it may refuse), then the full name. */
  async update(actor: Actor, input: SelfUpdateInput): Promise<UserSelfUpdateOut> {
    const fullName = input.fullName === undefined || input.fullName === null ? undefined : input.fullName.trim();
    if (fullName !== undefined) {
      const issues: ValidationIssue[] = [];
      checkFullName(fullName, issues);
      if (issues.length > 0) throw validationError(issues);
    }
    let tokens: TokenPair | null = null;
    if (input.password !== undefined && input.password !== null) {
      if (!input.currentPassword) throw AppError.badRequest(USER_MESSAGES.currentPasswordRequired);
      tokens = await this.deps.auth.changePassword(actor, { currentPassword: input.currentPassword, newPassword: input.password, endpoint: 'users_update' });
    }
    if (fullName !== undefined && actor.userId !== null) {
      const userId = actor.userId;
      const now = this.deps.clock.now();
      await this.deps.store.transaction(async (repos) => {
        const current = await repos.users.lock(userId);
        if (!current || current.fullName === fullName) return;
        await repos.users.update(userId, { fullName }, now);
        await repos.audit.insert(
          auditRow(actor, { eventType: 'user.updated', outcome: 'success', resourceType: 'user', resourceId: userId, details: { fields: ['full_name'], self: true } }),
        );
      });
    }
    const user = await this.me(actor);
    return tokens ? { ...user, ...tokens } : user;
  }

  private async ownRow(actor: Actor) {
    return actor.userId === null ? undefined : this.deps.store.repos.users.findOut(actor.userId);
  }
}
