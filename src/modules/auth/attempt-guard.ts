/**
 * The atomic brute-force check around every secret a caller proves (docs/security.md §3): a
 * password at login, the current password of a change, a second-factor code. `claim` takes the
 * attempt's place in both streaks under row locks *before* the secret is verified, so that parallel
 * attempts never outnumber the threshold; `settle` re-checks the locks in the caller's transaction,
 * right before tokens are issued or a secret is changed. Every refusal is audited.
 */
import type { Counter } from 'prom-client';
import type { LoginEndpoint, LoginReason } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import type { AppError } from '../../lib/errors.js';
import { auditRow, type AuditSubject } from '../audit/service.js';
import {
  applyFailure,
  failureOutcome,
  foreignLockSeconds,
  lockoutKeys,
  lockoutPolicy,
  longestLock,
  releaseClaim,
  settleSuccess,
  tooManyAttempts,
  accountKeyOf,
  claimsPlace,
  type ClaimedKey,
  type LockoutSettings,
} from './brute-force.js';
import type { AuthRepositories } from './service.js';

/** One attempt: who it names, from where, on which route. */
export interface Attempt {
  subject: AuditSubject;
  now: Date;
  identifier: string;
  userId: number | null;
  endpoint: LoginEndpoint;
}

/** An attempt that holds its place in the streaks. */
export interface Claim {
  attempt: Attempt;
  accountKey: string;
  keys: ClaimedKey[];
}

export interface AttemptGuardDependencies {
  store: Store<AuthRepositories>;
  settings: LockoutSettings;
  /** auth_lockouts_total (docs/operations.md §9), counted once the lock is committed. */
  lockouts: Counter<'scope'>;
}

export class AttemptGuard {
  constructor(private readonly deps: AttemptGuardDependencies) {}

  /** Claims a place for `attempt`, or answers 429 (recorded and audited) while either key is locked. */
  async claim(attempt: Attempt): Promise<Claim> {
    const account = { userId: attempt.userId, identifier: attempt.identifier };
    const accountKey = accountKeyOf(account);
    const keys = lockoutKeys(this.deps.settings, account, attempt.subject.ip);
    const policy = lockoutPolicy(this.deps.settings);
    const result = await this.deps.store.transaction(async (repos) => {
      const rows = [];
      for (const key of keys) rows.push(await repos.auth.lockLockoutRow(key, attempt.now));
      const locked = longestLock(rows, attempt.now);
      if (locked > 0) {
        await this.recordBlocked(repos, attempt);
        return locked;
      }
      const claimed: ClaimedKey[] = [];
      for (const [index, key] of keys.entries()) {
        const before = rows[index]!;
        if (!claimsPlace(key.scope)) {
          claimed.push({ key, before, after: before, lockMs: null, counted: false });
          continue;
        }
        const next = applyFailure(before, key.threshold, policy, attempt.now, accountKey);
        await repos.auth.saveLockout(next.row, attempt.now);
        claimed.push({ key, before, after: next.row, lockMs: next.lockMs, counted: true });
      }
      return claimed;
    });
    if (typeof result === 'number') throw tooManyAttempts(result);
    return { attempt, accountKey, keys: result };
  }

  /**
   * A wrong secret: the claimed failure stays. Records it, audits the failure and any lock it
   * started, and returns the answer: 429 when this failure locked a key, else `wrong`.
   */
  async fail(claim: Claim, reason: LoginReason, wrong: AppError, details: Record<string, unknown> = {}): Promise<AppError> {
    const { attempt } = claim;
    const policy = lockoutPolicy(this.deps.settings);
    const outcome = await this.deps.store.transaction(async (repos) => {
      // The keys that claimed no place count the verified failure now.
      const counted: ClaimedKey[] = [];
      for (const claimed of claim.keys) {
        if (claimed.counted) {
          counted.push(claimed);
          continue;
        }
        const row = await repos.auth.lockLockoutRow(claimed.key, attempt.now);
        const next = applyFailure(row, claimed.key.threshold, policy, attempt.now, claim.accountKey);
        await repos.auth.saveLockout(next.row, attempt.now);
        counted.push({ ...claimed, after: next.row, lockMs: next.lockMs, counted: true });
      }
      const outcome = failureOutcome(counted);
      await repos.auth.insertLoginAttempt({ ...this.attemptRow(attempt), success: false, reason });
      await repos.audit.insert(auditRow(attempt.subject, { ...this.resource(attempt), eventType: 'auth.login.failure', outcome: 'failure', details: { reason, endpoint: attempt.endpoint, ...details } }));
      for (const lock of outcome.newLocks) {
        await repos.audit.insert(
          auditRow(attempt.subject, { ...this.resource(attempt), eventType: 'auth.login.locked', outcome: 'failure', details: { scope: lock.scope, duration_s: lock.durationSeconds, endpoint: attempt.endpoint } }),
        );
      }
      return outcome;
    });
    for (const lock of outcome.newLocks) this.deps.lockouts.labels(lock.scope).inc();
    return outcome.lockedSeconds > 0 ? tooManyAttempts(outcome.lockedSeconds) : wrong;
  }

