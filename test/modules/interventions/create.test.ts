import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock } from '../../helpers/auth.js';
import { assertError, assertIssue, call, errorOf } from '../../helpers/http.js';
import { buildWorld, countRows, fullName, type Member, type World } from './world.js';

const clock = new FakeClock();
let w: World;

const t = useTestApp({ clock }, async () => {
  w = await buildWorld(t());
});

function post(who: Member, payload: unknown, url = '/api/v1/interventions/') {
  return call(t(), 'POST', url, { as: who.tokens, payload });
}

async function notificationsOf(interventionId: number) {
  return t().db.selectFrom('notifications').select(['type', 'canal', 'contenu', 'user_id', 'date_envoi', 'lu']).where('intervention_id', '=', interventionId).orderBy('user_id').execute();
}

async function historyOf(interventionId: number) {
  return t().db.selectFrom('historiques_interventions').select(['statut_precedent', 'statut', 'remarque', 'user_id', 'horodatage']).where('intervention_id', '=', interventionId).orderBy('id').execute();
}

const OUT_FIELDS = [
  'id', 'titre', 'description', 'type', 'statut', 'priorite', 'urgence', 'date_limite', 'date_creation', 'date_cloture', 'technicien_id', 'equipement_id',
  'date_affectation', 'date_debut_travaux', 'date_fin_travaux', 'date_archivage', 'duree_estimee', 'duree_reelle', 'cout_estime', 'cout_reel',
  'rapport_intervention', 'travaux_realises', 'recommandations', 'created_by_id', 'client_id', 'contrat_id', 'planning_id', 'en_retard',
  'technicien_nom', 'equipement_nom', 'updated_at',
];

