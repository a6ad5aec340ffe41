/**
 * Login, refresh rotation with reuse detection, logout and password change (security.md §1-3).
 */
import type { FastifyInstance } from 'fastify';
import type { LoginEndpoint } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import type { AuthUser } from '../../plugins/auth.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { lockedFor, lockoutKeys, lockoutPolicy, registerFailure, registerSuccess, tooManyAttempts } from './brute-force.js';
import { dummyPasswordHash, needsRehash } from './password-hash.js';
import { assertPasswordPolicy } from './password-policy.js';
import {
  consumeRefreshToken,
  findPasswordHash,
  findRefreshToken,
  findUserByIdentifier,
  insertLoginAttempt,
  insertRefreshToken,
  insertSession,
  recordSuccessfulLogin,
  revokeAllSessions,
  revokeSession,
  touchSession,
  updatePassword,
} from './repository.js';
import { accessTokenLifetimeSeconds, hashRefreshToken, newRefreshToken, signAccessToken } from './tokens.js';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema.js';

const DAY_MS = 86_400_000;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/** Where a request comes from, for sessions, login attempts and the audit log. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

type Audit = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

function originAudit(origin: RequestOrigin, actor?: { id: number; role: Role } | null): Audit {
  return { actorUserId: actor?.id ?? null, actorRole: actor?.role ?? null, ip: origin.ip, userAgent: origin.userAgent, requestId: origin.requestId };
}

const LOGIN_FAILURE_MESSAGES: Record<'token' | 'login', string> = {
  token: 'Email ou mot de passe incorrect',
  login: 'Identifiants invalides',
};

/** Opens a session (a refresh-token family) and returns its first token pair. */
async function openSession(
  app: FastifyInstance,
  db: Kysely<Database>,
  user: { id: number; email: string; role: Role },
  origin: RequestOrigin,
  now: Date,
): Promise<TokenPair> {
  const { config } = app;
  const sessionExpiresAt = new Date(now.getTime() + config.auth.refreshFamilyMaxDays * DAY_MS);
  const sessionId = await insertSession(db, { userId: user.id, now, expiresAt: sessionExpiresAt, ip: origin.ip, userAgent: origin.userAgent });
  const refreshToken = newRefreshToken();
  await insertRefreshToken(db, {
    sessionId,
    tokenHash: hashRefreshToken(refreshToken),
    parentId: null,
    now,
    expiresAt: refreshExpiry(app, now, sessionExpiresAt),
  });
  return {
    access_token: await signAccessToken(config, { userId: user.id, email: user.email, role: user.role, sessionId }, now),
    refresh_token: refreshToken,
    token_type: 'bearer',
    expires_in: accessTokenLifetimeSeconds(config),
  };
}

function refreshExpiry(app: FastifyInstance, now: Date, sessionExpiresAt: Date): Date {
  return new Date(Math.min(now.getTime() + app.config.auth.refreshTokenExpireDays * DAY_MS, sessionExpiresAt.getTime()));
}

