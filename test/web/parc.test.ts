/**
 * The équipements and clients & contrats screens in a real Chromium on the real application and
 * database (test/web/browser.ts): a responsable lists and filters equipment (X-Total-Count), creates
 * one after an API validation error shown on its field, edits it; creates a client, then a contract
 * from the client's page. axe-core on every screen, keyboard reachability with a visible focus on
 * the forms, no console error and no failed request, screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { seedUser, type TestUser } from '../helpers/auth.js';
import { insertClient, insertEquipement } from '../helpers/fixtures.js';
import { assertAccessible, assertKeyboardReachable, capture, launchChromium, openPage, startWebServer, WIDTHS, type WebServer } from './browser.js';

let t: TestApp;
let server: WebServer;
let browser: Browser;
let baseUrl: string;
let responsable: TestUser;

before(async () => {
  server = await startWebServer();
  ({ t, baseUrl } = server);
  responsable = await seedUser(t, 'responsable', { username: 'omar.responsable' });
  const clientId = await insertClient(t.db, { nom_entreprise: 'Cimenterie du Sud' });
  for (let n = 1; n <= 55; n++) {
    await insertEquipement(t.db, { nom: `Convoyeur ${String(n).padStart(2, '0')}`, statut: n % 5 === 0 ? 'panne' : 'operationnel', client_id: n <= 3 ? clientId : null });
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('équipements and clients & contrats (responsable, 1280 px)', () => {
  it('lists, filters, creates and edits equipment; creates a client and its contract', async () => {
    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await page.goto(`${baseUrl}/equipements`);
    await page.getByLabel('Identifiant ou e-mail').fill(responsable.username);
    await page.getByLabel('Mot de passe').fill(responsable.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Équipements', exact: true }).waitFor();
    // The server's total, a page of 50.
    await page.getByTestId('total').filter({ hasText: '55 équipements' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Liste des équipements' }).getByRole('row').count(), 51);
    await assertAccessible(page, 'Équipements');
    await capture(page, 'equipements');
    await page.getByRole('button', { name: 'Page suivante' }).click();
    await page.waitForURL(/page=2/);
    await page.getByRole('link', { name: 'Convoyeur 55' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Liste des équipements' }).getByRole('row').count(), 6);
    // Filters live in the URL and go back to page 1.
    // (The visible pill box lies over the MultiSelect's input.)
    await page.getByRole('combobox', { name: 'Statut' }).click({ force: true });
    await page.getByRole('option', { name: 'En panne' }).click();
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.searchParams.get('statut') === 'panne' && !url.searchParams.has('page'));
    await page.getByTestId('total').filter({ hasText: '11 équipements' }).waitFor();

    await page.getByRole('link', { name: 'Nouvel équipement' }).click();
    await page.getByRole('heading', { name: 'Nouvel équipement' }).waitFor();
    await page.getByLabel('Nom', { exact: false }).first().fill('Broyeur à boulets');
    await page.getByLabel('Type d’équipement').fill('broyeur');
    await page.getByLabel('Localisation').fill('Hall B');
    await page.getByLabel('Fréquence d’entretien (jours)').fill('toutes les lunes');
    // Dates are typed and shown the French way (Mantine's DateInput), whatever the browser's locale.
    const miseEnService = page.getByRole('textbox', { name: 'Mise en service' });
    assert.equal(await miseEnService.getAttribute('placeholder'), 'jj/mm/aaaa');
    await miseEnService.fill('15/01/2024');
    await miseEnService.press('Tab');
    assert.equal(await miseEnService.inputValue(), '15/01/2024');
    await page.getByRole('button', { name: 'Créer l’équipement' }).click();
    await page.getByText("Fréquence d'entretien invalide").first().waitFor();
    await assertKeyboardReachable(page, 'Nom', ['Nom', 'Type d’équipement', 'Localisation', 'Marque', 'Modèle']);
    await assertAccessible(page, 'Nouvel équipement');
    await capture(page, 'equipement-nouveau');
    await page.getByLabel('Fréquence d’entretien (jours)').fill('30');
    await page.getByRole('button', { name: 'Créer l’équipement' }).click();
    await page.getByRole('heading', { name: 'Broyeur à boulets' }).waitFor();
    await page.getByText('Tous les 30 jours').waitFor();
    await page.getByText('Aucune intervention sur cet équipement.').waitFor();
    const created = await t.db.selectFrom('equipements').select(['id', 'localisation', 'frequence_entretien_jours', 'date_mise_en_service']).where('nom', '=', 'Broyeur à boulets').executeTakeFirstOrThrow();
    assert.deepEqual([created.localisation, created.frequence_entretien_jours], ['Hall B', 30]);
    // The day's midnight in APP_TIMEZONE (Africa/Casablanca, UTC+1 in January), as before.
    assert.equal(created.date_mise_en_service?.toISOString(), '2024-01-14T23:00:00.000Z');
    await page.getByText('15/01/2024').waitFor();
    await assertAccessible(page, 'Détail de l’équipement');
    await capture(page, 'equipement-detail');

    await page.getByRole('link', { name: 'Modifier' }).click();
    await page.getByRole('heading', { name: 'Modifier : Broyeur à boulets' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Mise en service' }).inputValue(), '15/01/2024');
    await page.getByLabel('Localisation').fill('Hall C');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: 'Broyeur à boulets' }).waitFor();
    await page.getByText('Hall C').waitFor();
    assert.equal((await t.db.selectFrom('equipements').select('localisation').where('id', '=', created.id).executeTakeFirstOrThrow()).localisation, 'Hall C');

    await page.getByRole('link', { name: 'Clients & contrats' }).click();
    await page.getByRole('heading', { name: 'Clients & contrats' }).waitFor();
    await page.getByTestId('total').filter({ hasText: '1 client' }).waitFor();
    await assertAccessible(page, 'Clients');
    await capture(page, 'clients');

    await page.getByRole('link', { name: 'Nouveau client' }).click();
    await page.getByRole('heading', { name: 'Nouveau client' }).waitFor();
    await page.getByLabel('Raison sociale').fill('Sucrerie de l’Oriental');
    await page.getByRole('textbox', { name: 'Nom du contact', exact: true }).fill('Benali');
    await page.getByLabel('E-mail').fill('achats@sucrerie.example');
    await page.getByLabel('ICE (15 chiffres)').fill('123');
    await page.getByRole('button', { name: 'Créer le client' }).click();
    await page.getByText('ICE invalide (15 chiffres attendus)').first().waitFor();
    await assertKeyboardReachable(page, 'Raison sociale', ['Raison sociale', 'Nom commercial', 'Type de client', 'Secteur d’activité', 'ICE (15 chiffres)']);
    await assertAccessible(page, 'Nouveau client');
    await capture(page, 'client-nouveau');
    await page.getByLabel('ICE (15 chiffres)').fill('001234567000089');
    await page.getByRole('button', { name: 'Créer le client' }).click();
    await page.getByRole('heading', { name: 'Sucrerie de l’Oriental' }).waitFor();
    await page.getByText('Aucun contrat : ce client est facturé à l’intervention.').waitFor();

    await page.getByRole('button', { name: 'Nouveau contrat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nouveau contrat' });
    await dialog.getByLabel('N° de contrat').fill('CT-2027-001');
    await dialog.getByLabel('Intitulé').fill('Maintenance des lignes de conditionnement');
    await dialog.getByLabel('Début').fill('01/01/2027');
    await dialog.getByLabel('Fin').fill('31/12/2026');
    await dialog.getByLabel('Fin').press('Tab');
    assert.deepEqual([await dialog.getByLabel('Début').inputValue(), await dialog.getByLabel('Fin').inputValue()], ['01/01/2027', '31/12/2026']);
    await dialog.getByRole('button', { name: 'Créer le contrat' }).click();
    await dialog.getByText('La date de fin doit être postérieure ou égale à la date de début').first().waitFor();
    await assertAccessible(page, 'Nouveau contrat');
    await capture(page, 'contrat-nouveau');
    await dialog.getByLabel('Fin').fill('31/12/2027');
    await dialog.getByLabel('Fin').press('Tab');
    await dialog.getByRole('button', { name: 'Créer le contrat' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const contrats = page.getByRole('table', { name: 'Contrats du client' });
    await contrats.getByText('CT-2027-001').waitFor();
    await contrats.getByText('01/01/2027 → 31/12/2027').waitFor();
    const client = await t.db.selectFrom('clients').select(['id', 'ice']).where('nom_entreprise', '=', 'Sucrerie de l’Oriental').executeTakeFirstOrThrow();
    assert.equal(client.ice, '001234567000089');
    const contrat = await t.db.selectFrom('contrats').select(['client_id', 'type_contrat']).where('numero_contrat', '=', 'CT-2027-001').executeTakeFirstOrThrow();
    assert.deepEqual(contrat, { client_id: client.id, type_contrat: 'maintenance_complete' });
    await assertAccessible(page, 'Détail du client');
    await capture(page, 'client-detail');
    // The 422s provoked above are the only HTTP errors.
    watched.assertClean(['HTTP 422: POST', 'status of 422']);
    await watched.context.close();
  });
});
