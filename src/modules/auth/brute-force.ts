/**
 * Brute-force protection (docs/security.md §3): per-account and per-IP failure streaks in
 * PostgreSQL, so every node sees the same locks. 5 failures lock for 5 minutes, then each further
 * failure after a lock expires locks again for twice as long, capped at 8×. Pure rules here; the
 * AuthService reads and writes the rows.
 */
import type { AppConfig } from '../../config/types.js';
import type { LockoutScope } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import type { LockoutId, LockoutRow } from './repository.js';

const MAX_LOCK_MULTIPLIER = 8;

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

/**
 * The account key shares one counter between the e-mail and the username of a known user. A caller
 * without an IP (a direct service call) has no IP key.
 */
export function lockoutKeys(settings: LockoutSettings, account: { userId: number | null; identifier: string }, ip: string | null): LockoutKey[] {
  const accountKey: LockoutKey = {
    scope: 'account',
    key: account.userId !== null ? `user:${account.userId}` : `id:${account.identifier.toLowerCase()}`.slice(0, 255),
    threshold: settings.bruteForceMaxFailures,
  };
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
 * the later of the previous failure and the end of the last lock.
 */
export function applyFailure(row: LockoutRow, threshold: number, policy: LockoutPolicy, now: Date): { row: LockoutRow; lockMs: number | null } {
  const streakEnd = Math.max(row.lastFailureAt?.getTime() ?? -Infinity, row.lockedUntil?.getTime() ?? -Infinity);
  const continuing = row.failures > 0 && now.getTime() - streakEnd <= policy.windowMs;
  const failures = continuing ? row.failures + 1 : 1;
  if (failures < threshold) {
    return { row: { ...row, failures, lastFailureAt: now }, lockMs: null };
  }
  const lockMs = policy.lockMs * Math.min(2 ** (failures - threshold), MAX_LOCK_MULTIPLIER);
  return { row: { ...row, failures, lastFailureAt: now, lockedUntil: new Date(now.getTime() + lockMs) }, lockMs };
}

export interface FailureOutcome {
  /** Longest lock started by this failure, in seconds (0 = no new lock). */
  lockedSeconds: number;
  newLocks: { scope: LockoutScope; durationSeconds: number }[];
}

export function tooManyAttempts(seconds: number): AppError {
  return new AppError(429, `Trop de tentatives échouées. Réessayez dans ${seconds} secondes.`, { headers: { 'Retry-After': String(seconds) } });
}