  /**
   * In the caller's transaction, once the secret is right: when a lock that this attempt did not start
   * holds either key, the claim is released, the refusal recorded, and the seconds returned (the
   * caller answers 429 and issues nothing). Otherwise the claim is settled, as a success (`clear`) or
   * as if it had never been counted (`release`), and 0 is returned.
   */
  async settle(repos: AuthRepositories, claim: Claim, verdict: 'clear' | 'release'): Promise<number> {
    const { now } = claim.attempt;
    const rows = [];
    for (const claimed of claim.keys) rows.push(await repos.auth.lockLockoutRow(claimed.key, now));
    const locked = Math.max(0, ...rows.map((row, index) => foreignLockSeconds(row, claim.keys[index]!, now)));
    for (const [index, row] of rows.entries()) {
      const claimed = claim.keys[index]!;
      const settled = locked > 0 || verdict === 'release' ? releaseClaim(row, claimed, claim.accountKey) : settleSuccess(row, claimed, claim.accountKey);
      await repos.auth.saveLockout(settled, now);
    }
    if (locked > 0) await this.recordBlocked(repos, claim.attempt);
    return locked;
  }

  /** `settle` in its own transaction, for a right secret that leads to no token (429 when locked meanwhile). */
  async release(claim: Claim): Promise<void> {
    const locked = await this.deps.store.transaction((repos) => this.settle(repos, claim, 'release'));
    if (locked > 0) throw tooManyAttempts(locked);
  }

  /** Writes the successful attempt, in the caller's transaction. */
  async recordSuccess(repos: AuthRepositories, claim: Claim, details: Record<string, unknown> = {}): Promise<void> {
    const { attempt } = claim;
    await repos.auth.insertLoginAttempt({ ...this.attemptRow(attempt), success: true, reason: 'ok' });
    await repos.audit.insert(auditRow(attempt.subject, { ...this.resource(attempt), eventType: 'auth.login.success', outcome: 'success', details: { endpoint: attempt.endpoint, ...details } }));
  }

  /** Writes a refused attempt with a reason other than a wrong secret (inactive account), in its own transaction. */
  async recordRefusal(claim: Claim, reason: LoginReason): Promise<void> {
    const { attempt } = claim;
    await this.deps.store.transaction(async (repos) => {
      await repos.auth.insertLoginAttempt({ ...this.attemptRow(attempt), success: false, reason });
      await repos.audit.insert(auditRow(attempt.subject, { ...this.resource(attempt), eventType: 'auth.login.failure', outcome: 'failure', details: { reason, endpoint: attempt.endpoint } }));
    });
  }

  private async recordBlocked(repos: AuthRepositories, attempt: Attempt): Promise<void> {
    await repos.auth.insertLoginAttempt({ ...this.attemptRow(attempt), success: false, reason: 'locked' });
    await repos.audit.insert(auditRow(attempt.subject, { ...this.resource(attempt), eventType: 'auth.login.blocked', outcome: 'denied', details: { endpoint: attempt.endpoint } }));
  }

  private attemptRow(attempt: Attempt) {
    return { now: attempt.now, identifier: attempt.identifier, userId: attempt.userId, ip: attempt.subject.ip, endpoint: attempt.endpoint };
  }

  private resource(attempt: Attempt) {
    return { resourceType: 'user', resourceId: attempt.userId };
  }
}
