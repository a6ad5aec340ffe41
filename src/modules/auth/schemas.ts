/**
 * Request and response schemas of the /auth routes.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Passwords are checked as sent; the cap only bounds the work of a login (argon2 over huge input). */
const Password = Type.String({ maxLength: 1024 });
const Identifier = Type.String({ maxLength: 255 });

export const TokenRequestSchema = Type.Object({
  username: Type.Optional(Identifier),
  email: Type.Optional(Identifier),
  password: Password,
});

export const LoginRequestSchema = Type.Object({ username: Identifier, password: Password });

export const RefreshRequestSchema = Type.Object({ refresh_token: Type.String({ maxLength: 256 }) });

export const LogoutRequestSchema = Type.Union([Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 256 })) }), Type.Null()]);

export const ChangePasswordRequestSchema = Type.Object({ current_password: Password, new_password: Password });

export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});

/** The tokens of a new or rotated session. */
export type TokenPair = Static<typeof TokenResponseSchema>;

export const MessageSchema = Type.Object({ message: Type.String() });

export const ChangePasswordResponseSchema = Type.Composite([MessageSchema, TokenResponseSchema]);
