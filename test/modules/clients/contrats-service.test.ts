/**
 * ContratsService without HTTP, on the real database: scope, the audit rows, the writes and their
 * refusals, and the constraint table answering a race lost after the pre-checks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapConstraintViolation } from '../../../src/db/constraints.js';
import { createStore } from '../../../src/db/store.js';
import { SYSTEM_ACTOR } from '../../../src/lib/actor.js';
import { AuditRepository } from '../../../src/modules/audit/repository.js';
import { CONTRAT_CONSTRAINT_ERRORS, ContratsRepository } from '../../../src/modules/clients/contrats-repository.js';
import { ContratsService } from '../../../src/modules/clients/contrats-service.js';
import { ClientsRepository } from '../../../src/modules/clients/repository.js';
import { MINUTE } from '../../helpers/auth.js';
import { insertEquipement, insertIntervention } from '../../helpers/fixtures.js';
import { rejectsWith } from '../../helpers/services.js';
import { auditRows, snapshot, useWorld } from './world.js';

const { clock, t, w } = useWorld();
const contrats = () => t().services.contrats;
const PAGE = { limit: 500, offset: 0 };
const DATES_ORDER = 'La date de fin doit être postérieure ou égale à la date de début';
const REFERENCED = "Contrat utilisé par des équipements ou des interventions : passez-le au statut 'resilie'";

let counter = 0;
function newContrat(extra: Record<string, unknown> = {}) {
  counter++;
  return {
    numero_contrat: `SVC-${counter}`,
    nom_contrat: `Service ${counter}`,
    type_contrat: 'support_technique' as const,
    date_debut: '2026-01-01',
    date_fin: '2026-12-31',
    client_id: w.c1,
    ...extra,
  };
}

describe('list and get', () => {
  test("a client user lists its company's contracts only, even when filtering on another; the system sees all", async () => {
    const own = await contrats().list(w.actors.clientC1, {}, PAGE);
    assert.deepEqual(own.rows.map((row) => [row.id, row.nb_interventions_utilisees]), [[w.contratC1, 0]]);
    assert.equal(own.total, 1);
    assert.deepEqual(await contrats().list(w.actors.clientC1, { clientId: w.c2 }, PAGE), { rows: [], total: 0 });
    const all = await contrats().list(SYSTEM_ACTOR, {}, { ...PAGE, sort: '-numero_contrat' });
    assert.deepEqual(all.rows.map((row) => row.numero_contrat), ['W-C2-001', 'W-C1-001']);
  });

  test("another company's contract → 404, audited rbac.denied; its own → the row", async () => {
    assert.equal((await contrats().get(w.actors.clientC1, w.contratC1)).numero_contrat, 'W-C1-001');
    await rejectsWith(contrats().get(w.actors.clientC1, w.contratC2), 404, 'Contrat introuvable');
    const [denied] = await auditRows(t(), 'rbac.denied', 'contrat', w.contratC2);
    assert.deepEqual(
      [denied?.actor_user_id, denied?.actor_role, denied?.request_id, denied?.details],
      [w.userIds.clientC1, 'client', 'test-clientC1', { reason: 'hors_perimetre' }],
    );
  });
});

describe('writes', () => {
  test('create: the row with the defaults and the clock; unknown client → 404; number taken → 409; nothing written', async () => {
    const created = await contrats().create(newContrat({ numero_contrat: ' SVC-CREATE ' }));
    assert.deepEqual(
      [created.numero_contrat, created.statut, created.devise, created.nb_interventions_utilisees, created.date_creation],
      ['SVC-CREATE', 'brouillon', 'MAD', 0, clock.now()],
    );
    const before = await snapshot(t(), 'contrats');
    await rejectsWith(contrats().create(newContrat({ client_id: 987_654 })), 404, 'Client introuvable');
    await rejectsWith(contrats().create(newContrat({ numero_contrat: 'SVC-CREATE' })), 409, 'Numéro de contrat déjà utilisé');
    await rejectsWith(contrats().create(newContrat({ date_debut: '2026-02-01', date_fin: '2026-01-31' })), 422, DATES_ORDER);
    assert.deepEqual(await snapshot(t(), 'contrats'), before);
  });

  test('patch: date_fin against the stored date_debut; a referenced contract keeps its client; else the change and date_modification', async () => {
    const created = await contrats().create(newContrat({ date_debut: '2026-03-01' }));
    await rejectsWith(contrats().patch(created.id, { date_fin: '2026-02-28' }), 422, DATES_ORDER);
    await insertEquipement(t().db, { client_id: w.c1, contrat_id: created.id });
    await rejectsWith(contrats().patch(created.id, { client_id: w.c2 }), 409, 'Contrat utilisé par des équipements ou des interventions : son client ne peut pas changer');
    clock.advance(MINUTE);
    const patched = await contrats().patch(created.id, { statut: 'en_cours', date_fin: '2026-03-01' });
    assert.deepEqual(patched, { ...created, statut: 'en_cours', date_fin: '2026-03-01', date_modification: clock.now() });
    await rejectsWith(contrats().patch(987_654, { statut: 'expire' }), 404, 'Contrat introuvable');
  });

  test('remove: one data.deleted audit row; referenced (even by a cancelled intervention) → 409 and kept', async () => {
    const created = await contrats().create(newContrat({ numero_contrat: 'SVC-DEL' }));
    await contrats().remove(w.actors.admin, created.id);
    assert.equal(await new ContratsRepository(t().db).find(created.id, 'UTC'), undefined);
    assert.deepEqual(await auditRows(t(), 'data.deleted', 'contrat', created.id), [
      {
        event_type: 'data.deleted',
        outcome: 'success',
        actor_user_id: w.userIds.admin,
        actor_role: 'admin',
        ip: '127.0.0.1',
        user_agent: 'service-test',
        request_id: 'test-admin',
        resource_type: 'contrat',
        resource_id: String(created.id),
        details: { numero_contrat: 'SVC-DEL', client_id: w.c1 },
      },
    ]);
    const used = await contrats().create(newContrat());
    await insertIntervention(t().db, await insertEquipement(t().db), { contrat_id: used.id, statut: 'annulee' });
    await rejectsWith(contrats().remove(w.actors.admin, used.id), 409, REFERENCED);
    assert.ok(await new ContratsRepository(t().db).findClientOf(used.id));
  });
});

/** Repositories whose pre-checks find nothing: the write meets the constraint, as after a lost race. */
class RacingContrats extends ContratsRepository {
  override async numeroTaken() {
    return false;
  }

