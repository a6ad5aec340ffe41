/// <reference lib="dom" />
// (DOM types: the page.evaluate() callbacks run in the browser.)
/**
 * Journeys of the management screens in a real Chromium on the real application and database
 * (test/web/browser.ts): a TOTP enrolment and a login with its second step (codes from otplib, real
 * clock); the admin creates and deactivates a user (who can no longer sign in), resets a second
 * factor and reads the audit log; a generated preventive intervention appears in the list, and the
 * planning, technicians and skills screens work. Each checks axe-core, keyboard reachability with a
 * visible focus, no console error and no failed request, and writes screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { seedUser, type TestUser } from '../helpers/auth.js';
import { insertCompetence, insertEquipement, insertTechnicien } from '../helpers/fixtures.js';
import { qrCodeDataUrl } from '../../web/src/lib/qr.js';
import { assertAccessible, assertFieldsLabelled, assertNoHorizontalScroll, capture, launchChromium, openPage, signInAt, startWebServer, totp, WIDTHS, type WebServer } from './browser.js';

let t: TestApp;
let server: WebServer;
let browser: Browser;
let baseUrl: string;
let admin: TestUser;
let responsable: TestUser;
let equipementId: number;

before(async () => {
  server = await startWebServer();
  ({ t, baseUrl } = server);
  admin = await seedUser(t, 'admin', { username: 'salma.admin' });
  responsable = await seedUser(t, 'responsable', { username: 'youssef.responsable' });
  equipementId = await insertEquipement(t.db, { nom: 'Groupe froid GF-2' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const signIn = (page: Page, user: { username: string; password: string }) => signInAt(page, baseUrl, user);

/** Signs in and waits for the dashboard's figures: a navigation then aborts no request in flight. */
async function signInToDashboard(page: Page, user: { username: string; password: string }): Promise<void> {
  await signIn(page, user);
  await dashboardLoaded(page);
}

async function dashboardLoaded(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
  await page.getByText('Évolution mensuelle').waitFor();
}

/** Clicks a row's menu item, and waits for the menu to be gone before the dialog it opens is checked. */
async function menuAction(page: Page, button: string, item: string): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  await page.getByRole('menuitem', { name: item }).click();
  await page.getByRole('menu').waitFor({ state: 'detached' });
}

/**
 * Tabs from the top of the page until the control named `name` has the focus (at most `max` presses),
 * then checks that the focus is visible (an outline or a ring drawn by the focus style).
 */
async function tabTo(page: Page, name: RegExp, max = 40): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.locator('body').focus();
  for (let press = 0; press < max; press++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { label: (element.getAttribute('aria-label') ?? element.textContent ?? '').trim(), ring };
    });
    if (focused && name.test(focused.label)) {
      assert.ok(focused.ring, `the focus on « ${focused.label} » is visible`);
      return;
    }
  }
  assert.fail(`${name} not reached with the keyboard in ${max} Tab presses`);
}

/** Screenshots without the transient confirmations (toasts) over the screen. */
async function captureSettled(page: Page, name: string): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.mantine-Notification-root').length === 0, undefined, { timeout: 15_000 });
  await capture(page, name);
}

