/**
 * SQL of authentication: principals, credentials, sessions (refresh-token families), refresh
 * tokens, login attempts and brute-force lockouts. Every time comes from the caller's clock.
 */
import { sql, type AliasedSelectQueryBuilder, type InferResult, type Kysely } from 'kysely';
import type { Database, LockoutScope, LoginEndpoint, LoginReason, Role, SessionRevokedReason } from '../../db/schema.js';
import { preparedStatement } from '../../db/prepared.js';
import type { Executor } from '../../db/store.js';

/**
 * The read behind every authenticated request (docs/security.md §1): the user, its session `sid`
 * (absent when it is not this user's), its technician profile and confirmed second factor, in one
 * round trip. A builder, so that a read which does not depend on the caller can carry it in the
 * same statement (`carryPrincipal`, docs/decisions.md "Per-request cost").
 */
export function selectPrincipal(db: Kysely<Database>, userId: number, sessionId: string) {
  return db
    .selectFrom('users as u')
    .leftJoin('sessions as s', (join) => join.onRef('s.user_id', '=', 'u.id').on('s.id', '=', sql<string>`${sessionId}::uuid`))
    .leftJoin('techniciens as t', 't.user_id', 'u.id')
    .leftJoin('user_mfa as m', 'm.user_id', 'u.id')
    .select([
      'm.confirmed_at as mfa_confirmed_at',
      'u.id',
      'u.username',
      'u.email',
      'u.full_name',
      'u.role',
      'u.is_active',
      'u.client_id',
      'u.tokens_valid_after',
      'u.must_change_password',
      't.id as technicien_id',
      's.id as session_id',
      's.revoked_at',
      's.expires_at',
    ])
    .where('u.id', '=', userId);
}

type PrincipalRow = InferResult<ReturnType<typeof selectPrincipal>>[number];

/** The principal read on its own: a prepared statement (src/db/prepared.ts), planned once per connection. */
const principalStatement = preparedStatement([0, '00000000-0000-0000-0000-000000000000'] as [number, string], selectPrincipal);

/**
 * `read` (which must not depend on the caller) with the principal of `userId` / `sessionId` in the same
 * statement: one row per row of `read`, each with the principal as a `principal` JSON column; one row
 * with null columns of `read` when it found nothing; no row when the user does not exist.
 */
export function carryPrincipal<O>(db: Kysely<Database>, userId: number, sessionId: string, read: AliasedSelectQueryBuilder<O, 'carried'>) {
  return db
    .selectFrom(selectPrincipal(db, userId, sessionId).as('p'))
    .leftJoinLateral(read, (join) => join.onTrue())
    .selectAll('carried')
    .select(sql<PrincipalJson>`to_jsonb(p)`.as('principal'));
}

/** A principal row as `to_jsonb` gives it: timestamps as ISO text. */
export type PrincipalJson = { [K in keyof PrincipalRow]: PrincipalRow[K] extends Date | null ? string | null : PrincipalRow[K] };

/** The Principal of a row of `carryPrincipal`. */
export function principalFromJson(json: PrincipalJson): Principal {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return toPrincipal({
    ...json,
    mfa_confirmed_at: date(json.mfa_confirmed_at),
    tokens_valid_after: date(json.tokens_valid_after),
    revoked_at: date(json.revoked_at),
    expires_at: date(json.expires_at),
  });
}

function toPrincipal(row: PrincipalRow): Principal {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    fullName: row.full_name,
    role: row.role,
    isActive: row.is_active,
    clientId: row.client_id,
    technicienId: row.technicien_id,
    tokensValidAfter: row.tokens_valid_after,
    mustChangePassword: row.must_change_password,
    hasConfirmedMfa: row.mfa_confirmed_at !== null,
    sessionRevokedAt: row.session_id ? row.revoked_at : null,
    sessionExpiresAt: row.session_id ? row.expires_at : null,
  };
}

/** What an authenticated request knows about its caller; read once per request, never cached. */
export interface Principal {
  id: number;
  username: string;
  email: string;
  fullName: string;
  role: Role;
  isActive: boolean;
  clientId: number | null;
  technicienId: number | null;
  tokensValidAfter: Date | null;
  mustChangePassword: boolean;
  /** A confirmed TOTP second factor (docs/security.md §3a). */
  hasConfirmedMfa: boolean;
  sessionRevokedAt: Date | null;
  sessionExpiresAt: Date | null;
}