export async function login(
  app: FastifyInstance,
  input: { identifier: string; password: string; endpoint: 'token' | 'login' },
  origin: RequestOrigin,
): Promise<TokenPair> {
  const { db, hasher } = app;
  const now = app.clock.now();
  const identifier = input.identifier.trim().toLowerCase();
  const user = await findUserByIdentifier(db, identifier);
  const keys = lockoutKeys(app.config, { userId: user?.id ?? null, identifier }, origin.ip);
  const attempt = { now, identifier, userId: user?.id ?? null, ip: origin.ip, endpoint: input.endpoint as LoginEndpoint };
  const audit = originAudit(origin, user);

  const locked = await lockedFor(db, keys, now);
  if (locked > 0) {
    await insertLoginAttempt(db, { ...attempt, success: false, reason: 'locked' });
    await insertAuditEvent(db, { ...audit, eventType: 'auth.login.blocked', outcome: 'denied', resourceType: 'user', resourceId: user ? String(user.id) : null, details: { endpoint: input.endpoint } });
    throw tooManyAttempts(locked);
  }

  // Unknown accounts go through the same argon2 verification, against a fixed dummy hash.
  const passwordOk = user ? await hasher.verify(user.hashedPassword, input.password) : (await hasher.verify(await dummyPasswordHash(hasher), input.password), false);
  if (!user || !passwordOk) {
    const reason = user ? 'bad_password' : 'unknown_user';
    const outcome = await registerFailure(db, keys, lockoutPolicy(app.config), now);
    await insertLoginAttempt(db, { ...attempt, success: false, reason });
    await insertAuditEvent(db, { ...audit, eventType: 'auth.login.failure', outcome: 'failure', resourceType: 'user', resourceId: user ? String(user.id) : null, details: { reason, endpoint: input.endpoint } });
    for (const lock of outcome.newLocks) {
      await insertAuditEvent(db, { ...audit, eventType: 'auth.login.locked', outcome: 'failure', resourceType: 'user', resourceId: user ? String(user.id) : null, details: { scope: lock.scope, duration_s: lock.durationSeconds } });
    }
    if (outcome.lockedSeconds > 0) throw tooManyAttempts(outcome.lockedSeconds);
    throw AppError.unauthorized(LOGIN_FAILURE_MESSAGES[input.endpoint]);
  }

  if (!user.isActive) {
    await insertLoginAttempt(db, { ...attempt, success: false, reason: 'inactive' });
    await insertAuditEvent(db, { ...audit, eventType: 'auth.login.failure', outcome: 'failure', resourceType: 'user', resourceId: String(user.id), details: { reason: 'inactive', endpoint: input.endpoint } });
    throw AppError.forbidden('Compte désactivé');
  }

  const rehashed = needsRehash(user.hashedPassword) ? await hasher.hash(input.password) : null;
  return db.transaction().execute(async (trx) => {
    await registerSuccess(trx, keys, now);
    await recordSuccessfulLogin(trx, user.id, now, rehashed);
    const tokens = await openSession(app, trx, user, origin, now);
    await insertLoginAttempt(trx, { ...attempt, success: true, reason: 'ok' });
    await insertAuditEvent(trx, { ...audit, eventType: 'auth.login.success', outcome: 'success', resourceType: 'user', resourceId: String(user.id), details: { endpoint: input.endpoint } });
    return tokens;
  });
}

const INVALID_REFRESH = 'Refresh token invalide';

export async function refresh(app: FastifyInstance, refreshToken: string, origin: RequestOrigin): Promise<TokenPair> {
  const { db, config } = app;
  const now = app.clock.now();
  const tokenHash = hashRefreshToken(refreshToken);
  const rotated = await db.transaction().execute(async (trx) => {
    const consumed = await consumeRefreshToken(trx, tokenHash, now);
    if (!consumed) return null;
    const user = await trx.selectFrom('users').select(['id', 'email', 'role']).where('id', '=', consumed.userId).executeTakeFirstOrThrow();
    const next = newRefreshToken();
    await insertRefreshToken(trx, {
      sessionId: consumed.sessionId,
      tokenHash: hashRefreshToken(next),
      parentId: consumed.id,
      now,
      expiresAt: refreshExpiry(app, now, consumed.sessionExpiresAt),
    });
    await touchSession(trx, consumed.sessionId, now);
    await insertAuditEvent(trx, { ...originAudit(origin, user), eventType: 'auth.token.refreshed', outcome: 'success', resourceType: 'session', resourceId: consumed.sessionId });
    return {
      access_token: await signAccessToken(config, { userId: user.id, email: user.email, role: user.role, sessionId: consumed.sessionId }, now),
      refresh_token: next,
      token_type: 'bearer' as const,
      expires_in: accessTokenLifetimeSeconds(config),
    };
  });
  if (rotated) return rotated;

  const known = await findRefreshToken(db, tokenHash);
  if (known?.usedAt) {
    // A consumed token presented again: someone holds a copy. The whole family dies, at once.
    await db.transaction().execute(async (trx) => {
      await revokeSession(trx, known.sessionId, 'reuse_detected', now);
      await insertAuditEvent(trx, {
        ...originAudit(origin),
        actorUserId: known.userId,
        eventType: 'auth.refresh.reuse_detected',
        outcome: 'failure',
        resourceType: 'session',
        resourceId: known.sessionId,
      });
    });
    app.log.warn({ session_id: known.sessionId, user_id: known.userId }, 'réutilisation d’un refresh token : session révoquée');
  } else {
    await insertAuditEvent(db, { ...originAudit(origin), actorUserId: known?.userId ?? null, eventType: 'auth.refresh.invalid', outcome: 'failure' });
  }
  throw AppError.unauthorized(INVALID_REFRESH);
}

