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
import type { AuthMetrics } from '../../metrics/registry.js';
import { countAttempt } from './attempt-metrics.js';
import { INVALID_TOKEN } from './authenticator.js';
import type { AttemptGuard, Claim } from './attempt-guard.js';
import { tooManyAttempts } from './brute-force.js';
import { MFA_CHALLENGE_SECONDS, mfaRequired } from './mfa-policy.js';
import type { MfaRepository } from './mfa-repository.js';
import { dummyPasswordHash, needsRehash, type PasswordHasher } from './password-hash.js';
import type { PasswordService } from './password-service.js';
import type { AuthRepository, LoginCandidate } from './repository.js';
import type { TokenPair } from './schemas.js';
import { accessTokenLifetimeSeconds, hashRefreshToken, newRefreshToken, signAccessToken, type AuthSettings } from './tokens.js';

const DAY_MS = 86_400_000;

const LOGIN_FAILURE_MESSAGES: Record<LoginInput['endpoint'], string> = {
  token: 'Email ou mot de passe incorrect',
  login: 'Identifiants invalides',
};

const INVALID_REFRESH = 'Refresh token invalide';

export type AuthRepositories = { auth: AuthRepository; audit: AuditRepository; mfa: MfaRepository };

export interface AuthDependencies {
  store: Store<AuthRepositories>;
  audit: AuditService;
  guard: AttemptGuard;
  passwords: PasswordService;
  hasher: PasswordHasher;
  clock: Clock;
  logger: Logger;
  settings: AuthSettings;
  /** auth_attempts_total and auth_refresh_reuse_total (docs/operations.md §9). */
  metrics: Pick<AuthMetrics, 'attempts' | 'refreshReuse'>;
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
export type TokenSubject = { id: number; email: string; role: Role };

/** The user and session of an authenticated caller (a system actor has neither). */
function sessionOf(actor: Actor): { userId: number; sessionId: string } {
  if (actor.userId === null || actor.sessionId === null) throw AppError.unauthorized(INVALID_TOKEN);
  return { userId: actor.userId, sessionId: actor.sessionId };
}

export class AuthService {
  constructor(private readonly deps: AuthDependencies) {}

  login(origin: RequestOrigin, input: LoginInput): Promise<TokenPair> {
    return countAttempt(this.deps.metrics.attempts, input.endpoint, () => this.passwordLogin(origin, input));
  }

  private async passwordLogin(origin: RequestOrigin, input: LoginInput): Promise<TokenPair> {
    const { store, hasher, guard } = this.deps;
    const now = this.deps.clock.now();
    const identifier = input.identifier.trim().toLowerCase();
    const user = await store.repos.auth.findLoginCandidate(identifier);
    const subject: AuditSubject = { ...origin, userId: user?.id ?? null, role: user?.role ?? null };
    const claim = await guard.claim({ subject, now, identifier, userId: user?.id ?? null, endpoint: input.endpoint });

    // Unknown accounts go through the same argon2 verification, against a fixed dummy hash.
    const passwordOk = user ? await hasher.verify(user.hashedPassword, input.password) : (await hasher.verify(await dummyPasswordHash(hasher), input.password), false);
    if (!user || !passwordOk) {
      throw await guard.fail(claim, user ? 'bad_password' : 'unknown_user', AppError.unauthorized(LOGIN_FAILURE_MESSAGES[input.endpoint]));
    }

    if (!user.isActive) {
      await guard.release(claim);
      await guard.recordRefusal(claim, 'inactive');
      throw AppError.forbidden('Compte désactivé');
    }

    const rehashed = needsRehash(user.hashedPassword) ? await hasher.hash(input.password) : null;
    if (await store.repos.mfa.isEnabled(user.id)) {
      // The password alone proves nothing yet: the streak is kept, so that code guesses count with it.
      throw await this.secondFactorStep(claim, user, input.endpoint, rehashed);
    }
    return this.completeLogin(claim, user, rehashed, {});
  }

