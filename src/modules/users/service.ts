/**
 * User business rules shared by the API and the operator CLI (api.md §4.2, security.md §1, §5, §9).
 * Every change that writes more than one row (the user, its sessions, the audit event) runs in one
 * transaction; unique-index races are mapped to the same 409 messages as the pre-checks.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import type { AuthUser } from '../../plugins/auth.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { argon2Hasher, type PasswordHasher } from '../auth/password-hash.js';
import { assertPasswordPolicy } from '../auth/password-policy.js';
import { revokeAllSessions, updatePassword } from '../auth/repository.js';
import { changeOwnPassword, checkNewPassword, type RequestOrigin, type TokenPair } from '../auth/service.js';
import { clientLinkAllowed, nextClientId, removesActiveAdmin, USER_MESSAGES } from './policy.js';
import {
  clientExists,
  constraintViolation,
  countOtherActiveAdmins,
  findIdentityConflicts,
  findUserIdentity,
  hasTechnicienProfile,
  insertUser,
  lockActiveAdmins,
  lockUser,
  updateUser,
  type Role,
  type UserChanges,
} from './repository.js';

export const ROLES: readonly Role[] = ['admin', 'responsable', 'technicien', 'client'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface CreateUserInput {
  username: string;
  fullName: string;
  email: string;
  role: string;
  password: string;
  clientId?: number | null;
}

export interface Actor {
  userId: number | null;
  role: Role | null;
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface CreateUserOptions {
  passwordMinLength: number;
  hasher?: PasswordHasher;
  /** created_at / updated_at; the database's clock when absent (CLI). */
  now?: Date;
}

type AuditActor = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

function actorAudit(actor: Actor): AuditActor {
  return { actorUserId: actor.userId, actorRole: actor.role, requestId: actor.requestId ?? null, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null };
}

/** The actor of an API request: the authenticated user, from where it calls. */
export function requestActor(user: AuthUser, origin: RequestOrigin): Actor {
  return { userId: user.id, role: user.role, requestId: origin.requestId, ip: origin.ip, userAgent: origin.userAgent };
}

// --- validation ----------------------------------------------------------------------------------

function checkUsername(value: string, issues: ValidationIssue[]): void {
  if (value.length < 1 || value.length > 100 || CONTROL_CHARACTERS.test(value)) {
    issues.push({ loc: ['body', 'username'], msg: "Nom d'utilisateur invalide (1 à 100 caractères, sans caractère de contrôle)", type: 'value' });
  }
}

function checkFullName(value: string, issues: ValidationIssue[]): void {
  if (value.length < 1 || value.length > 255) {
    issues.push({ loc: ['body', 'full_name'], msg: 'Nom complet requis (255 caractères au plus)', type: 'value' });
  }
}

function checkEmail(value: string, issues: ValidationIssue[]): void {
  if (!EMAIL.test(value) || value.length > 255) issues.push({ loc: ['body', 'email'], msg: 'Adresse e-mail invalide', type: 'format' });
}

const CLIENT_LINK_ISSUE: ValidationIssue = { loc: ['body', 'client_id'], msg: USER_MESSAGES.clientOnlyForClientRole, type: 'value' };

/** 422; when the client-link rule is the only problem, its text is the message (api.md §4.2). */
function validationError(issues: ValidationIssue[]): AppError {
  const only = issues.length === 1 ? issues[0] : undefined;
  return AppError.validation(issues, only === CLIENT_LINK_ISSUE ? USER_MESSAGES.clientOnlyForClientRole : undefined);
}

/** A unique-index or foreign-key race, lost after the pre-checks passed: the same answer as the pre-check. */
function mapWriteError(error: unknown): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  if (violation.code === '23505' && violation.constraint === 'users_email_key') return AppError.conflict(USER_MESSAGES.emailTaken);
  if (violation.code === '23505' && violation.constraint === 'users_username_lower_key') return AppError.conflict(USER_MESSAGES.usernameTaken);
  if (violation.code === '23503' && violation.constraint === 'users_client_id_fkey') return AppError.notFound(USER_MESSAGES.clientNotFound);
  return error;
}

