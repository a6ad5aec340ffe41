/// <reference lib="dom" />
// (DOM types: the page.evaluate() callbacks run in the browser.)
/**
 * Journeys in a real Chromium on the real application and database (test/web/browser.ts):
 * the responsable creates and assigns an intervention; the technician, on a 360 px phone, starts it,
 * attaches a photo and closes it with a report; the client sees it closed, downloads the photo and
 * requests corrective work on one of their machines. Each checks axe-core on every screen, no console
 * error and no failed request, and writes screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { seedUser, type TestUser } from '../helpers/auth.js';
import { insertClient, insertEquipement, insertIntervention, insertTechnicien } from '../helpers/fixtures.js';
import { assertAccessible, assertKeyboardReachable, assertNoHorizontalScroll, capture, launchChromium, openPage, smallPng, startWebServer, WIDTHS, type WebServer } from './browser.js';

let t: TestApp;
let server: WebServer;
let browser: Browser;
let baseUrl: string;
let responsable: TestUser;
let technicien: TestUser;
let technicienId: number;
let equipementId: number;
let clientId: number;
let client: TestUser;
/** A one-page PDF, as small as a reader accepts. */
const MINIMAL_PDF = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
/** A long full name (40 characters): the phone's header must end it in an ellipsis, not overflow. */
const TECHNICIEN_NAME = 'Karim Alaoui Benabdellah El Idrissi Tazi';
/** The photo the technician attaches and the client downloads. */
const photo = smallPng();

