import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock, MINUTE, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertCompetence, insertTechnicien, insertUserRow } from '../../helpers/fixtures.js';
import { assertError, call, errorOf } from '../../helpers/http.js';
import { loginEveryRole, type Callers } from './support.js';

const V1 = '/api/v1';
const clock = new FakeClock();
let as: Callers;

const t = useTestApp({ clock }, async () => {
  as = await loginEveryRole(t(), await insertClient(t().db));
});

function createSkill(body: unknown, caller: Tokens = as.responsable) {
  return call(t(), 'POST', `${V1}/techniciens/competences`, { as: caller, payload: body });
}

function patchSkill(id: number | string, body: unknown, caller: Tokens = as.responsable) {
  return call(t(), 'PATCH', `${V1}/techniciens/competences/${id}`, { as: caller, payload: body });
}

async function skillRows() {
  return t().db.selectFrom('competences').selectAll().orderBy('id').execute();
}

async function skillRow(id: number) {
  return t().db.selectFrom('competences').selectAll().where('id', '=', id).executeTakeFirst();
}

// -------------------------------------------------------------------------------------------------

describe('POST /techniciens/competences', () => {
  test('200 CompetenceOut: name trimmed, domaine defaults to general, empty description → null', async () => {
    const response = await createSkill({ nom: '  Soudure TIG  ', description: '   ', niveau_requis_minimum: 'expert', id: 424_242 });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['description', 'domaine', 'id', 'nom']);
    assert.notEqual(body.id, 424_242);
    assert.deepEqual(body, { id: body.id, nom: 'Soudure TIG', domaine: 'general', description: null });
    const row = await skillRow(body.id);
    assert.equal(row?.niveau_requis_minimum, 'intermediaire', 'unknown fields are ignored');
    assert.equal(row?.created_at.toISOString(), clock.now().toISOString());
  });

  test('domaine and description are settable (trimmed); null domaine → general', async () => {
    const response = await createSkill({ nom: 'Automates Siemens', domaine: ' electricite ', description: ' S7-1200 et S7-1500 ' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { id: response.json().id, nom: 'Automates Siemens', domaine: 'electricite', description: 'S7-1200 et S7-1500' });
    const nullDomaine = await createSkill({ nom: 'Pneumatique', domaine: null, description: null });
    assert.equal(nullDomaine.json().domaine, 'general');
    assert.equal(nullDomaine.json().description, null);
  });

  test('409 "Compétence déjà existante": trimmed and case-insensitive; no row written', async () => {
    assert.equal((await createSkill({ nom: 'Électricité industrielle' })).statusCode, 200);
    const before = await skillRows();
    for (const nom of ['Électricité industrielle', '  électricité INDUSTRIELLE ', 'ÉLECTRICITÉ INDUSTRIELLE']) {
      assertError(await createSkill({ nom, domaine: 'autre' }), 409, 'Compétence déjà existante');
    }
    assert.deepEqual(await skillRows(), before);
  });

  test('two concurrent creations of the same name: one 200, one 409', async () => {
    const responses = await Promise.all([createSkill({ nom: 'Course' }), createSkill({ nom: 'COURSE ' })]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 409]);
    assert.equal(errorOf(responses.find((r) => r.statusCode === 409)!).message, 'Compétence déjà existante');
  });

  test('bad input → 422, no row written', async () => {
    const before = await skillRows();
    const cases: [unknown, (string | number)[], string][] = [
      [{}, ['body', 'nom'], 'missing'],
      [{ nom: '   ' }, ['body', 'nom'], 'too_short'],
      [{ nom: 'n'.repeat(256) }, ['body', 'nom'], 'too_long'],
      [{ nom: 'Domaine long', domaine: 'd'.repeat(101) }, ['body', 'domaine'], 'too_long'],
      [{ nom: 'Description longue', description: 'd'.repeat(10_001) }, ['body', 'description'], 'too_long'],
      [{ nom: { fr: 'Objet' } }, ['body', 'nom'], 'type'],
      [{ nom: ['a', 'b'] }, ['body', 'nom'], 'type'],
      [{ nom: 'Objet', domaine: { a: 1 } }, ['body', 'domaine'], 'type'],
    ];
    for (const [body, loc, type] of cases) {
      const response = await createSkill(body);
      assert.equal(response.statusCode, 422, `${JSON.stringify(body).slice(0, 80)} → ${response.body}`);
      const details = errorOf(response).details as { loc: unknown[]; type: string }[];
      assert.ok(
        details.some((d) => JSON.stringify(d.loc) === JSON.stringify(loc) && d.type === type),
        JSON.stringify(details),
      );
    }
    const empty = await call(t(), 'POST', `${V1}/techniciens/competences`, { as: as.responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 422);
    assert.deepEqual(await skillRows(), before);
  });

  test('admin creates; technicien and client get 403, nothing written', async () => {
    assert.equal((await createSkill({ nom: 'Par admin' }, as.admin)).statusCode, 200);
    const before = await skillRows();
    assertError(await createSkill({ nom: 'Par technicien' }, as.technicien), 403, 'Accès réservé aux rôles : admin, responsable');
    assertError(await createSkill({ nom: 'Par client' }, as.client), 403, 'Accès réservé aux rôles : admin, responsable');
    assert.deepEqual(await skillRows(), before);
  });
});

