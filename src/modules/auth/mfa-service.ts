/**
 * TOTP two-factor sign-in (docs/security.md §3a): enrolment, confirmation by a first code, the second
 * step of a login, disabling with password + code, and the admin reset. Every code check goes
 * through the AttemptGuard, so that guessed codes count exactly like guessed passwords.
 */
import type { Store } from '../../db/store.js';
import type { Actor, RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { auditRow } from '../audit/service.js';
import type { AttemptGuard, Claim } from './attempt-guard.js';
import { countAttempt, type AttemptCounter } from './attempt-metrics.js';
import { INVALID_TOKEN } from './authenticator.js';
import { tooManyAttempts } from './brute-force.js';
import { generateRecoveryCodes, INVALID_CHALLENGE, INVALID_CODE, isTotpCode } from './mfa-policy.js';
import type { MfaSecrets } from './mfa-secrets.js';
import type { PasswordHasher } from './password-hash.js';
import type { TokenPair } from './schemas.js';
import type { AuthRepositories, AuthService } from './service.js';
import { hashRefreshToken } from './tokens.js';

export interface MfaDependencies {
  store: Store<AuthRepositories>;
  guard: AttemptGuard;
  auth: AuthService;
  hasher: PasswordHasher;
  secrets: MfaSecrets;
  clock: Clock;
  /** auth_attempts_total: a login with a second factor is counted when its code is checked. */
  attempts: AttemptCounter;
}

export interface Enrolment {
  secret: string;
  otpauth_uri: string;
}

export interface MfaStatus {
  enabled: boolean;
  pending: boolean;
  recovery_codes_remaining: number;
}

/** A verified code, applied in the transaction that issues tokens or removes the factor. */
type AcceptedCode = { kind: 'totp'; step: number } | { kind: 'recovery_code'; hash: string };

function callerOf(actor: Actor): number {
  if (actor.userId === null || actor.sessionId === null) throw AppError.unauthorized(INVALID_TOKEN);
  return actor.userId;
}

export class MfaService {
  constructor(private readonly deps: MfaDependencies) {}

  async status(actor: Actor): Promise<MfaStatus> {
    const userId = callerOf(actor);
    const factor = await this.deps.store.repos.mfa.findFactor(userId);
    return {
      enabled: factor?.confirmedAt != null,
      pending: factor !== null && factor.confirmedAt === null,
      recovery_codes_remaining: factor?.confirmedAt ? await this.deps.store.repos.mfa.countUnusedRecoveryCodes(userId) : 0,
    };
  }

  /** A new secret, pending until a first code confirms it; a confirmed factor must be disabled first. */
  async enrol(actor: Actor): Promise<Enrolment> {
    const userId = callerOf(actor);
    const { store, secrets } = this.deps;
    const account = await store.repos.auth.findAccount(userId);
    if (!account) throw AppError.unauthorized(INVALID_TOKEN);
    const secret = secrets.newSecret();
    const now = this.deps.clock.now();
    const saved = await store.transaction(async (repos) => {
      if (!(await repos.mfa.savePendingFactor(userId, secrets.encrypt(secret, userId), now))) return false;
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.mfa.enrolment_started', outcome: 'success', resourceType: 'user', resourceId: userId }));
      return true;
    });
    if (!saved) throw AppError.conflict('La double authentification est déjà activée');
    return { secret, otpauth_uri: secrets.otpauthUri(secret, account.email) };
  }

  /** The first code proves the app holds the secret; returns the 10 recovery codes, shown once. */
  async confirm(actor: Actor, code: string): Promise<{ recovery_codes: string[] }> {
    const userId = callerOf(actor);
    const { store, secrets } = this.deps;
    const factor = await store.repos.mfa.findFactor(userId);
    if (!factor || factor.confirmedAt) throw AppError.conflict(factor ? 'La double authentification est déjà activée' : 'Aucune inscription à la double authentification en cours');
    const now = this.deps.clock.now();
    const step = isTotpCode(code) ? await secrets.matchingStep(secrets.decrypt(factor.secretEncrypted, userId), code, now, null) : null;
    if (step === null) {
      await this.deps.store.repos.audit.insert(auditRow(actor, { eventType: 'auth.mfa.confirmation_failed', outcome: 'failure', resourceType: 'user', resourceId: userId }));
      throw AppError.badRequest(INVALID_CODE);
    }
    const codes = generateRecoveryCodes();
    const confirmed = await store.transaction(async (repos) => {
      if (!(await repos.mfa.confirmFactor(userId, step, now))) return false;
      await repos.mfa.replaceRecoveryCodes(userId, codes.map((c) => secrets.hashRecoveryCode(c, userId)), now);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.mfa.enabled', outcome: 'success', resourceType: 'user', resourceId: userId }));
      return true;
    });
    if (!confirmed) throw AppError.conflict('La double authentification est déjà activée');
    return { recovery_codes: codes };
  }

  /** The second step of a login: the challenge of the password step and a TOTP or recovery code. */
  async completeLogin(origin: RequestOrigin, challengeToken: string, code: string): Promise<TokenPair> {
    const { store } = this.deps;
    const now = this.deps.clock.now();
    const challengeHash = hashRefreshToken(challengeToken);
    const challenge = await store.repos.mfa.findOpenChallenge(challengeHash, now);
    const account = challenge ? await store.repos.auth.findAccount(challenge.userId) : null;
    if (!challenge || !account?.isActive) {
      await this.deps.store.repos.audit.insert(auditRow(origin, { eventType: 'auth.mfa.challenge_invalid', outcome: 'failure' }));
      throw AppError.unauthorized(INVALID_CHALLENGE);
    }
    const subject = { ...origin, userId: account.id, role: account.role };
    return countAttempt(this.deps.attempts, challenge.endpoint, async () => {
      const claim = await this.deps.guard.claim({ subject, now, identifier: account.email, userId: account.id, endpoint: 'mfa' });
      const accepted = await this.verifyCode(account.id, code, now);
      if (!accepted) throw await this.deps.guard.fail(claim, 'bad_code', AppError.unauthorized(INVALID_CODE));
      return this.deps.auth.completeLogin(claim, account, null, { endpoint: challenge.endpoint, second_factor: accepted.kind }, async (repos) => {
        // Single use, decided in the transaction that issues the tokens: a race loser gets nothing.
        if (!(await repos.mfa.useChallenge(challengeHash, now))) throw AppError.unauthorized(INVALID_CHALLENGE);
        if (!(await this.applyCode(repos, account.id, accepted, now))) throw AppError.unauthorized(INVALID_CODE);
      });
    });
  }

  /** Removes the caller's factor: the password and a code (TOTP or recovery), both counted by brute force. */
  async disable(actor: Actor, password: string, code: string): Promise<void> {
    const userId = callerOf(actor);
    const { store, guard } = this.deps;
    const account = await store.repos.auth.findAccount(userId);
    if (!account) throw AppError.unauthorized(INVALID_TOKEN);
    if (!(await store.repos.mfa.isEnabled(userId))) throw AppError.conflict("La double authentification n'est pas activée");
    const now = this.deps.clock.now();
    const claim = await guard.claim({ subject: actor, now, identifier: account.email, userId, endpoint: 'mfa_disable' });
    const passwordOk = await this.deps.hasher.verify(account.hashedPassword, password);
    const accepted = passwordOk ? await this.verifyCode(userId, code, now) : null;
    if (!accepted) throw await guard.fail(claim, passwordOk ? 'bad_code' : 'bad_password', AppError.badRequest('Mot de passe ou code invalide'));
    await this.settleAnd(claim, async (repos) => {
      if (!(await this.applyCode(repos, userId, accepted, now))) throw AppError.badRequest('Mot de passe ou code invalide');
      await repos.mfa.deleteFactor(userId);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.mfa.disabled', outcome: 'success', resourceType: 'user', resourceId: userId }));
    });
  }

  /** Admin reset (a lost phone and lost codes): the user signs in with the password alone, or enrols again. */
  async reset(actor: Actor, userId: number): Promise<void> {
    const removed = await this.deps.store.transaction(async (repos) => {
      if (!(await repos.auth.findAccount(userId))) return null;
      const had = await repos.mfa.deleteFactor(userId);
      await repos.audit.insert(auditRow(actor, { eventType: 'auth.mfa.reset', outcome: 'success', resourceType: 'user', resourceId: userId, details: { had_factor: had } }));
      return had;
    });
    if (removed === null) throw AppError.notFound('Utilisateur introuvable');
  }

  private async settleAnd(claim: Claim, work: (repos: AuthRepositories) => Promise<void>): Promise<void> {
    const { guard, store } = this.deps;
    const locked = await store.transaction(async (repos) => {
      const seconds = await guard.settle(repos, claim, 'release');
      if (seconds === 0) await work(repos);
      return seconds;
    });
    if (locked > 0) throw tooManyAttempts(locked);
  }

  /** Checks a code without spending it: a TOTP newer than the last accepted step, or an unused recovery code. */
  private async verifyCode(userId: number, code: string, now: Date): Promise<AcceptedCode | null> {
    const { store, secrets } = this.deps;
    const factor = await store.repos.mfa.findFactor(userId);
    if (!factor?.confirmedAt) return null;
    if (isTotpCode(code)) {
      const step = await secrets.matchingStep(secrets.decrypt(factor.secretEncrypted, userId), code, now, factor.lastUsedStep);
      return step === null ? null : { kind: 'totp', step };
    }
    const hash = secrets.hashRecoveryCode(code, userId);
    return (await store.repos.mfa.hasUnusedRecoveryCode(userId, hash)) ? { kind: 'recovery_code', hash } : null;
  }

  private applyCode(repos: AuthRepositories, userId: number, accepted: AcceptedCode, now: Date): Promise<boolean> {
    return accepted.kind === 'totp' ? repos.mfa.useStep(userId, accepted.step) : repos.mfa.useRecoveryCode(userId, accepted.hash, now);
  }
}
