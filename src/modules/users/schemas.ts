import { Type, type Static } from '@sinclair/typebox';
import { ROLE_VALUES } from '../../db/schema.js';
import { Timestamp } from '../../lib/schemas.js';

export const RoleSchema = Type.Union(ROLE_VALUES.map((role) => Type.Literal(role)));

export const UserOutSchema = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    full_name: Type.String(),
    email: Type.String(),
    role: RoleSchema,
    is_active: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
    last_login: Type.Union([Timestamp, Type.Null()]),
    client_id: Type.Union([Type.Integer(), Type.Null()]),
    technicien_id: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'UserOut' },
);
export type UserOut = Static<typeof UserOutSchema>;
