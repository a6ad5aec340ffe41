import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { TechniciensRepository } from '../../../src/modules/techniciens/repository.js';
import { UserOutSchema } from '../../../src/modules/users/schemas.js';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, MINUTE, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertCompetence, insertEquipement, insertIntervention, insertTechnicien, insertUserRow } from '../../helpers/fixtures.js';
import { assertError, call, errorOf } from '../../helpers/http.js';
import { countQueries } from '../../helpers/queries.js';
import { loginEveryRole, type Callers } from './support.js';

const V1 = '/api/v1';
const clock = new FakeClock();
let as: Callers;
let equipementId: number;

const NOT_TECHNICIEN = 'L\u0027utilisateur n\u2019est pas un technicien';
const WRITE_DENIED = 'Accès réservé aux rôles : admin, responsable';
const READ_DENIED = 'Accès réservé aux rôles : admin, responsable, technicien';

const t = useTestApp({ clock }, async () => {
  as = await loginEveryRole(t(), await insertClient(t().db));
  equipementId = await insertEquipement(t().db);
});

const TECHNICIEN_OUT_KEYS = [
  'astreinte',
  'competences',
  'disponibilite',
  'equipe',
  'id',
  'is_active',
  'niveau_technicien',
  'numero_badge',
  'telephone_urgence',
  'user',
  'zone_intervention',
].sort();

function create(body: unknown, caller: Tokens = as.responsable) {
  return call(t(), 'POST', `${V1}/techniciens/`, { as: caller, payload: body });
}

function put(id: number | string, body: unknown, caller: Tokens = as.responsable) {
  return call(t(), 'PUT', `${V1}/techniciens/${id}`, { as: caller, payload: body });
}

async function dbCounts() {
  const techniciens = await t().db.selectFrom('techniciens').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const links = await t().db.selectFrom('technicien_competence').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { techniciens: Number(techniciens.n), links: Number(links.n) };
}

async function technicienRow(id: number) {
  return t().db.selectFrom('techniciens').selectAll().where('id', '=', id).executeTakeFirst();
}

async function linksOf(id: number) {
  return t().db
    .selectFrom('technicien_competence')
    .select(['competence_id', 'niveau', 'date_acquisition'])
    .where('technicien_id', '=', id)
    .orderBy('competence_id')
    .execute();
}

async function newTechnicien(values: Parameters<typeof insertTechnicien>[2] = {}, competenceIds: number[] = []): Promise<number> {
  const id = await insertTechnicien(t().db, await insertUserRow(t().db), values);
  if (competenceIds.length > 0) {
    await t().db
      .insertInto('technicien_competence')
      .values(competenceIds.map((competence_id) => ({ technicien_id: id, competence_id })))
      .execute();
  }
  return id;
}

// -------------------------------------------------------------------------------------------------

