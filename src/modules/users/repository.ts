import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export type Role = 'admin' | 'responsable' | 'technicien' | 'client';

export interface NewUser {
  username: string;
  fullName: string;
  email: string;
  hashedPassword: string;
  role: Role;
  clientId?: number | null;
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Which of the e-mail and the username are already taken (case-insensitive). */
export async function findIdentityConflicts(db: Kysely<Database>, email: string, username: string): Promise<{ email: boolean; username: boolean }> {
  const rows = await db
    .selectFrom('users')
    .select(['email', 'username'])
    .where((eb) => eb.or([eb('email', '=', email.toLowerCase()), eb(sql`lower(username)`, '=', username.toLowerCase())]))
    .execute();
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
