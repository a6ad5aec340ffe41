/**
 * Clean-up of the text and date inputs of the intervention use cases, collecting 422 issues
 * (docs/api.md §2). Pure functions: the checks the route schemas cannot express.
 */
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { readTimestamp } from '../../lib/listing.js';
import { INTERVENTION_MESSAGES } from './policy.js';

/** Trimmed text; an empty string becomes null (docs/domain.md §1). */
export function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A date input; undefined (and an issue at `loc`) when it is not a real date. */
export function parseDateField(value: string | null | undefined, loc: (string | number)[], issues: ValidationIssue[]): Date | null | undefined {
  if (value === undefined || value === null) return value;
  return readTimestamp(value.trim(), loc, issues);
}

/** The trimmed title; an issue when nothing is left. */
export function checkTitre(value: string, issues: ValidationIssue[]): string {
  const titre = value.trim();
  if (titre === '') issues.push({ loc: ['body', 'titre'], msg: INTERVENTION_MESSAGES.titleRequired, type: 'too_short' });
  return titre;
}

export function validationError(issues: ValidationIssue[]): AppError {
  // A single business rule in the details: its text is also the message (as the spec words it).
  const only = issues.length === 1 ? issues[0] : undefined;
  return AppError.validation(issues, only && only.type === 'value' ? only.msg : undefined);
}
