/**
 * Fixtures for authenticated tests: a movable clock, users created through the real service, logins.
 */
import type { Role } from '../../src/db/schema.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/lib/actor.js';
import type { Clock } from '../../src/lib/clock.js';
import { argon2Hasher, type PasswordHasher } from '../../src/modules/auth/password-hash.js';
import type { TestApp } from './app.js';

export class FakeClock implements Clock {
  private current: number;

  constructor(start = Date.parse('2026-06-15T08:00:00.000Z')) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  role: Role;
}

let sequence = 0;

export async function seedUser(t: Pick<TestApp, 'services'>, role: Role, overrides: Partial<{ username: string; email: string; password: string; clientId: number | null }> = {}): Promise<TestUser> {
  sequence++;
  const username = overrides.username ?? `${role}.${sequence}.${process.pid}`;
  const email = overrides.email ?? `${username}@exemple.test`;
  const password = overrides.password ?? `Valide#${sequence}Pass`;
  const { id } = await t.services.users.create(SYSTEM_ACTOR, { username, email, fullName: `Test ${username}`, role, password, clientId: overrides.clientId ?? null });
  return { id, username, email: email.toLowerCase(), password, role };
}

/** The Actor of a user calling a service directly (no session, no request). */
export function actorOf(user: { id: number; role: Role }, overrides: Partial<Actor> = {}): Actor {
  // An override given as undefined (`{ clientId }` of a user without company) keeps the null default.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...SYSTEM_ACTOR, userId: user.id, role: user.role, ...given };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export async function login(t: Pick<TestApp, 'app'>, user: { email: string; password: string }, remoteAddress = '127.0.0.1'): Promise<Tokens> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    remoteAddress,
    payload: { email: user.email, password: user.password },
  });
  if (response.statusCode !== 200) throw new Error(`login ${user.email}: ${response.statusCode} ${response.body}`);
  return response.json();
}

export function bearer(tokens: Tokens | string): { authorization: string } {
  return { authorization: `Bearer ${typeof tokens === 'string' ? tokens : tokens.access_token}` };
}

/** The real argon2 hasher, counting its verifications (brute force must not verify while locked). */
export function countingHasher(): PasswordHasher & { verifications: number } {
  const hasher = {
    verifications: 0,
    hash: (password: string) => argon2Hasher.hash(password),
    verify: (hash: string, password: string) => {
      hasher.verifications++;
      return argon2Hasher.verify(hash, password);
    },
  };
  return hasher;
}
