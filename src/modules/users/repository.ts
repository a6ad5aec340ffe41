import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { containsPattern } from '../../lib/listing.js';

export type Role = 'admin' | 'responsable' | 'technicien' | 'client';

export interface NewUser {
  username: string;
  fullName: string;
  email: string;
  hashedPassword: string;
  role: Role;
  clientId?: number | null;
  /** created_at / updated_at / password_changed_at; the database's now() when absent. */
  now?: Date;
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Which of the e-mail and the username are already taken (case-insensitive), by another user than `exceptId`. */
export async function findIdentityConflicts(
  db: Kysely<Database>,
  email: string,
  username: string,
  exceptId: number | null = null,
): Promise<{ email: boolean; username: boolean }> {
  let query = db
    .selectFrom('users')
    .select(['email', 'username'])
    .where((eb) => eb.or([eb('email', '=', email.toLowerCase()), eb(sql`lower(username)`, '=', username.toLowerCase())]));
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  const rows = await query.execute();
  return {
    email: rows.some((row) => row.email === email.toLowerCase()),
    username: rows.some((row) => row.username.toLowerCase() === username.toLowerCase()),
  };
}

export async function insertUser(db: Kysely<Database>, user: NewUser): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      username: user.username,
      full_name: user.fullName,
      email: user.email.toLowerCase(),
      hashed_password: user.hashedPassword,
      role: user.role,
      client_id: user.clientId ?? null,
      ...(user.now ? { created_at: user.now, updated_at: user.now, password_changed_at: user.now } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Serialises first-admin creation across nodes starting together (transaction-scoped lock). */
export async function lockForBootstrap(db: Kysely<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('mif-erp:bootstrap-admin'))`.execute(db);
}

/** The columns of UserOut, with the technician profile id. */
export function selectUserOut(db: Kysely<Database>) {
  return db
    .selectFrom('users as u')
    .leftJoin('techniciens as t', 't.user_id', 'u.id')
    .select(['u.id', 'u.username', 'u.full_name', 'u.email', 'u.role', 'u.is_active', 'u.created_at', 'u.updated_at', 'u.last_login', 'u.client_id', 't.id as technicien_id']);
}

export async function findUserOut(db: Kysely<Database>, id: number) {
  return selectUserOut(db).where('u.id', '=', id).executeTakeFirst();
}

/** The row a write works on, locked until the end of the transaction. */
export interface LockedUser {
  id: number;
  username: string;
  fullName: string;
  email: string;
  role: Role;
  isActive: boolean;
  clientId: number | null;
}

export async function lockUser(db: Kysely<Database>, id: number): Promise<LockedUser | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'full_name', 'email', 'role', 'is_active', 'client_id'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row
    ? { id: row.id, username: row.username, fullName: row.full_name, email: row.email, role: row.role, isActive: row.is_active, clientId: row.client_id }
    : null;
}

export async function findUserIdentity(db: Kysely<Database>, id: number): Promise<{ id: number; username: string; email: string } | null> {
  const row = await db.selectFrom('users').select(['id', 'username', 'email']).where('id', '=', id).executeTakeFirst();
  return row ?? null;
}

export async function clientExists(db: Kysely<Database>, clientId: number): Promise<boolean> {
  const row = await db.selectFrom('clients').select('id').where('id', '=', clientId).executeTakeFirst();
  return row !== undefined;
}

export async function hasTechnicienProfile(db: Kysely<Database>, userId: number): Promise<boolean> {
  const row = await db.selectFrom('techniciens').select('id').where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/**
 * Serialises the changes that can remove an active admin (role change, deactivation) for the rest
 * of the transaction, so that two admins demoting each other cannot both succeed.
 */
export async function lockActiveAdmins(db: Kysely<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('mif-erp:active-admins'))`.execute(db);
}

export async function countOtherActiveAdmins(db: Kysely<Database>, exceptId: number): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'admin')
    .where('is_active', '=', true)
    .where('id', '<>', exceptId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface UserChanges {
  username?: string;
  fullName?: string;
  email?: string;
  role?: Role;
  clientId?: number | null;
  isActive?: boolean;
}

/** Applies the given columns and sets updated_at. */
export async function updateUser(db: Kysely<Database>, id: number, changes: UserChanges, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({
      ...(changes.username !== undefined ? { username: changes.username } : {}),
      ...(changes.fullName !== undefined ? { full_name: changes.fullName } : {}),
      ...(changes.email !== undefined ? { email: changes.email.toLowerCase() } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.clientId !== undefined ? { client_id: changes.clientId } : {}),
      ...(changes.isActive !== undefined ? { is_active: changes.isActive } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export interface UserFilters {
  roles?: Role[];
  isActive?: boolean;
  clientId?: number;
  q?: string;
}

export type UserOutQuery = ReturnType<typeof selectUserOut>;

/** The filters of GET /users/ (combined with AND); `q` searches username, full name and e-mail. */
export function filterUsers(query: UserOutQuery, filters: UserFilters): UserOutQuery {
  let q = query;
  if (filters.roles && filters.roles.length > 0) q = q.where('u.role', 'in', filters.roles);
  if (filters.isActive !== undefined) q = q.where('u.is_active', '=', filters.isActive);
  if (filters.clientId !== undefined) q = q.where('u.client_id', '=', filters.clientId);
  const search = filters.q?.trim();
  if (search) {
    const pattern = containsPattern(search);
    q = q.where((eb) => eb.or([eb('u.username', 'ilike', pattern), eb('u.full_name', 'ilike', pattern), eb('u.email', 'ilike', pattern)]));
  }
  return q;
}

/** The Postgres error of a unique / foreign-key / check violation, with its constraint name. */
export function constraintViolation(error: unknown): { code: '23505' | '23503' | '23514'; constraint: string } | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !['23505', '23503', '23514'].includes(e.code)) return null;
  return { code: e.code as '23505' | '23503' | '23514', constraint: typeof e.constraint === 'string' ? e.constraint : '' };
}