describe('two-factor sign-in (1280 px)', () => {
  it('enrols a TOTP factor from the profile, sees the 10 recovery codes once, then signs in with the second step', async () => {
    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await signInToDashboard(page, responsable);
    await page.goto(`${baseUrl}/profil`);
    await page.getByRole('heading', { name: 'Double authentification' }).waitFor();
    await page.getByRole('button', { name: 'Activer la double authentification' }).click();
    const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const uri = (await page.getByTestId('mfa-uri').textContent())!;
    assert.match(uri, /^otpauth:\/\/totp\/MIF%20ERP:/);
    // The QR code is the URI itself (the same SVG as qrcode renders it here), and a loaded image.
    const qr = page.getByTestId('mfa-qr');
    await qr.waitFor();
    assert.equal(await qr.getAttribute('src'), await qrCodeDataUrl(uri));
    assert.ok(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 200));
    await assertFieldsLabelled(page, 'Double authentification');
    await assertAccessible(page, 'Profil, enrôlement');
    await capture(page, 'profil-double-authentification');

    // A wrong code is refused with the API's message; the right one confirms.
    await page.getByLabel('Code de vérification').fill('000000' === (await totp(secret)) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByRole('alert').filter({ hasText: 'Code de double authentification invalide' }).waitFor();
    await page.getByLabel('Code de vérification').fill(await totp(secret));
    await page.getByRole('button', { name: 'Confirmer' }).click();
    const codes = page.getByRole('list', { name: 'Codes de secours' }).getByRole('listitem');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10);
    for (const code of await codes.allTextContents()) assert.match(code, /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    await capture(page, 'profil-codes-de-secours');
    await page.getByRole('button', { name: 'J’ai noté mes codes de secours' }).click();
    await page.getByText('Activée. Codes de secours restants : 10').waitFor();
    assert.ok(await t.db.selectFrom('user_mfa').select('user_id').where('user_id', '=', responsable.id).where('confirmed_at', 'is not', null).executeTakeFirst());

    await page.getByRole('button', { name: /^Mon compte :/ }).click();
    await page.getByRole('menuitem', { name: 'Se déconnecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await signIn(page, responsable);
    await page.getByRole('heading', { name: 'Double authentification' }).waitFor();
    await assertAccessible(page, 'Connexion, seconde étape');
    await capture(page, 'connexion-double-authentification');
    // The confirmation spent the current step: the next one (within the accepted drift) signs in.
    await page.getByLabel('Code de vérification').fill(await totp(secret, 1));
    await page.getByRole('button', { name: 'Valider' }).click();
    await dashboardLoaded(page);
    // The second step opened a browser session like a login: the HttpOnly cookie, and a reload keeps it.
    assert.deepEqual((await watched.context.cookies()).map((c) => [c.name, c.httpOnly]), [['mif_refresh', true]]);
    await page.reload();
    await dashboardLoaded(page);
    // The two 401s provoked on purpose: the wrong code, and the password step of an account with a factor.
    watched.assertClean(['/api/v1/auth/mfa/confirm', '/api/v1/auth/login']);
    await watched.context.close();
  });
});

describe('administration (1280 px)', () => {
  it('creates a user, deactivates them (they can no longer sign in), resets a second factor, reads the audit log', async () => {
    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await signInToDashboard(page, admin);
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByRole('heading', { name: 'Utilisateurs' }).waitFor();
    const users = Number((await t.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    await page.getByTestId('total').filter({ hasText: `${users} utilisateurs` }).waitFor();
    await assertAccessible(page, 'Utilisateurs');
    await assertFieldsLabelled(page, 'Utilisateurs');
    await tabTo(page, /^Nouvel utilisateur$/);
    await capture(page, 'utilisateurs');

    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Nouvel utilisateur' });
    await dialog.getByLabel('Identifiant').fill('ines.technicienne');
    await dialog.getByLabel('Nom complet').fill('Inès Berrada');
    await dialog.getByLabel('E-mail').fill('ines.berrada@exemple.test');
    await dialog.getByLabel('Mot de passe').fill('Compresseur#2026');
    await assertAccessible(page, 'Nouvel utilisateur');
    await assertFieldsLabelled(page, 'Nouvel utilisateur');
    await capture(page, 'utilisateur-nouveau');
    await dialog.getByRole('button', { name: 'Créer l’utilisateur' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'ines.technicienne' });
    await row.getByText('Actif').waitFor();
    const created = await t.db.selectFrom('users').select(['id', 'role', 'is_active', 'full_name']).where('username', '=', 'ines.technicienne').executeTakeFirstOrThrow();
    assert.deepEqual({ role: created.role, is_active: created.is_active, full_name: created.full_name }, { role: 'technicien', is_active: true, full_name: 'Inès Berrada' });

    await menuAction(page, 'Actions pour ines.technicienne', 'Désactiver');
    const confirm = page.getByRole('dialog', { name: 'Désactiver le compte : ines.technicienne' });
    await assertAccessible(page, 'Désactivation');
    await confirm.getByRole('button', { name: 'Désactiver' }).click();
    await row.getByText('Désactivé').waitFor();
    assert.equal((await t.db.selectFrom('users').select('is_active').where('id', '=', created.id).executeTakeFirstOrThrow()).is_active, false);

    // The second factor of the responsable enrolled above.
    await menuAction(page, `Actions pour ${responsable.username}`, 'Réinitialiser la double authentification');
    await page.getByRole('dialog', { name: `Réinitialiser la double authentification : ${responsable.username}` }).getByRole('button', { name: 'Réinitialiser' }).click();
    await page.getByText(`Double authentification réinitialisée : ${responsable.username}`).waitFor();
    assert.equal(await t.db.selectFrom('user_mfa').select('user_id').where('user_id', '=', responsable.id).executeTakeFirst(), undefined);

    // The audit log: server pages and X-Total-Count, filtered by event type.
    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.getByRole('heading', { name: 'Journal d’audit' }).waitFor();
    await page.getByLabel('Type d’événement (début)').fill('user.');
    await page.waitForURL(/event_type=user\./);
    const userEvents = Number((await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('event_type', 'like', 'user.%').executeTakeFirstOrThrow()).n);
    assert.ok(userEvents >= 2);
    await page.getByTestId('total').filter({ hasText: `${userEvents} événement` }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Journal d’audit' }).getByRole('row').count(), Math.min(userEvents, 50) + 1);
    await assertAccessible(page, 'Journal d’audit');
    await assertFieldsLabelled(page, 'Journal d’audit');
    await captureSettled(page, 'journal-audit');
    watched.assertClean();
    await watched.context.close();

    // The deactivated account is refused at login, with the API's message.
    const other = await openPage(browser, WIDTHS.phone);
    await signIn(other.page, { username: 'ines.technicienne', password: 'Compresseur#2026' });
    await other.page.getByRole('alert').filter({ hasText: 'Compte désactivé' }).waitFor();
    other.assertClean(['/api/v1/auth/login']);
    await other.context.close();
  });
});

describe('preventive planning, technicians and skills (1280 px and 360 px)', () => {
  it('shows a generated preventive intervention in the list, and creates, replans and suspends a planning', async () => {
    const tech = await seedUser(t, 'technicien', { username: 'omar.technicien' });
    await t.db.updateTable('users').set({ full_name: 'Omar Tazi' }).where('id', '=', tech.id).execute();
    const technicienId = await insertTechnicien(t.db, tech.id, { disponibilite: 'disponible', equipe: 'Froid' });
    const skill = await insertCompetence(t.db, 'Froid industriel', 'frigorifique');
    await t.db.insertInto('technicien_competence').values({ technicien_id: technicienId, competence_id: skill }).execute();
    // A monthly planning due an hour ago, generated by the scheduler's own service.
    const due = new Date(Date.now() - 3_600_000);
    await t.db.insertInto('plannings').values({ equipement_id: equipementId, frequence: 'mensuel', date_reference: due, prochaine_date: due, technicien_id: technicienId, priorite: 'haute' }).execute();
    const summary = await t.services.planningGeneration.generateDue();
    assert.equal(summary.generated, 1);
    const generated = await t.db.selectFrom('interventions').select(['id', 'titre']).where('type_intervention', '=', 'preventive').executeTakeFirstOrThrow();
    assert.equal(generated.titre, 'Maintenance préventive - Groupe froid GF-2');

    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await signInToDashboard(page, admin);
    await page.goto(`${baseUrl}/interventions?type=preventive`);
    await page.getByRole('link', { name: generated.titre }).waitFor();
    await page.getByTestId('total').filter({ hasText: '1 intervention' }).waitFor();

    await page.getByRole('link', { name: 'Planning préventif' }).click();
    await page.getByRole('heading', { name: 'Planning préventif' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Groupe froid GF-2' }).filter({ hasText: 'Mensuelle' }).waitFor();
    // The next occurrence (one month after the generated one) is in next month's calendar.
    const next = await t.db.selectFrom('plannings').select('prochaine_date').executeTakeFirstOrThrow();
    assert.ok(next.prochaine_date && next.prochaine_date.getTime() > Date.now());
    await page.getByRole('button', { name: 'Mois suivant' }).click();
    await page.getByRole('list', { name: /^Occurrences de / }).getByText('Groupe froid GF-2').first().waitFor();
    await assertAccessible(page, 'Planning préventif');
    await assertFieldsLabelled(page, 'Planning préventif');
    await tabTo(page, /^Nouveau planning$/);
    await captureSettled(page, 'planning');

    await page.getByRole('button', { name: 'Nouveau planning' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nouveau planning préventif' });
    await dialog.getByRole('combobox', { name: 'Équipement' }).click();
    await page.getByRole('option', { name: 'Groupe froid GF-2' }).click();
    await dialog.getByRole('combobox', { name: 'Fréquence' }).click();
    await page.getByRole('option', { name: 'Trimestrielle' }).click();
    // Typed and shown as dd/MM/yyyy HH:mm (Mantine's DateInput), whatever the browser's locale.
    const prochaine = dialog.getByRole('textbox', { name: 'Prochaine date' });
    await prochaine.fill('15/06/2027 08:30');
    await prochaine.press('Tab');
    assert.equal(await prochaine.inputValue(), '15/06/2027 08:30');
    await dialog.getByLabel('Commentaire').fill('Contrôle des fluides');
    await assertAccessible(page, 'Nouveau planning');
    await assertFieldsLabelled(page, 'Nouveau planning');
    await capture(page, 'planning-nouveau');
    await dialog.getByRole('button', { name: 'Créer le planning' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const created = await t.db.selectFrom('plannings').selectAll().where('commentaire', '=', 'Contrôle des fluides').executeTakeFirstOrThrow();
    assert.equal(created.frequence, 'trimestriel');
    // 08:30 in APP_TIMEZONE, as the browser converts it and shows it back (Chromium's time-zone data may
    // be newer than Node's: docs/architecture.md "Web application").
    await page.getByRole('row').filter({ hasText: '15/06/2027 08:30' }).filter({ hasText: 'Trimestrielle' }).waitFor();
    assert.equal(created.prochaine_date?.getUTCMinutes(), 30);

    await menuAction(page, `Actions du planning n° ${created.id}`, 'Replanifier');
    const replan = page.getByRole('dialog', { name: `Replanifier le planning n° ${created.id}` });
    const nouvelle = replan.getByRole('textbox', { name: 'Nouvelle date' });
    assert.equal(await nouvelle.inputValue(), '15/06/2027 08:30');
    await nouvelle.fill('02/07/2027 09:00');
    await nouvelle.press('Tab');
    await replan.getByRole('button', { name: 'Replanifier' }).click();
    await replan.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: '02/07/2027 09:00' }).waitFor();

    await menuAction(page, `Actions du planning n° ${created.id}`, 'Suspendre');
    await page.getByRole('row').filter({ hasText: '02/07/2027 09:00' }).getByText('Suspendu').waitFor();
    assert.equal((await t.db.selectFrom('plannings').select('statut').where('id', '=', created.id).executeTakeFirstOrThrow()).statut, 'suspendu');

    // Techniciens & compétences: the list with skills and availability, a detail page, a new skill.
    await page.getByRole('link', { name: 'Techniciens & compétences' }).click();
    await page.getByRole('heading', { name: 'Techniciens & compétences' }).waitFor();
    const techRow = page.getByRole('row').filter({ hasText: 'Omar Tazi' });
    await techRow.getByText('Froid industriel').waitFor();
    await techRow.getByText('Disponible').waitFor();
    await assertAccessible(page, 'Techniciens');
    await assertFieldsLabelled(page, 'Techniciens');
    await captureSettled(page, 'techniciens');
    await page.getByRole('link', { name: 'Omar Tazi' }).click();
    await page.getByRole('heading', { name: 'Omar Tazi' }).waitFor();
    await page.getByText('Froid industriel (frigorifique)').waitFor();
    await assertAccessible(page, 'Détail du technicien');
    await captureSettled(page, 'technicien-detail');

    await page.getByRole('button', { name: 'Modifier' }).click();
    const edit = page.getByRole('dialog', { name: 'Modifier : Omar Tazi' });
    await edit.getByRole('combobox', { name: 'Disponibilité' }).click();
    await page.getByRole('option', { name: 'En formation' }).click();
    await assertAccessible(page, 'Modification du technicien');
    await edit.getByRole('button', { name: 'Enregistrer' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByText('En formation').waitFor();
    assert.equal((await t.db.selectFrom('techniciens').select('disponibilite').where('id', '=', technicienId).executeTakeFirstOrThrow()).disponibilite, 'formation');

    await page.goto(`${baseUrl}/techniciens?onglet=competences`);
    await page.getByRole('table', { name: 'Liste des compétences' }).getByText('Froid industriel').waitFor();
    await page.getByRole('button', { name: 'Nouvelle compétence' }).click();
    const skillDialog = page.getByRole('dialog', { name: 'Nouvelle compétence' });
    await skillDialog.getByLabel('Nom').fill('Hydraulique');
    await skillDialog.getByLabel('Domaine').fill('mécanique');
    await skillDialog.getByRole('button', { name: 'Créer la compétence' }).click();
    await skillDialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Liste des compétences' }).getByText('Hydraulique').waitFor();
    await assertAccessible(page, 'Compétences');
    await captureSettled(page, 'competences');
    watched.assertClean();
    await watched.context.close();

    // The same screens on a phone: no horizontal scrolling of the page.
    const phone = await openPage(browser, WIDTHS.phone);
    await signInToDashboard(phone.page, admin);
    for (const [path, heading] of [['/planning', 'Planning préventif'], ['/techniciens', 'Techniciens & compétences'], ['/administration/utilisateurs', 'Utilisateurs'], ['/administration/audit', 'Journal d’audit']] as const) {
      await phone.page.goto(`${baseUrl}${path}`);
      await phone.page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await phone.page.getByTestId('total').first().waitFor();
      await assertNoHorizontalScroll(phone.page);
      await assertAccessible(phone.page, `${heading} (360 px)`);
    }
    phone.assertClean();
    await phone.context.close();
  });
});