describe('POST /techniciens/', () => {
  test('200 TechnicienOut: user and skills included, input trimmed and normalised, unknown fields ignored', async () => {
    const userId = await insertUserRow(t().db, 'technicien', { fullName: 'Mohammed Bennani' });
    const hydraulique = await insertCompetence(t().db, 'Hydraulique création');
    const mecanique = await insertCompetence(t().db, 'Mécanique création', 'mecanique');
    const before = await dbCounts();
    const response = await create({
      user_id: userId,
      equipe: '  Atelier ',
      disponibilite: ' Occupé ',
      competences_ids: [mecanique, hydraulique, mecanique],
      niveau_technicien: 'expert',
      numero_badge: ' B-CREATE-1 ',
      zone_intervention: '   ',
      telephone_urgence: '+212 600-000101',
      astreinte: true,
      id: 999_999,
      is_admin: true,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), TECHNICIEN_OUT_KEYS);
    assert.notEqual(body.id, 999_999);
    assert.equal(body.equipe, 'Atelier');
    assert.equal(body.disponibilite, 'occupe');
    assert.equal(body.niveau_technicien, 'expert');
    assert.equal(body.numero_badge, 'B-CREATE-1');
    assert.equal(body.zone_intervention, null);
    assert.equal(body.telephone_urgence, '+212 600-000101');
    assert.equal(body.astreinte, true);
    assert.equal(body.is_active, true);
    assert.deepEqual(body.competences, [
      { id: hydraulique, nom: 'Hydraulique création', domaine: 'general', description: null },
      { id: mecanique, nom: 'Mécanique création', domaine: 'mecanique', description: null },
    ]);
    assert.deepEqual(Object.keys(body.user).sort(), Object.keys(UserOutSchema.properties).sort());
    assert.equal(body.user.id, userId);
    assert.equal(body.user.full_name, 'Mohammed Bennani');
    assert.equal(body.user.role, 'technicien');
    assert.equal(body.user.is_active, true);
    assert.equal(body.user.technicien_id, body.id);
    assert.equal(body.user.client_id, null);

    const row = await technicienRow(body.id);
    assert.equal(row?.user_id, userId);
    assert.equal(row?.created_at.toISOString(), clock.now().toISOString());
    assert.equal(row?.updated_at.toISOString(), clock.now().toISOString());
    const links = await linksOf(body.id);
    assert.deepEqual(
      links.map((link) => [link.competence_id, link.niveau, link.date_acquisition.toISOString()]),
      [
        [hydraulique, 'intermediaire', clock.now().toISOString()],
        [mecanique, 'intermediaire', clock.now().toISOString()],
      ],
    );
    assert.deepEqual(await dbCounts(), { techniciens: before.techniciens + 1, links: before.links + 2 });
  });

  test('defaults: disponible, intermediaire, no skill, not on call, active; null fields count as absent', async () => {
    const userId = await insertUserRow(t().db);
    const response = await create({
      user_id: userId,
      equipe: null,
      disponibilite: null,
      competences_ids: null,
      niveau_technicien: null,
      numero_badge: null,
      zone_intervention: null,
      telephone_urgence: null,
      astreinte: null,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.equipe, null);
    assert.equal(body.disponibilite, 'disponible');
    assert.equal(body.niveau_technicien, 'intermediaire');
    assert.equal(body.numero_badge, null);
    assert.equal(body.astreinte, false);
    assert.equal(body.is_active, true);
    assert.deepEqual(body.competences, []);
  });

  test('every disponibilite spelling normalises to the enum value', async () => {
    for (const [input, expected] of [
      ['Disponible', 'disponible'],
      ['CONGÉ', 'conge'],
      ['  formation\t', 'formation'],
      ['Indisponible', 'indisponible'],
      ['occupe\u0301', 'occupe'],
    ] as const) {
      const response = await create({ user_id: await insertUserRow(t().db), disponibilite: input });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().disponibilite, expected, input);
    }
  });

  test('admin may create too (admin ⊇ responsable); is_active may be given', async () => {
    const response = await create({ user_id: await insertUserRow(t().db), is_active: false }, as.admin);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().is_active, false);
    assert.equal((await technicienRow(response.json().id))?.is_active, false);
  });

  test('404 "Utilisateur lié introuvable" for an unknown user; nothing written', async () => {
    const before = await dbCounts();
    assertError(await create({ user_id: 987_654 }), 404, 'Utilisateur lié introuvable');
    assert.deepEqual(await dbCounts(), before);
  });

  test('400 with the exact legacy text (typographic apostrophe) for a user who is not a technician', async () => {
    const before = await dbCounts();
    for (const role of ['admin', 'responsable', 'client'] as const) {
      const response = await create({ user_id: await insertUserRow(t().db, role) });
      assertError(response, 400, NOT_TECHNICIEN);
      assert.ok(response.body.includes('n\u2019est'), 'the raw body carries U+2019');
    }
    assert.deepEqual(await dbCounts(), before);
  });

  test('404 "Une ou plusieurs compétences sont introuvables"; no profile, no link written', async () => {
    const known = await insertCompetence(t().db, 'Compétence connue');
    const userId = await insertUserRow(t().db);
    const before = await dbCounts();
    assertError(await create({ user_id: userId, competences_ids: [known, 876_543] }), 404, 'Une ou plusieurs compétences sont introuvables');
    assert.deepEqual(await dbCounts(), before);
    assert.equal(await t().db.selectFrom('techniciens').select('id').where('user_id', '=', userId).executeTakeFirst(), undefined);
  });

  test('409 "Un profil technicien existe déjà pour cet utilisateur" (never a 500), also for two concurrent requests', async () => {
    const userId = await insertUserRow(t().db);
    assert.equal((await create({ user_id: userId })).statusCode, 200);
    const before = await dbCounts();
    assertError(await create({ user_id: userId, equipe: 'Autre' }), 409, 'Un profil technicien existe déjà pour cet utilisateur');
    assert.deepEqual(await dbCounts(), before);

    const racer = await insertUserRow(t().db);
    const responses = await Promise.all([create({ user_id: racer }), create({ user_id: racer }), create({ user_id: racer })]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 409, 409]);
    for (const response of responses.filter((r) => r.statusCode === 409)) {
      assert.equal(errorOf(response).message, 'Un profil technicien existe déjà pour cet utilisateur');
    }
    const rows = await t().db.selectFrom('techniciens').select('id').where('user_id', '=', racer).execute();
    assert.equal(rows.length, 1);
  });

  test('409 "Numéro de badge déjà utilisé", sequential and concurrent', async () => {
    assert.equal((await create({ user_id: await insertUserRow(t().db), numero_badge: 'B-DUP' })).statusCode, 200);
    const userId = await insertUserRow(t().db);
    const before = await dbCounts();
    assertError(await create({ user_id: userId, numero_badge: '  B-DUP ' }), 409, 'Numéro de badge déjà utilisé');
    assert.deepEqual(await dbCounts(), before);

    const responses = await Promise.all([
      create({ user_id: await insertUserRow(t().db), numero_badge: 'B-RACE' }),
      create({ user_id: await insertUserRow(t().db), numero_badge: 'B-RACE' }),
    ]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 409]);
    assert.equal(errorOf(responses.find((r) => r.statusCode === 409)!).message, 'Numéro de badge déjà utilisé');
  });

  test('422 "Disponibilité invalide" for an unknown availability, never replaced by a default', async () => {
    const userId = await insertUserRow(t().db);
    const before = await dbCounts();
    for (const disponibilite of ['vacances', '', '   ', 'occupée', 'en congé', 42]) {
      const response = await create({ user_id: userId, disponibilite });
      assertError(response, 422, 'Disponibilité invalide');
      assert.deepEqual(errorOf(response).details, [{ loc: ['body', 'disponibilite'], msg: 'Disponibilité invalide', type: 'enum' }]);
    }
    assert.deepEqual(await dbCounts(), before);
  });

  test('bad input → 422 with the field located, nothing written', async () => {
    const userId = await insertUserRow(t().db);
    const before = await dbCounts();
    const cases: [unknown, (string | number)[], string][] = [
      [{}, ['body', 'user_id'], 'missing'],
      [{ user_id: 'abc' }, ['body', 'user_id'], 'type'],
      [{ user_id: 0 }, ['body', 'user_id'], 'range'],
      [{ user_id: 1.5 }, ['body', 'user_id'], 'type'],
      [{ user_id: userId, niveau_technicien: 'Expert' }, ['body', 'niveau_technicien'], 'enum'],
      [{ user_id: userId, niveau_technicien: 'maitre' }, ['body', 'niveau_technicien'], 'enum'],
      [{ user_id: userId, equipe: 'x'.repeat(101) }, ['body', 'equipe'], 'too_long'],
      [{ user_id: userId, numero_badge: 'b'.repeat(21) }, ['body', 'numero_badge'], 'too_long'],
      [{ user_id: userId, zone_intervention: 'z'.repeat(256) }, ['body', 'zone_intervention'], 'too_long'],
      [{ user_id: userId, telephone_urgence: '0'.repeat(21) }, ['body', 'telephone_urgence'], 'too_long'],
      [{ user_id: userId, competences_ids: ['x'] }, ['body', 'competences_ids', 0], 'type'],
      [{ user_id: userId, competences_ids: [0] }, ['body', 'competences_ids', 0], 'range'],
      [{ user_id: userId, astreinte: 'peut-être' }, ['body', 'astreinte'], 'type'],
      [{ user_id: userId, equipe: { nom: 'A' } }, ['body', 'equipe'], 'type'],
    ];
    for (const [body, loc, type] of cases) {
      const response = await create(body);
      assert.equal(response.statusCode, 422, `${JSON.stringify(body)} → ${response.body}`);
      const error = errorOf(response);
      assert.equal(error.code, 'VALIDATION_ERROR');
      const details = error.details as { loc: unknown[]; type: string }[];
      assert.ok(
        details.some((d) => JSON.stringify(d.loc) === JSON.stringify(loc) && d.type === type),
        `${JSON.stringify(body)}: ${JSON.stringify(details)}`,
      );
    }
    assert.deepEqual(await dbCounts(), before);
  });

  test('an empty JSON body, or no body at all → 422', async () => {
    const before = await dbCounts();
    const empty = await call(t(), 'POST', `${V1}/techniciens/`, { as: as.responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assertError(empty, 422, 'Erreur de validation des données');
    const none = await call(t(), 'POST', `${V1}/techniciens/`, { as: as.responsable });
    assert.equal(none.statusCode, 422);
    assert.deepEqual(await dbCounts(), before);
  });
});

