/**
 * TechniciensService and CompetencesService called directly (no HTTP), on the real database: rows
 * and links written, errors thrown with their status and message, audit rows, and the constraint
 * tables answering a lost race.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStore } from '../../../src/db/store.js';
import type { Actor } from '../../../src/lib/actor.js';
import { AuditRepository } from '../../../src/modules/audit/repository.js';
import { CompetencesRepository } from '../../../src/modules/techniciens/competences-repository.js';
import { TechniciensRepository } from '../../../src/modules/techniciens/repository.js';
import { TechniciensService } from '../../../src/modules/techniciens/service.js';
import { useTestApp } from '../../helpers/app.js';
import { actorOf, FakeClock, MINUTE } from '../../helpers/auth.js';
import { insertCompetence, insertEquipement, insertIntervention, insertTechnicien, insertUserRow } from '../../helpers/fixtures.js';
import { rejectsWith } from '../../helpers/services.js';

const clock = new FakeClock();
let admin: Actor;
let equipementId: number;

const t = useTestApp({ clock }, async () => {
  admin = { ...actorOf({ id: await insertUserRow(t().db, 'admin'), role: 'admin' }), requestId: 'svc-admin' };
  equipementId = await insertEquipement(t().db);
});

const techniciens = () => t().services.techniciens;
const competences = () => t().services.competences;

async function linksOf(technicienId: number) {
  return t()
    .db.selectFrom('technicien_competence')
    .select(['competence_id', 'date_acquisition'])
    .where('technicien_id', '=', technicienId)
    .orderBy('competence_id')
    .execute();
}

async function auditRows(resourceType: string, resourceId: number) {
  return t()
    .db.selectFrom('audit_events')
    .select(['event_type', 'actor_user_id', 'actor_role', 'request_id', 'outcome', 'details'])
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', String(resourceId))
    .execute();
}

async function profileCount(): Promise<number> {
  const row = await t().db.selectFrom('techniciens').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('TechniciensService.create / update', () => {
  test('create writes the profile and its skill links in one go, and answers TechnicienOut', async () => {
    const userId = await insertUserRow(t().db, 'technicien', { fullName: 'Service Un' });
    const [s1, s2] = [await insertCompetence(t().db, `Svc soudure ${process.pid}`), await insertCompetence(t().db, `Svc câblage ${process.pid}`)];
    const out = await techniciens().create({ user_id: userId, equipe: '  Nord ', disponibilite: ' Occupé ', numero_badge: 'SVC-B1', competences_ids: [s2, s1, s2] });
    assert.equal(out.user.id, userId);
    assert.equal(out.user.full_name, 'Service Un');
    assert.deepEqual(out.competences.map((c) => c.id), [s1, s2]);
    const row = await t().db.selectFrom('techniciens').selectAll().where('id', '=', out.id).executeTakeFirstOrThrow();
    assert.equal(row.equipe, 'Nord');
    assert.equal(row.disponibilite, 'occupe');
    assert.equal(row.numero_badge, 'SVC-B1');
    assert.deepEqual(await linksOf(out.id), [
      { competence_id: s1, date_acquisition: clock.now() },
      { competence_id: s2, date_acquisition: clock.now() },
    ]);
  });

  test('create refuses: unknown user 404, a non-technician 400, unknown skill 404, second profile 409; nothing written', async () => {
    const before = await profileCount();
    await rejectsWith(techniciens().create({ user_id: 747_474 }), 404, 'Utilisateur lié introuvable');
    await rejectsWith(techniciens().create({ user_id: await insertUserRow(t().db, 'client') }), 400, 'L\u0027utilisateur n\u2019est pas un technicien');
    const userId = await insertUserRow(t().db);
    await rejectsWith(techniciens().create({ user_id: userId, competences_ids: [636_363] }), 404, 'Une ou plusieurs compétences sont introuvables');
    await rejectsWith(techniciens().create({ user_id: userId, disponibilite: 'absent' }), 422, 'Disponibilité invalide');
    assert.equal(await profileCount(), before);
    await techniciens().create({ user_id: userId });
    await rejectsWith(techniciens().create({ user_id: userId }), 409, 'Un profil technicien existe déjà pour cet utilisateur');
    assert.equal(await profileCount(), before + 1);
  });

  test('update replaces the skill set; a kept skill keeps its link row', async () => {
    const [kept, dropped, added] = [
      await insertCompetence(t().db, `Svc garde ${process.pid}`),
      await insertCompetence(t().db, `Svc retirée ${process.pid}`),
      await insertCompetence(t().db, `Svc ajoutée ${process.pid}`),
    ];
    const created = await techniciens().create({ user_id: await insertUserRow(t().db), competences_ids: [kept, dropped] });
    const acquired = clock.now();
    clock.advance(MINUTE);
    const out = await techniciens().update(created.id, { competences_ids: [added, kept], equipe: '' });
    assert.equal(out.equipe, null);
    assert.deepEqual(await linksOf(created.id), [
      { competence_id: kept, date_acquisition: acquired },
      { competence_id: added, date_acquisition: clock.now() },
    ]);
    await rejectsWith(techniciens().update(656_565, { equipe: 'x' }), 404, 'Technicien introuvable');
  });

  test('a badge taken by a concurrent write past the check gets the check’s answer (constraint table)', async () => {
    await techniciens().create({ user_id: await insertUserRow(t().db), numero_badge: 'SVC-RACE' });
    const racing = new TechniciensService({
      store: createStore(t().db, (x) => ({
        techniciens: Object.assign(new TechniciensRepository(x), { badgeTaken: async () => false }),
        competences: new CompetencesRepository(x),
        audit: new AuditRepository(x),
      })),
      clock,
    });
    await rejectsWith(racing.create({ user_id: await insertUserRow(t().db), numero_badge: 'SVC-RACE' }), 409, 'Numéro de badge déjà utilisé');
  });
});

describe('TechniciensService.list / get', () => {
  test('filters are normalised; the page comes with the total', async () => {
    const equipe = `Svc liste ${process.pid}`;
    const ids = [];
    for (const disponibilite of ['conge', 'conge', 'disponible'] as const) ids.push(await insertTechnicien(t().db, await insertUserRow(t().db), { equipe, disponibilite }));
    const page = await techniciens().list({ equipe: ` ${equipe} `, disponibilite: [' CONGÉ '] }, { limit: 1, offset: 0, sort: '-id' });
    assert.equal(page.total, 2);
    assert.deepEqual(page.rows.map((row) => row.id), [ids[1]]);
    assert.equal(page.rows[0]!.disponibilite, 'conge');
    await rejectsWith(techniciens().list({ disponibilite: ['conge', 'ailleurs'] }, { limit: 10, offset: 0 }), 422, 'Disponibilité invalide');
    await rejectsWith(techniciens().get(646_464), 404, 'Technicien introuvable');
  });
});

describe('TechniciensService.delete', () => {
  test('refused (409) while an intervention is active; the profile stays', async () => {
    const id = await insertTechnicien(t().db, await insertUserRow(t().db));
    await insertIntervention(t().db, equipementId, { statut: 'en_cours', technicien_id: id });
    await rejectsWith(techniciens().delete(admin, id), 409, 'Technicien affecté à des interventions en cours');
    assert.equal((await t().db.selectFrom('techniciens').select('id').where('id', '=', id).execute()).length, 1);
  });

  test('deletes the profile, detaches closed interventions, audited data.deleted', async () => {
    const userId = await insertUserRow(t().db);
    const id = await insertTechnicien(t().db, userId);
    const closed = await insertIntervention(t().db, equipementId, { statut: 'cloturee', technicien_id: id });
    await techniciens().delete(admin, id);
    assert.equal((await t().db.selectFrom('techniciens').select('id').where('id', '=', id).execute()).length, 0);
    const intervention = await t().db.selectFrom('interventions').select('technicien_id').where('id', '=', closed).executeTakeFirstOrThrow();
    assert.equal(intervention.technicien_id, null);
    assert.deepEqual(await auditRows('technicien', id), [
      { event_type: 'data.deleted', actor_user_id: admin.userId, actor_role: 'admin', request_id: 'svc-admin', outcome: 'success', details: { user_id: userId, interventions_detachees: 1 } },
    ]);
  });
});

describe('CompetencesService', () => {
  test('create trims, defaults the domain, refuses a name taken in another case (400)', async () => {
    const nom = `Svc Électricité ${process.pid}`;
    const created = await competences().create({ nom: `  ${nom} `, domaine: ' ', description: '' });
    assert.deepEqual(created, { id: created.id, nom, domaine: 'general', description: null });
    await rejectsWith(competences().create({ nom: nom.toUpperCase() }), 409, 'Compétence déjà existante');
    await rejectsWith(competences().create({ nom: '   ' }), 422, 'Erreur de validation des données');
    // Trimmed, ASCII letters case-insensitive (the database folds ASCII only).
    const page = await competences().list({ q: `  SVC Électricité ${process.pid} ` }, { limit: 10, offset: 0 });
    assert.deepEqual(page, { rows: [created], total: 1 });
  });

  test('update keeps absent fields; a name of another skill → 400; unknown → 404', async () => {
    const other = `Svc autre ${process.pid}`;
    await competences().create({ nom: other });
    const skill = await competences().create({ nom: `Svc renommée ${process.pid}`, domaine: 'froid' });
    assert.deepEqual(await competences().update(skill.id, { description: 'Texte' }), { ...skill, description: 'Texte' });
    await rejectsWith(competences().update(skill.id, { nom: other }), 409, 'Compétence déjà existante');
    await rejectsWith(competences().update(676_767, { nom: 'x' }), 404, 'Compétence introuvable');
  });

  test('delete removes the links by cascade, audited data.deleted with the link count', async () => {
    const skill = await competences().create({ nom: `Svc supprimée ${process.pid}` });
    const holder = await techniciens().create({ user_id: await insertUserRow(t().db), competences_ids: [skill.id] });
    await competences().delete(admin, skill.id);
    assert.deepEqual(await linksOf(holder.id), []);
    assert.deepEqual(await auditRows('competence', skill.id), [
      { event_type: 'data.deleted', actor_user_id: admin.userId, actor_role: 'admin', request_id: 'svc-admin', outcome: 'success', details: { nom: skill.nom, liens_supprimes: 1 } },
    ]);
    await rejectsWith(competences().delete(admin, skill.id), 404, 'Compétence introuvable');
  });
});
