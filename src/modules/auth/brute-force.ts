/**
 * Brute-force protection (docs/security.md §3): per-account and per-IP failure streaks in
 * PostgreSQL, so every node sees the same locks. 5 failures lock for 5 minutes, then each further
 * failure after a lock expires locks again for twice as long, capped at 8×. Pure rules here; the
 * AttemptGuard (attempt-guard.ts) reads and writes the rows under row locks.
 *
 * An attempt first *claims* its place in the streak, counted as a failure, before the password or
 * code is verified; the verdict then settles the claim: a failure keeps it, a success clears the
 * account's streak and, on the IP key, only the failures of that same account.
 */
import type { AppConfig } from '../../config/types.js';
import type { LockoutScope } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import type { LockoutId, LockoutRow } from './repository.js';

const MAX_LOCK_MULTIPLIER = 8;
/** An IP row remembers at most this many accounts per streak; beyond, failures are simply not forgotten. */
const MAX_REMEMBERED_ACCOUNTS = 200;

export type LockoutSettings = Pick<AppConfig['auth'], 'bruteForceMaxFailures' | 'bruteForceIpMaxFailures' | 'bruteForceWindowMinutes' | 'bruteForceLockMinutes'>;

export interface LockoutKey extends LockoutId {
  threshold: number;
}

export interface LockoutPolicy {
  windowMs: number;
  lockMs: number;
}

export function lockoutPolicy(settings: LockoutSettings): LockoutPolicy {
  return { windowMs: settings.bruteForceWindowMinutes * 60_000, lockMs: settings.bruteForceLockMinutes * 60_000 };
}

/** `user:<id>` for a known user (e-mail and username share it), else `id:<lower-cased identifier>`. */
export function accountKeyOf(account: { userId: number | null; identifier: string }): string {
  return account.userId !== null ? `user:${account.userId}` : `id:${account.identifier.toLowerCase()}`.slice(0, 255);
}

/**
 * The account key, then the IP key: always in this order, so that two attempts lock the rows in the
 * same order and never deadlock. A caller without an IP (a direct service call) has no IP key.
 */
export function lockoutKeys(settings: LockoutSettings, account: { userId: number | null; identifier: string }, ip: string | null): LockoutKey[] {
  const accountKey: LockoutKey = { scope: 'account', key: accountKeyOf(account), threshold: settings.bruteForceMaxFailures };
  return ip === null ? [accountKey] : [accountKey, { scope: 'ip', key: ip, threshold: settings.bruteForceIpMaxFailures }];
}

/** Seconds left on a lock, rounded up; 0 when not locked. */
export function remainingSeconds(lockedUntil: Date | null, now: Date): number {
  if (!lockedUntil || lockedUntil <= now) return 0;
  return Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000);
}

/** The longest lock still running on any of the rows, in seconds (0 = free to try). */
export function longestLock(rows: readonly LockoutRow[], now: Date): number {
  return Math.max(0, ...rows.map((row) => remainingSeconds(row.lockedUntil, now)));
}

/**
 * Pure transition for one failure. A streak goes on while each failure comes within the window of
 * the later of the previous failure and the end of the last lock. On an IP row, the failure is also
 * remembered under `accountKey`.
 */
export function applyFailure(row: LockoutRow, threshold: number, policy: LockoutPolicy, now: Date, accountKey?: string): { row: LockoutRow; lockMs: number | null } {
  const streakEnd = Math.max(row.lastFailureAt?.getTime() ?? -Infinity, row.lockedUntil?.getTime() ?? -Infinity);
  const continuing = row.failures > 0 && now.getTime() - streakEnd <= policy.windowMs;
  const failures = continuing ? row.failures + 1 : 1;
  const accountFailures = rememberFailure(continuing ? row.accountFailures : {}, row.scope === 'ip' ? accountKey : undefined);
  if (failures < threshold) {
    return { row: { ...row, failures, lastFailureAt: now, accountFailures }, lockMs: null };
  }
  const lockMs = policy.lockMs * Math.min(2 ** (failures - threshold), MAX_LOCK_MULTIPLIER);
  return { row: { ...row, failures, lastFailureAt: now, lockedUntil: new Date(now.getTime() + lockMs), accountFailures }, lockMs };
}