describe('creation by a manager', () => {
  test('with a technician → 200 affectee, every InterventionOut field, history row, affectation notification', async () => {
    const response = await post(w.resp, {
      titre: '  Fuite compresseur  ',
      description: '  Bruit anormal ',
      type: 'corrective',
      priorite: 'haute',
      urgence: true,
      date_limite: '2026-07-01T10:00:00',
      technicien_id: w.t1.technicienId,
      equipement_id: w.e1,
    });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), [...OUT_FIELDS].sort());
    const now = clock.now().toISOString();
    const equipement = await t().db.selectFrom('equipements').select('nom').where('id', '=', w.e1).executeTakeFirstOrThrow();
    assert.deepEqual(body, {
      id: body.id,
      titre: 'Fuite compresseur',
      description: 'Bruit anormal',
      type: 'corrective',
      statut: 'affectee',
      priorite: 'haute',
      urgence: true,
      date_limite: '2026-07-01T10:00:00.000Z',
      date_creation: now,
      date_cloture: null,
      technicien_id: w.t1.technicienId,
      equipement_id: w.e1,
      date_affectation: now,
      date_debut_travaux: null,
      date_fin_travaux: null,
      date_archivage: null,
      duree_estimee: null,
      duree_reelle: null,
      cout_estime: null,
      cout_reel: null,
      rapport_intervention: null,
      travaux_realises: null,
      recommandations: null,
      created_by_id: w.resp.user.id,
      client_id: w.client1,
      contrat_id: w.contrat1,
      planning_id: null,
      en_retard: false,
      technicien_nom: fullName(w.t1),
      equipement_nom: equipement.nom,
      updated_at: now,
    });
    assert.deepEqual(await historyOf(body.id), [
      { statut_precedent: null, statut: 'affectee', remarque: 'Création de l’intervention', user_id: w.resp.user.id, horodatage: clock.now() },
    ]);
    assert.deepEqual(await notificationsOf(body.id), [
      { type: 'affectation', canal: 'email', contenu: `Intervention n°${body.id} « Fuite compresseur » vous a été affectée`, user_id: w.t1.user.id, date_envoi: clock.now(), lu: false },
    ]);
  });

  test('without a technician → ouverte with the defaults, the `type_intervention` alias, no notification', async () => {
    const response = await post(w.admin, { titre: 'Contrôle', type_intervention: 'diagnostic', equipement_id: w.e0, statut: null, priorite: null, urgence: null });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.statut, 'ouverte');
    assert.equal(body.type, 'diagnostic');
    assert.equal(body.priorite, 'normale');
    assert.equal(body.urgence, false);
    assert.equal(body.technicien_id, null);
    assert.equal(body.technicien_nom, null);
    assert.equal(body.date_affectation, null);
    assert.equal(body.created_by_id, w.admin.user.id);
    assert.equal(body.client_id, null);
    assert.equal(body.contrat_id, null);
    assert.equal(body.description, null);
    assert.deepEqual((await historyOf(body.id)).map((h) => [h.statut_precedent, h.statut, h.remarque]), [[null, 'ouverte', 'Création de l’intervention']]);
    assert.deepEqual(await notificationsOf(body.id), []);
  });

  test("statut 'ouverte' with a technician gives 'affectee'; 'affectee' with one is accepted", async () => {
    const a = await post(w.resp, { titre: 'A', type: 'preventive', statut: 'ouverte', technicien_id: w.t2.technicienId, equipement_id: w.e2 });
    assert.equal(a.statusCode, 200);
    assert.equal(a.json().statut, 'affectee');
    assert.equal(a.json().technicien_id, w.t2.technicienId);
    const b = await post(w.resp, { titre: 'B', type: 'preventive', statut: 'affectee', technicien_id: w.t2.technicienId, equipement_id: w.e2 });
    assert.equal(b.statusCode, 200);
    assert.equal(b.json().statut, 'affectee');
  });

  test('date-only date_limite = 00:00 UTC; an offset is converted to UTC', async () => {
    const a = await post(w.resp, { titre: 'D1', type: 'corrective', equipement_id: w.e0, date_limite: '2026-12-01' });
    assert.equal(a.json().date_limite, '2026-12-01T00:00:00.000Z');
    const b = await post(w.resp, { titre: 'D2', type: 'corrective', equipement_id: w.e0, date_limite: '2026-12-01T10:00:00+01:00' });
    assert.equal(b.json().date_limite, '2026-12-01T09:00:00.000Z');
  });

  test('unknown fields are ignored and never stored (no mass assignment)', async () => {
    const response = await post(w.resp, {
      titre: 'Mass',
      type: 'corrective',
      equipement_id: w.e0,
      created_by_id: w.admin.user.id,
      client_id: w.client2,
      cout_estime: 12,
      date_creation: '2020-01-01T00:00:00Z',
      planning_id: 1,
    });
    assert.equal(response.statusCode, 200);
    const row = await t().db.selectFrom('interventions').selectAll().where('id', '=', response.json().id).executeTakeFirstOrThrow();
    assert.equal(row.created_by_id, w.resp.user.id);
    assert.equal(row.client_id, null);
    assert.equal(row.cout_estime, null);
    assert.equal(row.planning_id, null);
    assert.equal(row.date_creation.toISOString(), clock.now().toISOString());
  });

  test('served at the root too, with or without the trailing slash', async () => {
    const root = await post(w.resp, { titre: 'Root', type: 'corrective', equipement_id: w.e0 }, '/interventions');
    assert.equal(root.statusCode, 200);
    const noSlash = await post(w.resp, { titre: 'NoSlash', type: 'corrective', equipement_id: w.e0 }, '/api/v1/interventions');
    assert.equal(noSlash.statusCode, 200);
  });
});

