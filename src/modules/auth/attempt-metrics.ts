/**
 * auth_attempts_total (docs/operations.md §9): one count per login or refresh, by route (`token` =
 * /auth/token, `login` = /auth/login, `refresh`) and outcome. A password step that asks for the
 * second factor is not an outcome yet: the login is counted when the code is checked. Errors that
 * are not refusals (the database is down) are server errors, counted by the HTTP metrics only.
 */
import type { Counter } from 'prom-client';
import { AppError } from '../../lib/errors.js';

export type AttemptMethod = 'token' | 'login' | 'refresh';
export type AttemptCounter = Counter<'method' | 'status'>;

function outcomeOf(error: unknown): 'failure' | 'locked' | null {
  if (!(error instanceof AppError) || error.status >= 500) return null;
  if ((error.details as { mfa_required?: boolean } | null)?.mfa_required === true) return null;
  return error.status === 429 ? 'locked' : 'failure';
}

/** Runs `work` and counts its outcome under `method`. */
export async function countAttempt<T>(attempts: AttemptCounter, method: AttemptMethod, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    attempts.labels(method, 'success').inc();
    return result;
  } catch (error) {
    const outcome = outcomeOf(error);
    if (outcome) attempts.labels(method, outcome).inc();
    throw error;
  }
}
