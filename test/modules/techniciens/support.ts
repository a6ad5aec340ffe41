/**
 * Shared fixtures of the technicians and skills tests: one logged-in caller per role, users inserted
 * straight into the database (no password hashing) for the profiles, and request shortcuts.
 */
import type { InjectOptions } from 'fastify';
import type { Role } from '../../../src/db/schema.js';
import type { TestApp } from '../../helpers/app.js';
import { bearer, login, seedUser } from '../../helpers/auth.js';

export type Headers = Record<string, string>;

export interface Callers {
  admin: Headers;
  responsable: Headers;
  technicien: Headers;
  client: Headers;
  ids: Record<'admin' | 'responsable' | 'technicien' | 'client', number>;
}

export async function loginEveryRole(t: TestApp, clientId: number): Promise<Callers> {
  const admin = await seedUser(t, 'admin');
  const responsable = await seedUser(t, 'responsable');
  const technicien = await seedUser(t, 'technicien');
  const client = await seedUser(t, 'client', { clientId });
  return {
    admin: bearer(await login(t, admin)),
    responsable: bearer(await login(t, responsable)),
    technicien: bearer(await login(t, technicien)),
    client: bearer(await login(t, client)),
    ids: { admin: admin.id, responsable: responsable.id, technicien: technicien.id, client: client.id },
  };
}

let sequence = 0;

/** A user row without a usable password: for profiles that never log in. */
export async function insertUserRow(t: TestApp, role: Role = 'technicien', values: { isActive?: boolean; fullName?: string } = {}): Promise<number> {
  sequence++;
  const username = `fixture.${role}.${sequence}.${process.pid}`;
  const row = await t.app.db
    .insertInto('users')
    .values({
      username,
      full_name: values.fullName ?? `Fixture ${sequence}`,
      email: `${username}@exemple.test`,
      hashed_password: 'not-a-hash',
      role,
      client_id: null,
      ...(values.isActive === undefined ? {} : { is_active: values.isActive }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertCompetenceRow(t: TestApp, nom: string, domaine = 'general'): Promise<number> {
  const row = await t.app.db.insertInto('competences').values({ nom, domaine }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** `url` as given: `/api/v1/...`, or a root alias. */
export function request(t: TestApp, method: InjectOptions['method'], url: string, headers: Headers, payload?: unknown) {
  return t.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
}

export interface ErrorBody {
  error: { code: string; message: string; details: unknown; trace_id: string };
}

/** Runs `fn` and returns how many SQL statements went through the app's Kysely executor meanwhile. */
export async function countQueries<T>(t: TestApp, fn: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const executor = t.app.db.getExecutor() as unknown as { executeQuery: (...args: unknown[]) => Promise<unknown> };
  const original = executor.executeQuery;
  let queries = 0;
  executor.executeQuery = function (this: unknown, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
  try {
    const result = await fn();
    return { result, queries };
  } finally {
    executor.executeQuery = original;
  }
}