// -------------------------------------------------------------------------------------------------

describe('GET /techniciens/competences', () => {
  let ids: Record<string, number>;

  before(async () => {
    ids = {
      // Mixed case: byte order and case-insensitive order differ ('R' < 'r').
      hydro: await insertCompetence(t().db, 'recherche hydraulique', 'fluides'),
      vanne: await insertCompetence(t().db, 'Recherche vannes', 'fluides'),
      elec: await insertCompetence(t().db, 'Recherche ELECTRIQUE', 'electricite'),
      pct: await insertCompetence(t().db, 'Recherche 100% froid', 'froid'),
    };
  });

  async function list(query: string, caller: Tokens = as.technicien) {
    const response = await call(t(), 'GET', `${V1}/techniciens/competences?${query}`, { as: caller });
    assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
    return { ids: response.json().map((skill: { id: number }) => skill.id) as number[], total: response.headers['x-total-count'], body: response.json() };
  }

  test('q: case-insensitive substring of the name or the domain; LIKE wildcards match literally', async () => {
    assert.deepEqual((await list('q=RECHERCHE')).ids, [ids.hydro, ids.vanne, ids.elec, ids.pct]);
    assert.deepEqual((await list('q=hydraul')).ids, [ids.hydro]);
    assert.deepEqual((await list('q=recherche&limit=10&sort=id')).total, '4');
    assert.deepEqual((await list('q=FLUIDES')).ids, [ids.hydro, ids.vanne]);
    assert.deepEqual((await list('q=%25')).ids, [ids.pct]);
    assert.deepEqual((await list('q=_')).ids, []);
  });

  test('sort by nom (case-insensitive) and -nom, -id; unknown sort field → 422', async () => {
    assert.deepEqual((await list('q=recherche&sort=nom')).ids, [ids.pct, ids.elec, ids.hydro, ids.vanne]);
    assert.deepEqual((await list('q=recherche&sort=-nom')).ids, [ids.vanne, ids.hydro, ids.elec, ids.pct]);
    assert.deepEqual((await list('q=recherche&sort=-id')).ids, [ids.pct, ids.elec, ids.vanne, ids.hydro]);
    const bad = await call(t(), 'GET', `${V1}/techniciens/competences?sort=domaine`, { as: as.responsable });
    assert.equal(bad.statusCode, 422);
    assert.deepEqual((errorOf(bad).details as { loc: unknown[] }[])[0]!.loc, ['query', 'sort']);
  });

  test('pagination with X-Total-Count; items are CompetenceOut', async () => {
    const page = await list('q=recherche&limit=2&offset=1');
    assert.deepEqual(page.ids, [ids.vanne, ids.elec]);
    assert.equal(page.total, '4');
    assert.deepEqual(page.body[0], { id: ids.vanne, nom: 'Recherche vannes', domaine: 'fluides', description: null });
    assert.equal((await call(t(), 'GET', `${V1}/techniciens/competences?limit=0`, { as: as.responsable })).statusCode, 422);
  });

  test('readable by admin, responsable, technicien (also at the root); client 403', async () => {
    for (const caller of [as.admin, as.responsable, as.technicien]) assert.equal((await list('q=recherche', caller)).ids.length, 4);
    const root = await call(t(), 'GET', '/techniciens/competences?q=recherche', { as: as.technicien });
    assert.equal(root.statusCode, 200);
    assert.equal(root.json().length, 4);
    assertError(await call(t(), 'GET', `${V1}/techniciens/competences`, { as: as.client }), 403, 'Accès réservé aux rôles : admin, responsable, technicien');
  });
});

// -------------------------------------------------------------------------------------------------

