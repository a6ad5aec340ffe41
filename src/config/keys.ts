/**
 * Key formats and generators, shared by the development keys kept in DATA_DIR (secrets.ts) and by
 * `npm run keys:generate`, so that a generated key always passes the production rules (docs/configuration.md).
 */
import { randomBytes } from 'node:crypto';

/** 48 random bytes as base64url: 64 characters, far above the 32-byte / 10-distinct-character floor. */
export const generateSecretKey = (): string => randomBytes(48).toString('base64url');

/** 32 random bytes as unpadded base64url (43 characters): the FILES_ENC_KEY format. */
export const generateFilesKey = (): string => randomBytes(32).toString('base64url');

/** 32 random bytes as base64url (43 characters; the production floor is 24). */
export const generateMetricsToken = (): string => randomBytes(32).toString('base64url');

/** base64url (with or without padding) of exactly 32 bytes: the FILES_ENC_KEY / Fernet key format. */
export function isFilesKey(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}=?$/.test(value) && Buffer.from(value, 'base64url').length === 32;
}