describe('creation errors (no row written)', () => {
  async function expectRefused(who: Member, payload: unknown, status: 403 | 404 | 409 | 422, message: string, extra?: (details: unknown) => void) {
    const counts = () => Promise.all([countRows(t(), 'interventions'), countRows(t(), 'historiques_interventions'), countRows(t(), 'notifications')]);
    const before = await counts();
    const details = assertError(await post(who, payload), status, message);
    extra?.(details);
    assert.deepEqual(await counts(), before);
  }

  test('unknown technician → 404, checked before an unknown equipment', async () => {
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', technicien_id: 999_999, equipement_id: 999_999 }, 404, 'Technicien assigné introuvable');
  });

  test('inactive technician profile, or technician whose user is inactive → 404', async () => {
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', technicien_id: w.t3TechnicienId, equipement_id: w.e1 }, 404, 'Technicien assigné introuvable');
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', technicien_id: w.t4TechnicienId, equipement_id: w.e1 }, 404, 'Technicien assigné introuvable');
  });

  test('unknown equipment → 404; retired equipment → 409', async () => {
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: 999_999 }, 404, 'Équipement cible introuvable');
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: w.eRetired }, 409, 'Équipement retiré du service');
  });

  test("initial status other than ouverte/affectee → 422; 'affectee' without technician → 422", async () => {
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', statut: 'en_cours', technicien_id: w.t1.technicienId, equipement_id: w.e1 }, 422, "Statut initial invalide : seuls 'ouverte' et 'affectee' sont acceptés", (details) => {
      assert.deepEqual(details, [{ loc: ['body', 'statut'], msg: "Statut initial invalide : seuls 'ouverte' et 'affectee' sont acceptés", type: 'value' }]);
    });
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', statut: 'cloturee', equipement_id: w.e1 }, 422, "Statut initial invalide : seuls 'ouverte' et 'affectee' sont acceptés");
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', statut: 'affectee', equipement_id: w.e1 }, 422, "Un technicien est requis pour le statut 'affectee'");
  });

  test('unknown enum values → 422 enum', async () => {
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', statut: 'terminee', equipement_id: w.e1 }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual((details as { loc: unknown[]; type: string }[]).map((d) => [d.loc, d.type]), [[['body', 'statut'], 'enum']]);
    });
    await expectRefused(w.resp, { titre: 'X', type: 'reparation', equipement_id: w.e1 }, 422, 'Erreur de validation des données');
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', priorite: 'critique', equipement_id: w.e1 }, 422, 'Erreur de validation des données');
    await expectRefused(w.resp, { titre: 'X', type: 'Corrective', equipement_id: w.e1 }, 422, 'Erreur de validation des données');
  });

  test('an empty string is not an enum value: 422, not read as null (found by the fuzz)', async () => {
    for (const field of ['type', 'priorite', 'statut']) {
      await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: w.e1, [field]: '' }, 422, 'Erreur de validation des données', (details) => {
        assert.deepEqual((details as { loc: unknown[]; type: string }[]).map((d) => [d.loc, d.type]), [[['body', field], 'enum']]);
      });
    }
  });

  test('missing or wrongly typed fields → 422 with their location', async () => {
    await expectRefused(w.resp, { type: 'corrective', equipement_id: w.e1 }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual(details, [{ loc: ['body', 'titre'], msg: 'Champ obligatoire', type: 'missing' }]);
    });
    await expectRefused(w.resp, { titre: 'X', equipement_id: w.e1 }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual(details, [{ loc: ['body', 'type'], msg: 'Champ obligatoire', type: 'missing' }]);
    });
    await expectRefused(w.resp, { titre: 'X', type: 'corrective' }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual((details as { loc: unknown[] }[]).map((d) => d.loc), [['body', 'equipement_id']]);
    });
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: 'abc' }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual((details as { loc: unknown[]; type: string }[]).map((d) => [d.loc, d.type]), [[['body', 'equipement_id'], 'type']]);
    });
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: w.e1, urgence: 'peut-être' }, 422, 'Erreur de validation des données');
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: w.e1, technicien_id: 'T1' }, 422, 'Erreur de validation des données');
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: 0 }, 422, 'Erreur de validation des données');
  });

  test('empty title after trimming, oversized title → 422', async () => {
    await expectRefused(w.resp, { titre: '   ', type: 'corrective', equipement_id: w.e1 }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual(details, [{ loc: ['body', 'titre'], msg: 'Le titre est obligatoire', type: 'too_short' }]);
    });
    await expectRefused(w.resp, { titre: 'x'.repeat(256), type: 'corrective', equipement_id: w.e1 }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual((details as { loc: unknown[]; type: string }[]).map((d) => [d.loc, d.type]), [[['body', 'titre'], 'too_long']]);
    });
  });

  test('a NUL character in a text field → 422 (never a database error)', async () => {
    await expectRefused(w.resp, { titre: 'a\u0000b', type: 'corrective', equipement_id: w.e1 }, 422, 'Caractère NUL interdit', (details) => {
      assert.deepEqual(details, [{ loc: ['body', 'titre'], msg: 'Caractère NUL interdit', type: 'value' }]);
    });
    await expectRefused(w.resp, { titre: 'ok', description: '\u0000', type: 'corrective', equipement_id: w.e1 }, 422, 'Caractère NUL interdit');
  });

  test('invalid dates → 422 format', async () => {
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: w.e1, date_limite: 'demain' }, 422, 'Erreur de validation des données');
    await expectRefused(w.resp, { titre: 'X', type: 'corrective', equipement_id: w.e1, date_limite: '2026-02-30' }, 422, 'Erreur de validation des données', (details) => {
      assert.deepEqual(details, [{ loc: ['body', 'date_limite'], msg: 'Date invalide', type: 'format' }]);
    });
  });

  test('an empty JSON body → 422 (the body is required)', async () => {
    const response = await call(t(), 'POST', '/api/v1/interventions/', { as: w.resp.tokens, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 422);
  });

  test('a technician may not create → 403 with the roles, audited', async () => {
    await expectRefused(w.t1, { titre: 'X', type: 'corrective', equipement_id: w.e1 }, 403, 'Accès réservé aux rôles : admin, responsable, client');
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('actor_user_id', '=', w.t1.user.id)
      .where('event_type', '=', 'rbac.denied')
      .execute();
    assert.deepEqual(audit, [{ outcome: 'denied', details: { reason: 'role', route: '/api/v1/interventions/', method: 'POST' } }]);
  });

  test('without a token → 401', async () => {
    const response = await call(t(), 'POST', '/api/v1/interventions/', { payload: { titre: 'X', type: 'corrective', equipement_id: w.e1 } });
    assert.equal(response.statusCode, 401);
  });
});