before(async () => {
  server = await startWebServer();
  ({ t, baseUrl } = server);
  responsable = await seedUser(t, 'responsable', { username: 'nadia.responsable' });
  technicien = await seedUser(t, 'technicien', { username: 'karim.technicien' });
  await t.db.updateTable('users').set({ full_name: TECHNICIEN_NAME }).where('id', '=', technicien.id).execute();
  technicienId = await insertTechnicien(t.db, technicien.id, { disponibilite: 'disponible' });
  clientId = await insertClient(t.db, { nom_entreprise: 'Laiterie Atlas' });
  client = await seedUser(t, 'client', { username: 'salma.client', clientId });
  equipementId = await insertEquipement(t.db, { nom: 'Compresseur C-12', client_id: clientId });
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
    await page.getByRole('option', { name: new RegExp(`${TECHNICIEN_NAME} — Disponible`) }).click();
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
  it('signs in on a phone, starts an assigned intervention, attaches a photo and closes it with a report', async () => {
    const interventionId = await insertIntervention(t.db, equipementId, {
      titre: 'Pompe de relevage en défaut',
      statut: 'affectee',
      technicien_id: technicienId,
      client_id: clientId,
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

    // The long name fits the phone's header: cut with an ellipsis, whole in the button's title and in the menu.
    const header = page.getByRole('banner');
    const account = header.getByRole('button', { name: /^Mon compte :/ });
    assert.equal(await account.getAttribute('title'), TECHNICIEN_NAME);
    const widths = await header.evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth, page: document.documentElement.scrollWidth }));
    assert.ok(widths.scroll <= widths.client, `header ${widths.scroll} px of content in ${widths.client} px`);
    assert.ok(widths.page <= WIDTHS.phone.width, `page ${widths.page} px wide`);
    const nameText = account.getByText(TECHNICIEN_NAME, { exact: true });
    assert.ok(await nameText.evaluate((element) => element.scrollWidth > element.clientWidth), 'the name is cut in the header');
    await account.click();
    await page.getByRole('menu').getByText(TECHNICIEN_NAME, { exact: true }).waitFor();
    await assertAccessible(page, 'Menu du compte');
    await capture(page, 'menu-compte');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'hidden' });

    await card.getByRole('button', { name: 'Démarrer' }).click();
    await card.getByText('En cours', { exact: true }).waitFor();
    assert.equal((await t.db.selectFrom('interventions').select('statut').where('id', '=', interventionId).executeTakeFirstOrThrow()).statut, 'en_cours');
    assert.deepEqual(await card.getByRole('button').allTextContents(), ['Mettre en attente', 'Clôturer']);

    // The photo, from the phone's camera input (a file chooser in a headless browser).
    await card.getByRole('link', { name: 'Pompe de relevage en défaut' }).click();
    await page.getByRole('heading', { name: 'Pompe de relevage en défaut' }).waitFor();
    const documents = page.getByRole('region', { name: /^Documents/ });
    await documents.getByText('Aucun document').waitFor();
    // A refused file shows the server's French message (415), and nothing is kept.
    let chooser = page.waitForEvent('filechooser');
    await documents.getByRole('button', { name: 'Choisir un fichier' }).click();
    await (await chooser).setFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('pas une image') });
    await documents.getByText('Type de fichier non autorisé').waitFor();
    chooser = page.waitForEvent('filechooser');
    await documents.getByRole('button', { name: 'Prendre une photo' }).click();
    const camera = await chooser;
    assert.equal(await camera.element().getAttribute('capture'), 'environment');
    assert.equal(await camera.element().getAttribute('accept'), 'image/*');
    await camera.setFiles({ name: 'pompe.png', mimeType: 'image/png', buffer: photo });
    await documents.getByRole('article', { name: 'pompe.png' }).waitFor();
    await page.getByRole('heading', { name: 'Documents (1)' }).waitFor();
    const stored = await t.db.selectFrom('documents').select(['nom_fichier', 'taille_octets', 'uploaded_by_id']).where('intervention_id', '=', interventionId).execute();
    assert.deepEqual(stored.map((d) => [d.nom_fichier, Number(d.taille_octets), d.uploaded_by_id]), [['pompe.png', photo.length, technicien.id]]);
    await assertNoHorizontalScroll(page);
    await assertAccessible(page, 'Documents de l’intervention');
    await capture(page, 'intervention-documents');

    // The image preview: the signed link in an <img>, decoded by the browser.
    await documents.getByRole('button', { name: 'Aperçu' }).click();
    const preview = page.getByRole('dialog', { name: 'Aperçu : pompe.png' });
    const image = preview.getByRole('img', { name: 'pompe.png' });
    await image.waitFor();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('img')).some((img) => img.complete && img.naturalWidth === 16));
    await assertAccessible(page, 'Aperçu');
    await capture(page, 'document-apercu');
    await preview.getByRole('button', { name: 'Fermer' }).click();
    await preview.waitFor({ state: 'hidden' });

    // A PDF dropped on the zone: previewed from a blob: copy in a frame, then deleted after confirmation.
    const dropped = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'rapport.pdf', { type: 'application/pdf' }));
      return transfer;
    }, MINIMAL_PDF);
    await documents.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
    const pdf = documents.getByRole('article', { name: 'rapport.pdf' });
    await pdf.waitFor();
    await pdf.getByRole('button', { name: 'Aperçu' }).click();
    const pdfPreview = page.getByRole('dialog', { name: 'Aperçu : rapport.pdf' });
    const frame = pdfPreview.locator('iframe[title="Aperçu de rapport.pdf"]');
    await frame.waitFor();
    assert.match((await frame.getAttribute('src')) ?? '', /^blob:/);
    await pdfPreview.getByRole('button', { name: 'Fermer' }).click();
    await pdfPreview.waitFor({ state: 'hidden' });
    await pdf.getByRole('button', { name: 'Supprimer' }).click();
    const confirm = page.getByRole('dialog', { name: 'Supprimer le document' });
    await confirm.getByText('Supprimer définitivement « rapport.pdf » ?').waitFor();
    await assertAccessible(page, 'Suppression d’un document');
    await confirm.getByRole('button', { name: 'Supprimer' }).click();
    await pdf.waitFor({ state: 'detached' });
    assert.equal((await t.db.selectFrom('documents').select('id').where('intervention_id', '=', interventionId).execute()).length, 1);

    await page.getByRole('main').getByRole('button', { name: 'Clôturer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clôturer l’intervention' });
    await dialog.getByLabel('Rapport d’intervention').fill('Roulement remplacé, pompe testée 30 min.');
    await dialog.getByLabel('Durée réelle (minutes)').fill('45');
    await assertNoHorizontalScroll(page);
    await assertAccessible(page, 'Clôture');
    await capture(page, 'cloture');
    await dialog.getByRole('button', { name: 'Clôturer' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('En cours → Clôturée').waitFor();
    const closed = await t.db.selectFrom('interventions').select(['statut', 'rapport_intervention', 'duree_reelle']).where('id', '=', interventionId).executeTakeFirstOrThrow();
    assert.deepEqual(closed, { statut: 'cloturee', rapport_intervention: 'Roulement remplacé, pompe testée 30 min.', duree_reelle: 45 });
    // The intervention the responsable assigned above is still to do.
    await page.getByRole('main').getByRole('link', { name: 'Mes interventions' }).click();
    await page.getByText('1 intervention à traiter').waitFor();
    await page.getByRole('article', { name: 'Pompe de relevage en défaut' }).waitFor({ state: 'detached' });
    watched.assertClean(['/api/v1/documents/?intervention_id=']);
    await watched.context.close();
  });
});

