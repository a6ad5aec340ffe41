/** Answers of the health, liveness and readiness routes (docs/operations.md §8). */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../../lib/schemas.js';

const CheckStatusSchema = Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('not_configured')]);
export type CheckStatus = Static<typeof CheckStatusSchema>;

export const HealthSchema = Type.Object({
  status: Type.String(),
  timestamp: Timestamp,
  service: Type.String(),
});
export type Health = Static<typeof HealthSchema>;

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  timestamp: Timestamp,
  service: Type.String(),
  checks: Type.Object({
    database: CheckStatusSchema,
    redis: CheckStatusSchema,
    migrations: Type.Union([Type.Literal('healthy'), Type.Literal('pending')]),
  }),
});
export type Readiness = Static<typeof ReadinessSchema>;