export interface LoginCandidate {
  id: number;
  username: string;
  email: string;
  role: Role;
  isActive: boolean;
  hashedPassword: string;
}

/** A user as a password check and a token need it. */
export interface Account {
  id: number;
  username: string;
  email: string;
  role: Role;
  isActive: boolean;
  hashedPassword: string;
}

export interface ConsumedRefreshToken {
  id: number;
  sessionId: string;
  sessionExpiresAt: Date;
  /** The session's user, as the next access token names it. */
  user: { id: number; email: string; role: Role };
}

export interface KnownRefreshToken {
  id: number;
  sessionId: string;
  usedAt: Date | null;
  userId: number;
}

export interface NewSession {
  userId: number;
  now: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface NewRefreshToken {
  sessionId: string;
  tokenHash: string;
  parentId: number | null;
  now: Date;
  expiresAt: Date;
}

export interface LoginAttempt {
  now: Date;
  identifier: string;
  userId: number | null;
  ip: string | null;
  endpoint: LoginEndpoint;
  success: boolean;
  reason: LoginReason;
}

export interface LockoutId {
  scope: LockoutScope;
  key: string;
}

export interface LockoutRow extends LockoutId {
  failures: number;
  lastFailureAt: Date | null;
  lockedUntil: Date | null;
  /** ip rows: failures of the current streak per account key. */
  accountFailures: Record<string, number>;
}

const LOCKOUT_COLUMNS = ['scope', 'key', 'failures', 'last_failure_at', 'locked_until', 'account_failures'] as const;

function toLockoutRow(row: {
  scope: LockoutScope;
  key: string;
  failures: number;
  last_failure_at: Date | null;
  locked_until: Date | null;
  account_failures: Record<string, number>;
}): LockoutRow {
  return { scope: row.scope, key: row.key, failures: row.failures, lastFailureAt: row.last_failure_at, lockedUntil: row.locked_until, accountFailures: row.account_failures };
}

export class AuthRepository {
  constructor(private readonly db: Executor) {}

  // --- users -------------------------------------------------------------------------------------

  async findPrincipal(userId: number, sessionId: string): Promise<Principal | null> {
    const [row] = await principalStatement(this.db, userId, sessionId);
    return row ? toPrincipal(row) : null;
  }

