/**
 * The world of the clients/contrats tests: two companies C1 and C2, each with a contract, and one
 * logged-in user per role (a client user of C1, one of C2, one without company).
 */
import type { Actor } from '../../../src/lib/actor.js';
import { useTestApp, type TestApp } from '../../helpers/app.js';
import { FakeClock, login, seedUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertContrat } from '../../helpers/fixtures.js';

export type Persona = 'admin' | 'responsable' | 'technicien' | 'clientC1' | 'clientC2' | 'clientNone';

export interface World {
  c1: number;
  c2: number;
  contratC1: number;
  contratC2: number;
  tokens: Record<Persona, Tokens>;
  userIds: Record<Persona, number>;
  /** Each persona as the services receive it (what the auth plugin builds from its token). */
  actors: Record<Persona, Actor>;
}

export async function buildWorld(t: TestApp): Promise<World> {
  const db = t.db;
  const c1 = await insertClient(db, { nom_entreprise: 'Société Une', ville: 'Casablanca' });
  const c2 = await insertClient(db, { nom_entreprise: 'Société Deux', ville: 'Rabat' });
  const contratC1 = await insertContrat(db, c1, { numero_contrat: 'W-C1-001' });
  const contratC2 = await insertContrat(db, c2, { numero_contrat: 'W-C2-001' });
  const specs: [Persona, Parameters<typeof seedUser>[1], number | null][] = [
    ['admin', 'admin', null],
    ['responsable', 'responsable', null],
    ['technicien', 'technicien', null],
    ['clientC1', 'client', c1],
    ['clientC2', 'client', c2],
    ['clientNone', 'client', null],
  ];
  const tokens = {} as Record<Persona, Tokens>;
  const userIds = {} as Record<Persona, number>;
  const actors = {} as Record<Persona, Actor>;
  for (const [persona, role, clientId] of specs) {
    const user = await seedUser(t, role, { clientId });
    userIds[persona] = user.id;
    tokens[persona] = await login(t, user);
    actors[persona] = { userId: user.id, role, clientId, technicienId: null, sessionId: null, ip: '127.0.0.1', userAgent: 'service-test', requestId: `test-${persona}` };
  }
  return { c1, c2, contratC1, contratC2, tokens, userIds, actors };
}

/**
 * The file's set-up: an app on a movable clock and its world, built before the first test. `w` is
 * filled in place, so that tests read `w.c1` directly.
 */
export function useWorld(): { clock: FakeClock; t: () => TestApp; w: World } {
  const clock = new FakeClock();
  const w = {} as World;
  const t = useTestApp({ clock }, async (app) => {
    Object.assign(w, await buildWorld(app));
  });
  return { clock, t, w };
}

/** The rows of a table, to compare before and after a refused write. */
export async function snapshot(t: TestApp, table: 'clients' | 'contrats'): Promise<unknown[]> {
  return t.db.selectFrom(table).selectAll().orderBy('id').execute();
}

/** The audit rows of one event type about one record, oldest first. */
export async function auditRows(t: TestApp, eventType: string, resourceType: string, resourceId: number) {
  return t.db
    .selectFrom('audit_events')
    .select(['event_type', 'outcome', 'actor_user_id', 'actor_role', 'ip', 'user_agent', 'request_id', 'resource_type', 'resource_id', 'details'])
    .where('event_type', '=', eventType)
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', String(resourceId))
    .orderBy('id')
    .execute();
}
