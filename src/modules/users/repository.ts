/**
 * SQL of user administration: the users table, its identity conflicts and the locks that serialise
 * the first-admin bootstrap and the changes that can remove an active admin.
 */
import { sql } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Role } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import { containsPattern, type SortSpec } from '../../lib/listing.js';
import { USER_MESSAGES } from './policy.js';

/** Sort fields of GET /users/ (docs/api.md §4.2); the username sorts case-insensitively. */
export const USER_SORT: SortSpec = {
  fields: {
    id: 'u.id',
    username: sql`lower(u.username)`,
    email: 'u.email',
    created_at: 'u.created_at',
    last_login: 'u.last_login',
  },
  defaultSort: 'id',
  idColumn: 'u.id',
};

/** A unique-index or foreign-key race lost after the pre-checks passed gets the pre-check's answer. */
export const USERS_CONSTRAINT_ERRORS: ConstraintErrors = {
  users_email_key: () => AppError.conflict(USER_MESSAGES.emailTaken),
  users_username_lower_key: () => AppError.conflict(USER_MESSAGES.usernameTaken),
  users_client_id_fkey: () => AppError.notFound(USER_MESSAGES.clientNotFound),
};

export interface NewUser {
  username: string;
  fullName: string;
  email: string;
  hashedPassword: string;
  role: Role;
  clientId?: number | null;
  /** A generated password, to be replaced at first login (docs/security.md §2). */
  mustChangePassword?: boolean;
  /** created_at / updated_at / password_changed_at. */
  now: Date;
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

export interface UserChanges {
  username?: string;
  fullName?: string;
  email?: string;
  role?: Role;
  clientId?: number | null;
  isActive?: boolean;
}

export interface UserFilters {
  roles?: Role[];
  isActive?: boolean;
  clientId?: number;
  /** Searches username, full name and e-mail, case-insensitively; LIKE wildcards match literally. */
  q?: string;
}

/** The columns of UserOut, with the technician profile id (also read by the techniciens module). */
export function selectUserOut(db: Executor) {
  return db
    .selectFrom('users as u')
    .leftJoin('techniciens as t', 't.user_id', 'u.id')
    .select(['u.id', 'u.username', 'u.full_name', 'u.email', 'u.role', 'u.is_active', 'u.created_at', 'u.updated_at', 'u.last_login', 'u.client_id', 't.id as technicien_id']);
}

export type UserOutRow = NonNullable<Awaited<ReturnType<UsersRepository['findOut']>>>;

export class UsersRepository {
  constructor(private readonly db: Executor) {}

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Whether some account still has to replace a generated password. */
  async anyPendingPasswordChange(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('must_change_password', '=', true).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async findOut(id: number) {
    return selectUserOut(this.db).where('u.id', '=', id).executeTakeFirst();
  }

  /** The filters of GET /users/, combined with AND. */
  async page(filters: UserFilters, page: PageOptions): Promise<Page<UserOutRow>> {
    let q = selectUserOut(this.db);
    if (filters.roles && filters.roles.length > 0) q = q.where('u.role', 'in', filters.roles);
    if (filters.isActive !== undefined) q = q.where('u.is_active', '=', filters.isActive);
    if (filters.clientId !== undefined) q = q.where('u.client_id', '=', filters.clientId);
    const search = filters.q?.trim();
    if (search) {
      const pattern = containsPattern(search);
      q = q.where((eb) => eb.or([eb('u.username', 'ilike', pattern), eb('u.full_name', 'ilike', pattern), eb('u.email', 'ilike', pattern)]));
    }
    return selectPage(q, page);
  }

  /** Which of the e-mail and the username are already taken (case-insensitive), by another user than `exceptId`. */
  async findIdentityConflicts(email: string, username: string, exceptId: number | null = null): Promise<{ email: boolean; username: boolean }> {
    let query = this.db
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

  async insert(user: NewUser): Promise<number> {
    const row = await this.db
      .insertInto('users')
      .values({
        username: user.username,
        full_name: user.fullName,
        email: user.email.toLowerCase(),
        hashed_password: user.hashedPassword,
        role: user.role,
        client_id: user.clientId ?? null,
        must_change_password: user.mustChangePassword ?? false,
        created_at: user.now,
        updated_at: user.now,
        password_changed_at: user.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async lock(id: number): Promise<LockedUser | null> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'full_name', 'email', 'role', 'is_active', 'client_id'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row
      ? { id: row.id, username: row.username, fullName: row.full_name, email: row.email, role: row.role, isActive: row.is_active, clientId: row.client_id }
      : null;
  }

  async findIdentity(id: number): Promise<{ id: number; username: string; email: string } | null> {
    const row = await this.db.selectFrom('users').select(['id', 'username', 'email']).where('id', '=', id).executeTakeFirst();
    return row ?? null;
  }

  async clientExists(clientId: number): Promise<boolean> {
    const row = await this.db.selectFrom('clients').select('id').where('id', '=', clientId).executeTakeFirst();
    return row !== undefined;
  }

  async hasTechnicienProfile(userId: number): Promise<boolean> {
    const row = await this.db.selectFrom('techniciens').select('id').where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined;
  }

  /** Serialises first-admin creation across nodes starting together (transaction-scoped lock). */
  async lockForBootstrap(): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext('mif-erp:bootstrap-admin'))`.execute(this.db);
  }

  /**
   * Serialises the changes that can remove an active admin (role change, deactivation) for the rest
   * of the transaction, so that two admins demoting each other cannot both succeed.
   */
  async lockActiveAdmins(): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext('mif-erp:active-admins'))`.execute(this.db);
  }

  async countOtherActiveAdmins(exceptId: number): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('role', '=', 'admin')
      .where('is_active', '=', true)
      .where('id', '<>', exceptId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Applies the given columns and sets updated_at. */
  async update(id: number, changes: UserChanges, now: Date): Promise<void> {
    await this.db
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
}
