/**
 * User administration (docs/api.md §4.2, docs/security.md §1, §5, §9), for the API and the operator
 * CLI. Every change that writes more than one row (the user, its sessions, the audit event) runs in
 * one transaction; unique-index races get the same 409 as the pre-checks (USERS_CONSTRAINT_ERRORS).
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import { mapPage, type Page } from '../../db/paging.js';
import type { Role } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import type { PasswordService } from '../auth/password-service.js';
import type { AuthRepository } from '../auth/repository.js';
import {
  checkEmail,
  checkFullName,
  checkRole,
  checkUsername,
  CLIENT_LINK_ISSUE,
  clientLinkAllowed,
  nextClientId,
  removesActiveAdmin,
  USER_MESSAGES,
  validationError,
} from './policy.js';
import { USER_SORT, USERS_CONSTRAINT_ERRORS, type LockedUser, type UserChanges, type UserFilters, type UsersRepository } from './repository.js';
import { toUserOut, type UserOut } from './schemas.js';

export type UsersRepositories = { users: UsersRepository; auth: AuthRepository; audit: AuditRepository };

export interface UsersDependencies {
  store: Store<UsersRepositories>;
  passwords: PasswordService;
  clock: Clock;
}

export interface CreateUserInput {
  username: string;
  fullName: string;
  email: string;
  /** Checked here: the CLI passes it as typed. */
  role: string;
  password: string;
  clientId?: number | null;
}

/** PATCH /users/{id}: absent or null = unchanged, except `clientId: null`, which unlinks. */
export interface UserPatchInput {
  fullName?: string | null;
  email?: string | null;
  username?: string | null;
  role?: Role | null;
  clientId?: number | null;
  isActive?: boolean | null;
}

export interface UserListPage {
  limit: number;
  offset: number;
  /** The `sort` parameter (fields of USER_SORT, `-` for descending). */
  sort?: string;
}

function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** The names of the changed fields that user.updated lists (role and is_active have their own events). */
function updatedFields(changes: UserChanges): string[] {
  const fields: [string, unknown][] = [
    ['username', changes.username],
    ['full_name', changes.fullName],
    ['email', changes.email],
    ['client_id', changes.clientId],
  ];
  return fields.filter(([, value]) => value !== undefined).map(([name]) => name);
}

export class UsersService {
  constructor(private readonly deps: UsersDependencies) {}

  async list(filters: UserFilters, page: UserListPage): Promise<Page<UserOut>> {
    const rows = await this.deps.store.repos.users.page(filters, { limit: page.limit, offset: page.offset, sort: parseSort(page.sort, USER_SORT) });
    return mapPage(rows, toUserOut);
  }

  async get(id: number): Promise<UserOut> {
    const row = await this.deps.store.repos.users.findOut(id);
    if (!row) throw AppError.notFound(USER_MESSAGES.notFound);
    return toUserOut(row);
  }

  /**
   * Creates a user: validation (422), conflicts before the password (409), client (404), policy (400,
   * audited without the password), then hash, insert and audit in one transaction.
   */
  async create(actor: Actor, input: CreateUserInput): Promise<UserOut> {
    const { store, passwords } = this.deps;
    const username = input.username.trim();
    const fullName = input.fullName.trim();
    const email = input.email.trim().toLowerCase();
    const clientId = input.clientId ?? null;
    const issues: ValidationIssue[] = [];
    checkUsername(username, issues);
    checkFullName(fullName, issues);
    checkEmail(email, issues);
    const role = checkRole(input.role, issues);
    if (role && !clientLinkAllowed(role, clientId)) issues.push(CLIENT_LINK_ISSUE);
    if (issues.length > 0 || !role) throw validationError(issues);

    await this.assertNoIdentityConflict(store.repos.users, email, username, null);
    if (clientId !== null && !(await store.repos.users.clientExists(clientId))) throw AppError.notFound(USER_MESSAGES.clientNotFound);

    await passwords.check(actor, input.password, { username, email, userId: null }, { context: 'user_create' });
    const hashedPassword = await passwords.hash(input.password);
    const now = this.deps.clock.now();
    let id: number;
    try {
      id = await store.transaction(async (repos) => {
        const created = await repos.users.insert({ username, fullName, email, hashedPassword, role, clientId, now });
        await repos.audit.insert(
          auditRow(actor, { eventType: 'user.created', outcome: 'success', resourceType: 'user', resourceId: created, details: { role, client_id: clientId } }),
        );
        return created;
      });
    } catch (error) {
      throw mapConstraintViolation(error, USERS_CONSTRAINT_ERRORS);
    }
    return this.get(id);
  }

