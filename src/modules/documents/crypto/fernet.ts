/**
 * Fernet (https://github.com/fernet/spec), the format of the legacy service's files
 * (docs/security.md §8 "Legacy Fernet"): version 0x80 ‖ timestamp (uint64 BE) ‖ IV (16) ‖
 * AES-128-CBC ciphertext ‖ HMAC-SHA256 (32), base64url. The key is 32 bytes: signing key, then
 * encryption key. The HMAC is checked in constant time before anything is decrypted.
 *
 * Documents are read without a TTL (a stored file does not expire); `ttlSeconds` exists for the
 * spec's own test vectors. `fernetEncrypt` writes tokens as the legacy service did (tests, fixtures).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const HMAC_LENGTH = 32;
/** The spec's allowance for a token stamped in the future (clock skew). */
const MAX_CLOCK_SKEW_SECONDS = 60;

export class FernetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FernetError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function decodeToken(token: string | Buffer): Buffer {
  const text = (typeof token === 'string' ? token : token.toString('ascii')).trim();
  if (!BASE64URL.test(text)) throw new FernetError('invalid base64');
  return Buffer.from(text, 'base64url');
}

export interface FernetCheck {
  /** Verify the token age (the spec vectors); documents pass none. */
  ttlSeconds?: number;
  now?: Date;
}

/** The plaintext of `token` under the first of `keys` whose HMAC matches. */
export function fernetDecrypt(token: string | Buffer, keys: readonly Buffer[], check: FernetCheck = {}): Buffer {
  const data = decodeToken(token);
  if (data.length < HEADER + 16 + HMAC_LENGTH || data[0] !== VERSION) throw new FernetError('malformed token');
  const signed = data.subarray(0, data.length - HMAC_LENGTH);
  const mac = data.subarray(data.length - HMAC_LENGTH);
  const key = keys.find((candidate) => timingSafeEqual(createHmac('sha256', candidate.subarray(0, 16)).update(signed).digest(), mac));
  if (!key) throw new FernetError('incorrect mac');
  if (check.ttlSeconds !== undefined && check.now) {
    const stamped = Number(data.readBigUInt64BE(1));
    const now = Math.floor(check.now.getTime() / 1000);
    if (stamped > now + MAX_CLOCK_SKEW_SECONDS) throw new FernetError('timestamp in the future');
    if (check.ttlSeconds >= 0 && stamped + check.ttlSeconds < now) throw new FernetError('expired');
  }
  const ciphertext = data.subarray(HEADER, data.length - HMAC_LENGTH);
  if (ciphertext.length % 16 !== 0) throw new FernetError('payload size not a multiple of the block size');
  try {
    const decipher = createDecipheriv('aes-128-cbc', key.subarray(16), data.subarray(9, HEADER));
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new FernetError('padding error');
  }
}

/** A token as the legacy service (Python `cryptography`) wrote it. */
export function fernetEncrypt(key: Buffer, plaintext: Buffer, options: { iv?: Buffer; now?: Date } = {}): string {
  const iv = options.iv ?? randomBytes(16);
  const head = Buffer.alloc(9);
  head[0] = VERSION;
  head.writeBigUInt64BE(BigInt(Math.floor((options.now ?? new Date()).getTime() / 1000)), 1);
  const cipher = createCipheriv('aes-128-cbc', key.subarray(16), iv);
  const signed = Buffer.concat([head, iv, cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  // Padded URL-safe base64, as Python's urlsafe_b64encode writes it.
  return Buffer.concat([signed, mac]).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