export async function logout(app: FastifyInstance, user: AuthUser, refreshToken: string | undefined, origin: RequestOrigin): Promise<void> {
  const now = app.clock.now();
  await app.db.transaction().execute(async (trx) => {
    await revokeSession(trx, user.sessionId, 'logout', now);
    if (refreshToken) {
      const known = await findRefreshToken(trx, hashRefreshToken(refreshToken));
      if (known && known.userId === user.id) await revokeSession(trx, known.sessionId, 'logout', now);
    }
    await insertAuditEvent(trx, { ...originAudit(origin, user), eventType: 'auth.logout', outcome: 'success', resourceType: 'session', resourceId: user.sessionId });
  });
}

export async function logoutAll(app: FastifyInstance, user: AuthUser, origin: RequestOrigin): Promise<void> {
  const now = app.clock.now();
  await app.db.transaction().execute(async (trx) => {
    const count = await revokeAllSessions(trx, user.id, 'logout_all', now);
    await insertAuditEvent(trx, { ...originAudit(origin, user), eventType: 'auth.logout_all', outcome: 'success', resourceType: 'user', resourceId: String(user.id), details: { sessions: count } });
  });
}

/**
 * Verifies the caller's current password; a wrong one counts as a failed login for brute force.
 * Shared by change-password and PUT /users/update.
 */
export async function verifyCurrentPassword(
  app: FastifyInstance,
  user: AuthUser,
  currentPassword: string,
  endpoint: 'change_password' | 'users_update',
  origin: RequestOrigin,
): Promise<void> {
  const { db } = app;
  const now = app.clock.now();
  const keys = lockoutKeys(app.config, { userId: user.id, identifier: user.email }, origin.ip);
  const attempt = { now, identifier: user.email, userId: user.id, ip: origin.ip, endpoint };
  const locked = await lockedFor(db, keys, now);
  if (locked > 0) {
    await insertLoginAttempt(db, { ...attempt, success: false, reason: 'locked' });
    throw tooManyAttempts(locked);
  }
  const storedHash = await findPasswordHash(db, user.id);
  if (storedHash && (await app.hasher.verify(storedHash, currentPassword))) return;
  const outcome = await registerFailure(db, keys, lockoutPolicy(app.config), now);
  await insertLoginAttempt(db, { ...attempt, success: false, reason: 'bad_password' });
  for (const lock of outcome.newLocks) {
    await insertAuditEvent(db, { ...originAudit(origin, user), eventType: 'auth.login.locked', outcome: 'failure', resourceType: 'user', resourceId: String(user.id), details: { scope: lock.scope, duration_s: lock.durationSeconds } });
  }
  if (outcome.lockedSeconds > 0) throw tooManyAttempts(outcome.lockedSeconds);
  throw AppError.badRequest('Mot de passe actuel incorrect');
}

/** Checks the policy; a refusal is audited with the rule codes only. */
export async function checkNewPassword(
  app: FastifyInstance,
  password: string,
  subject: { username: string; email: string; userId: number | null },
  audit: Audit,
): Promise<void> {
  try {
    assertPasswordPolicy(password, { username: subject.username, email: subject.email }, { minLength: app.config.auth.passwordMinLength });
  } catch (error) {
    await insertAuditEvent(app.db, {
      ...audit,
      eventType: 'auth.password.policy_violation',
      outcome: 'failure',
      resourceType: 'user',
      resourceId: subject.userId === null ? null : String(subject.userId),
      details: { rules: (error as AppError).details },
    });
    throw error;
  }
}

/** Sets a new password, revokes every session, and opens one new session for the caller. */
export async function changeOwnPassword(
  app: FastifyInstance,
  user: AuthUser,
  input: { currentPassword: string; newPassword: string; endpoint: 'change_password' | 'users_update' },
  origin: RequestOrigin,
): Promise<TokenPair> {
  await verifyCurrentPassword(app, user, input.currentPassword, input.endpoint, origin);
  await checkNewPassword(app, input.newPassword, { username: user.username, email: user.email, userId: user.id }, originAudit(origin, user));
  const hashed = await app.hasher.hash(input.newPassword);
  const now = app.clock.now();
  return app.db.transaction().execute(async (trx) => {
    await updatePassword(trx, user.id, hashed, now);
    await revokeAllSessions(trx, user.id, 'password_changed', now);
    const tokens = await openSession(app, trx, user, origin, now);
    await insertAuditEvent(trx, { ...originAudit(origin, user), eventType: 'auth.password.changed', outcome: 'success', resourceType: 'user', resourceId: String(user.id) });
    return tokens;
  });
}