describe('client requests', () => {
  test("on its company's equipment: forced corrective/ouverte/normale, technician and deadline ignored, responsables notified, no costs", async () => {
    const response = await post(w.c1, {
      titre: 'Panne climatisation',
      description: 'Ne démarre plus',
      type: 'ameliorative',
      statut: 'affectee',
      priorite: 'urgente',
      urgence: true,
      date_limite: '2026-06-20T00:00:00Z',
      technicien_id: w.t1.technicienId,
      equipement_id: w.e1,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.type, 'corrective');
    assert.equal(body.statut, 'ouverte');
    assert.equal(body.priorite, 'normale');
    assert.equal(body.urgence, true);
    assert.equal(body.technicien_id, null);
    assert.equal(body.date_limite, null);
    assert.equal(body.created_by_id, w.c1.user.id);
    assert.equal(body.client_id, w.client1);
    assert.equal(body.contrat_id, w.contrat1);
    assert.equal('cout_estime' in body, false);
    assert.equal('cout_reel' in body, false);
    const expected = [w.resp.user.id, w.resp2.user.id].sort((a, b) => a - b).map((userId) => ({
      type: 'information',
      canal: 'email',
      contenu: `Nouvelle demande d'intervention n°${body.id} « Panne climatisation » (${w.client1Name})`,
      user_id: userId,
      date_envoi: clock.now(),
      lu: false,
    }));
    assert.deepEqual(await notificationsOf(body.id), expected);
    assert.deepEqual((await historyOf(body.id)).map((h) => [h.statut_precedent, h.statut, h.user_id]), [[null, 'ouverte', w.c1.user.id]]);
  });

  test('a client request needs `type` too (legacy contract), then gets `corrective` whatever it sent', async () => {
    assertIssue(await post(w.c1, { titre: 'Sans type', equipement_id: w.e1 }), ['body', 'type'], 'missing');
    const response = await post(w.c1, { titre: 'Amélioration', type_intervention: 'ameliorative', equipement_id: w.e1 });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().type, 'corrective');
  });

  test("another company's, MIF's own or unknown equipment → 404, audited when it exists", async () => {
    const before = await countRows(t(), 'interventions');
    for (const equipementId of [w.e2, w.e0, 999_999]) {
      const response = await post(w.c1, { titre: 'X', type: 'corrective', equipement_id: equipementId });
      assert.equal(response.statusCode, 404);
      assert.equal(errorOf(response).message, 'Équipement cible introuvable');
    }
    const noCompany = await post(w.c0, { titre: 'X', type: 'corrective', equipement_id: w.e1 });
    assert.equal(noCompany.statusCode, 404);
    assert.equal(errorOf(noCompany).message, 'Équipement cible introuvable');
    assert.equal(await countRows(t(), 'interventions'), before);
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['resource_type', 'resource_id', 'details'])
      .where('event_type', '=', 'rbac.denied')
      .where('actor_user_id', '=', w.c1.user.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(audit, [
      { resource_type: 'equipement', resource_id: String(w.e2), details: { reason: 'hors_perimetre' } },
      { resource_type: 'equipement', resource_id: String(w.e0), details: { reason: 'hors_perimetre' } },
    ]);
  });

  test("retired equipment of the client's company → 409", async () => {
    const response = await post(w.c1, { titre: 'X', type: 'corrective', equipement_id: w.eRetired });
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).message, 'Équipement retiré du service');
  });
});
