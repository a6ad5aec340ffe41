/**
 * docs/security.md §5 for customers and contracts: the matrix operation × role × ownership (C1's
 * own records, C2's, a client account without company), with the exact statuses, messages and
 * audit rows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertClient, insertContrat } from '../../helpers/fixtures.js';
import { assertError, call, type Method } from '../../helpers/http.js';
import { snapshot, useWorld, type Persona, type World } from './world.js';

const { t, w } = useWorld();

const READ_FORBIDDEN = 'Accès réservé aux rôles : admin, responsable, client';
const WRITE_FORBIDDEN = 'Accès réservé aux rôles : admin, responsable';

interface Operation {
  name: string;
  method: Method;
  path: (world: World) => string;
  payload?: (world: World) => unknown;
  write: boolean;
}

/** Every route of the module, on C1's records (the "own" records of the C1 client user). */
const OPERATIONS: Operation[] = [
  { name: 'list clients', method: 'GET', path: () => '/clients/', write: false },
  { name: 'create client', method: 'POST', path: () => '/clients/', payload: () => ({ nom_entreprise: 'Refusé SA', nom_contact: 'X', email: 'x@refuse.ma' }), write: true },
  { name: 'read client', method: 'GET', path: (x) => `/clients/${x.c1}`, write: false },
  { name: 'patch client', method: 'PATCH', path: (x) => `/clients/${x.c1}`, payload: () => ({ ville: 'Refusée' }), write: true },
  { name: 'delete client', method: 'DELETE', path: (x) => `/clients/${x.c1}`, write: true },
  { name: 'list contrats', method: 'GET', path: () => '/contrats/', write: false },
  {
    name: 'create contrat',
    method: 'POST',
    path: () => '/contrats/',
    payload: (x) => ({ numero_contrat: 'REFUS-1', nom_contrat: 'Refusé', type_contrat: 'support_technique', date_debut: '2026-01-01', date_fin: '2026-12-31', client_id: x.c1 }),
    write: true,
  },
  { name: 'read contrat', method: 'GET', path: (x) => `/contrats/${x.contratC1}`, write: false },
  { name: 'patch contrat', method: 'PATCH', path: (x) => `/contrats/${x.contratC1}`, payload: () => ({ statut: 'resilie' }), write: true },
  { name: 'delete contrat', method: 'DELETE', path: (x) => `/contrats/${x.contratC1}`, write: true },
];

async function run(actor: Persona, op: Operation) {
  return call(t(), op.method, `/api/v1${op.path(w)}`, { as: w.tokens[actor], payload: op.payload?.(w) });
}

async function worldSnapshot() {
  return { clients: await snapshot(t(), 'clients'), contrats: await snapshot(t(), 'contrats') };
}

async function deniedEvents(userId: number) {
  return t().db
    .selectFrom('audit_events')
    .select(['event_type', 'outcome', 'actor_user_id', 'actor_role', 'resource_type', 'resource_id', 'details'])
    .where('event_type', '=', 'rbac.denied')
    .where('actor_user_id', '=', userId)
    .orderBy('id')
    .execute();
}

describe('no token', () => {
  test('401 "Non authentifié" on every route, at /api/v1 and at the root', async () => {
    for (const op of OPERATIONS) {
      for (const prefix of ['/api/v1', '']) {
        const response = await call(t(), op.method, `${prefix}${op.path(w)}`, { payload: op.payload?.(w) });
        assertError(response, 401, 'Non authentifié');
        assert.equal(response.headers['www-authenticate'], 'Bearer');
      }
    }
  });
});

describe('technicien', () => {
  test('403 on every route (reads and writes), audited rbac.denied (role); nothing changed', async () => {
    const before = await worldSnapshot();
    for (const op of OPERATIONS) {
      assertError(await run('technicien', op), 403, op.write ? WRITE_FORBIDDEN : READ_FORBIDDEN);
    }
    assert.deepEqual(await worldSnapshot(), before);
    const events = await deniedEvents(w.userIds.technicien);
    assert.equal(events.length, OPERATIONS.length);
    for (const event of events) {
      assert.equal(event.outcome, 'denied');
      assert.equal(event.actor_role, 'technicien');
      assert.equal((event.details as { reason: string }).reason, 'role');
    }
  });

  test('403 also on C2 ids and unknown ids (the role check comes first)', async () => {
    assertError(await call(t(), 'GET', `/api/v1/clients/${w.c2}`, { as: w.tokens.technicien }), 403, READ_FORBIDDEN);
    assertError(await call(t(), 'GET', '/api/v1/contrats/987654', { as: w.tokens.technicien }), 403, READ_FORBIDDEN);
    assertError(await call(t(), 'DELETE', `/api/v1/contrats/${w.contratC2}`, { as: w.tokens.technicien }), 403, WRITE_FORBIDDEN);
  });
});

