/**
 * The one refusal of U+0000 in the input (docs/api.md §2): PostgreSQL text cannot store it, so a
 * NUL anywhere in the path parameters, query or body (a known field or not) is a 422 at that field,
 * before any handler runs. A preHandler hook, after validation, so that schema errors come first
 * and fields a strict schema drops are not judged. The errors plugin still maps PostgreSQL's own refusal
 * (SQLSTATE 22021) to a 422, as the net for input that reaches the database another way.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type ValidationIssue } from '../lib/errors.js';

export const NUL_MESSAGE = 'Caractère NUL interdit';

/** The issues of every string under `value` that holds a NUL, located by their path. */
/** The JSON parser bounds the depth (src/plugins/body-parsers.ts), so the walk needs no limit of its own. */
export function nulIssues(value: unknown, loc: (string | number)[], issues: ValidationIssue[] = []): ValidationIssue[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) issues.push({ loc, msg: NUL_MESSAGE, type: 'value' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => nulIssues(item, [...loc, index], issues));
  } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) nulIssues(item, [...loc, key], issues);
  }
  return issues;
}

export default fp(
  async function noNulPlugin(app: FastifyInstance) {
    app.addHook('preHandler', async (request) => {
      const issues = nulIssues(request.params, ['path']);
      nulIssues(request.query, ['query'], issues);
      nulIssues(request.body, ['body'], issues);
      // One refused field: its message is the error's message too, as for the other business rules.
      if (issues.length > 0) throw AppError.validation(issues, issues.length === 1 ? NUL_MESSAGE : undefined);
    });
  },
  { name: 'no-nul' },
);