  /**
   * PATCH /users/{id}. `isActive: false` has the effects of DELETE. Audit: user.role_changed
   * (old → new), user.deactivated / user.activated, and user.updated with the names of the other
   * changed fields.
   */
  async patch(actor: Actor, userId: number, input: UserPatchInput): Promise<UserOut> {
    const username = present(input.username) ? input.username.trim() : undefined;
    const fullName = present(input.fullName) ? input.fullName.trim() : undefined;
    const email = present(input.email) ? input.email.trim().toLowerCase() : undefined;
    const issues: ValidationIssue[] = [];
    if (username !== undefined) checkUsername(username, issues);
    if (fullName !== undefined) checkFullName(fullName, issues);
    if (email !== undefined) checkEmail(email, issues);
    if (issues.length > 0) throw validationError(issues);

    const now = this.deps.clock.now();
    const mayRemoveAdmin = present(input.role) || input.isActive === false;
    try {
      await this.deps.store.transaction(async (repos) => {
        if (mayRemoveAdmin) await repos.users.lockActiveAdmins();
        const current = await this.lockExisting(repos, userId);

        const role = present(input.role) ? input.role : current.role;
        const isActive = present(input.isActive) ? input.isActive : current.isActive;
        const clientId = nextClientId(current, role, input.clientId);
        if (!clientLinkAllowed(role, clientId)) throw validationError([CLIENT_LINK_ISSUE]);
        if (current.isActive && !isActive && current.id === actor.userId) throw AppError.conflict(USER_MESSAGES.selfDeactivation);

        const changes: UserChanges = {};
        if (username !== undefined && username !== current.username) changes.username = username;
        if (fullName !== undefined && fullName !== current.fullName) changes.fullName = fullName;
        if (email !== undefined && email !== current.email) changes.email = email;
        if (role !== current.role) changes.role = role;
        if (clientId !== current.clientId) changes.clientId = clientId;
        if (isActive !== current.isActive) changes.isActive = isActive;
        if (Object.keys(changes).length === 0) return;

        if (changes.username !== undefined || changes.email !== undefined) {
          await this.assertNoIdentityConflict(repos.users, changes.email ?? current.email, changes.username ?? current.username, current.id);
        }
        if (changes.clientId !== undefined && changes.clientId !== null && !(await repos.users.clientExists(changes.clientId))) {
          throw AppError.notFound(USER_MESSAGES.clientNotFound);
        }
        if (changes.role !== undefined && (await repos.users.hasTechnicienProfile(current.id))) throw AppError.conflict(USER_MESSAGES.technicienProfile);
        if (removesActiveAdmin(current, { role, isActive })) await this.assertAnotherActiveAdmin(repos, current);

        await repos.users.update(current.id, changes, now);
        const resource = { resourceType: 'user', resourceId: current.id };
        if (changes.role !== undefined) {
          await repos.audit.insert(auditRow(actor, { ...resource, eventType: 'user.role_changed', outcome: 'success', details: { old_role: current.role, new_role: changes.role } }));
        }
        const fields = updatedFields(changes);
        if (fields.length > 0) await repos.audit.insert(auditRow(actor, { ...resource, eventType: 'user.updated', outcome: 'success', details: { fields } }));
        if (changes.isActive === false) {
          const sessions = await repos.auth.revokeAllSessions(current.id, 'user_deactivated', now);
          await repos.audit.insert(auditRow(actor, { ...resource, eventType: 'user.deactivated', outcome: 'success', details: { sessions } }));
        } else if (changes.isActive === true) {
          await repos.audit.insert(auditRow(actor, { ...resource, eventType: 'user.activated', outcome: 'success' }));
        }
      });
    } catch (error) {
      throw mapConstraintViolation(error, USERS_CONSTRAINT_ERRORS);
    }
    return this.get(userId);
  }

