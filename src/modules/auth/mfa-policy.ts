/**
 * Rules of the TOTP second factor (docs/security.md §3a), pure: RFC 6238 parameters, the drift
 * accepted, the "second factor required" answer, the recovery-code format, who must enrol.
 */
import { randomInt } from 'node:crypto';
import type { Role } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';

/** RFC 6238 defaults, the ones every authenticator app reads from an otpauth:// URI. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** One step of drift either way: a phone whose clock is 30 s off still signs in, 60 s off does not. */
export const TOTP_DRIFT_STEPS = 1;
export const TOTP_ISSUER = 'MIF ERP';

/** How long the second step of a login stays open. */
export const MFA_CHALLENGE_SECONDS = 300;

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-like: no 0/O, 1/I/L, so that a printed code is read back without doubt (50 bits per code). */
const RECOVERY_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const RECOVERY_GROUP = 5;

export const MFA_REQUIRED_MESSAGE = 'Code de double authentification requis';
export const INVALID_CODE = 'Code de double authentification invalide';
export const INVALID_CHALLENGE = 'Étape de double authentification invalide ou expirée';
export const ENROLMENT_REQUIRED = 'Double authentification obligatoire pour ce rôle : activez-la via POST /api/v1/auth/mfa/enroll';

/**
 * The answer of a right password when a second factor is enabled: a 401 (an old client never takes
 * it for a success), whose details carry the single-use token of the second step.
 */
export function mfaRequired(challengeToken: string): AppError {
  const error = AppError.unauthorized(MFA_REQUIRED_MESSAGE);
  return new AppError(401, error.message, {
    headers: error.headers,
    details: { mfa_required: true, mfa_token: challengeToken, expires_in: MFA_CHALLENGE_SECONDS, methods: ['totp', 'recovery_code'] },
  });
}

/** Whether the code looks like a TOTP (6 digits); anything else is tried as a recovery code. */
export function isTotpCode(code: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code.replace(/\s/g, ''));
}

export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** Ten codes `XXXXX-XXXXX`, shown once at confirmation; only their keyed hashes are kept. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: RECOVERY_GROUP * 2 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return `${chars.slice(0, RECOVERY_GROUP)}-${chars.slice(RECOVERY_GROUP)}`;
  });
}

/** MFA_REQUIRED_ROLES: a user of these roles without a confirmed factor may only enrol. */
export function mustEnrol(role: Role, requiredRoles: readonly Role[], hasConfirmedFactor: boolean): boolean {
  return !hasConfirmedFactor && requiredRoles.includes(role);
}
