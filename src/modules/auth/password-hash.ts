/**
 * argon2id hashing (docs/security.md §2). @node-rs/argon2 hashes on libuv's thread pool, off the event loop.
 */
import { randomBytes } from 'node:crypto';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { createLimiter } from '../../lib/semaphore.js';

const PARAMETERS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';

/** Injectable so that tests can count calls (the unknown-user path must hash as much as the known one). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<boolean>;
}

/**
 * argon2 runs on libuv's thread pool (4 threads by default), which also serves file I/O (documents)
 * and asynchronous crypto. Two hashes at a time at most keep threads free for the other requests
 * (measured with `npm run bench:login` when JWT checks still used WebCrypto on that pool; they are
 * synchronous since, docs/decisions.md "Per-request cost").
 */
const ARGON2_CONCURRENCY = 2;
const limited = createLimiter(ARGON2_CONCURRENCY);

export const argon2Hasher: PasswordHasher = {
  /** Passwords are used exactly as sent, after Unicode NFC normalisation. */
  hash: (password) => limited(() => hash(password.normalize('NFC'), PARAMETERS)),
  verify: (storedHash, password) =>
    limited(async () => {
      try {
        return await verify(storedHash, password.normalize('NFC'));
      } catch {
        return false;
      }
    }),
};

export function hashPassword(password: string): Promise<string> {
  return argon2Hasher.hash(password);
}

/** A hash made with older parameters is replaced at the next successful login. */
export function needsRehash(storedHash: string): boolean {
  return !storedHash.startsWith(CURRENT_PREFIX);
}

let dummyHash: Promise<string> | null = null;

/** A fixed hash verified when the account does not exist, so that both paths cost the same. */
export function dummyPasswordHash(hasher: PasswordHasher): Promise<string> {
  dummyHash ??= hasher.hash(randomBytes(24).toString('base64url'));
  return dummyHash;
}