describe('client of C1', () => {
  test('lists contain C1 rows only, X-Total-Count counts them only, filters cannot widen the scope', async () => {
    const clients = await call(t(), 'GET', '/api/v1/clients/', { as: w.tokens.clientC1 });
    assert.equal(clients.statusCode, 200);
    assert.deepEqual(clients.json().map((c: { id: number }) => c.id), [w.c1]);
    assert.equal(clients.headers['x-total-count'], '1');
    const byName = await call(t(), 'GET', '/api/v1/clients/', { as: w.tokens.clientC1, query: { q: 'Société Deux' } });
    assert.deepEqual(byName.json(), []);
    assert.equal(byName.headers['x-total-count'], '0');

    const contrats = await call(t(), 'GET', '/api/v1/contrats/', { as: w.tokens.clientC1 });
    assert.equal(contrats.statusCode, 200);
    assert.deepEqual(contrats.json().map((c: { id: number }) => c.id), [w.contratC1]);
    assert.equal(contrats.headers['x-total-count'], '1');
    const other = await call(t(), 'GET', '/api/v1/contrats/', { as: w.tokens.clientC1, query: { client_id: String(w.c2) } });
    assert.deepEqual(other.json(), []);
    assert.equal(other.headers['x-total-count'], '0');
  });

  test('reads its own company and contract (200)', async () => {
    const client = await call(t(), 'GET', `/api/v1/clients/${w.c1}`, { as: w.tokens.clientC1 });
    assert.equal(client.statusCode, 200);
    assert.equal(client.json().id, w.c1);
    const contrat = await call(t(), 'GET', `/contrats/${w.contratC1}`, { as: w.tokens.clientC1 });
    assert.equal(contrat.statusCode, 200);
    assert.equal(contrat.json().client_id, w.c1);
  });

  test("C2's client and contract → 404 with the normal messages, audited rbac.denied hors_perimetre", async () => {
    assertError(await call(t(), 'GET', `/api/v1/clients/${w.c2}`, { as: w.tokens.clientC1 }), 404, 'Client introuvable');
    assertError(await call(t(), 'GET', `/api/v1/contrats/${w.contratC2}`, { as: w.tokens.clientC1 }), 404, 'Contrat introuvable');
    // An unknown id: the same answer, but nothing to audit.
    assertError(await call(t(), 'GET', '/api/v1/clients/987654', { as: w.tokens.clientC1 }), 404, 'Client introuvable');
    const events = await deniedEvents(w.userIds.clientC1);
    assert.deepEqual(events, [
      { event_type: 'rbac.denied', outcome: 'denied', actor_user_id: w.userIds.clientC1, actor_role: 'client', resource_type: 'client', resource_id: String(w.c2), details: { reason: 'hors_perimetre' } },
      { event_type: 'rbac.denied', outcome: 'denied', actor_user_id: w.userIds.clientC1, actor_role: 'client', resource_type: 'contrat', resource_id: String(w.contratC2), details: { reason: 'hors_perimetre' } },
    ]);
  });

  test('every write → 403, on its own records and on C2\'s; nothing changed', async () => {
    const before = await worldSnapshot();
    for (const op of OPERATIONS.filter((o) => o.write)) {
      assertError(await run('clientC1', op), 403, WRITE_FORBIDDEN);
    }
    assertError(await call(t(), 'PATCH', `/api/v1/clients/${w.c2}`, { as: w.tokens.clientC1, payload: { ville: 'x' } }), 403, WRITE_FORBIDDEN);
    assertError(await call(t(), 'DELETE', `/api/v1/contrats/${w.contratC2}`, { as: w.tokens.clientC1 }), 403, WRITE_FORBIDDEN);
    assert.deepEqual(await worldSnapshot(), before);
  });
});

