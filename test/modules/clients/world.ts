/**
 * The world of the clients/contrats tests: two companies C1 and C2, each with a contract, and one
 * logged-in user per role (a client user of C1, one of C2, one without company).
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../helpers/app.js';
import { bearer, login, seedUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertContrat } from '../../helpers/fixtures.js';

export type Actor = 'admin' | 'responsable' | 'technicien' | 'clientC1' | 'clientC2' | 'clientNone';

export interface World {
  c1: number;
  c2: number;
  contratC1: number;
  contratC2: number;
  tokens: Record<Actor, Tokens>;
  userIds: Record<Actor, number>;
}

export async function buildWorld(t: TestApp): Promise<World> {
  const db = t.app.db;
  const c1 = await insertClient(db, { nom_entreprise: 'Société Une', ville: 'Casablanca' });
  const c2 = await insertClient(db, { nom_entreprise: 'Société Deux', ville: 'Rabat' });
  const contratC1 = await insertContrat(db, c1, { numero_contrat: 'W-C1-001' });
  const contratC2 = await insertContrat(db, c2, { numero_contrat: 'W-C2-001' });
  const specs: [Actor, Parameters<typeof seedUser>[1], number | null][] = [
    ['admin', 'admin', null],
    ['responsable', 'responsable', null],
    ['technicien', 'technicien', null],
    ['clientC1', 'client', c1],
    ['clientC2', 'client', c2],
    ['clientNone', 'client', null],
  ];
  const tokens = {} as Record<Actor, Tokens>;
  const userIds = {} as Record<Actor, number>;
  for (const [actor, role, clientId] of specs) {
    const user = await seedUser(t, role, { clientId });
    userIds[actor] = user.id;
    tokens[actor] = await login(t, user);
  }
  return { c1, c2, contratC1, contratC2, tokens, userIds };
}

export interface CallOptions {
  query?: Record<string, string | string[]>;
  payload?: unknown;
  headers?: Record<string, string>;
  prefix?: string;
}

/** One request as `actor` (null = no token), under /api/v1 unless `prefix` says otherwise. */
export async function call(t: TestApp, world: World, actor: Actor | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url: `${options.prefix ?? '/api/v1'}${path}`,
    query: options.query,
    payload: options.payload as never,
    headers: { ...(actor ? bearer(world.tokens[actor]) : {}), ...options.headers },
  });
}

/** Asserts an error envelope with this status and exact message; returns the details. */
export function assertError(response: LightMyRequestResponse, status: number, message: string): unknown {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json();
  assert.equal(body.error.message, message, response.body);
  const codes: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'RESOURCE_NOT_FOUND', 409: 'CONFLICT', 422: 'VALIDATION_ERROR' };
  assert.equal(body.error.code, codes[status]);
  return body.error.details;
}

/** Asserts a 422 whose details contain an issue at `loc` with `type` (and `msg` when given). */
export function assertIssue(response: LightMyRequestResponse, loc: (string | number)[], type: string, msg?: string): void {
  assert.equal(response.statusCode, 422, response.body);
  const details = response.json().error.details as { loc: unknown[]; type: string; msg: string }[];
  const found = details.find((d) => JSON.stringify(d.loc) === JSON.stringify(loc));
  assert.ok(found, `no issue at ${JSON.stringify(loc)}: ${response.body}`);
  assert.equal(found.type, type, response.body);
  if (msg !== undefined) assert.equal(found.msg, msg, response.body);
}

/** The rows of a table, to compare before and after a refused write. */
export async function snapshot(t: TestApp, table: 'clients' | 'contrats'): Promise<unknown[]> {
  return t.app.db.selectFrom(table).selectAll().orderBy('id').execute();
}
