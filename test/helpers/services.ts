/**
 * Assertions for the suites that call services directly (no HTTP): the AppError a call rejects
 * with, the way the HTTP suites read the error envelope (test/helpers/http.ts).
 */
import assert from 'node:assert/strict';
import { AppError, type ErrorStatus } from '../../src/lib/errors.js';

/** The AppError `work` rejects with (fails when it resolves or throws anything else). */
export async function appErrorOf(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AppError, String(error));
  return error;
}

/** The status, message and details of the AppError `work` rejects with, to compare whole. */
export async function rejection(work: Promise<unknown>): Promise<{ status: number; message: string; details: unknown }> {
  const error = await appErrorOf(work);
  return { status: error.status, message: error.message, details: error.details };
}

/** Asserts that `work` fails with an AppError of this status and exact message; returns it. */
export async function rejectsWith(work: Promise<unknown>, status: ErrorStatus, message: string): Promise<AppError> {
  const error = await appErrorOf(work);
  assert.equal(error.status, status);
  assert.equal(error.message, message);
  return error;
}