describe('client of C2', () => {
  test("sees C2 only; C1's records → 404", async () => {
    const clients = await call(t(), 'GET', '/api/v1/clients', { as: w.tokens.clientC2 });
    assert.deepEqual(clients.json().map((c: { id: number }) => c.id), [w.c2]);
    const contrats = await call(t(), 'GET', '/api/v1/contrats', { as: w.tokens.clientC2 });
    assert.deepEqual(contrats.json().map((c: { id: number }) => c.id), [w.contratC2]);
    assertError(await call(t(), 'GET', `/api/v1/clients/${w.c1}`, { as: w.tokens.clientC2 }), 404, 'Client introuvable');
    assertError(await call(t(), 'GET', `/api/v1/contrats/${w.contratC1}`, { as: w.tokens.clientC2 }), 404, 'Contrat introuvable');
  });
});

describe('client account without company', () => {
  test('empty lists with X-Total-Count 0; every record → 404', async () => {
    for (const path of ['/clients/', '/contrats/']) {
      const response = await call(t(), 'GET', `/api/v1${path}`, { as: w.tokens.clientNone });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), []);
      assert.equal(response.headers['x-total-count'], '0');
    }
    assertError(await call(t(), 'GET', `/api/v1/clients/${w.c1}`, { as: w.tokens.clientNone }), 404, 'Client introuvable');
    assertError(await call(t(), 'GET', `/api/v1/contrats/${w.contratC2}`, { as: w.tokens.clientNone }), 404, 'Contrat introuvable');
    assert.equal((await deniedEvents(w.userIds.clientNone)).length, 2);
  });
});

describe('admin and responsable', () => {
  for (const actor of ['admin', 'responsable'] as const) {
    test(`${actor}: reads everything, and every write succeeds`, async () => {
      const clients = await call(t(), 'GET', '/api/v1/clients/', { as: w.tokens[actor] });
      assert.equal(clients.statusCode, 200);
      const clientIds = clients.json().map((c: { id: number }) => c.id);
      assert.ok(clientIds.includes(w.c1) && clientIds.includes(w.c2));
      const contrats = await call(t(), 'GET', '/api/v1/contrats/', { as: w.tokens[actor] });
      const contratIds = contrats.json().map((c: { id: number }) => c.id);
      assert.ok(contratIds.includes(w.contratC1) && contratIds.includes(w.contratC2));
      for (const path of [`/clients/${w.c1}`, `/clients/${w.c2}`, `/contrats/${w.contratC1}`, `/contrats/${w.contratC2}`]) {
        assert.equal((await call(t(), 'GET', `/api/v1${path}`, { as: w.tokens[actor] })).statusCode, 200, path);
      }

      const created = await call(t(), 'POST', '/api/v1/clients/', { as: w.tokens[actor], payload: { nom_entreprise: `Créé par ${actor}`, nom_contact: 'X', email: 'x@cree.ma' } });
      assert.equal(created.statusCode, 201, created.body);
      const clientId = created.json().id;
      const patched = await call(t(), 'PATCH', `/api/v1/clients/${clientId}`, { as: w.tokens[actor], payload: { ville: 'Oujda' } });
      assert.equal(patched.statusCode, 200);
      const contrat = await call(t(), 'POST', '/api/v1/contrats/', {
        as: w.tokens[actor],
        payload: { numero_contrat: `OK-${actor}`, nom_contrat: 'Ok', type_contrat: 'support_technique', date_debut: '2026-01-01', date_fin: '2026-12-31', client_id: clientId },
      });
      assert.equal(contrat.statusCode, 201, contrat.body);
      assert.equal((await call(t(), 'PATCH', `/api/v1/contrats/${contrat.json().id}`, { as: w.tokens[actor], payload: { statut: 'en_cours' } })).statusCode, 200);
      assert.equal((await call(t(), 'DELETE', `/api/v1/contrats/${contrat.json().id}`, { as: w.tokens[actor] })).statusCode, 204);
      assert.equal((await call(t(), 'DELETE', `/api/v1/clients/${clientId}`, { as: w.tokens[actor] })).statusCode, 204);

      // Existing fixtures of both companies can be written too.
      const other = await insertClient(t().db);
      const otherContrat = await insertContrat(t().db, other);
      assert.equal((await call(t(), 'PATCH', `/api/v1/contrats/${otherContrat}`, { as: w.tokens[actor], payload: { nom_contrat: 'Modifié' } })).statusCode, 200);
      assert.equal((await call(t(), 'DELETE', `/api/v1/contrats/${otherContrat}`, { as: w.tokens[actor] })).statusCode, 204);
      assert.equal((await call(t(), 'DELETE', `/api/v1/clients/${other}`, { as: w.tokens[actor] })).statusCode, 204);
    });
  }
});
