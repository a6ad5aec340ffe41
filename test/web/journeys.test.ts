/// <reference lib="dom" />
// (DOM types: the page.evaluate() callbacks run in the browser.)
/**
 * Journeys in a real Chromium on the real application and database (test/web/browser.ts):
 * the responsable creates and assigns an intervention; the technician, on a 360 px phone, starts it
 * and closes it with a report. Each checks axe-core on every screen, no console error and no failed
 * request, and writes screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { seedUser, type TestUser } from '../helpers/auth.js';
import { insertEquipement, insertIntervention, insertTechnicien } from '../helpers/fixtures.js';
import { assertAccessible, assertNoHorizontalScroll, capture, launchChromium, openPage, startWebServer, WIDTHS, type WebServer } from './browser.js';

let t: TestApp;
let server: WebServer;
let browser: Browser;
let baseUrl: string;
let responsable: TestUser;
let technicien: TestUser;
let technicienId: number;
let equipementId: number;

before(async () => {
  server = await startWebServer();
  ({ t, baseUrl } = server);
  responsable = await seedUser(t, 'responsable', { username: 'nadia.responsable' });
  technicien = await seedUser(t, 'technicien', { username: 'karim.technicien' });
  await t.db.updateTable('users').set({ full_name: 'Karim Alaoui' }).where('id', '=', technicien.id).execute();
  technicienId = await insertTechnicien(t.db, technicien.id, { disponibilite: 'disponible' });
  equipementId = await insertEquipement(t.db, { nom: 'Compresseur C-12' });
  for (const titre of ['Fuite d’huile presse P3', 'Contrôle annuel chaudière', 'Remplacement courroie convoyeur']) {
    await insertIntervention(t.db, equipementId, { titre });
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('responsable journey (1280 px)', () => {
  it('signs in, reads the dashboard and the list, creates an intervention and assigns it, and a reload keeps the session', async () => {
    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await page.goto(`${baseUrl}/interventions`);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await assertAccessible(page, 'Connexion');
    await capture(page, 'connexion');

    await page.getByLabel('Identifiant ou e-mail').fill(responsable.username);
    await page.getByLabel('Mot de passe').fill(responsable.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    // Back to the page first asked for.
    await page.getByRole('heading', { name: 'Interventions', exact: true }).waitFor();
    const total = (await t.db.selectFrom('interventions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    await page.getByTestId('total').filter({ hasText: `${total} interventions` }).waitFor();
    assert.equal(await page.getByRole('row').count(), Number(total) + 1);
    await assertAccessible(page, 'Interventions');
    await capture(page, 'interventions');

    // Filters live in the URL.
    await page.getByLabel('Recherche').fill('chaudière');
    await page.waitForURL(/q=chaudi%C3%A8re/);
    await page.getByTestId('total').filter({ hasText: '1 intervention' }).waitFor();

    await page.getByRole('link', { name: 'Tableau de bord' }).click();
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    await page.getByText('Évolution mensuelle').waitFor();
    await assertAccessible(page, 'Tableau de bord');
    await capture(page, 'tableau-de-bord');

    await page.getByRole('link', { name: 'Nouvelle intervention' }).click();
    await page.getByRole('heading', { name: 'Nouvelle intervention' }).waitFor();
    // An API validation error is shown on its field: a blank title.
    await page.getByLabel('Titre').fill('   ');
    await page.getByRole('combobox', { name: 'Équipement' }).click();
    await page.getByRole('option', { name: 'Compresseur C-12' }).click();
    await page.getByRole('button', { name: 'Créer l’intervention' }).click();
    await page.getByText('Le titre est obligatoire').first().waitFor();
    await assertAccessible(page, 'Nouvelle intervention');
    await capture(page, 'intervention-nouvelle');

    await page.getByLabel('Titre').fill('Vibrations anormales compresseur');
    await page.getByLabel('Description').fill('Bruit métallique au démarrage.');
    await page.getByRole('button', { name: 'Créer l’intervention' }).click();
    await page.getByRole('heading', { name: 'Vibrations anormales compresseur' }).waitFor();
    const created = await t.db.selectFrom('interventions').selectAll().where('titre', '=', 'Vibrations anormales compresseur').executeTakeFirstOrThrow();
    assert.equal(created.statut, 'ouverte');
    assert.equal(created.equipement_id, equipementId);
    assert.equal(new URL(page.url()).pathname, `/interventions/${created.id}`);
    // Only the transitions a responsable may make from "ouverte".
    assert.deepEqual(await page.getByRole('main').getByRole('button').filter({ hasText: /^(Affecter|Annuler|Démarrer|Clôturer|Archiver|Mettre en attente)$/ }).allTextContents(), ['Affecter', 'Annuler']);

    await page.getByRole('button', { name: 'Affecter' }).click();
    const dialog = page.getByRole('dialog', { name: 'Affecter l’intervention' });
    await dialog.getByRole('combobox', { name: 'Technicien' }).click();
    await page.getByRole('option', { name: /Karim Alaoui — Disponible/ }).click();
    await assertAccessible(page, 'Affectation');
    await capture(page, 'intervention-affectation');
    await dialog.getByRole('button', { name: 'Affecter' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('main').getByText('Affectée', { exact: true }).first().waitFor();
    await page.getByText('Ouverte → Affectée').waitFor();
    const assigned = await t.db.selectFrom('interventions').select(['statut', 'technicien_id']).where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(assigned, { statut: 'affectee', technicien_id: technicienId });
    await assertAccessible(page, 'Détail de l’intervention');
    await capture(page, 'intervention-detail');

    // A reload keeps the session (the HttpOnly cookie), the refresh token is not readable by scripts.
    await page.reload();
    await page.getByRole('heading', { name: 'Vibrations anormales compresseur' }).waitFor();
    assert.equal(await page.evaluate(() => document.cookie), '');
    const cookies = await watched.context.cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path]), [['mif_refresh', true, 'Strict', '/api/v1/auth']]);

    await page.getByRole('button', { name: /^Mon compte :/ }).click();
    await page.getByRole('menuitem', { name: 'Se déconnecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    watched.assertClean(['/api/v1/interventions/']);
    await watched.context.close();
  });
});

describe('technician journey (360 px)', () => {
  it('signs in on a phone, starts an assigned intervention and closes it with a report', async () => {
    const interventionId = await insertIntervention(t.db, equipementId, {
      titre: 'Pompe de relevage en défaut',
      statut: 'affectee',
      technicien_id: technicienId,
      date_affectation: new Date(),
      urgence: true,
    });
    const watched = await openPage(browser, WIDTHS.phone);
    const { page } = watched;
    await page.goto(baseUrl);
    await page.getByLabel('Identifiant ou e-mail').fill(technicien.email);
    await page.getByLabel('Mot de passe').fill(technicien.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Mes interventions' }).waitFor();
    const card = page.getByRole('article', { name: 'Pompe de relevage en défaut' });
    await card.waitFor();
    await assertNoHorizontalScroll(page);
    await assertAccessible(page, 'Mes interventions');
    await capture(page, 'mes-interventions');

    await card.getByRole('button', { name: 'Démarrer' }).click();
    await card.getByText('En cours', { exact: true }).waitFor();
    assert.equal((await t.db.selectFrom('interventions').select('statut').where('id', '=', interventionId).executeTakeFirstOrThrow()).statut, 'en_cours');
    assert.deepEqual(await card.getByRole('button').allTextContents(), ['Mettre en attente', 'Clôturer']);

    await card.getByRole('button', { name: 'Clôturer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clôturer l’intervention' });
    await dialog.getByLabel('Rapport d’intervention').fill('Roulement remplacé, pompe testée 30 min.');
    await dialog.getByLabel('Durée réelle (minutes)').fill('45');
    await assertNoHorizontalScroll(page);
    await assertAccessible(page, 'Clôture');
    await capture(page, 'cloture');
    await dialog.getByRole('button', { name: 'Clôturer' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card.waitFor({ state: 'detached' });
    // The intervention the responsable assigned above is still to do.
    await page.getByText('1 intervention à traiter').waitFor();
    const closed = await t.db.selectFrom('interventions').select(['statut', 'rapport_intervention', 'duree_reelle']).where('id', '=', interventionId).executeTakeFirstOrThrow();
    assert.deepEqual(closed, { statut: 'cloturee', rapport_intervention: 'Roulement remplacé, pompe testée 30 min.', duree_reelle: 45 });
    watched.assertClean();
    await watched.context.close();
  });
});
