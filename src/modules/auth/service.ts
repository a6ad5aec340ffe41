/**
 * Login, refresh rotation with reuse detection, logout and password change (docs/security.md
 * §1-3). Anonymous flows take the request's origin; the others the caller's Actor.
 */
import type { Logger } from 'pino';
import type { Role } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import type { Actor, RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow, type AuditService, type AuditSubject } from '../audit/service.js';
import { INVALID_TOKEN } from './authenticator.js';
import { applyFailure, lockoutKeys, lockoutPolicy, longestLock, tooManyAttempts, type FailureOutcome, type LockoutKey } from './brute-force.js';
import { dummyPasswordHash, needsRehash, type PasswordHasher } from './password-hash.js';
import type { PasswordService } from './password-service.js';
import type { Account, AuthRepository } from './repository.js';
import type { TokenPair } from './schemas.js';
import { accessTokenLifetimeSeconds, hashRefreshToken, newRefreshToken, signAccessToken, type AuthSettings } from './tokens.js';

const DAY_MS = 86_400_000;

const LOGIN_FAILURE_MESSAGES: Record<LoginInput['endpoint'], string> = {
  token: 'Email ou mot de passe incorrect',
  login: 'Identifiants invalides',
};

const INVALID_REFRESH = 'Refresh token invalide';

export type AuthRepositories = { auth: AuthRepository; audit: AuditRepository };

export interface AuthDependencies {
  store: Store<AuthRepositories>;
  audit: AuditService;
  passwords: PasswordService;
  hasher: PasswordHasher;
  clock: Clock;
  logger: Logger;
  settings: AuthSettings;
}

export interface LoginInput {
  /** E-mail or username. */
  identifier: string;
  password: string;
  endpoint: 'token' | 'login';
}

export interface PasswordChangeInput {
  currentPassword: string;
  newPassword: string;
  /** The route that asks: a wrong current password is recorded as a failed attempt on it. */
  endpoint: 'change_password' | 'users_update';
}

/** Who an access token is for. */
type TokenSubject = { id: number; email: string; role: Role };

/** The user and session of an authenticated caller (a system actor has neither). */
function sessionOf(actor: Actor): { userId: number; sessionId: string } {
  if (actor.userId === null || actor.sessionId === null) throw AppError.unauthorized(INVALID_TOKEN);
  return { userId: actor.userId, sessionId: actor.sessionId };
}

export class AuthService {
  constructor(private readonly deps: AuthDependencies) {}

  async login(origin: RequestOrigin, input: LoginInput): Promise<TokenPair> {
    const { store, audit, hasher } = this.deps;
    const now = this.deps.clock.now();
    const identifier = input.identifier.trim().toLowerCase();
    const user = await store.repos.auth.findLoginCandidate(identifier);
    const keys = lockoutKeys(this.deps.settings, { userId: user?.id ?? null, identifier }, origin.ip);
    const attempt = { now, identifier, userId: user?.id ?? null, ip: origin.ip, endpoint: input.endpoint };
    const subject: AuditSubject = { ...origin, userId: user?.id ?? null, role: user?.role ?? null };
    const resource = { resourceType: 'user', resourceId: user?.id ?? null };

    const locked = longestLock(await store.repos.auth.findLockouts(keys), now);
    if (locked > 0) {
      await store.repos.auth.insertLoginAttempt({ ...attempt, success: false, reason: 'locked' });
      await audit.record(subject, { ...resource, eventType: 'auth.login.blocked', outcome: 'denied', details: { endpoint: input.endpoint } });
      throw tooManyAttempts(locked);
    }

    // Unknown accounts go through the same argon2 verification, against a fixed dummy hash.
    const passwordOk = user ? await hasher.verify(user.hashedPassword, input.password) : (await hasher.verify(await dummyPasswordHash(hasher), input.password), false);
    if (!user || !passwordOk) {
      const reason = user ? 'bad_password' : 'unknown_user';
      const outcome = await this.registerFailure(keys, now);
      await store.repos.auth.insertLoginAttempt({ ...attempt, success: false, reason });
      await audit.record(subject, { ...resource, eventType: 'auth.login.failure', outcome: 'failure', details: { reason, endpoint: input.endpoint } });
      await this.auditNewLocks(subject, resource.resourceId, outcome);
      if (outcome.lockedSeconds > 0) throw tooManyAttempts(outcome.lockedSeconds);
      throw AppError.unauthorized(LOGIN_FAILURE_MESSAGES[input.endpoint]);
    }

    if (!user.isActive) {
      await store.repos.auth.insertLoginAttempt({ ...attempt, success: false, reason: 'inactive' });
      await audit.record(subject, { ...resource, eventType: 'auth.login.failure', outcome: 'failure', details: { reason: 'inactive', endpoint: input.endpoint } });
      throw AppError.forbidden('Compte désactivé');
    }

    const rehashed = needsRehash(user.hashedPassword) ? await hasher.hash(input.password) : null;
    return store.transaction(async (repos) => {
      await repos.auth.clearLockouts(keys, now);
      await repos.auth.recordSuccessfulLogin(user.id, now, rehashed);
      const tokens = await this.openSession(repos, user, origin, now);
      await repos.auth.insertLoginAttempt({ ...attempt, success: true, reason: 'ok' });
      await repos.audit.insert(auditRow(subject, { ...resource, eventType: 'auth.login.success', outcome: 'success', details: { endpoint: input.endpoint } }));
      return tokens;
    });
  }

