import { Type, type Static, type TSchema } from '@sinclair/typebox';

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

/** Adds the shared error responses to a route's success responses. */
export function withErrors<T extends Record<number, TSchema>>(responses: T) {
  return { ...responses, '4xx': Type.Ref(ErrorEnvelopeSchema), '5xx': Type.Ref(ErrorEnvelopeSchema) };
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
