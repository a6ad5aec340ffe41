/**
 * ClientsService without HTTP, on the real database: scope, the audit rows, the writes, and the
 * constraint table answering a race lost after the pre-checks (a repository whose pre-checks see
 * nothing stands in for the concurrent request).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStore } from '../../../src/db/store.js';
import { SYSTEM_ACTOR } from '../../../src/lib/actor.js';
import { AuditRepository } from '../../../src/modules/audit/repository.js';
import { ClientsRepository } from '../../../src/modules/clients/repository.js';
import { ClientsService } from '../../../src/modules/clients/service.js';
import { MINUTE } from '../../helpers/auth.js';
import { insertClient, insertContrat } from '../../helpers/fixtures.js';
import { rejectsWith } from '../../helpers/services.js';
import { auditRows, snapshot, useWorld } from './world.js';

const { clock, t, w } = useWorld();
const clients = () => t().services.clients;
const PAGE = { limit: 500, offset: 0 };
const REFERENCED = 'Client lié à des utilisateurs, contrats, équipements ou interventions : désactivez-le';

let counter = 0;
function newClient(extra: Record<string, unknown> = {}) {
  counter++;
  return { nom_entreprise: `Service ${counter}`, nom_contact: 'Alaoui', email: `service${counter}@exemple.ma`, ...extra };
}

describe('list and get', () => {
  test('a client user lists its own company only; without a company, nothing; the system, everything', async () => {
    const own = await clients().list(w.actors.clientC1, {}, PAGE);
    assert.deepEqual(own.rows.map((row) => row.id), [w.c1]);
    assert.equal(own.total, 1);
    assert.deepEqual(await clients().list(w.actors.clientNone, {}, PAGE), { rows: [], total: 0 });
    const all = await clients().list(SYSTEM_ACTOR, { q: 'Société' }, { ...PAGE, sort: '-id' });
    assert.deepEqual(all.rows.map((row) => row.id), [w.c2, w.c1]);
    assert.equal(all.total, 2);
  });

  test('an unknown sort field → 422 at [query, sort]', async () => {
    const error = await rejectsWith(clients().list(w.actors.admin, {}, { ...PAGE, sort: 'ville' }), 422, 'Erreur de validation des données');
    assert.deepEqual((error.details as { loc: unknown[] }[]).map((issue) => issue.loc), [['query', 'sort']]);
  });

  test("another company's client → 404, audited rbac.denied with the actor's origin; an unknown id is not audited", async () => {
    assert.equal((await clients().get(w.actors.clientC2, w.c2)).nom_entreprise, 'Société Deux');
    await rejectsWith(clients().get(w.actors.clientC2, w.c1), 404, 'Client introuvable');
    await rejectsWith(clients().get(w.actors.clientC2, 987_654), 404, 'Client introuvable');
    assert.deepEqual(await auditRows(t(), 'rbac.denied', 'client', w.c1), [
      {
        event_type: 'rbac.denied',
        outcome: 'denied',
        actor_user_id: w.userIds.clientC2,
        actor_role: 'client',
        ip: '127.0.0.1',
        user_agent: 'service-test',
        request_id: 'test-clientC2',
        resource_type: 'client',
        resource_id: String(w.c1),
        details: { reason: 'hors_perimetre' },
      },
    ]);
    assert.deepEqual(await auditRows(t(), 'rbac.denied', 'client', 987_654), []);
  });
});

describe('writes', () => {
  test('create: the normalised row with the clock timestamps; the same name again → 409, nothing written', async () => {
    const created = await clients().create({ nom_entreprise: '  Rif Services ', nom_contact: ' Tazi ', email: 'Contact@Rif.MA', ville: '' });
    assert.deepEqual(
      [created.nom_entreprise, created.nom_contact, created.email, created.ville, created.pays, created.date_creation],
      ['Rif Services', 'Tazi', 'contact@rif.ma', null, 'Maroc', clock.now()],
    );
    const before = await snapshot(t(), 'clients');
    await rejectsWith(clients().create(newClient({ nom_entreprise: 'RIF SERVICES' })), 409, 'Client déjà existant');
    assert.deepEqual(await snapshot(t(), 'clients'), before);
  });

  test('patch: the given columns and date_modification; an empty body changes nothing; unknown id → 404', async () => {
    const created = await clients().create(newClient());
    clock.advance(MINUTE);
    const patched = await clients().patch(created.id, { ville: ' Tétouan ', is_active: false });
    assert.deepEqual(patched, { ...created, ville: 'Tétouan', is_active: false, date_modification: clock.now() });
    clock.advance(MINUTE);
    assert.deepEqual(await clients().patch(created.id, {}), patched);
    await rejectsWith(clients().patch(987_654, { ville: 'x' }), 404, 'Client introuvable');
  });

  test('remove: the row and one data.deleted audit row; a referenced client → 409 and kept', async () => {
    const created = await clients().create(newClient({ nom_entreprise: 'Service à supprimer' }));
    await clients().remove(w.actors.responsable, created.id);
    assert.equal(await new ClientsRepository(t().db).find(created.id), undefined);
    assert.deepEqual(await auditRows(t(), 'data.deleted', 'client', created.id), [
      {
        event_type: 'data.deleted',
        outcome: 'success',
        actor_user_id: w.userIds.responsable,
        actor_role: 'responsable',
        ip: '127.0.0.1',
        user_agent: 'service-test',
        request_id: 'test-responsable',
        resource_type: 'client',
        resource_id: String(created.id),
        details: { nom_entreprise: 'Service à supprimer' },
      },
    ]);
    await rejectsWith(clients().remove(w.actors.admin, w.c1), 409, REFERENCED);
    assert.ok(await new ClientsRepository(t().db).find(w.c1));
    await rejectsWith(clients().remove(w.actors.admin, created.id), 404, 'Client introuvable');
  });
});

/** A repository whose pre-checks find nothing: the write meets the constraint, as after a lost race. */
class RacingClients extends ClientsRepository {
  override async findConflicts() {
    return { name: false, ice: false };
  }

  override async isReferenced() {
    return false;
  }
}

describe('races: the constraint gives the pre-check answer', () => {
  const racing = () =>
    new ClientsService({ store: createStore(t().db, (x) => ({ clients: new RacingClients(x), audit: new AuditRepository(x) })), audit: t().services.audit, clock });

  test('unique name and ICE → 409 with the pre-check messages; nothing written', async () => {
    await clients().create(newClient({ nom_entreprise: 'Course Froid', ice: '700000000000007' }));
    const before = await snapshot(t(), 'clients');
    await rejectsWith(racing().create(newClient({ nom_entreprise: 'course froid' })), 409, 'Client déjà existant');
    await rejectsWith(racing().create(newClient({ ice: '700000000000007' })), 409, 'ICE déjà utilisé');
    const other = await clients().create(newClient());
    await rejectsWith(racing().patch(other.id, { nom_entreprise: 'COURSE FROID' }), 409, 'Client déjà existant');
    assert.equal((await snapshot(t(), 'clients')).length, before.length + 1);
  });

  test('a reference appearing before the delete → 409 referenced; the delete and its audit row rolled back', async () => {
    const client = await insertClient(t().db);
    await insertContrat(t().db, client);
    await rejectsWith(racing().remove(w.actors.admin, client), 409, REFERENCED);
    assert.ok(await new ClientsRepository(t().db).find(client));
    assert.deepEqual(await auditRows(t(), 'data.deleted', 'client', client), []);
  });
});