function rememberFailure(counts: Readonly<Record<string, number>>, accountKey: string | undefined): Record<string, number> {
  if (accountKey === undefined) return { ...counts };
  if (!(accountKey in counts) && Object.keys(counts).length >= MAX_REMEMBERED_ACCOUNTS) return { ...counts };
  return { ...counts, [accountKey]: (counts[accountKey] ?? 0) + 1 };
}

/** One key's part of a claim: the row before and after the claimed failure. */
export interface ClaimedKey {
  key: LockoutKey;
  before: LockoutRow;
  after: LockoutRow;
  /** The lock this claim started, in ms (null: none). */
  lockMs: number | null;
  /** False for the IP key: it is read, not claimed (see `claimsPlace`). */
  counted: boolean;
}

/**
 * Only the account key claims a place before verification. The IP key is shared by everyone behind
 * one address: counting the attempts in flight there would lock an office whose staff sign in at the
 * same moment. Its lock is still checked at the claim and re-checked before tokens, and its failures
 * are counted once verified; parallel guesses over many accounts from one IP stay bounded by the
 * per-account locks and the auth rate limit (docs/security.md §3).
 */
export function claimsPlace(scope: LockoutScope): boolean {
  return scope === 'account';
}

/** The lock on `row` is the one this claim started (nobody else can have written the row since). */
export function isOwnLock(row: LockoutRow, claimed: ClaimedKey): boolean {
  return claimed.lockMs !== null && row.lockedUntil?.getTime() === claimed.after.lockedUntil?.getTime();
}

/** Seconds of a lock on `row` that this attempt did not start itself (0: none). */
export function foreignLockSeconds(row: LockoutRow, claimed: ClaimedKey, now: Date): number {
  return isOwnLock(row, claimed) ? 0 : remainingSeconds(row.lockedUntil, now);
}

/** Takes back the lock this claim started, and its failure time when nobody failed since. */
function withoutOwnLock(row: LockoutRow, claimed: ClaimedKey): LockoutRow {
  const untouched = row.failures === claimed.after.failures && row.lastFailureAt?.getTime() === claimed.after.lastFailureAt?.getTime();
  return {
    ...row,
    lockedUntil: isOwnLock(row, claimed) ? claimed.before.lockedUntil : row.lockedUntil,
    lastFailureAt: untouched ? claimed.before.lastFailureAt : row.lastFailureAt,
  };
}

/** A verified attempt that must not count (a right password with a second factor to come, an inactive account, a refusal). */
export function releaseClaim(row: LockoutRow, claimed: ClaimedKey, accountKey: string): LockoutRow {
  if (!claimed.counted) return row;
  const restored = withoutOwnLock(row, claimed);
  const counts = { ...row.accountFailures };
  if (row.scope === 'ip' && (counts[accountKey] ?? 0) > 0) {
    counts[accountKey] = counts[accountKey]! - 1;
    if (counts[accountKey] === 0) delete counts[accountKey];
  }
  return { ...restored, failures: Math.max(0, row.failures - 1), accountFailures: counts };
}

/**
 * A success: the account key's streak is over; the IP key forgets the failures on this account
 * only (this claim included), so spraying other accounts from one IP keeps counting.
 */
export function settleSuccess(row: LockoutRow, claimed: ClaimedKey, accountKey: string): LockoutRow {
  const restored = claimed.counted ? withoutOwnLock(row, claimed) : row;
  if (row.scope === 'account') return { ...restored, failures: 0, accountFailures: {} };
  const { [accountKey]: mine = 0, ...others } = row.accountFailures;
  return { ...restored, failures: Math.max(0, row.failures - mine), accountFailures: others };
}

export interface FailureOutcome {
  /** Longest lock started by this failure, in seconds (0 = no new lock). */
  lockedSeconds: number;
  newLocks: { scope: LockoutScope; durationSeconds: number }[];
}

/** The locks a failed attempt's claim started. */
export function failureOutcome(claimed: readonly ClaimedKey[]): FailureOutcome {
  const newLocks = claimed.filter((c) => c.lockMs !== null).map((c) => ({ scope: c.key.scope, durationSeconds: Math.ceil(c.lockMs! / 1000) }));
  return { lockedSeconds: Math.max(0, ...newLocks.map((lock) => lock.durationSeconds)), newLocks };
}

export function tooManyAttempts(seconds: number): AppError {
  return new AppError(429, `Trop de tentatives échouées. Réessayez dans ${seconds} secondes.`, { headers: { 'Retry-After': String(seconds) } });
}
