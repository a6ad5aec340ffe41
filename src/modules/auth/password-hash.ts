/**
 * argon2id hashing (security.md §2). @node-rs/argon2 hashes on libuv's thread pool, off the event loop.
 */
import { Algorithm, hash, verify } from '@node-rs/argon2';

const PARAMETERS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Passwords are used exactly as sent, after Unicode NFC normalisation. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), PARAMETERS);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password.normalize('NFC'));
  } catch {
    return false;
  }
}
