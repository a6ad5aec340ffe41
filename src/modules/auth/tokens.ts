/**
 * Access tokens (JWT HS256, docs/security.md §1) and opaque refresh tokens (stored as SHA-256 only).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { AppConfig } from '../../config/types.js';

/** The authentication settings (docs/configuration.md "Authentication"). */
export type AuthSettings = AppConfig['auth'];

export interface AccessClaims {
  userId: number;
  role: string;
  sessionId: string;
  issuedAt: number;
}

const LEEWAY_SECONDS = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function key(settings: AuthSettings): Uint8Array {
  return new TextEncoder().encode(settings.secretKey);
}

export function accessTokenLifetimeSeconds(settings: AuthSettings): number {
  return settings.accessTokenExpireMinutes * 60;
}

export async function signAccessToken(
  settings: AuthSettings,
  subject: { userId: number; email: string; role: string; sessionId: string },
  now: Date,
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ user_id: subject.userId, role: subject.role, sid: subject.sessionId, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.email)
    .setIssuedAt(iat)
    .setExpirationTime(iat + accessTokenLifetimeSeconds(settings))
    .setJti(randomUUID())
    .setIssuer(settings.jwtIssuer)
    .setAudience(settings.jwtAudience)
    .sign(key(settings));
}

/** Returns the claims of a valid access token, or null for anything else (never throws). */
export async function verifyAccessToken(settings: AuthSettings, token: string, now: Date): Promise<AccessClaims | null> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key(settings), {
      algorithms: ['HS256'],
      issuer: settings.jwtIssuer,
      audience: settings.jwtAudience,
      clockTolerance: LEEWAY_SECONDS,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    // Key-locating headers are refused outright: the key is never chosen by the token.
    if (protectedHeader.typ !== 'JWT' || 'kid' in protectedHeader || 'jku' in protectedHeader || 'jwk' in protectedHeader || 'x5u' in protectedHeader) {
      return null;
    }
    const { user_id: userId, role, sid, typ, iat, exp } = payload as Record<string, unknown>;
    if (typ !== 'access' || !Number.isSafeInteger(userId) || typeof sid !== 'string' || !UUID.test(sid) || typeof iat !== 'number' || typeof exp !== 'number') return null;
    // Cheap to refuse even though forging them needs the key: a token issued in the future, or
    // living longer than this server would ever issue (docs/security.md §1).
    if (iat > now.getTime() / 1000 + LEEWAY_SECONDS || exp - iat > accessTokenLifetimeSeconds(settings)) return null;
    return { userId: userId as number, role: String(role), sessionId: sid, issuedAt: iat };
  } catch {
    return null;
  }
}

/** 32 random bytes, base64url (43 characters). */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
