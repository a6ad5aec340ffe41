import { Type } from '@sinclair/typebox';
import { AUDIT_OUTCOME_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, QueryTimestamp, StringEnum } from '../../lib/listing.js';
import { OrNull, Timestamp } from '../../lib/schemas.js';

const NullableString = OrNull(Type.String());

/** Every audit_events column (docs/api.md §3): `ip` as text, `details` as an object. */
export const AuditEventOutSchema = Type.Object(
  {
    id: Type.Integer(),
    created_at: Timestamp,
    event_type: Type.String(),
    outcome: StringEnum(AUDIT_OUTCOME_VALUES),
    actor_user_id: Type.Union([Type.Integer(), Type.Null()]),
    actor_role: NullableString,
    ip: NullableString,
    user_agent: NullableString,
    request_id: NullableString,
    resource_type: NullableString,
    resource_id: NullableString,
    details: Type.Object({}, { additionalProperties: true }),
  },
  { $id: 'AuditEventOut' },
);

export const AuditEventIdParamsSchema = Type.Object({ event_id: Type.Integer({ minimum: 1 }) });

export const AUDIT_SORT_FIELDS = ['id', 'created_at'] as const;

export const AuditListQuerySchema = Type.Object({
  event_type: Type.Optional(Type.String({ maxLength: 64, description: 'Préfixe du type d’événement, par exemple `auth.`' })),
  outcome: Type.Optional(EnumListQuery(AUDIT_OUTCOME_VALUES)),
  actor_user_id: Type.Optional(Type.Integer({ minimum: 1 })),
  resource_type: Type.Optional(Type.String({ maxLength: 50 })),
  resource_id: Type.Optional(Type.String({ maxLength: 64 })),
  date_min: Type.Optional(QueryTimestamp),
  date_max: Type.Optional(QueryTimestamp),
  ...paginationQuery({ defaultLimit: 50, sortFields: AUDIT_SORT_FIELDS, defaultSort: '-created_at' }),
});
