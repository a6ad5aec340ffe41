/**
 * Access tokens (JWT HS256, docs/security.md §1) and opaque refresh tokens (stored as SHA-256 only).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
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

/** A base64url segment of a compact JWS (no padding, no other character). */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Only the header this server writes: `{"alg":"HS256","typ":"JWT"}` (docs/security.md §1). */
function isOurHeader(header: unknown): boolean {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return false;
  const fields = header as Record<string, unknown>;
  // Any other header field is refused: kid, jku, jwk, x5u (the key is never chosen by the token), crit, b64…
  return fields.alg === 'HS256' && fields.typ === 'JWT' && Object.keys(fields).length === 2;
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/**
 * The payload of a compact JWS signed HS256 with SECRET_KEY, or null. Synchronous node:crypto
 * (about a fifth of the cost measured) rather than jose's WebCrypto, which imports the key and hops to
 * the thread pool on every request (docs/decisions.md "Per-request cost"). The signature is compared
 * as the canonical base64url text, in constant time, before anything of the token is parsed.
 */
function verifiedPayload(settings: AuthSettings, token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return null;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(createHmac('sha256', settings.secretKey).update(`${header}.${payload}`).digest('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!isOurHeader(decodeSegment(header))) return null;
  const claims = decodeSegment(payload);
  return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
}

function hasAudience(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}

/**
 * Returns the claims of a valid access token, or null for anything else (never throws): the checks
 * of docs/security.md §1, signature, header, iss, aud, exp and nbf with the leeway, the required claims.
 */
export function verifyAccessToken(settings: AuthSettings, token: string, now: Date): AccessClaims | null {
  try {
    const payload = verifiedPayload(settings, token);
    if (!payload) return null;
    const { user_id: userId, role, sid, typ, iat, exp, nbf, sub, jti, iss, aud } = payload;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (iss !== settings.jwtIssuer || !hasAudience(aud, settings.jwtAudience)) return null;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return null;
    if (exp <= nowSeconds - LEEWAY_SECONDS || (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + LEEWAY_SECONDS))) return null;
    if (typ !== 'access' || !Number.isSafeInteger(userId) || typeof sid !== 'string' || !UUID.test(sid)) return null;
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