  override async isReferenced() {
    return false;
  }
}

class RacingClients extends ClientsRepository {
  override async exists() {
    return true;
  }
}

describe('races: the constraint gives the pre-check answer', () => {
  const racing = () =>
    new ContratsService({
      store: createStore(t().db, (x) => ({ contrats: new RacingContrats(x), clients: new RacingClients(x), audit: new AuditRepository(x) })),
      audit: t().services.audit,
      clock,
      timeZone: t().config.appTimezone,
    });

  test('number taken → 409, unknown client → 404, referenced on delete → 409; nothing written, no audit row', async () => {
    const before = await snapshot(t(), 'contrats');
    await rejectsWith(racing().create(newContrat({ numero_contrat: 'W-C2-001' })), 409, 'Numéro de contrat déjà utilisé');
    await rejectsWith(racing().create(newContrat({ client_id: 987_654 })), 404, 'Client introuvable');
    await rejectsWith(racing().patch(w.contratC1, { numero_contrat: 'W-C2-001' }), 409, 'Numéro de contrat déjà utilisé');
    await insertEquipement(t().db, { client_id: w.c2, contrat_id: w.contratC2 });
    await rejectsWith(racing().remove(w.actors.admin, w.contratC2), 409, REFERENCED);
    assert.deepEqual(await snapshot(t(), 'contrats'), before);
    assert.deepEqual(await auditRows(t(), 'data.deleted', 'contrat', w.contratC2), []);
  });

  test('a CHECK constraint: dates → the specific 422; any other → a 422 on the body', async () => {
    const repository = new ContratsRepository(t().db);
    const insert = (values: Record<string, unknown>) =>
      repository.insert({ ...newContrat(), ...values }).catch((error: unknown) => Promise.reject(mapConstraintViolation(error, CONTRAT_CONSTRAINT_ERRORS)));
    const dates = await rejectsWith(insert({ date_debut: '2026-06-02', date_fin: '2026-06-01' }), 422, DATES_ORDER);
    assert.deepEqual(dates.details, [{ loc: ['body', 'date_fin'], msg: DATES_ORDER, type: 'value' }]);
    const devise = await rejectsWith(insert({ devise: 'eur' }), 422, 'Erreur de validation des données');
    assert.deepEqual(devise.details, [{ loc: ['body'], msg: 'Valeur refusée par une contrainte', type: 'value' }]);
  });
});