  /**
   * DELETE /users/{id}: deactivation (a soft delete), idempotent. Every session is revoked each time,
   * so that no session of an inactive account can come back to life at a reactivation.
   */
  async deactivate(actor: Actor, userId: number): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (repos) => {
      await repos.users.lockActiveAdmins();
      const current = await this.lockExisting(repos, userId);
      if (current.id === actor.userId) throw AppError.conflict(USER_MESSAGES.selfDeactivation);
      if (removesActiveAdmin(current, { role: current.role, isActive: false })) await this.assertAnotherActiveAdmin(repos, current);
      const sessions = await repos.auth.revokeAllSessions(current.id, 'user_deactivated', now);
      if (!current.isActive) return;
      await repos.users.update(current.id, { isActive: false }, now);
      await repos.audit.insert(auditRow(actor, { eventType: 'user.deactivated', outcome: 'success', resourceType: 'user', resourceId: current.id, details: { sessions } }));
    });
  }

  /** PATCH /users/{id}/activate; a no-op (and no audit row) when the account is already active. */
  async activate(actor: Actor, userId: number): Promise<UserOut> {
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (repos) => {
      const current = await this.lockExisting(repos, userId);
      if (current.isActive) return;
      await repos.users.update(current.id, { isActive: true }, now);
      await repos.audit.insert(auditRow(actor, { eventType: 'user.activated', outcome: 'success', resourceType: 'user', resourceId: current.id }));
    });
    return this.get(userId);
  }

  /** POST /users/{id}/reset-password: policy (400, audited), then the new hash, every session revoked, audit. */
  async resetPassword(actor: Actor, userId: number, newPassword: string): Promise<void> {
    const { store, passwords } = this.deps;
    const target = await store.repos.users.findIdentity(userId);
    if (!target) throw AppError.notFound(USER_MESSAGES.notFound);
    await passwords.check(actor, newPassword, { username: target.username, email: target.email, userId: target.id });
    const hashed = await passwords.hash(newPassword);
    const now = this.deps.clock.now();
    await store.transaction(async (repos) => {
      await repos.auth.updatePassword(target.id, hashed, now);
      const sessions = await repos.auth.revokeAllSessions(target.id, 'password_reset', now);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.password.reset', outcome: 'success', resourceType: 'user', resourceId: target.id, details: { sessions } }));
    });
  }

  /** POST /users/{id}/revoke-sessions: every session of the target, and its access tokens, die at once. */
  async revokeSessions(actor: Actor, userId: number): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (repos) => {
      const current = await this.lockExisting(repos, userId);
      const sessions = await repos.auth.revokeAllSessions(current.id, 'admin_revoked', now);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.sessions.revoked', outcome: 'success', resourceType: 'user', resourceId: current.id, details: { sessions } }));
    });
  }

  private async lockExisting(repos: UsersRepositories, userId: number): Promise<LockedUser> {
    const current = await repos.users.lock(userId);
    if (!current) throw AppError.notFound(USER_MESSAGES.notFound);
    return current;
  }

  /** The last active admin stays: run under `lockActiveAdmins`. */
  private async assertAnotherActiveAdmin(repos: UsersRepositories, current: LockedUser): Promise<void> {
    if ((await repos.users.countOtherActiveAdmins(current.id)) === 0) throw AppError.conflict(USER_MESSAGES.lastAdmin);
  }

  private async assertNoIdentityConflict(users: UsersRepository, email: string, username: string, exceptId: number | null): Promise<void> {
    const conflicts = await users.findIdentityConflicts(email, username, exceptId);
    if (conflicts.email) throw AppError.conflict(USER_MESSAGES.emailTaken);
    if (conflicts.username) throw AppError.conflict(USER_MESSAGES.usernameTaken);
  }
}