// -------------------------------------------------------------------------------------------------

describe('RBAC (docs/security.md §5: write A/R, read A/R/T, client 403)', () => {
  let technicienId: number;
  let competenceId: number;

  before(async () => {
    competenceId = await insertCompetence(t().db, 'Compétence RBAC');
    technicienId = await newTechnicien({ equipe: 'RBAC' }, [competenceId]);
  });

  test('a technician reads the list, a profile and the skills', async () => {
    const list = await call(t(), 'GET', `${V1}/techniciens/?equipe=RBAC`, { as: as.technicien });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().map((item: { id: number }) => item.id),
      [technicienId],
    );
    const one = await call(t(), 'GET', `${V1}/techniciens/${technicienId}`, { as: as.technicien });
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().id, technicienId);
    const skills = await call(t(), 'GET', `${V1}/techniciens/competences`, { as: as.technicien });
    assert.equal(skills.statusCode, 200);
    assert.ok(skills.json().some((skill: { id: number }) => skill.id === competenceId));
  });

  test('a technician may not write: 403 on every write, database unchanged', async () => {
    const before = await dbCounts();
    const rowBefore = await technicienRow(technicienId);
    const writes: [string, string, unknown][] = [
      ['POST', `${V1}/techniciens/`, { user_id: await insertUserRow(t().db) }],
      ['PUT', `${V1}/techniciens/${technicienId}`, { equipe: 'Piratée' }],
      ['DELETE', `${V1}/techniciens/${technicienId}`, undefined],
      ['POST', `${V1}/techniciens/competences`, { nom: 'Par un technicien' }],
      ['PATCH', `${V1}/techniciens/competences/${competenceId}`, { nom: 'Renommée' }],
      ['DELETE', `${V1}/techniciens/competences/${competenceId}`, undefined],
    ];
    for (const [method, url, body] of writes) {
      assertError(await call(t(), method as 'POST', url, { as: as.technicien, payload: body }), 403, WRITE_DENIED);
    }
    assert.deepEqual(await dbCounts(), before);
    assert.deepEqual(await technicienRow(technicienId), rowBefore);
    const skill = await t().db.selectFrom('competences').select('nom').where('id', '=', competenceId).executeTakeFirstOrThrow();
    assert.equal(skill.nom, 'Compétence RBAC');
    assert.equal(await t().db.selectFrom('competences').select('id').where('nom', '=', 'Par un technicien').executeTakeFirst(), undefined);
  });

  test('a client gets 403 on reads and writes, audited rbac.denied', async () => {
    const before = await dbCounts();
    for (const url of [`${V1}/techniciens/`, `${V1}/techniciens/${technicienId}`, `${V1}/techniciens/competences`]) {
      assertError(await call(t(), 'GET', url, { as: as.client }), 403, READ_DENIED);
    }
    assertError(await create({ user_id: await insertUserRow(t().db) }, as.client), 403, WRITE_DENIED);
    assertError(await call(t(), 'DELETE', `${V1}/techniciens/${technicienId}`, { as: as.client }), 403, WRITE_DENIED);
    assert.deepEqual(await dbCounts(), before);
    const denied = await t().db
      .selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_role'])
      .where('actor_user_id', '=', as.ids.client)
      .where('event_type', '=', 'rbac.denied')
      .execute();
    assert.equal(denied.length, 5);
    assert.ok(denied.every((row) => row.outcome === 'denied' && row.actor_role === 'client'));
  });

  test('no token → 401 on reads and writes', async () => {
    for (const [method, url] of [
      ['GET', `${V1}/techniciens/`],
      ['GET', `${V1}/techniciens/${technicienId}`],
      ['POST', `${V1}/techniciens/`],
      ['GET', `${V1}/techniciens/competences`],
    ] as const) {
      assertError(await call(t(), method, url), 401, 'Non authentifié');
    }
  });
});

