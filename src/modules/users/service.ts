/**
 * User business rules shared by the API and the operator CLI.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { insertAuditEvent } from '../audit/repository.js';
import { argon2Hasher, type PasswordHasher } from '../auth/password-hash.js';
import { assertPasswordPolicy } from '../auth/password-policy.js';
import { findIdentityConflicts, insertUser, type Role } from './repository.js';

export const ROLES: readonly Role[] = ['admin', 'responsable', 'technicien', 'client'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface CreateUserInput {
  username: string;
  fullName: string;
  email: string;
  role: string;
  password: string;
  clientId?: number | null;
}

export interface Actor {
  userId: number | null;
  role: Role | null;
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface CreateUserOptions {
  passwordMinLength: number;
  hasher?: PasswordHasher;
}

/** Creates a user: validation (422), conflicts before the password (409), policy (400), then hash, insert and audit in one transaction. */
export async function createUser(db: Kysely<Database>, input: CreateUserInput, actor: Actor, options: CreateUserOptions): Promise<number> {
  const username = input.username.trim();
  const fullName = input.fullName.trim();
  const email = input.email.trim().toLowerCase();
  const issues = [];
  if (username.length < 1 || username.length > 100 || CONTROL_CHARACTERS.test(username)) {
    issues.push({ loc: ['body', 'username'], msg: "Nom d'utilisateur invalide (1 à 100 caractères, sans caractère de contrôle)", type: 'value' as const });
  }
  if (fullName.length < 1 || fullName.length > 255) {
    issues.push({ loc: ['body', 'full_name'], msg: 'Nom complet requis (255 caractères au plus)', type: 'value' as const });
  }
  if (!EMAIL.test(email) || email.length > 255) {
    issues.push({ loc: ['body', 'email'], msg: 'Adresse e-mail invalide', type: 'format' as const });
  }
  if (!ROLES.includes(input.role as Role)) {
    issues.push({ loc: ['body', 'role'], msg: `Rôle invalide. Valeurs acceptées : ${ROLES.join(', ')}`, type: 'enum' as const });
  }
  if (issues.length > 0) throw AppError.validation(issues);

  const conflicts = await findIdentityConflicts(db, email, username);
  if (conflicts.email) throw AppError.conflict('Email déjà utilisé.');
  if (conflicts.username) throw AppError.conflict('Username déjà utilisé.');

  assertPasswordPolicy(input.password, { username, email }, { minLength: options.passwordMinLength });
  const hashedPassword = await (options.hasher ?? argon2Hasher).hash(input.password);
  return db.transaction().execute(async (trx) => {
    const id = await insertUser(trx, { username, fullName, email, hashedPassword, role: input.role as Role, clientId: input.clientId ?? null });
    await insertAuditEvent(trx, {
      eventType: 'user.created',
      outcome: 'success',
      actorUserId: actor.userId,
      actorRole: actor.role,
      requestId: actor.requestId ?? null,
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
      resourceType: 'user',
      resourceId: String(id),
      details: { role: input.role },
    });
    return id;
  });
}
