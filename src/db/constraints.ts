/**
 * PostgreSQL constraint violations → API errors. A unique index, a foreign key or a check can be
 * hit by a race after the service's own pre-check passed; the answer must then be the same as the
 * pre-check's (docs/architecture.md "Concurrency"). Each repository declares its table of
 * constraint → error; services run writes through `mapConstraintViolation`.
 */
import type { AppError } from '../lib/errors.js';

export type ConstraintCode = '23505' | '23503' | '23514';

const CODES: readonly string[] = ['23505', '23503', '23514'];

export interface ConstraintViolation {
  /** 23505 unique, 23503 foreign key, 23514 check. */
  code: ConstraintCode;
  constraint: string;
}

export function constraintViolation(error: unknown): ConstraintViolation | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !CODES.includes(e.code)) return null;
  return { code: e.code as ConstraintCode, constraint: typeof e.constraint === 'string' ? e.constraint : '' };
}

/** Constraint name → the error to answer (a function, so that each answer is a fresh AppError). */
export type ConstraintErrors = Readonly<Record<string, () => AppError>>;

/** The mapped AppError when `error` violates a listed constraint, else `error` itself. */
export function mapConstraintViolation(error: unknown, table: ConstraintErrors): unknown {
  const violation = constraintViolation(error);
  if (!violation || !Object.hasOwn(table, violation.constraint)) return error;
  return table[violation.constraint]!();
}
