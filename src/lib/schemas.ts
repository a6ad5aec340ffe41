import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorStatus } from './errors.js';

/** The error envelope of docs/api.md §2, declared on every route for the OpenAPI document. */
export const ErrorEnvelopeSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Unknown(),
      trace_id: Type.String(),
    }),
  },
  { $id: 'ErrorEnvelope', description: 'Enveloppe d’erreur' },
);

/**
 * A route's responses: its success schemas and the envelope under each error status it can answer,
 * so that the OpenAPI document lists every status (docs/api.md §8). Routes name the statuses of
 * their own rules (400, 403, 404, 409, ...); src/plugins/openapi.ts adds the platform ones
 * (401/403 of `authorize`, 413/415 of body parsing, 422, 429, 500, 503).
 */
export function withErrors<T extends Record<number, TSchema>>(responses: T, ...errors: ErrorStatus[]): T {
  const documented: Record<number, TSchema> = { ...responses };
  for (const status of errors) documented[status] ??= Type.Ref(ErrorEnvelopeSchema, { description: ERROR_CODES[status] });
  // Typed as the success responses only: errors are sent by the error handler, not returned.
  return documented as T;
}

/** An output timestamp: a Date (or ISO string) serialised as ISO-8601 UTC with milliseconds. */
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

/** A path id: a positive PostgreSQL integer (anything else → 422, never a database error). */
export const IdParam = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

/*
 * Nullable inputs use `nullable: true`, not `anyOf [X, null]`: with the app's Ajv `coerceTypes`
 * (kept because the legacy front end sends numbers as strings), a union's first branch would turn
 * an explicit null into `0` or `""`.
 */

/** An input value of `schema`, or null. */
export function Nullable<T extends TSchema>(schema: T, description?: string) {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true, ...(description ? { description } : {}) });
}

/** An input enum value, or null. */
export function NullableEnum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number] | null>({ type: 'string', nullable: true, enum: [...values, null], ...(description ? { description } : {}) });
}

/** An output value of `schema`, or null. */
export function OrNull<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}