  /** Rotates a refresh token; a consumed one presented again revokes its whole session. */
  async refresh(origin: RequestOrigin, refreshToken: string): Promise<TokenPair> {
    const { store } = this.deps;
    const now = this.deps.clock.now();
    const tokenHash = hashRefreshToken(refreshToken);
    const rotated = await store.transaction(async (repos) => {
      const consumed = await repos.auth.consumeRefreshToken(tokenHash, now);
      if (!consumed) return null;
      const next = newRefreshToken();
      await repos.auth.insertRefreshToken({
        sessionId: consumed.sessionId,
        tokenHash: hashRefreshToken(next),
        parentId: consumed.id,
        now,
        expiresAt: this.refreshExpiry(now, consumed.sessionExpiresAt),
      });
      await repos.auth.touchSession(consumed.sessionId, now);
      const subject = { ...origin, userId: consumed.user.id, role: consumed.user.role };
      await repos.audit.insert(auditRow(subject, { eventType: 'auth.token.refreshed', outcome: 'success', resourceType: 'session', resourceId: consumed.sessionId }));
      return this.tokenPair(consumed.user, consumed.sessionId, next, now);
    });
    if (rotated) return rotated;

    const known = await store.repos.auth.findRefreshToken(tokenHash);
    if (known?.usedAt) {
      // A consumed token presented again: someone holds a copy. The whole family dies, at once.
      await store.transaction(async (repos) => {
        await repos.auth.revokeSession(known.sessionId, 'reuse_detected', now);
        const subject = { ...origin, userId: known.userId };
        await repos.audit.insert(auditRow(subject, { eventType: 'auth.refresh.reuse_detected', outcome: 'failure', resourceType: 'session', resourceId: known.sessionId }));
      });
      this.deps.logger.warn({ session_id: known.sessionId, user_id: known.userId }, 'réutilisation d’un refresh token : session révoquée');
    } else {
      await this.deps.audit.record({ ...origin, userId: known?.userId ?? null }, { eventType: 'auth.refresh.invalid', outcome: 'failure' });
    }
    throw AppError.unauthorized(INVALID_REFRESH);
  }

