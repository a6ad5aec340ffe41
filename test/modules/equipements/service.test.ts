/**
 * EquipementsService called directly (no HTTP), on the real database: rows written, errors thrown
 * with their status and message, audit rows, and the constraint table answering a lost race.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStore } from '../../../src/db/store.js';
import type { Actor } from '../../../src/lib/actor.js';
import { AuditRepository } from '../../../src/modules/audit/repository.js';
import { EquipementsRepository } from '../../../src/modules/equipements/repository.js';
import { EquipementsService } from '../../../src/modules/equipements/service.js';
import { useTestApp } from '../../helpers/app.js';
import { actorOf, FakeClock, MINUTE } from '../../helpers/auth.js';
import { insertClient, insertContrat, insertEquipement, insertIntervention, insertUserRow } from '../../helpers/fixtures.js';
import { rejectsWith } from '../../helpers/services.js';

const clock = new FakeClock();
let c1: number;
let c2: number;
let k1: number;
let responsable: Actor;
let clientC1: Actor;

const t = useTestApp({ clock }, async () => {
  const db = t().db;
  c1 = await insertClient(db);
  c2 = await insertClient(db);
  k1 = await insertContrat(db, c1);
  responsable = { ...actorOf({ id: await insertUserRow(db, 'responsable'), role: 'responsable' }), requestId: 'svc-responsable' };
  clientC1 = { ...actorOf({ id: await insertUserRow(db, 'client'), role: 'client' }, { clientId: c1 }), requestId: 'svc-client' };
});

const service = () => t().services.equipements;
let sequence = 0;
const uniqueName = () => `Service equipement ${++sequence}`;

async function auditRows(eventType: string, resourceId: number) {
  return t()
    .db.selectFrom('audit_events')
    .select(['actor_user_id', 'actor_role', 'request_id', 'outcome', 'resource_type', 'details'])
    .where('event_type', '=', eventType)
    .where('resource_id', '=', String(resourceId))
    .execute();
}

describe('EquipementsService.create / update', () => {
  test('create trims, stores the frequency in days and the contract’s client, stamps the clock', async () => {
    const nom = uniqueName();
    const out = await service().create({ nom: `  ${nom} `, type: ' pompe ', localisation: ' Atelier ', frequence_entretien: 'trimestriel', contrat_id: k1 });
    assert.equal(out.nom, nom);
    assert.equal(out.frequence_entretien, '90');
    assert.equal(out.client_id, c1, 'a contract without client_id gives its client');
    const row = await t().db.selectFrom('equipements').selectAll().where('id', '=', out.id).executeTakeFirstOrThrow();
    assert.equal(row.type_equipement, 'pompe');
    assert.equal(row.localisation, 'Atelier');
    assert.equal(row.frequence_entretien_jours, 90);
    assert.equal(row.contrat_id, k1);
    assert.equal(row.created_at.toISOString(), clock.now().toISOString());
  });

  test('create refuses a taken name (400), a serial number (409) and a foreign contract (422); nothing is written', async () => {
    const nom = uniqueName();
    await service().create({ nom, type: 'x', localisation: 'y', numero_serie: 'SVC-SN-1' });
    const count = async () => Number((await t().db.selectFrom('equipements').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    await rejectsWith(service().create({ nom: nom.toUpperCase(), type: 'x', localisation: 'y' }), 409, 'Équipement déjà existant');
    await rejectsWith(service().create({ nom: uniqueName(), type: 'x', localisation: 'y', numero_serie: 'SVC-SN-1' }), 409, 'Numéro de série déjà utilisé');
    await rejectsWith(service().create({ nom: uniqueName(), type: 'x', localisation: 'y', client_id: c2, contrat_id: k1 }), 422, "Le contrat n'appartient pas à ce client");
    await rejectsWith(service().create({ nom: uniqueName(), type: 'x', localisation: 'y', frequence_entretien: 'parfois' }), 422, "Fréquence d'entretien invalide");
    assert.equal(await count(), before);
  });

  test('update changes the given fields only and stamps updated_at; unknown id → 404', async () => {
    const created = await service().create({ nom: uniqueName(), type: 'x', localisation: 'y', marque: 'Avant' });
    clock.advance(MINUTE);
    const updated = await service().update(created.id, { marque: ' Après ', description: '' });
    assert.equal(updated.marque, 'Après');
    assert.equal(updated.description, null);
    assert.equal(updated.nom, created.nom);
    const row = await t().db.selectFrom('equipements').select(['marque', 'updated_at']).where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { marque: 'Après', updated_at: clock.now() });
    await rejectsWith(service().update(919_191, { marque: 'x' }), 404, 'Équipement introuvable');
  });

  test('a unique violation that races past the name check gets the check’s answer (constraint table)', async () => {
    const nom = uniqueName();
    await service().create({ nom, type: 'x', localisation: 'y' });
    // A repository whose pre-check misses the existing row, as a concurrent insert would.
    const racing = new EquipementsService({
      store: createStore(t().db, (x) => ({ equipements: Object.assign(new EquipementsRepository(x), { nomTaken: async () => false }), audit: new AuditRepository(x) })),
      audit: t().services.audit,
      clock,
    });
    await rejectsWith(racing.create({ nom, type: 'x', localisation: 'y' }), 409, 'Équipement déjà existant');
  });
});

describe('EquipementsService.get / list (scope)', () => {
  test('a client reads its company’s equipment; another company’s → 404 and one rbac.denied row', async () => {
    const own = await insertEquipement(t().db, { client_id: c1 });
    const other = await insertEquipement(t().db, { client_id: c2 });
    assert.equal((await service().get(clientC1, own)).id, own);
    await rejectsWith(service().get(clientC1, other), 404, 'Équipement introuvable');
    assert.deepEqual(await auditRows('rbac.denied', other), [
      { actor_user_id: clientC1.userId, actor_role: 'client', request_id: 'svc-client', outcome: 'denied', resource_type: 'equipement', details: { reason: 'hors_perimetre' } },
    ]);
    assert.equal((await service().get(responsable, other)).id, other);
    await rejectsWith(service().get(responsable, 828_282), 404, 'Équipement introuvable');
    assert.equal((await auditRows('rbac.denied', 828_282)).length, 0, 'a missing row is not a refusal');
  });

  test('list returns the page and the total of the caller’s scope', async () => {
    const type = `scope-${process.pid}`;
    const mine = [await insertEquipement(t().db, { client_id: c1, type_equipement: type }), await insertEquipement(t().db, { client_id: c1, type_equipement: type })];
    await insertEquipement(t().db, { client_id: c2, type_equipement: type });
    const page = await service().list(clientC1, { type }, { limit: 1, offset: 0 });
    assert.equal(page.total, 2);
    assert.deepEqual(page.rows.map((row) => row.id), [mine[0]]);
    assert.equal((await service().list(responsable, { type }, { limit: 10, offset: 0, sort: '-id' })).total, 3);
    assert.deepEqual(await service().list({ ...clientC1, clientId: null }, { type }, { limit: 10, offset: 0 }), { rows: [], total: 0 });
  });
});

describe('EquipementsService.delete', () => {
  test('refused (409) while an intervention references it; the row stays', async () => {
    const id = await insertEquipement(t().db);
    await insertIntervention(t().db, id, { statut: 'annulee' });
    await rejectsWith(service().delete(responsable, id), 409, 'Équipement utilisé par des interventions');
    assert.notEqual(await t().db.selectFrom('equipements').select('id').where('id', '=', id).executeTakeFirst(), undefined);
    assert.equal((await auditRows('data.deleted', id)).length, 0);
  });

  test('deletes the row and its plannings, audited data.deleted with the actor', async () => {
    const id = await insertEquipement(t().db, { client_id: c1, nom: `À supprimer ${process.pid}` });
    await t().db.insertInto('plannings').values({ equipement_id: id, frequence: 'mensuel' }).execute();
    await service().delete(responsable, id);
    assert.equal(await t().db.selectFrom('equipements').select('id').where('id', '=', id).executeTakeFirst(), undefined);
    assert.equal((await t().db.selectFrom('plannings').select('id').where('equipement_id', '=', id).execute()).length, 0);
    assert.deepEqual(await auditRows('data.deleted', id), [
      {
        actor_user_id: responsable.userId,
        actor_role: 'responsable',
        request_id: 'svc-responsable',
        outcome: 'success',
        resource_type: 'equipement',
        details: { nom: `À supprimer ${process.pid}`, client_id: c1, plannings_supprimes: 1 },
      },
    ]);
    await rejectsWith(service().delete(responsable, id), 404, 'Équipement introuvable');
  });
});
