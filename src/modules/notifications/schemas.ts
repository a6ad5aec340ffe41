import { Type, type Static } from '@sinclair/typebox';
import { CANAL_VALUES, TYPE_NOTIFICATION_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, QueryBoolean, StringEnum } from '../../lib/listing.js';
import { IdParam, Timestamp } from '../../lib/schemas.js';

export const NotificationOutSchema = Type.Object(
  {
    id: Type.Integer(),
    type: StringEnum(TYPE_NOTIFICATION_VALUES),
    canal: StringEnum(CANAL_VALUES),
    contenu: Type.Union([Type.String(), Type.Null()]),
    date_envoi: Timestamp,
    intervention_id: Type.Union([Type.Integer(), Type.Null()]),
    user_id: Type.Integer(),
    lu: Type.Boolean(),
    date_lecture: Type.Union([Timestamp, Type.Null()]),
    planning_id: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'NotificationOut' },
);
export type NotificationOut = Static<typeof NotificationOutSchema>;

const Id = IdParam;

export const NotificationIdParamsSchema = Type.Object({ notification_id: Id });
export const NotificationUserParamsSchema = Type.Object({ user_id: Id });

export const NotificationCreateSchema = Type.Object({
  type: StringEnum(TYPE_NOTIFICATION_VALUES),
  canal: StringEnum(CANAL_VALUES),
  // null first: a string-first union would let the Ajv coercion turn null into "".
  contenu: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 1000 })])),
  user_id: Id,
  intervention_id: Type.Optional(Type.Union([Id, Type.Null()])),
});
export type NotificationCreateBody = Static<typeof NotificationCreateSchema>;

export const MarkAllReadResponseSchema = Type.Object({ message: Type.String(), count: Type.Integer() });
export const MessageResponseSchema = Type.Object({ message: Type.String() });
export const DetailResponseSchema = Type.Object({ detail: Type.String() });

export const NOTIFICATION_SORT_FIELDS = ['id', 'date_envoi'] as const;
const pagination = paginationQuery({ defaultLimit: 50, sortFields: NOTIFICATION_SORT_FIELDS, defaultSort: '-date_envoi' });

/** GET /notifications/ (admin). */
export const NotificationListQuerySchema = Type.Object({
  user_id: Type.Optional(Id),
  intervention_id: Type.Optional(Id),
  type: Type.Optional(EnumListQuery(TYPE_NOTIFICATION_VALUES)),
  canal: Type.Optional(EnumListQuery(CANAL_VALUES)),
  lu: Type.Optional(QueryBoolean),
  ...pagination,
});

/** GET /notifications/user/me and /notifications/user/{user_id}. */
export const OwnNotificationListQuerySchema = Type.Object({
  lu: Type.Optional(QueryBoolean),
  type: Type.Optional(EnumListQuery(TYPE_NOTIFICATION_VALUES)),
  ...pagination,
});