  /** Ends the caller's session and, when its refresh token is given, that token's session too. */
  async logout(actor: Actor, refreshToken?: string): Promise<void> {
    const { userId, sessionId } = sessionOf(actor);
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (repos) => {
      await repos.auth.revokeSession(sessionId, 'logout', now);
      if (refreshToken) {
        const known = await repos.auth.findRefreshToken(hashRefreshToken(refreshToken));
        if (known && known.userId === userId) await repos.auth.revokeSession(known.sessionId, 'logout', now);
      }
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.logout', outcome: 'success', resourceType: 'session', resourceId: sessionId }));
    });
  }

  async logoutAll(actor: Actor): Promise<void> {
    const { userId } = sessionOf(actor);
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (repos) => {
      const count = await repos.auth.revokeAllSessions(userId, 'logout_all', now);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.logout_all', outcome: 'success', resourceType: 'user', resourceId: userId, details: { sessions: count } }));
    });
  }

  /** Sets a new password, revokes every session, and opens one new session for the caller. */
  async changePassword(actor: Actor, input: PasswordChangeInput): Promise<TokenPair> {
    const { userId } = sessionOf(actor);
    const account = await this.deps.store.repos.auth.findAccount(userId);
    if (!account) throw AppError.unauthorized(INVALID_TOKEN);
    await this.verifyCurrentPassword(actor, account, input.currentPassword, input.endpoint);
    await this.deps.passwords.check(actor, input.newPassword, { username: account.username, email: account.email, userId: account.id });
    const hashed = await this.deps.passwords.hash(input.newPassword);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (repos) => {
      await repos.auth.updatePassword(account.id, hashed, now);
      await repos.auth.revokeAllSessions(account.id, 'password_changed', now);
      const tokens = await this.openSession(repos, account, actor, now);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.password.changed', outcome: 'success', resourceType: 'user', resourceId: account.id }));
      return tokens;
    });
  }

  /** The caller's current password; a wrong one counts as a failed login for brute force. */
  private async verifyCurrentPassword(actor: Actor, account: Account, currentPassword: string, endpoint: PasswordChangeInput['endpoint']): Promise<void> {
    const { repos } = this.deps.store;
    const now = this.deps.clock.now();
    const keys = lockoutKeys(this.deps.settings, { userId: account.id, identifier: account.email }, actor.ip);
    const attempt = { now, identifier: account.email, userId: account.id, ip: actor.ip, endpoint };
    const locked = longestLock(await repos.auth.findLockouts(keys), now);
    if (locked > 0) {
      await repos.auth.insertLoginAttempt({ ...attempt, success: false, reason: 'locked' });
      throw tooManyAttempts(locked);
    }
    if (await this.deps.hasher.verify(account.hashedPassword, currentPassword)) return;
    const outcome = await this.registerFailure(keys, now);
    await repos.auth.insertLoginAttempt({ ...attempt, success: false, reason: 'bad_password' });
    await this.auditNewLocks(actor, account.id, outcome);
    if (outcome.lockedSeconds > 0) throw tooManyAttempts(outcome.lockedSeconds);
    throw AppError.badRequest('Mot de passe actuel incorrect');
  }

  /** Counts one failure on every key, each row locked for the transaction so nodes never lose a count. */
  private registerFailure(keys: readonly LockoutKey[], now: Date): Promise<FailureOutcome> {
    const policy = lockoutPolicy(this.deps.settings);
    return this.deps.store.transaction(async (repos) => {
      const newLocks: FailureOutcome['newLocks'] = [];
      for (const key of keys) {
        const current = await repos.auth.lockLockoutRow(key, now);
        const next = applyFailure(current, key.threshold, policy, now);
        await repos.auth.saveLockout(next.row, now);
        if (next.lockMs !== null) newLocks.push({ scope: key.scope, durationSeconds: Math.ceil(next.lockMs / 1000) });
      }
      return { lockedSeconds: Math.max(0, ...newLocks.map((lock) => lock.durationSeconds)), newLocks };
    });
  }

  private async auditNewLocks(subject: AuditSubject, userId: number | null, outcome: FailureOutcome): Promise<void> {
    for (const lock of outcome.newLocks) {
      await this.deps.audit.record(subject, {
        eventType: 'auth.login.locked',
        outcome: 'failure',
        resourceType: 'user',
        resourceId: userId,
        details: { scope: lock.scope, duration_s: lock.durationSeconds },
      });
    }
  }

  /** Opens a session (a refresh-token family) and returns its first token pair. */
  private async openSession(repos: AuthRepositories, user: TokenSubject, origin: RequestOrigin, now: Date): Promise<TokenPair> {
    const sessionExpiresAt = new Date(now.getTime() + this.deps.settings.refreshFamilyMaxDays * DAY_MS);
    const sessionId = await repos.auth.insertSession({ userId: user.id, now, expiresAt: sessionExpiresAt, ip: origin.ip, userAgent: origin.userAgent });
    const refreshToken = newRefreshToken();
    await repos.auth.insertRefreshToken({
      sessionId,
      tokenHash: hashRefreshToken(refreshToken),
      parentId: null,
      now,
      expiresAt: this.refreshExpiry(now, sessionExpiresAt),
    });
    return this.tokenPair(user, sessionId, refreshToken, now);
  }

  private async tokenPair(user: TokenSubject, sessionId: string, refreshToken: string, now: Date): Promise<TokenPair> {
    const { settings } = this.deps;
    return {
      access_token: await signAccessToken(settings, { userId: user.id, email: user.email, role: user.role, sessionId }, now),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: accessTokenLifetimeSeconds(settings),
    };
  }

  /** A refresh token lives REFRESH_TOKEN_EXPIRE_DAYS, never beyond its session. */
  private refreshExpiry(now: Date, sessionExpiresAt: Date): Date {
    return new Date(Math.min(now.getTime() + this.deps.settings.refreshTokenExpireDays * DAY_MS, sessionExpiresAt.getTime()));
  }
}
