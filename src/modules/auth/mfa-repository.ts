/**
 * SQL of the second factor: the encrypted TOTP secret, recovery codes (hashed) and the login
 * challenges (hashed). Every time comes from the caller's clock.
 */
import type { Executor } from '../../db/store.js';

export interface UserFactor {
  userId: number;
  secretEncrypted: string;
  confirmedAt: Date | null;
  lastUsedStep: number | null;
}

export interface NewChallenge {
  tokenHash: string;
  userId: number;
  endpoint: 'token' | 'login';
  now: Date;
  expiresAt: Date;
}

export interface OpenChallenge {
  userId: number;
  endpoint: 'token' | 'login';
}

export class MfaRepository {
  constructor(private readonly db: Executor) {}

  async isEnabled(userId: number): Promise<boolean> {
    const row = await this.db.selectFrom('user_mfa').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
    return row !== undefined;
  }

  async findFactor(userId: number): Promise<UserFactor | null> {
    const row = await this.db.selectFrom('user_mfa').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row
      ? { userId: row.user_id, secretEncrypted: row.secret_encrypted, confirmedAt: row.confirmed_at, lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step) }
      : null;
  }

  /** A new pending secret replaces a pending one, never a confirmed one. Returns false when one is confirmed. */
  async savePendingFactor(userId: number, secretEncrypted: string, now: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('user_mfa')
      .values({ user_id: userId, secret_encrypted: secretEncrypted, created_at: now, confirmed_at: null, last_used_step: null })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_encrypted: secretEncrypted, created_at: now, last_used_step: null }).where('user_mfa.confirmed_at', 'is', null))
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Confirms the pending factor with the step of its first code; false when it was confirmed meanwhile. */
  async confirmFactor(userId: number, step: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('user_mfa')
      .set({ confirmed_at: now, last_used_step: step })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records the step of an accepted code, only when it is later than the last one (a code is accepted once). */
  async useStep(userId: number, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('user_mfa')
      .set({ last_used_step: step })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', String(step))]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Removes the factor, its recovery codes and open challenges; returns whether there was one. */
  async deleteFactor(userId: number): Promise<boolean> {
    await this.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
    const result = await this.db.deleteFrom('user_mfa').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async replaceRecoveryCodes(userId: number, hashes: readonly string[], now: Date): Promise<void> {
    await this.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await this.db
      .insertInto('mfa_recovery_codes')
      .values(hashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: now })))
      .execute();
  }

  async hasUnusedRecoveryCode(userId: number, hash: string): Promise<boolean> {
    const row = await this.db.selectFrom('mfa_recovery_codes').select('id').where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  /** One atomic conditional update: of two concurrent uses of one code, one wins. */
  async useRecoveryCode(userId: number, hash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async countUnusedRecoveryCodes(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('mfa_recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertChallenge(challenge: NewChallenge): Promise<void> {
    await this.db
      .insertInto('mfa_challenges')
      .values({ token_hash: challenge.tokenHash, user_id: challenge.userId, endpoint: challenge.endpoint, created_at: challenge.now, expires_at: challenge.expiresAt })
      .execute();
    // Expired challenges of the user are of no use to anyone.
    await this.db.deleteFrom('mfa_challenges').where('user_id', '=', challenge.userId).where('expires_at', '<=', challenge.now).execute();
  }

  async findOpenChallenge(tokenHash: string, now: Date): Promise<OpenChallenge | null> {
    const row = await this.db
      .selectFrom('mfa_challenges')
      .select(['user_id', 'endpoint'])
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? { userId: row.user_id, endpoint: row.endpoint } : null;
  }

  /** Single use: of two concurrent completions, one wins. */
  async useChallenge(tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_challenges')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
