/**
 * Request and response schemas of /users (docs/api.md §4.2), and the row → UserOut mapping.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ROLE_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, QueryBoolean, StringEnum } from '../../lib/listing.js';
import { IdParam, NullableEnum, Timestamp } from '../../lib/schemas.js';
import { TokenResponseSchema, type TokenPair } from '../auth/schemas.js';
import type { UserOutRow } from './repository.js';

/** A JSON-schema enum, so that a wrong value gets one 422 listing the accepted roles. */
export const RoleSchema = StringEnum(ROLE_VALUES);

const userOutProperties = {
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
};

export const UserOutSchema = Type.Object(userOutProperties, { $id: 'UserOut' });
export type UserOut = Static<typeof UserOutSchema>;

export function toUserOut(row: UserOutRow): UserOut {
  return {
    id: row.id,
    username: row.username,
    full_name: row.full_name,
    email: row.email,
    role: row.role,
    is_active: row.is_active,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_login: row.last_login,
    client_id: row.client_id,
    technicien_id: row.technicien_id,
  };
}

// Limits of docs/domain.md §3 (users); the service re-checks them after trimming.
const Username = Type.String({ maxLength: 100 });
const FullName = Type.String({ maxLength: 255 });
const Email = Type.String({ maxLength: 255, description: 'Adresse e-mail (stockée en minuscules)' });
/** New passwords are checked by the policy (400); the cap only bounds argon2's work. */
const Password = Type.String({ maxLength: 1024 });
const ClientId = IdParam;
/**
 * One `type: ['integer', 'null']` rather than a union: with the app's type coercion, a union would
 * turn `0` into null (the null branch coerces it) instead of refusing it.
 */
const NullableClientId = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, description: 'Uniquement pour le rôle client' });

export const UserIdParamsSchema = Type.Object({ user_id: IdParam });

export const UserCreateSchema = Type.Object({
  username: Username,
  full_name: FullName,
  email: Email,
  role: RoleSchema,
  password: Password,
  client_id: Type.Optional(NullableClientId),
});

/** PUT /users/update: a null field is treated as absent (legacy `Optional[str]`). */
export const UserSelfUpdateSchema = Type.Object({
  full_name: Type.Optional(Type.Union([FullName, Type.Null()])),
  password: Type.Optional(Type.Union([Password, Type.Null()])),
  current_password: Type.Optional(Type.Union([Password, Type.Null()], { description: 'Obligatoire avec password' })),
});

/** UserOut, plus the TokenResponse fields of the new session when the password changed. */
export const UserSelfUpdateResponseSchema = Type.Object({
  ...userOutProperties,
  access_token: Type.Optional(TokenResponseSchema.properties.access_token),
  refresh_token: Type.Optional(TokenResponseSchema.properties.refresh_token),
  token_type: Type.Optional(TokenResponseSchema.properties.token_type),
  expires_in: Type.Optional(TokenResponseSchema.properties.expires_in),
});

/** PUT /users/update answers the profile, with the new session's tokens after a password change. */
export type UserSelfUpdateOut = UserOut & Partial<TokenPair>;

/** PATCH /users/{id}: absent or null = unchanged, except `client_id: null`, which unlinks the client. */
export const UserPatchSchema = Type.Object({
  full_name: Type.Optional(Type.Union([FullName, Type.Null()])),
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  username: Type.Optional(Type.Union([Username, Type.Null()])),
  role: Type.Optional(NullableEnum(ROLE_VALUES)),
  client_id: Type.Optional(NullableClientId),
  is_active: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: 'false a les effets de DELETE' })),
});

export const ResetPasswordSchema = Type.Object({ new_password: Password });

export const USER_SORT_FIELDS = ['id', 'username', 'email', 'created_at', 'last_login'] as const;

export const UserListQuerySchema = Type.Object({
  role: Type.Optional(EnumListQuery(ROLE_VALUES)),
  is_active: Type.Optional(QueryBoolean),
  client_id: Type.Optional(ClientId),
  q: Type.Optional(Type.String({ maxLength: 255, description: 'Recherche (username, nom complet, e-mail), insensible à la casse' })),
  // Users were not paginated by the legacy service: default limit 500 (docs/api.md §1).
  ...paginationQuery({ defaultLimit: 500, sortFields: USER_SORT_FIELDS, defaultSort: 'id' }),
});
