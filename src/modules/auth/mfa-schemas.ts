/**
 * Request and response schemas of the /auth/mfa routes (docs/security.md §3a). The code field is
 * `otp` (a TOTP or a recovery code): a name on the one redaction list of src/logger.ts.
 */
import { Type } from '@sinclair/typebox';

const Otp = Type.String({ minLength: 1, maxLength: 32 });

export const MfaStatusSchema = Type.Object({ enabled: Type.Boolean(), pending: Type.Boolean(), recovery_codes_remaining: Type.Integer() });

export const MfaEnrolmentSchema = Type.Object({ secret: Type.String(), otpauth_uri: Type.String() });

export const MfaConfirmRequestSchema = Type.Object({ otp: Otp });

export const MfaRecoveryCodesSchema = Type.Object({ recovery_codes: Type.Array(Type.String()) });

export const MfaVerifyRequestSchema = Type.Object({ mfa_token: Type.String({ minLength: 1, maxLength: 256 }), otp: Otp });

export const MfaDisableRequestSchema = Type.Object({ password: Type.String({ maxLength: 1024 }), otp: Otp });

export const UserIdParamsSchema = Type.Object({ user_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