async function assertNoIdentityConflict(db: Kysely<Database>, email: string, username: string, exceptId: number | null): Promise<void> {
  const conflicts = await findIdentityConflicts(db, email, username, exceptId);
  if (conflicts.email) throw AppError.conflict(USER_MESSAGES.emailTaken);
  if (conflicts.username) throw AppError.conflict(USER_MESSAGES.usernameTaken);
}

// --- creation ------------------------------------------------------------------------------------

/**
 * Creates a user: validation (422), conflicts before the password (409), client (404), policy (400,
 * audited without the password), then hash, insert and audit in one transaction.
 */
export async function createUser(db: Kysely<Database>, input: CreateUserInput, actor: Actor, options: CreateUserOptions): Promise<number> {
  const username = input.username.trim();
  const fullName = input.fullName.trim();
  const email = input.email.trim().toLowerCase();
  const clientId = input.clientId ?? null;
  const issues: ValidationIssue[] = [];
  checkUsername(username, issues);
  checkFullName(fullName, issues);
  checkEmail(email, issues);
  const role = ROLES.includes(input.role as Role) ? (input.role as Role) : null;
  if (!role) issues.push({ loc: ['body', 'role'], msg: `Rôle invalide. Valeurs acceptées : ${ROLES.join(', ')}`, type: 'enum' });
  else if (!clientLinkAllowed(role, clientId)) issues.push(CLIENT_LINK_ISSUE);
  if (issues.length > 0 || !role) throw validationError(issues);

  await assertNoIdentityConflict(db, email, username, null);
  if (clientId !== null && !(await clientExists(db, clientId))) throw AppError.notFound(USER_MESSAGES.clientNotFound);

  try {
    assertPasswordPolicy(input.password, { username, email }, { minLength: options.passwordMinLength });
  } catch (error) {
    await insertAuditEvent(db, {
      ...actorAudit(actor),
      eventType: 'auth.password.policy_violation',
      outcome: 'failure',
      resourceType: 'user',
      resourceId: null,
      details: { rules: (error as AppError).details, context: 'user_create' },
    });
    throw error;
  }
  const hashedPassword = await (options.hasher ?? argon2Hasher).hash(input.password);
  try {
    return await db.transaction().execute(async (trx) => {
      const id = await insertUser(trx, { username, fullName, email, hashedPassword, role, clientId, now: options.now });
      await insertAuditEvent(trx, {
        ...actorAudit(actor),
        eventType: 'user.created',
        outcome: 'success',
        resourceType: 'user',
        resourceId: String(id),
        details: { role, client_id: clientId },
      });
      return id;
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

// --- self service --------------------------------------------------------------------------------

export interface SelfUpdateInput {
  fullName?: string | null;
  password?: string | null;
  currentPassword?: string | null;
}

/**
 * PUT /users/update: the caller's full name and/or password. A password change needs the current
 * one (a wrong one counts for brute force), revokes every session and returns a new one.
 */
export async function updateOwnProfile(app: FastifyInstance, user: AuthUser, input: SelfUpdateInput, origin: RequestOrigin): Promise<TokenPair | null> {
  const fullName = input.fullName === undefined || input.fullName === null ? undefined : input.fullName.trim();
  if (fullName !== undefined) {
    const issues: ValidationIssue[] = [];
    checkFullName(fullName, issues);
    if (issues.length > 0) throw validationError(issues);
  }
  let tokens: TokenPair | null = null;
  if (input.password !== undefined && input.password !== null) {
    if (!input.currentPassword) throw AppError.badRequest(USER_MESSAGES.currentPasswordRequired);
    tokens = await changeOwnPassword(app, user, { currentPassword: input.currentPassword, newPassword: input.password, endpoint: 'users_update' }, origin);
  }
  if (fullName !== undefined) {
    const now = app.clock.now();
    await app.db.transaction().execute(async (trx) => {
      const current = await lockUser(trx, user.id);
      if (!current || current.fullName === fullName) return;
      await updateUser(trx, user.id, { fullName }, now);
      await insertAuditEvent(trx, {
        ...actorAudit(requestActor(user, origin)),
        eventType: 'user.updated',
        outcome: 'success',
        resourceType: 'user',
        resourceId: String(user.id),
        details: { fields: ['full_name'], self: true },
      });
    });
  }
  return tokens;
}

// --- administration ------------------------------------------------------------------------------

export interface UserPatchInput {
  fullName?: string | null;
  email?: string | null;
  username?: string | null;
  role?: Role | null;
  clientId?: number | null;
  isActive?: boolean | null;
}

function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/**
 * PATCH /users/{id}. Absent or null fields are kept (`client_id: null` unlinks). `is_active: false`
 * has the effects of DELETE. Audit: user.role_changed (old → new), user.deactivated /
 * user.activated, and user.updated with the names of the other changed fields.
 */
export async function patchUser(app: FastifyInstance, actor: AuthUser, userId: number, input: UserPatchInput, origin: RequestOrigin): Promise<void> {
  const username = present(input.username) ? input.username.trim() : undefined;
  const fullName = present(input.fullName) ? input.fullName.trim() : undefined;
  const email = present(input.email) ? input.email.trim().toLowerCase() : undefined;
  const issues: ValidationIssue[] = [];
  if (username !== undefined) checkUsername(username, issues);
  if (fullName !== undefined) checkFullName(fullName, issues);
  if (email !== undefined) checkEmail(email, issues);
  if (issues.length > 0) throw validationError(issues);

  const audit = actorAudit(requestActor(actor, origin));
  const now = app.clock.now();
  const mayRemoveAdmin = present(input.role) || input.isActive === false;
  try {
    await app.db.transaction().execute(async (trx) => {
      if (mayRemoveAdmin) await lockActiveAdmins(trx);
      const current = await lockUser(trx, userId);
      if (!current) throw AppError.notFound(USER_MESSAGES.notFound);

      const role = present(input.role) ? input.role : current.role;
      const isActive = present(input.isActive) ? input.isActive : current.isActive;
      const clientId = nextClientId(current, role, input.clientId);
      if (!clientLinkAllowed(role, clientId)) throw validationError([CLIENT_LINK_ISSUE]);
      if (current.isActive && !isActive && current.id === actor.id) throw AppError.conflict(USER_MESSAGES.selfDeactivation);

      const changes: UserChanges = {};
      if (username !== undefined && username !== current.username) changes.username = username;
      if (fullName !== undefined && fullName !== current.fullName) changes.fullName = fullName;
      if (email !== undefined && email !== current.email) changes.email = email;
      if (role !== current.role) changes.role = role;
      if (clientId !== current.clientId) changes.clientId = clientId;
      if (isActive !== current.isActive) changes.isActive = isActive;
      if (Object.keys(changes).length === 0) return;

      if (changes.username !== undefined || changes.email !== undefined) {
        await assertNoIdentityConflict(trx, changes.email ?? current.email, changes.username ?? current.username, current.id);
      }
      if (changes.clientId !== undefined && changes.clientId !== null && !(await clientExists(trx, changes.clientId))) {
        throw AppError.notFound(USER_MESSAGES.clientNotFound);
      }
      if (changes.role !== undefined && (await hasTechnicienProfile(trx, current.id))) throw AppError.conflict(USER_MESSAGES.technicienProfile);
      if (removesActiveAdmin(current, { role, isActive }) && (await countOtherActiveAdmins(trx, current.id)) === 0) {
        throw AppError.conflict(USER_MESSAGES.lastAdmin);
      }

      await updateUser(trx, current.id, changes, now);
      const resource = { resourceType: 'user', resourceId: String(current.id) };
      if (changes.role !== undefined) {
        await insertAuditEvent(trx, { ...audit, ...resource, eventType: 'user.role_changed', outcome: 'success', details: { old_role: current.role, new_role: changes.role } });
      }
      const fields = (
        [
          ['username', changes.username],
          ['full_name', changes.fullName],
          ['email', changes.email],
          ['client_id', changes.clientId],
        ] as const
      )
        .filter(([, value]) => value !== undefined)
        .map(([name]) => name);
      if (fields.length > 0) {
        await insertAuditEvent(trx, { ...audit, ...resource, eventType: 'user.updated', outcome: 'success', details: { fields } });
      }
      if (changes.isActive === false) {
        const sessions = await revokeAllSessions(trx, current.id, 'user_deactivated', now);
        await insertAuditEvent(trx, { ...audit, ...resource, eventType: 'user.deactivated', outcome: 'success', details: { sessions } });
      } else if (changes.isActive === true) {
        await insertAuditEvent(trx, { ...audit, ...resource, eventType: 'user.activated', outcome: 'success' });
      }
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/**
 * DELETE /users/{id}: deactivation (a soft delete), idempotent. Every session is revoked each time,
 * so that no session of an inactive account can come back to life at a reactivation.
 */
export async function deactivateUser(app: FastifyInstance, actor: Actor & { userId: number }, userId: number): Promise<void> {
  const now = app.clock.now();
  await app.db.transaction().execute(async (trx) => {
    await lockActiveAdmins(trx);
    const current = await lockUser(trx, userId);
    if (!current) throw AppError.notFound(USER_MESSAGES.notFound);
    if (current.id === actor.userId) throw AppError.conflict(USER_MESSAGES.selfDeactivation);
    if (removesActiveAdmin(current, { role: current.role, isActive: false }) && (await countOtherActiveAdmins(trx, current.id)) === 0) {
      throw AppError.conflict(USER_MESSAGES.lastAdmin);
    }
    const sessions = await revokeAllSessions(trx, current.id, 'user_deactivated', now);
    if (!current.isActive) return;
    await updateUser(trx, current.id, { isActive: false }, now);
    await insertAuditEvent(trx, {
      ...actorAudit(actor),
      eventType: 'user.deactivated',
      outcome: 'success',
      resourceType: 'user',
      resourceId: String(current.id),
      details: { sessions },
    });
  });
}

/** PATCH /users/{id}/activate; a no-op (and no audit row) when the account is already active. */
export async function activateUser(app: FastifyInstance, actor: Actor, userId: number): Promise<void> {
  const now = app.clock.now();
  await app.db.transaction().execute(async (trx) => {
    const current = await lockUser(trx, userId);
    if (!current) throw AppError.notFound(USER_MESSAGES.notFound);
    if (current.isActive) return;
    await updateUser(trx, current.id, { isActive: true }, now);
    await insertAuditEvent(trx, { ...actorAudit(actor), eventType: 'user.activated', outcome: 'success', resourceType: 'user', resourceId: String(current.id) });
  });
}

/** POST /users/{id}/reset-password: policy (400), then the new hash, every session revoked, audit. */
export async function resetUserPassword(app: FastifyInstance, actor: Actor, userId: number, newPassword: string): Promise<void> {
  const target = await findUserIdentity(app.db, userId);
  if (!target) throw AppError.notFound(USER_MESSAGES.notFound);
  await checkNewPassword(app, newPassword, { username: target.username, email: target.email, userId: target.id }, actorAudit(actor));
  const hashed = await app.hasher.hash(newPassword);
  const now = app.clock.now();
  await app.db.transaction().execute(async (trx) => {
    await updatePassword(trx, target.id, hashed, now);
    const sessions = await revokeAllSessions(trx, target.id, 'password_reset', now);
    await insertAuditEvent(trx, { ...actorAudit(actor), eventType: 'auth.password.reset', outcome: 'success', resourceType: 'user', resourceId: String(target.id), details: { sessions } });
  });
}

/** POST /users/{id}/revoke-sessions: every session of the target, and its access tokens, die at once. */
export async function revokeUserSessions(app: FastifyInstance, actor: Actor, userId: number): Promise<void> {
  const now = app.clock.now();
  await app.db.transaction().execute(async (trx) => {
    const current = await lockUser(trx, userId);
    if (!current) throw AppError.notFound(USER_MESSAGES.notFound);
    const sessions = await revokeAllSessions(trx, current.id, 'admin_revoked', now);
    await insertAuditEvent(trx, { ...actorAudit(actor), eventType: 'auth.sessions.revoked', outcome: 'success', resourceType: 'user', resourceId: String(current.id), details: { sessions } });
  });
}