describe('PATCH /techniciens/competences/{competence_id}', () => {
  test('200: given fields change, absent or null ones are kept; empty description clears, empty domaine resets', async () => {
    const id = await insertCompetence(t().db, 'Patch origine', 'mecanique');
    await t().db.updateTable('competences').set({ description: 'Texte' }).where('id', '=', id).execute();
    clock.advance(MINUTE);
    const renamed = await patchSkill(id, { nom: '  Patch renommée ', domaine: null });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual(renamed.json(), { id, nom: 'Patch renommée', domaine: 'mecanique', description: 'Texte' });
    assert.equal((await skillRow(id))?.updated_at.toISOString(), clock.now().toISOString());

    const cleared = await patchSkill(id, { description: '', domaine: '  ' });
    assert.deepEqual(cleared.json(), { id, nom: 'Patch renommée', domaine: 'general', description: null });

    const described = await patchSkill(id, { description: ' Nouvelle ', domaine: 'hydraulique', nom: null });
    assert.deepEqual(described.json(), { id, nom: 'Patch renommée', domaine: 'hydraulique', description: 'Nouvelle' });
  });

  test('renaming to its own name in another case is allowed; to another skill’s name → 400, unchanged', async () => {
    const id = await insertCompetence(t().db, 'Patch propre');
    await insertCompetence(t().db, 'Patch autre');
    const own = await patchSkill(id, { nom: 'PATCH PROPRE' });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().nom, 'PATCH PROPRE');
    const before = await skillRow(id);
    assertError(await patchSkill(id, { nom: ' patch AUTRE ', domaine: 'changé' }), 409, 'Compétence déjà existante');
    assert.deepEqual(await skillRow(id), before);
  });

  test('404 "Compétence introuvable"; bad id 422; bad body 422; empty body changes nothing', async () => {
    assertError(await patchSkill(919_191, { nom: 'X' }), 404, 'Compétence introuvable');
    assert.equal((await patchSkill('abc', { nom: 'X' })).statusCode, 422);
    assert.equal((await patchSkill(0, { nom: 'X' })).statusCode, 422);
    const id = await insertCompetence(t().db, 'Patch intacte');
    const before = await skillRow(id);
    const blank = await patchSkill(id, { nom: '  ' });
    assert.equal(blank.statusCode, 422);
    assert.deepEqual((errorOf(blank).details as { loc: unknown[] }[])[0]!.loc, ['body', 'nom']);
    assert.equal((await patchSkill(id, { domaine: 'd'.repeat(101) })).statusCode, 422);
    assert.deepEqual(await skillRow(id), before);
    const empty = await call(t(), 'PATCH', `${V1}/techniciens/competences/${id}`, { as: as.responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual(empty.json(), { id, nom: 'Patch intacte', domaine: 'general', description: null });
  });

  test('technicien and client get 403, unchanged', async () => {
    const id = await insertCompetence(t().db, 'Patch RBAC');
    assertError(await patchSkill(id, { nom: 'Non' }, as.technicien), 403, 'Accès réservé aux rôles : admin, responsable');
    assertError(await patchSkill(id, { nom: 'Non' }, as.client), 403, 'Accès réservé aux rôles : admin, responsable');
    assert.equal((await skillRow(id))?.nom, 'Patch RBAC');
  });
});

// -------------------------------------------------------------------------------------------------

describe('DELETE /techniciens/competences/{competence_id}', () => {
  test('204: links removed by cascade, technicians and their other skills stay; audited data.deleted', async () => {
    const doomed = await insertCompetence(t().db, 'À supprimer');
    const kept = await insertCompetence(t().db, 'À garder');
    const technicien = await insertTechnicien(t().db, await insertUserRow(t().db));
    await t().db
      .insertInto('technicien_competence')
      .values([
        { technicien_id: technicien, competence_id: doomed },
        { technicien_id: technicien, competence_id: kept },
      ])
      .execute();
    const response = await call(t(), 'DELETE', `${V1}/techniciens/competences/${doomed}`, { as: as.responsable, headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 204, response.body);
    assert.equal(response.body, '');
    assert.equal(await skillRow(doomed), undefined);
    const profile = await call(t(), 'GET', `${V1}/techniciens/${technicien}`, { as: as.technicien });
    assert.equal(profile.statusCode, 200);
    assert.deepEqual(
      profile.json().competences.map((skill: { id: number }) => skill.id),
      [kept],
    );
    const audit = await t().db
      .selectFrom('audit_events')
      .select(['outcome', 'actor_user_id', 'actor_role', 'resource_type', 'resource_id', 'details'])
      .where('event_type', '=', 'data.deleted')
      .where('resource_type', '=', 'competence')
      .where('resource_id', '=', String(doomed))
      .execute();
    assert.deepEqual(audit, [
      {
        outcome: 'success',
        actor_user_id: as.ids.responsable,
        actor_role: 'responsable',
        resource_type: 'competence',
        resource_id: String(doomed),
        details: { nom: 'À supprimer', liens_supprimes: 1 },
      },
    ]);
    assertError(await call(t(), 'DELETE', `${V1}/techniciens/competences/${doomed}`, { as: as.responsable }), 404, 'Compétence introuvable');
  });

  test('404 unknown, 422 bad id; technicien and client 403 with nothing deleted', async () => {
    assertError(await call(t(), 'DELETE', `${V1}/techniciens/competences/929292`, { as: as.admin }), 404, 'Compétence introuvable');
    assert.equal((await call(t(), 'DELETE', `${V1}/techniciens/competences/-3`, { as: as.admin })).statusCode, 422);
    const id = await insertCompetence(t().db, 'Suppression refusée');
    for (const caller of [as.technicien, as.client]) {
      assertError(await call(t(), 'DELETE', `${V1}/techniciens/competences/${id}`, { as: caller }), 403, 'Accès réservé aux rôles : admin, responsable');
    }
    assert.notEqual(await skillRow(id), undefined);
  });
});
