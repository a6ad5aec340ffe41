/**
 * Legacy aliases of body fields (docs/api.md §5 rule 6: `type_intervention`, `type_equipement` for
 * `type`). The alias is copied to the field before validation, so that the schema requires the
 * field itself and the OpenAPI document can say so.
 */
import type { preValidationAsyncHookHandler } from 'fastify';

/** preValidation hook: a body object without `field` but with `alias` gets `field` = the alias's value. */
export function copyAlias(field: string, alias: string): preValidationAsyncHookHandler {
  return async (request) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const fields = body as Record<string, unknown>;
    if (fields[field] === undefined && fields[alias] !== undefined) fields[field] = fields[alias];
  };
}
