/// <reference lib="dom" />
// (DOM types: the page.evaluate() callbacks run in the browser.)
/**
 * Speed figures of the web application (docs/architecture.md "Web application"), measured in
 * Chromium on a running server:
 * - the JavaScript of the first page (the sign-in page, cold): every script it loads, gzip-compressed
 *   (the budget is 250 KB);
 * - the interventions list of 50 rows on a cold load (empty cache, signed in by the cookie): time
 *   from navigation start until the 50 rows are rendered and their links react (budget 1 s).
 */
import { gzipSync } from 'node:zlib';
import { launchChromium } from './chromium.js';

export interface WebFigures {
  firstPageScripts: number;
  firstPageJsGzipBytes: number;
  listRows: number;
  listInteractiveMs: number;
}

export async function measureWebApp(baseUrl: string, credentials: { username: string; password: string }): Promise<WebFigures> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const scripts = new Map<string, Promise<number>>();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.set(response.url(), response.body().then((body) => gzipSync(body, { level: 9 }).length));
    });
    await page.goto(`${baseUrl}/connexion`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    const sizes = await Promise.all(scripts.values());

    await page.getByLabel('Identifiant ou e-mail').fill(credentials.username);
    await page.getByLabel('Mot de passe').fill(credentials.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL((url) => url.pathname !== '/connexion');

    // Cold: a new tab with the HTTP cache disabled; the session comes from the cookie, as on a reload.
    const cold = await context.newPage();
    const cdp = await context.newCDPSession(cold);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cold.goto(`${baseUrl}/interventions`, { waitUntil: 'commit' });
    await cold.waitForFunction(() => document.querySelectorAll('tbody tr a[href^="/interventions/"]').length >= 50, null, { timeout: 30_000 });
    const listInteractiveMs = await cold.evaluate(() => performance.now());
    const listRows = await cold.locator('tbody tr').count();
    return { firstPageScripts: sizes.length, firstPageJsGzipBytes: sizes.reduce((a, b) => a + b, 0), listRows, listInteractiveMs: Math.round(listInteractiveMs) };
  } finally {
    await browser.close();
  }
}

export function formatFigures(figures: WebFigures): string {
  return [
    `JavaScript de la première page : ${(figures.firstPageJsGzipBytes / 1024).toFixed(1)} KB gzip (${figures.firstPageScripts} fichiers ; budget 250 KB)`,
    `Liste des interventions (${figures.listRows} lignes, chargement à froid) interactive en ${figures.listInteractiveMs} ms (budget 1000 ms)`,
  ].join('\n');
}