// -------------------------------------------------------------------------------------------------

describe('GET /techniciens/{technicien_id}', () => {
  test('200: the same TechnicienOut as the creation answered', async () => {
    const skill = await insertCompetence(t().db, 'Lecture');
    const created = await create({ user_id: await insertUserRow(t().db), equipe: 'Lecture', competences_ids: [skill] });
    assert.equal(created.statusCode, 200);
    const response = await call(t(), 'GET', `${V1}/techniciens/${created.json().id}`, { as: as.responsable });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), created.json());
  });

  test('404 "Technicien introuvable"; a non-positive or non-integer id → 422', async () => {
    assertError(await call(t(), 'GET', `${V1}/techniciens/765432`, { as: as.admin }), 404, 'Technicien introuvable');
    for (const id of ['0', '-1', 'abc', '1.5']) {
      const response = await call(t(), 'GET', `${V1}/techniciens/${id}`, { as: as.admin });
      assert.equal(response.statusCode, 422, id);
      assert.deepEqual((errorOf(response).details as { loc: unknown[] }[])[0]!.loc, ['path', 'technicien_id']);
    }
  });
});

// -------------------------------------------------------------------------------------------------

describe('route precedence: /techniciens/competences… before /techniciens/{technicien_id}', () => {
  test('GET /techniciens/competences lists skills (not a 422 on the id, not a technician)', async () => {
    const skill = await insertCompetence(t().db, 'Précédence');
    const response = await call(t(), 'GET', `${V1}/techniciens/competences?q=Précédence`, { as: as.technicien });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), [{ id: skill, nom: 'Précédence', domaine: 'general', description: null }]);
    const slash = await call(t(), 'GET', `${V1}/techniciens/competences/?q=Précédence`, { as: as.technicien });
    assert.equal(slash.statusCode, 200);
    assert.deepEqual(slash.json(), response.json());
  });

  test('a skill and a technician with the same id: the skill routes touch the skill only', async () => {
    // Bring both sequences to the same next value.
    let skill = await insertCompetence(t().db, `Même id ${Date.now()}`);
    let technicien = await newTechnicien({ equipe: 'Même id' });
    while (skill !== technicien) {
      if (skill < technicien) skill = await insertCompetence(t().db, `Même id ${skill + 1}`);
      else technicien = await newTechnicien({ equipe: 'Même id' });
    }
    const patched = await call(t(), 'PATCH', `${V1}/techniciens/competences/${skill}`, { as: as.responsable, payload: { domaine: 'precedence' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().domaine, 'precedence');
    assert.equal(patched.json().nom.startsWith('Même id'), true);
    const deleted = await call(t(), 'DELETE', `${V1}/techniciens/competences/${skill}`, { as: as.responsable });
    assert.equal(deleted.statusCode, 204);
    assert.notEqual(await technicienRow(technicien), undefined, 'the technician with the same id is still there');
    assert.equal(await t().db.selectFrom('competences').select('id').where('id', '=', skill).executeTakeFirst(), undefined);
  });

  test('PUT and DELETE on /techniciens/competences fall to the technician routes: 422 on the path id', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const response = await call(t(), method, `${V1}/techniciens/competences`, { as: as.responsable });
      assert.equal(response.statusCode, 422, method);
      assert.deepEqual((errorOf(response).details as { loc: unknown[] }[])[0]!.loc, ['path', 'technicien_id']);
    }
  });
});