  /** The identifier matches the e-mail or the username, case-insensitively. */
  async findLoginCandidate(identifier: string): Promise<LoginCandidate | null> {
    const lowered = identifier.toLowerCase();
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'email', 'role', 'is_active', 'hashed_password'])
      .where((eb) => eb.or([eb('email', '=', lowered), eb(sql`lower(username)`, '=', lowered)]))
      // An e-mail match wins over a username that happens to equal another user's e-mail.
      .orderBy(sql`email = ${lowered}`, 'desc')
      .limit(1)
      .executeTakeFirst();
    return row
      ? { id: row.id, username: row.username, email: row.email, role: row.role, isActive: row.is_active, hashedPassword: row.hashed_password }
      : null;
  }

  async findAccount(userId: number): Promise<Account | null> {
    const row = await this.db.selectFrom('users').select(['id', 'username', 'email', 'role', 'is_active', 'hashed_password']).where('id', '=', userId).executeTakeFirst();
    return row ? { id: row.id, username: row.username, email: row.email, role: row.role, isActive: row.is_active, hashedPassword: row.hashed_password } : null;
  }

  async recordSuccessfulLogin(userId: number, now: Date, rehashed: string | null): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ last_login: now, ...(rehashed ? { hashed_password: rehashed } : {}) })
      .where('id', '=', userId)
      .execute();
  }

  /** A stored hash with older parameters, replaced after a correct password (docs/security.md §2). */
  async replacePasswordHash(userId: number, hashedPassword: string): Promise<void> {
    await this.db.updateTable('users').set({ hashed_password: hashedPassword }).where('id', '=', userId).execute();
  }

  async updatePassword(userId: number, hashedPassword: string, now: Date): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ hashed_password: hashedPassword, must_change_password: false, password_changed_at: now, updated_at: now })
      .where('id', '=', userId)
      .execute();
  }

  // --- sessions and refresh tokens ---------------------------------------------------------------

  async insertSession(session: NewSession): Promise<string> {
    const row = await this.db
      .insertInto('sessions')
      .values({
        user_id: session.userId,
        created_at: session.now,
        last_used_at: session.now,
        expires_at: session.expiresAt,
        ip: session.ip,
        user_agent: session.userAgent?.slice(0, 255) ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async insertRefreshToken(token: NewRefreshToken): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        session_id: token.sessionId,
        token_hash: token.tokenHash,
        parent_id: token.parentId,
        created_at: token.now,
        expires_at: token.expiresAt,
      })
      .execute();
  }

  /**
   * One atomic conditional update: unused, not revoked, not expired, session active, user active.
   * Of two concurrent calls with the same token, the second sees `used_at` set and gets nothing.
   */
  async consumeRefreshToken(tokenHash: string, now: Date): Promise<ConsumedRefreshToken | null> {
    const row = await this.db
      .updateTable('refresh_tokens as rt')
      .from('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .set({ used_at: now })
      .whereRef('s.id', '=', 'rt.session_id')
      .where('rt.token_hash', '=', tokenHash)
      .where('rt.used_at', 'is', null)
      .where('rt.revoked_at', 'is', null)
      .where('rt.expires_at', '>', now)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('u.is_active', '=', true)
      .returning(['rt.id', 'rt.session_id', 's.expires_at', 's.user_id', 'u.email', 'u.role'])
      .executeTakeFirst();
    return row ? { id: row.id, sessionId: row.session_id, sessionExpiresAt: row.expires_at, user: { id: row.user_id, email: row.email, role: row.role } } : null;
  }

  async findRefreshToken(tokenHash: string): Promise<KnownRefreshToken | null> {
    const row = await this.db
      .selectFrom('refresh_tokens as rt')
      .innerJoin('sessions as s', 's.id', 'rt.session_id')
      .select(['rt.id', 'rt.session_id', 'rt.used_at', 's.user_id'])
      .where('rt.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? { id: row.id, sessionId: row.session_id, usedAt: row.used_at, userId: row.user_id } : null;
  }

  async touchSession(sessionId: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', sessionId).execute();
  }

  /** Revokes one session and its tokens; returns whether it was still active. */
  async revokeSession(sessionId: string, reason: SessionRevokedReason, now: Date): Promise<boolean> {
    const revoked = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await this.db.updateTable('refresh_tokens').set({ revoked_at: now }).where('session_id', '=', sessionId).where('revoked_at', 'is', null).execute();
    return Number(revoked.numUpdatedRows) > 0;
  }

  /** Revokes every session of a user and kills the access tokens already issued (`tokens_valid_after`). */
  async revokeAllSessions(userId: number, reason: SessionRevokedReason, now: Date): Promise<number> {
    const revoked = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('revoked_at', 'is', null)
      .where('session_id', 'in', (eb) => eb.selectFrom('sessions').select('sessions.id').where('sessions.user_id', '=', userId))
      .execute();
    await this.db.updateTable('users').set({ tokens_valid_after: now }).where('id', '=', userId).execute();
    return Number(revoked.numUpdatedRows);
  }

  // --- login attempts and lockouts ---------------------------------------------------------------

  async insertLoginAttempt(attempt: LoginAttempt): Promise<void> {
    await this.db
      .insertInto('login_attempts')
      .values({
        created_at: attempt.now,
        identifier: attempt.identifier.toLowerCase().slice(0, 255),
        user_id: attempt.userId,
        ip: attempt.ip,
        endpoint: attempt.endpoint,
        success: attempt.success,
        reason: attempt.reason,
      })
      .execute();
  }

  /** Locks the lockout row of a key for the rest of the transaction, creating it when absent. */
  async lockLockoutRow(id: LockoutId, now: Date): Promise<LockoutRow> {
    await this.db
      .insertInto('lockouts')
      .values({ scope: id.scope, key: id.key, failures: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .execute();
    const row = await this.db
      .selectFrom('lockouts')
      .select(LOCKOUT_COLUMNS)
      .where('scope', '=', id.scope)
      .where('key', '=', id.key)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return toLockoutRow(row);
  }

  async saveLockout(row: LockoutRow, now: Date): Promise<void> {
    await this.db
      .updateTable('lockouts')
      .set({
        failures: row.failures,
        last_failure_at: row.lastFailureAt,
        locked_until: row.lockedUntil,
        account_failures: JSON.stringify(row.accountFailures),
        updated_at: now,
      })
      .where('scope', '=', row.scope)
      .where('key', '=', row.key)
      .execute();
  }
}