  /**
   * Issues the tokens of a login whose every factor is verified: re-checks the locks (429 and no token
   * when one appeared meanwhile), clears the streaks, opens the session, in one transaction.
   */
  async completeLogin(
    claim: Claim,
    user: TokenSubject,
    rehashed: string | null,
    details: Record<string, unknown>,
    beforeTokens?: (repos: AuthRepositories) => Promise<void>,
  ): Promise<TokenPair> {
    const { now, subject } = claim.attempt;
    const result = await this.deps.store.transaction(async (repos) => {
      const locked = await this.deps.guard.settle(repos, claim, 'clear');
      if (locked > 0) return locked;
      await beforeTokens?.(repos);
      await repos.auth.recordSuccessfulLogin(user.id, now, rehashed);
      const tokens = await this.openSession(repos, user, subject, now);
      await this.deps.guard.recordSuccess(repos, claim, details);
      return tokens;
    });
    if (typeof result === 'number') throw tooManyAttempts(result);
    return result;
  }

  /** The "second factor required" answer: a short-lived, single-use challenge instead of tokens (docs/security.md §3a). */
  private async secondFactorStep(claim: Claim, user: LoginCandidate, endpoint: LoginInput['endpoint'], rehashed: string | null): Promise<AppError> {
    const { now, subject } = claim.attempt;
    const challenge = newRefreshToken();
    const result = await this.deps.store.transaction(async (repos) => {
      const locked = await this.deps.guard.settle(repos, claim, 'release');
      if (locked > 0) return locked;
      if (rehashed) await repos.auth.replacePasswordHash(user.id, rehashed);
      await repos.mfa.insertChallenge({ tokenHash: hashRefreshToken(challenge), userId: user.id, endpoint, now, expiresAt: new Date(now.getTime() + MFA_CHALLENGE_SECONDS * 1000) });
      await repos.auth.insertLoginAttempt({ now, identifier: claim.attempt.identifier, userId: user.id, ip: subject.ip, endpoint, success: false, reason: 'mfa_required' });
      await repos.audit.insert(auditRow(subject, { eventType: 'auth.mfa.challenge', outcome: 'success', resourceType: 'user', resourceId: user.id, details: { endpoint } }));
      return 0;
    });
    if (result > 0) return tooManyAttempts(result);
    return mfaRequired(challenge);
  }

  /** Rotates a refresh token; a consumed one presented again revokes its whole session. */
  refresh(origin: RequestOrigin, refreshToken: string): Promise<TokenPair> {
    return countAttempt(this.deps.metrics.attempts, 'refresh', () => this.rotateRefresh(origin, refreshToken));
  }

  private async rotateRefresh(origin: RequestOrigin, refreshToken: string): Promise<TokenPair> {
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
      this.deps.metrics.refreshReuse.inc();
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
    const { store, guard } = this.deps;
    const account = await store.repos.auth.findAccount(userId);
    if (!account) throw AppError.unauthorized(INVALID_TOKEN);
    const now = this.deps.clock.now();
    // A wrong current password counts as a failed login (docs/security.md §3), claimed before it is verified.
    const claim = await guard.claim({ subject: actor, now, identifier: account.email, userId: account.id, endpoint: input.endpoint });
    if (!(await this.deps.hasher.verify(account.hashedPassword, input.currentPassword))) {
      throw await guard.fail(claim, 'bad_password', AppError.badRequest('Mot de passe actuel incorrect'));
    }
    let hashed: string;
    try {
      await this.deps.passwords.check(actor, input.newPassword, { username: account.username, email: account.email, userId: account.id });
      hashed = await this.deps.passwords.hash(input.newPassword);
    } catch (error) {
      await guard.release(claim);
      throw error;
    }
    const result = await store.transaction(async (repos) => {
      const locked = await guard.settle(repos, claim, 'release');
      if (locked > 0) return locked;
      await repos.auth.updatePassword(account.id, hashed, now);
      await repos.auth.revokeAllSessions(account.id, 'password_changed', now);
      const tokens = await this.openSession(repos, account, actor, now);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.password.changed', outcome: 'success', resourceType: 'user', resourceId: account.id }));
      return tokens;
    });
    if (typeof result === 'number') throw tooManyAttempts(result);
    return result;
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
