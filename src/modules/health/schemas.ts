import { Type } from '@sinclair/typebox';
import { Timestamp } from '../../lib/schemas.js';

const CheckStatus = Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('not_configured')]);

export const HealthSchema = Type.Object({
  status: Type.String(),
  timestamp: Timestamp,
  service: Type.String(),
});

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  timestamp: Timestamp,
  service: Type.String(),
  checks: Type.Object({
    database: CheckStatus,
    redis: CheckStatus,
    migrations: Type.Union([Type.Literal('healthy'), Type.Literal('pending')]),
  }),
});

export const RootSchema = Type.Object({ message: Type.String(), version: Type.String(), docs: Type.String() });