describe('client journey (1280 px)', () => {
  it('sees the intervention closed, previews and downloads the photo, and requests corrective work on a machine', async () => {
    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await page.goto(baseUrl);
    await page.getByLabel('Identifiant ou e-mail').fill(client.username);
    await page.getByLabel('Mot de passe').fill(client.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Mon espace client' }).waitFor();
    await page.getByText('Laiterie Atlas').waitFor();
    const machine = page.getByRole('article', { name: 'Compresseur C-12' });
    await machine.waitFor();
    const mine = page.getByRole('table', { name: 'Mes dernières interventions' });
    const row = mine.getByRole('row').filter({ hasText: 'Pompe de relevage en défaut' });
    await row.getByText('Clôturée').waitFor();
    await assertAccessible(page, 'Mon espace client');
    await capture(page, 'espace-client');

    await row.getByRole('link', { name: 'Pompe de relevage en défaut' }).click();
    await page.getByRole('heading', { name: 'Pompe de relevage en défaut' }).waitFor();
    await page.getByRole('main').getByText('Clôturée', { exact: true }).first().waitFor();
    await page.getByText('Roulement remplacé, pompe testée 30 min.').waitFor();
    const documents = page.getByRole('region', { name: /^Documents/ });
    const entry = documents.getByRole('article', { name: 'pompe.png' });
    await entry.waitFor();
    // A client reads and downloads; uploading and deleting are not theirs.
    assert.equal(await documents.getByRole('button', { name: 'Choisir un fichier' }).count(), 0);
    assert.equal(await entry.getByRole('button', { name: 'Supprimer' }).count(), 0);
    await assertAccessible(page, 'Intervention (client)');
    await capture(page, 'intervention-client');
    const [download] = await Promise.all([page.waitForEvent('download'), entry.getByRole('link', { name: 'Télécharger' }).click()]);
    assert.equal(download.suggestedFilename(), 'pompe.png');
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), photo);

    // A request for corrective work on one of their machines.
    await page.getByRole('link', { name: 'Mon espace' }).click();
    await page.getByRole('link', { name: 'Demander une intervention sur Compresseur C-12' }).click();
    await page.getByRole('heading', { name: 'Demander une intervention' }).waitFor();
    // The machine is already chosen (once the list of equipment has loaded).
    const machineField = page.getByRole('combobox', { name: 'Équipement' });
    for (let tries = 0; tries < 50 && (await machineField.inputValue()) !== 'Compresseur C-12'; tries++) await page.waitForTimeout(100);
    assert.equal(await machineField.inputValue(), 'Compresseur C-12');
    await page.getByLabel('Titre').fill('Fuite d’air au raccord');
    await page.getByLabel('Description').fill('Sifflement continu côté sortie.');
    await assertKeyboardReachable(page, 'Titre', ['Titre', 'Description', 'Équipement', 'Retour', 'Envoyer la demande']);
    await assertAccessible(page, 'Demande d’intervention');
    await capture(page, 'demande-intervention');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.getByRole('heading', { name: 'Fuite d’air au raccord' }).waitFor();
    const request = await t.db.selectFrom('interventions').select(['type_intervention', 'statut', 'equipement_id', 'client_id']).where('titre', '=', 'Fuite d’air au raccord').executeTakeFirstOrThrow();
    assert.deepEqual(request, { type_intervention: 'corrective', statut: 'ouverte', equipement_id: equipementId, client_id: clientId });
    watched.assertClean();
    await watched.context.close();
  });
});
