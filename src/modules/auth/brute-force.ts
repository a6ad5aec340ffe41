/**
 * Brute-force protection (security.md §3): per-account and per-IP failure streaks in PostgreSQL,
 * so every node sees the same locks. 5 failures lock for 5 minutes, then each further failure
 * after a lock expires locks again for twice as long, capped at 8×.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../../config/types.js';
import type { Database, LockoutScope } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { clearLockouts, findLockouts, lockLockoutRow, saveLockout, type LockoutRow } from './repository.js';

const MAX_LOCK_MULTIPLIER = 8;

export interface LockoutKey {
  scope: LockoutScope;
  key: string;
  threshold: number;
}

export interface LockoutPolicy {
  windowMs: number;
  lockMs: number;
}

export function lockoutPolicy(config: AppConfig): LockoutPolicy {
  return { windowMs: config.auth.bruteForceWindowMinutes * 60_000, lockMs: config.auth.bruteForceLockMinutes * 60_000 };
}

/** The account key shares one counter between the e-mail and the username of a known user. */
export function lockoutKeys(config: AppConfig, account: { userId: number | null; identifier: string }, ip: string): LockoutKey[] {
  return [
    {
      scope: 'account',
      key: account.userId !== null ? `user:${account.userId}` : `id:${account.identifier.toLowerCase()}`.slice(0, 255),
      threshold: config.auth.bruteForceMaxFailures,
    },
    { scope: 'ip', key: ip, threshold: config.auth.bruteForceIpMaxFailures },
  ];
}

/** Seconds left on a lock, rounded up; 0 when not locked. */
export function remainingSeconds(lockedUntil: Date | null, now: Date): number {
  if (!lockedUntil || lockedUntil <= now) return 0;
  return Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000);
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

export function tooManyAttempts(seconds: number): AppError {
  return new AppError(429, `Trop de tentatives échouées. Réessayez dans ${seconds} secondes.`, { headers: { 'Retry-After': String(seconds) } });
}

/** The longest lock still running on any of the keys, in seconds (0 = free to try). */
export async function lockedFor(db: Kysely<Database>, keys: LockoutKey[], now: Date): Promise<number> {
  const rows = await findLockouts(db, keys);
  return Math.max(0, ...rows.map((row) => remainingSeconds(row.lockedUntil, now)));
}

export interface FailureOutcome {
  /** Longest lock started by this failure, in seconds (0 = no new lock). */
  lockedSeconds: number;
  newLocks: { scope: LockoutScope; durationSeconds: number }[];
}

/** Counts one failure on every key, each row locked for the transaction so nodes never lose a count. */
export async function registerFailure(db: Kysely<Database>, keys: LockoutKey[], policy: LockoutPolicy, now: Date): Promise<FailureOutcome> {
  return db.transaction().execute(async (trx) => {
    const newLocks: FailureOutcome['newLocks'] = [];
    for (const key of keys) {
      const current = await lockLockoutRow(trx, key.scope, key.key, now);
      const next = applyFailure(current, key.threshold, policy, now);
      await saveLockout(trx, next.row, now);
      if (next.lockMs !== null) newLocks.push({ scope: key.scope, durationSeconds: Math.ceil(next.lockMs / 1000) });
    }
    return { lockedSeconds: Math.max(0, ...newLocks.map((lock) => lock.durationSeconds)), newLocks };
  });
}

export async function registerSuccess(db: Kysely<Database>, keys: LockoutKey[], now: Date): Promise<void> {
  await clearLockouts(db, keys, now);
}