// -------------------------------------------------------------------------------------------------

describe('GET /techniciens/ (list)', () => {
  let skillA: number;
  let skillB: number;
  let t1: number;
  let t2: number;
  let t3: number;
  let t4: number;

  before(async () => {
    skillA = await insertCompetence(t().db, 'Liste A');
    skillB = await insertCompetence(t().db, 'Liste B');
    t1 = await newTechnicien({ equipe: 'Liste', disponibilite: 'disponible' }, [skillA]);
    t2 = await newTechnicien({ equipe: 'Liste', disponibilite: 'occupe' }, [skillB, skillA]);
    t3 = await newTechnicien({ equipe: 'Liste', disponibilite: 'conge', is_active: false });
    t4 = await newTechnicien({ equipe: 'Liste', disponibilite: 'formation' }, [skillB]);
  });

  async function ids(query: string, caller: Tokens = as.responsable): Promise<{ ids: number[]; total: string | undefined }> {
    const response = await call(t(), 'GET', `${V1}/techniciens/?${query}`, { as: caller });
    assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
    return { ids: response.json().map((item: { id: number }) => item.id), total: response.headers['x-total-count'] as string | undefined };
  }

  test('equipe filter, default sort by id, each item with its user and its skills', async () => {
    const response = await call(t(), 'GET', `${V1}/techniciens/?equipe=Liste`, { as: as.responsable });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-total-count'], '4');
    const items = response.json();
    assert.deepEqual(
      items.map((item: { id: number }) => item.id),
      [t1, t2, t3, t4],
    );
    for (const item of items) {
      assert.deepEqual(Object.keys(item).sort(), TECHNICIEN_OUT_KEYS);
      assert.equal(item.user.technicien_id, item.id);
    }
    assert.deepEqual(
      items[1].competences.map((skill: { id: number }) => skill.id),
      [skillA, skillB],
    );
    assert.deepEqual(items[2].competences, []);
    assert.deepEqual(await ids('equipe=%20Liste%20'), { ids: [t1, t2, t3, t4], total: '4' });
    assert.deepEqual(await ids('equipe=liste'), { ids: [], total: '0' });
  });

  test('disponibilite filter: comma list or repeated, normalised; unknown → 422 "Disponibilité invalide"', async () => {
    assert.deepEqual(await ids('equipe=Liste&disponibilite=Occup%C3%A9,conge'), { ids: [t2, t3], total: '2' });
    assert.deepEqual(await ids('equipe=Liste&disponibilite=occupe&disponibilite=CONG%C3%89'), { ids: [t2, t3], total: '2' });
    assert.deepEqual(await ids('equipe=Liste&disponibilite=formation'), { ids: [t4], total: '1' });
    const bad = await call(t(), 'GET', `${V1}/techniciens/?disponibilite=occupe,vacances`, { as: as.responsable });
    assertError(bad, 422, 'Disponibilité invalide');
    assert.deepEqual(errorOf(bad).details, [{ loc: ['query', 'disponibilite', 1], msg: 'Disponibilité invalide', type: 'enum' }]);
  });

  test('competence_id filter: technicians holding the skill; unknown skill → empty list; bad id → 422', async () => {
    assert.deepEqual(await ids(`equipe=Liste&competence_id=${skillA}`), { ids: [t1, t2], total: '2' });
    assert.deepEqual(await ids(`competence_id=${skillB}`), { ids: [t2, t4], total: '2' });
    assert.deepEqual(await ids('competence_id=999999'), { ids: [], total: '0' });
    assert.equal((await call(t(), 'GET', `${V1}/techniciens/?competence_id=abc`, { as: as.responsable })).statusCode, 422);
    assert.equal((await call(t(), 'GET', `${V1}/techniciens/?competence_id=0`, { as: as.responsable })).statusCode, 422);
  });

  test('is_active filter accepts the query booleans', async () => {
    assert.deepEqual(await ids('equipe=Liste&is_active=false'), { ids: [t3], total: '1' });
    assert.deepEqual(await ids('equipe=Liste&is_active=0'), { ids: [t3], total: '1' });
    assert.deepEqual(await ids('equipe=Liste&is_active=YES'), { ids: [t1, t2, t4], total: '3' });
    assert.equal((await call(t(), 'GET', `${V1}/techniciens/?is_active=maybe`, { as: as.responsable })).statusCode, 422);
  });

  test('filters combine with AND', async () => {
    assert.deepEqual(await ids(`equipe=Liste&competence_id=${skillA}&disponibilite=occupe&is_active=true`), { ids: [t2], total: '1' });
    assert.deepEqual(await ids(`equipe=Liste&competence_id=${skillB}&disponibilite=disponible`), { ids: [], total: '0' });
  });

  test('sort by disponibilite and equipe, ascending and descending (nulls last), -id; unknown field → 422', async () => {
    assert.deepEqual((await ids('equipe=Liste&sort=disponibilite')).ids, [t3, t1, t4, t2]);
    assert.deepEqual((await ids('equipe=Liste&sort=-disponibilite')).ids, [t2, t4, t1, t3]);
    assert.deepEqual((await ids('equipe=Liste&sort=-id')).ids, [t4, t3, t2, t1]);
    const skill = await insertCompetence(t().db, 'Tri équipe');
    const sud = await newTechnicien({ equipe: 'Sud' }, [skill]);
    const sansEquipe = await newTechnicien({}, [skill]);
    const nord = await newTechnicien({ equipe: 'Nord' }, [skill]);
    assert.deepEqual((await ids(`competence_id=${skill}&sort=equipe`)).ids, [nord, sud, sansEquipe]);
    assert.deepEqual((await ids(`competence_id=${skill}&sort=-equipe`)).ids, [sud, nord, sansEquipe]);
    const bad = await call(t(), 'GET', `${V1}/techniciens/?sort=nom`, { as: as.responsable });
    assert.equal(bad.statusCode, 422);
    assert.deepEqual((errorOf(bad).details as { loc: unknown[] }[])[0]!.loc, ['query', 'sort']);
  });

  test('pagination: limit and offset, X-Total-Count before the page; limits validated', async () => {
    assert.deepEqual(await ids('equipe=Liste&limit=2&offset=1'), { ids: [t2, t3], total: '4' });
    assert.deepEqual(await ids('equipe=Liste&offset=10'), { ids: [], total: '4' });
    for (const query of ['limit=0', 'limit=501', 'offset=-1', 'limit=abc']) {
      assert.equal((await call(t(), 'GET', `${V1}/techniciens/?${query}`, { as: as.responsable })).statusCode, 422, query);
    }
  });

  test('default limit 50', async () => {
    const userIds = await Promise.all(Array.from({ length: 55 }, () => insertUserRow(t().db)));
    await t().db
      .insertInto('techniciens')
      .values(userIds.map((user_id) => ({ user_id, equipe: 'Pagination' })))
      .execute();
    const page = await ids('equipe=Pagination');
    assert.equal(page.ids.length, 50);
    assert.equal(page.total, '55');
  });

  test('users and skills of a page load in a fixed number of queries (no N+1)', async () => {
    const small = await countQueries(t().db, () => call(t(), 'GET', `${V1}/techniciens/?limit=2`, { as: as.responsable }));
    const large = await countQueries(t().db, () => call(t(), 'GET', `${V1}/techniciens/?limit=60`, { as: as.responsable }));
    assert.equal(small.result.statusCode, 200);
    assert.equal(large.result.statusCode, 200);
    assert.equal(small.result.json().length, 2);
    assert.ok(large.result.json().length >= 60);
    assert.ok(large.result.json().some((item: { competences: unknown[] }) => item.competences.length > 0));
    assert.equal(large.queries, small.queries, `${large.queries} queries for 60 rows, ${small.queries} for 2`);
  });

  test('trailing slash optional; the root alias answers the same', async () => {
    const slash = await call(t(), 'GET', `${V1}/techniciens/?equipe=Liste`, { as: as.technicien });
    const noSlash = await call(t(), 'GET', `${V1}/techniciens?equipe=Liste`, { as: as.technicien });
    const root = await call(t(), 'GET', '/techniciens/?equipe=Liste', { as: as.technicien });
    const rootNoSlash = await call(t(), 'GET', '/techniciens?equipe=Liste', { as: as.technicien });
    for (const response of [noSlash, root, rootNoSlash]) {
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-total-count'], '4');
      assert.deepEqual(response.json(), slash.json());
    }
    const rootItem = await call(t(), 'GET', `/techniciens/${t1}`, { as: as.technicien });
    assert.equal(rootItem.statusCode, 200);
    assert.equal(rootItem.json().id, t1);
  });
});

