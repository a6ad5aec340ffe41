/**
 * The cryptography of the second factor (docs/security.md §3a): TOTP secrets encrypted at rest with
 * AES-256-GCM under a key derived from SECRET_KEY, recovery codes kept as keyed hashes, and the
 * RFC 6238 check (otplib) against the injected clock.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { normaliseRecoveryCode, TOTP_DIGITS, TOTP_DRIFT_STEPS, TOTP_ISSUER, TOTP_PERIOD_SECONDS } from './mfa-policy.js';

const FORMAT = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function derive(secretKey: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.alloc(0), info, 32));
}

export class MfaSecrets {
  private readonly encryptionKey: Buffer;
  private readonly recoveryKey: Buffer;

  constructor(secretKey: string) {
    this.encryptionKey = derive(secretKey, 'mif-erp/totp-secret/v1');
    this.recoveryKey = derive(secretKey, 'mif-erp/recovery-code/v1');
  }

  newSecret(): string {
    return generateSecret({ length: 20 });
  }

  otpauthUri(secret: string, account: string): string {
    return generateURI({ issuer: TOTP_ISSUER, label: account, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
  }

  /** The user id is authenticated data: a secret copied to another user's row does not decrypt. */
  encrypt(secret: string, userId: number): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, nonce);
    cipher.setAAD(Buffer.from(`mif-erp/totp:${userId}`));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${FORMAT}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  decrypt(stored: string, userId: number): string {
    const [format, encoded] = stored.split('.', 2);
    if (format !== FORMAT || !encoded) throw new Error('format de secret TOTP inconnu');
    const raw = Buffer.from(encoded, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(`mif-erp/totp:${userId}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  hashRecoveryCode(code: string, userId: number): string {
    return createHmac('sha256', this.recoveryKey).update(`${userId}:${normaliseRecoveryCode(code)}`).digest('hex');
  }

  /**
   * The time step a code matches, within one step of drift, or null. `afterStep`: the last accepted
   * step, so that a code is accepted once (replay protection).
   */
  async matchingStep(secret: string, code: string, now: Date, afterStep: number | null): Promise<number | null> {
    const epoch = Math.floor(now.getTime() / 1000);
    try {
      const result = await verify({
        secret,
        token: code.replace(/\s/g, ''),
        epoch,
        period: TOTP_PERIOD_SECONDS,
        digits: TOTP_DIGITS,
        epochTolerance: TOTP_DRIFT_STEPS * TOTP_PERIOD_SECONDS,
        ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
      });
      // The matched step: the current one plus the drift the code was found at.
      return result.valid ? Math.floor(epoch / TOTP_PERIOD_SECONDS) + result.delta : null;
    } catch {
      return null;
    }
  }
}
