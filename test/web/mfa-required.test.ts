/**
 * The forced enrolment of a second factor in a real Chromium (test/web/browser.ts), on a server whose
 * MFA_REQUIRED_ROLES includes the user's role (docs/security.md §3a): the login leads to
 * /double-authentification and nowhere else; the user enrols with a code computed by otplib from the
 * secret the page shows, notes the recovery codes and reaches the application. axe-core, keyboard
 * reachability with a visible focus, no console error and no failed request but the probe's 403.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { seedUser, type TestUser } from '../helpers/auth.js';
import { assertAccessible, assertFieldsLabelled, assertKeyboardReachable, capture, launchChromium, openPage, signInAt, startWebServer, totp, WIDTHS, type WebServer } from './browser.js';

let t: TestApp;
let server: WebServer;
let browser: Browser;
let baseUrl: string;
let responsable: TestUser;

before(async () => {
  server = await startWebServer({ MFA_REQUIRED_ROLES: 'admin,responsable' });
  ({ t, baseUrl } = server);
  responsable = await seedUser(t, 'responsable', { username: 'leila.responsable' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('forced two-factor enrolment (MFA_REQUIRED_ROLES, 1280 px)', () => {
  it('sends the login to /double-authentification, enrols a TOTP factor there, then opens the application', async () => {
    const watched = await openPage(browser, WIDTHS.desktop);
    const { page } = watched;
    await signInAt(page, baseUrl, responsable);
    await page.waitForURL(`${baseUrl}/double-authentification`);
    await page.getByRole('heading', { name: 'Double authentification obligatoire' }).waitFor();
    // Nothing of the application is shown before the enrolment: no navigation, no notification bell.
    assert.equal(await page.getByRole('link', { name: 'Tableau de bord' }).count(), 0);
    await assertAccessible(page, 'Double authentification obligatoire');
    await capture(page, 'double-authentification-obligatoire');

    // The keyboard alone starts the enrolment.
    const start = page.getByRole('button', { name: 'Activer la double authentification' });
    await start.focus();
    await page.keyboard.press('Enter');
    const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const uri = (await page.getByTestId('mfa-uri').textContent())!;
    assert.equal(new URL(uri).searchParams.get('secret'), secret);
    await page.getByTestId('mfa-qr').waitFor();
    await assertFieldsLabelled(page, 'Double authentification obligatoire');
    await assertAccessible(page, 'Double authentification obligatoire, enrôlement');
    await capture(page, 'double-authentification-obligatoire-enrolement');

    await page.getByLabel('Code de vérification').fill(await totp(secret));
    await assertKeyboardReachable(page, 'Code de vérification', ['Code de vérification', 'Confirmer']);
    await page.getByRole('button', { name: 'Confirmer' }).click();
    const codes = page.getByRole('list', { name: 'Codes de secours' }).getByRole('listitem');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10);
    await assertAccessible(page, 'Double authentification obligatoire, codes de secours');
    await capture(page, 'double-authentification-obligatoire-codes');
    const confirmed = await t.db.selectFrom('user_mfa').select('confirmed_at').where('user_id', '=', responsable.id).executeTakeFirstOrThrow();
    assert.ok(confirmed.confirmed_at);

    await page.getByRole('button', { name: 'J’ai noté mes codes de secours' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    await page.getByText('Évolution mensuelle').waitFor();
    // The application's screens now answer: the interventions list is no longer refused.
    await page.getByRole('link', { name: 'Interventions', exact: true }).click();
    await page.getByRole('heading', { name: 'Interventions', exact: true }).waitFor();
    await page.getByTestId('total').waitFor();
    // The only refusal: the login's probe that tells the application the enrolment is due.
    const refused = watched.problems.filter((problem) => problem.startsWith('HTTP '));
    assert.deepEqual(refused.map((problem) => problem.replace(baseUrl, '').replace(/\?.*$/, '')), ['HTTP 403: GET /api/v1/notifications/user/me']);
    watched.assertClean(['/api/v1/notifications/user/me']);
    await watched.context.close();
  });
});