// -------------------------------------------------------------------------------------------------

describe('PUT /techniciens/{technicien_id}', () => {
  test('partial: absent and null fields kept, empty text cleared, disponibilite normalised, user_id ignored', async () => {
    const userId = await insertUserRow(t().db);
    const created = await create({
      user_id: userId,
      equipe: 'Avant',
      disponibilite: 'disponible',
      numero_badge: 'B-PUT-1',
      zone_intervention: 'Casablanca',
      telephone_urgence: '0600',
      astreinte: true,
      niveau_technicien: 'avance',
    });
    assert.equal(created.statusCode, 200);
    const id = created.json().id;
    clock.advance(5 * MINUTE);
    const response = await put(id, {
      user_id: await insertUserRow(t().db),
      equipe: null,
      disponibilite: 'Formation ',
      zone_intervention: '  ',
      telephone_urgence: ' 0611 ',
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.user.id, userId);
    assert.equal(body.equipe, 'Avant');
    assert.equal(body.disponibilite, 'formation');
    assert.equal(body.numero_badge, 'B-PUT-1');
    assert.equal(body.zone_intervention, null);
    assert.equal(body.telephone_urgence, '0611');
    assert.equal(body.astreinte, true);
    assert.equal(body.niveau_technicien, 'avance');
    const row = await technicienRow(id);
    assert.equal(row?.user_id, userId);
    assert.equal(row?.updated_at.toISOString(), clock.now().toISOString());
    assert.notEqual(row?.created_at.toISOString(), clock.now().toISOString());

    const more = await put(id, { astreinte: false, niveau_technicien: 'expert', is_active: false, numero_badge: 'B-PUT-1' });
    assert.equal(more.statusCode, 200, more.body);
    assert.equal(more.json().astreinte, false);
    assert.equal(more.json().niveau_technicien, 'expert');
    assert.equal(more.json().is_active, false);
    assert.equal(more.json().numero_badge, 'B-PUT-1', 'its own badge is not a conflict');
  });

  test('an empty JSON body changes nothing', async () => {
    const id = await newTechnicien({ equipe: 'Vide' });
    const before = await technicienRow(id);
    const response = await call(t(), 'PUT', `${V1}/techniciens/${id}`, { as: as.responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().equipe, 'Vide');
    const after = await technicienRow(id);
    assert.deepEqual({ ...after, updated_at: null }, { ...before, updated_at: null });
  });

  test('competences_ids replaces the whole set; kept skills keep their link row; [] empties; null keeps', async () => {
    const a = await insertCompetence(t().db, 'Remplacement A');
    const b = await insertCompetence(t().db, 'Remplacement B');
    const c = await insertCompetence(t().db, 'Remplacement C');
    const created = await create({ user_id: await insertUserRow(t().db), competences_ids: [a, b] });
    const id = created.json().id;
    const acquired = clock.now().toISOString();
    await t().db.updateTable('technicien_competence').set({ niveau: 'expert' }).where('technicien_id', '=', id).where('competence_id', '=', b).execute();
    clock.advance(MINUTE);

    const replaced = await put(id, { competences_ids: [c, b, c] });
    assert.equal(replaced.statusCode, 200, replaced.body);
    assert.deepEqual(
      replaced.json().competences.map((skill: { id: number }) => skill.id),
      [b, c],
    );
    assert.deepEqual(
      (await linksOf(id)).map((link) => [link.competence_id, link.niveau, link.date_acquisition.toISOString()]),
      [
        [b, 'expert', acquired],
        [c, 'intermediaire', clock.now().toISOString()],
      ],
    );

    const kept = await put(id, { competences_ids: null, equipe: 'Garde' });
    assert.deepEqual(
      kept.json().competences.map((skill: { id: number }) => skill.id),
      [b, c],
    );
    const absent = await put(id, { equipe: 'Garde 2' });
    assert.deepEqual(
      absent.json().competences.map((skill: { id: number }) => skill.id),
      [b, c],
    );

    const emptied = await put(id, { competences_ids: [] });
    assert.equal(emptied.statusCode, 200);
    assert.deepEqual(emptied.json().competences, []);
    assert.deepEqual(await linksOf(id), []);
  });

  test('errors leave the profile unchanged: unknown skill 404, badge 409, disponibilite 422, niveau 422', async () => {
    const skill = await insertCompetence(t().db, 'Erreurs PUT');
    await newTechnicien({ numero_badge: 'B-PUT-OTHER' });
    const id = await newTechnicien({ equipe: 'Intacte', numero_badge: 'B-PUT-MINE' }, [skill]);
    const before = await technicienRow(id);
    const linksBefore = await linksOf(id);

    assertError(await put(id, { equipe: 'Changée', competences_ids: [skill, 818_181] }), 404, 'Une ou plusieurs compétences sont introuvables');
    assertError(await put(id, { equipe: 'Changée', numero_badge: 'B-PUT-OTHER' }), 409, 'Numéro de badge déjà utilisé');
    assertError(await put(id, { equipe: 'Changée', disponibilite: 'absent' }), 422, 'Disponibilité invalide');
    const niveau = await put(id, { niveau_technicien: 'Expert' });
    assert.equal(niveau.statusCode, 422);
    assert.deepEqual((errorOf(niveau).details as { loc: unknown[] }[])[0]!.loc, ['body', 'niveau_technicien']);
    assert.equal((await put(id, { equipe: 'e'.repeat(101) })).statusCode, 422);
    assert.equal((await put(id, { competences_ids: 'tous' })).statusCode, 422);

    assert.deepEqual(await technicienRow(id), before);
    assert.deepEqual(await linksOf(id), linksBefore);
  });

  test('404 "Technicien introuvable"; bad path id → 422', async () => {
    assertError(await put(717_171, { equipe: 'X' }), 404, 'Technicien introuvable');
    assert.equal((await put('abc', { equipe: 'X' })).statusCode, 422);
    assert.equal((await put(0, { equipe: 'X' })).statusCode, 422);
  });
});

// -------------------------------------------------------------------------------------------------

describe('DELETE /techniciens/{technicien_id}', () => {
  for (const statut of ['affectee', 'en_cours', 'en_attente', 'ouverte'] as const) {
    test(`409 while an intervention is ${statut}; nothing deleted`, async () => {
      const skill = await insertCompetence(t().db, `Suppression ${statut}`);
      const id = await newTechnicien({ equipe: 'Suppression' }, [skill]);
      const active = await insertIntervention(t().db, equipementId, { statut, technicien_id: id });
      await insertIntervention(t().db, equipementId, { statut: 'cloturee', technicien_id: id });
      const before = await dbCounts();
      const response = await call(t(), 'DELETE', `${V1}/techniciens/${id}`, { as: as.responsable });
      assertError(response, 409, 'Technicien affecté à des interventions en cours');
      assert.deepEqual(await dbCounts(), before);
      assert.notEqual(await technicienRow(id), undefined);
      const intervention = await t().db.selectFrom('interventions').select('technicien_id').where('id', '=', active).executeTakeFirstOrThrow();
      assert.equal(intervention.technicien_id, id);
      const audit = await t().db.selectFrom('audit_events').select('id').where('event_type', '=', 'data.deleted').where('resource_id', '=', String(id)).where('resource_type', '=', 'technicien').execute();
      assert.equal(audit.length, 0);
    });
  }

  test('204: closed interventions lose the link, skill links go, the user stays; audited data.deleted', async () => {
    const skill = await insertCompetence(t().db, 'Suppression OK');
    const userId = await insertUserRow(t().db);
    const id = await insertTechnicien(t().db, userId, { equipe: 'Suppression' });
    await t().db.insertInto('technicien_competence').values({ technicien_id: id, competence_id: skill }).execute();
    const closed: number[] = [];
    for (const statut of ['cloturee', 'annulee', 'archivee'] as const) {
      closed.push(await insertIntervention(t().db, equipementId, { statut, technicien_id: id }));
    }
    const response = await call(t(), 'DELETE', `${V1}/techniciens/${id}`, { as: as.admin, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 204, response.body);
    assert.equal(response.body, '');
    assert.equal(await technicienRow(id), undefined);
    assert.deepEqual(await linksOf(id), []);
    assert.notEqual(await t().db.selectFrom('competences').select('id').where('id', '=', skill).executeTakeFirst(), undefined, 'the skill itself stays');
    const interventions = await t().db.selectFrom('interventions').select(['id', 'technicien_id', 'statut']).where('id', 'in', closed).orderBy('id').execute();
    assert.deepEqual(
      interventions.map((row) => [row.statut, row.technicien_id]),
      [
        ['cloturee', null],
        ['annulee', null],
        ['archivee', null],
      ],
    );
    const user = await t().db.selectFrom('users').select(['role', 'is_active']).where('id', '=', userId).executeTakeFirstOrThrow();
    assert.deepEqual(user, { role: 'technicien', is_active: true });
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['event_type', 'outcome', 'actor_user_id', 'actor_role', 'resource_type', 'resource_id', 'details'])
      .where('event_type', '=', 'data.deleted')
      .where('resource_type', '=', 'technicien')
      .where('resource_id', '=', String(id))
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.outcome, 'success');
    assert.equal(audit[0]!.actor_user_id, as.ids.admin);
    assert.equal(audit[0]!.actor_role, 'admin');
    assert.deepEqual(audit[0]!.details, { user_id: userId, interventions_detachees: 3 });

    assertError(await call(t(), 'DELETE', `${V1}/techniciens/${id}`, { as: as.admin }), 404, 'Technicien introuvable');
    const recreated = await create({ user_id: userId });
    assert.equal(recreated.statusCode, 200, 'the user can get a new profile');
  });

  test('404 for an unknown technician; 422 for a bad id', async () => {
    assertError(await call(t(), 'DELETE', `${V1}/techniciens/616161`, { as: as.responsable }), 404, 'Technicien introuvable');
    assert.equal((await call(t(), 'DELETE', `${V1}/techniciens/x1`, { as: as.responsable })).statusCode, 422);
  });
});

// -------------------------------------------------------------------------------------------------

describe('TechniciensRepository.findAssignable (for the interventions module)', () => {
  test('the technician when its profile and its user are both active, else undefined', async () => {
    const userId = await insertUserRow(t().db, 'technicien', { fullName: 'Assignable Un' });
    const id = await insertTechnicien(t().db, userId);
    const repository = new TechniciensRepository(t().db);
    assert.deepEqual(await repository.findAssignable(id), { id, userId, fullName: 'Assignable Un' });
    await t().db.updateTable('techniciens').set({ is_active: false }).where('id', '=', id).execute();
    assert.equal(await repository.findAssignable(id), undefined, 'inactive profile');
    await t().db.updateTable('techniciens').set({ is_active: true }).where('id', '=', id).execute();
    await t().db.updateTable('users').set({ is_active: false }).where('id', '=', userId).execute();
    assert.equal(await repository.findAssignable(id), undefined, 'inactive user');
    await t().db.updateTable('techniciens').set({ is_active: false }).where('id', '=', id).execute();
    assert.equal(await repository.findAssignable(id), undefined, 'both inactive');
    assert.equal(await repository.findAssignable(505_050), undefined, 'unknown');
  });
});
