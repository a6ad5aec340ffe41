/**
 * Master keys and envelope keys of the documents (docs/security.md §8 "Encryption at rest"):
 * FILES_ENC_KEY (and FILES_ENC_OLD_KEYS) are 32-byte base64url keys; each gives a KEK by HKDF and
 * is named by its `key_id`. A document's random data key (DEK) is stored wrapped under the KEK,
 * bound to its storage key, so a wrapped key copied onto another row does not open that row's file.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const KEK_INFO = 'mif-erp/files/kek/v1';
const KEY_ID_PREFIX = 'mif-erp/key-id/v1';
const DEK_AAD_PREFIX = 'mif-erp/dek/v1:';
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
export const DEK_LENGTH = 32;

/** A master key with what is derived from it. `raw` is also the legacy Fernet key. */
export interface MasterKey {
  id: string;
  raw: Buffer;
  kek: Buffer;
}

/** A wrapped key that no configured key opens, or that was tampered with. */
export class KeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}

export function decodeMasterKey(text: string): Buffer {
  const raw = Buffer.from(text.trim(), 'base64url');
  if (raw.length !== 32) throw new Error('a files key must be the base64url encoding of 32 bytes');
  return raw;
}

export function keyIdOf(raw: Buffer): string {
  return createHash('sha256').update(KEY_ID_PREFIX).update(raw).digest('hex').slice(0, 16);
}

export function masterKey(text: string): MasterKey {
  const raw = decodeMasterKey(text);
  const kek = Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), KEK_INFO, 32));
  return { id: keyIdOf(raw), raw, kek };
}

/** The current key (new documents) and every key still accepted for reading, by `key_id`. */
export class FileKeyring {
  readonly current: MasterKey;
  private readonly byId = new Map<string, MasterKey>();

  constructor(currentKey: string, oldKeys: readonly string[] = []) {
    this.current = masterKey(currentKey);
    for (const key of [this.current, ...oldKeys.map(masterKey)]) {
      if (!this.byId.has(key.id)) this.byId.set(key.id, key);
    }
  }

  find(keyId: string): MasterKey | undefined {
    return this.byId.get(keyId);
  }

  /** Every configured key, the current one first (legacy Fernet files are tried with each). */
  all(): MasterKey[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** nonce ‖ AES-256-GCM(KEK, DEK, AAD = prefix ‖ storage key) ‖ tag, under the current key. */
  wrap(dek: Buffer, storageKey: string): Buffer {
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.current.kek, nonce);
    cipher.setAAD(Buffer.from(DEK_AAD_PREFIX + storageKey));
    return Buffer.concat([nonce, cipher.update(dek), cipher.final(), cipher.getAuthTag()]);
  }

  unwrap(wrapped: Buffer, keyId: string, storageKey: string): Buffer {
    const key = this.find(keyId);
    if (!key) throw new KeyUnavailableError(`no configured files key has key_id ${keyId}`);
    if (wrapped.length !== NONCE_LENGTH + DEK_LENGTH + TAG_LENGTH) throw new KeyUnavailableError('wrapped key of the wrong length');
    const decipher = createDecipheriv('aes-256-gcm', key.kek, wrapped.subarray(0, NONCE_LENGTH));
    decipher.setAAD(Buffer.from(DEK_AAD_PREFIX + storageKey));
    decipher.setAuthTag(wrapped.subarray(NONCE_LENGTH + DEK_LENGTH));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(NONCE_LENGTH, NONCE_LENGTH + DEK_LENGTH)), decipher.final()]);
    } catch {
      throw new KeyUnavailableError('the wrapped key does not open under its key_id');
    }
  }
}

export function newDataKey(): Buffer {
  return randomBytes(DEK_LENGTH);
}
