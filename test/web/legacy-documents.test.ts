/// <reference lib="dom" />
// (DOM types: the page.evaluate() callbacks run in the browser.)
/**
 * The original React front end's Documents page (issue 9, docs/security.md "Headers of a download"),
 * whose source we do not have: test/web/legacy/documents.html makes the same requests from its own
 * origin, served by a tiny HTTP server on another port and listed in CORS_ALLOW_ORIGINS. The API is
 * the real app on a real port and database, the browser Debian's Chromium. The front end is
 * `http://localhost:…` and the API `http://127.0.0.1:…`: two sites, as in production.
 * A second origin, not listed, tries to frame a leaked link. The app's own origin (a page served by
 * src/plugins/web-app.ts) frames one too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Browser, CDPSession, Frame, Page } from 'playwright-core';
import { reportPdf } from '../../src/seed/documents.js';
import { createTestApp, makeTempDir, type TestApp } from '../helpers/app.js';
import { bearer, login, seedUser, type TestUser } from '../helpers/auth.js';
import { insertEquipement, insertIntervention } from '../helpers/fixtures.js';
import { sha256, upload } from '../modules/documents/support.js';
import { launchChromium, openPage, WIDTHS, type WatchedPage } from './browser.js';

const LEGACY_PAGE = fs.readFileSync(path.join(import.meta.dirname, 'legacy', 'documents.html'));
/** Debian's Chromium shows PDFs with its built-in viewer, an extension page inside the frame. */
const PDF_VIEWER = 'chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/';
const BLOCKED = /refused|violates|blocked/i;

/** A real PNG (RGB, no filter), so that an <img> decodes it and reports its size. */
function pngImage(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const framed = Buffer.alloc(body.length + 8);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), body.length + 4);
    return framed;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x2a)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

interface Origin {
  url: string;
  close(): Promise<void>;
}

/** The legacy page on its own port; `localhost` makes it another site than the API's 127.0.0.1. */
async function serveLegacyPage(): Promise<Origin> {
  const server = http.createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(LEGACY_PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A minimal build for src/plugins/web-app.ts: the app's own page, with its real CSP. */
async function minimalWebRoot(): Promise<string> {
  const root = await makeTempDir('mif-erp-legacy-web-');
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>MIF ERP</title></head><body><h1>MIF ERP</h1></body></html>');
  fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return root;
}

/** CORS preflights as Chromium's network stack sends them (Playwright does not report them). */
async function recordPreflights(page: Page): Promise<{ cdp: CDPSession; seen: { url: string; status: number; headers: Record<string, string> }[] }> {
  const cdp = await page.context().newCDPSession(page);
  const seen: { url: string; status: number; headers: Record<string, string> }[] = [];
  cdp.on('Network.responseReceived', (event) => {
    if (event.type === 'Preflight') seen.push({ url: event.response.url, status: event.response.status, headers: Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)])) });
  });
  await cdp.send('Network.enable');
  return { cdp, seen };
}

/** The <iframe> of the preview and the response it was given; the page must not download it. */
async function framePreview(watched: WatchedPage, url: string, show: () => Promise<unknown>): Promise<{ frame: Frame; status: number; headers: Record<string, string> }> {
  const { page } = watched;
  let downloaded = false;
  const onDownload = () => (downloaded = true);
  page.on('download', onDownload);
  const response = page.waitForResponse((r) => r.url() === url && r.request().resourceType() === 'document');
  await show();
  const answer = await response;
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  assert.ok(frame);
  // The viewer settles inside the frame, or a download or a block shows up, within that time.
  await page.waitForTimeout(1500);
  page.off('download', onDownload);
  assert.equal(downloaded, false, 'the preview was not turned into a download');
  return { frame, status: answer.status(), headers: await answer.allHeaders() };
}

function assertNotBlocked(watched: WatchedPage): void {
  assert.deepEqual(watched.problems.filter((problem) => BLOCKED.test(problem)), [], 'no refused or blocked load');
}

let t: TestApp;
let api: string;
let front: Origin;
let stranger: Origin;
let webRoot: string;
let browser: Browser;
let responsable: TestUser;
let interventionId: number;
let existing: { id: number; filename: string };
let watched: WatchedPage;
const png = pngImage(3, 2);
const pdf = reportPdf('Contrôle annuel chaudière', 1);
const files = { png: '', pdf: '' };
const uploaded: Record<'png' | 'pdf', { id: number; path: string }> = { png: { id: 0, path: '' }, pdf: { id: 0, path: '' } };

type Legacy = Record<string, (...args: unknown[]) => Promise<unknown>>;
const legacy = <T>(name: string, ...args: unknown[]): Promise<T> =>
  watched.page.evaluate(([fn, values]) => (window as unknown as { legacy: Legacy }).legacy[fn as string]!(...(values as unknown[])), [name, args] as const) as Promise<T>;

before(async () => {
  front = await serveLegacyPage();
  stranger = await serveLegacyPage();
  webRoot = await minimalWebRoot();
  t = await createTestApp({ webRoot, env: { RATE_LIMIT_ENABLED: 'false', CORS_ALLOW_ORIGINS: front.url } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  responsable = await seedUser(t, 'responsable', { username: 'nadia.responsable' });
  const equipement = await insertEquipement(t.db, { nom: 'Chaudière B-2' });
  await insertIntervention(t.db, equipement, { titre: 'Fuite d’huile presse P3' });
  interventionId = await insertIntervention(t.db, equipement, { titre: 'Contrôle annuel chaudière' });
  const seeded = await upload(t, await login(t, responsable), interventionId, { filename: 'plan.pdf', content: reportPdf('Plan', interventionId) });
  assert.equal(seeded.statusCode, 201);
  existing = seeded.json();
  const dir = await makeTempDir('mif-erp-legacy-files-');
  files.png = path.join(dir, 'photo compteur.png');
  files.pdf = path.join(dir, 'rapport été.pdf');
  fs.writeFileSync(files.png, png);
  fs.writeFileSync(files.pdf, pdf);
  browser = await launchChromium();
  watched = await openPage(browser, WIDTHS.desktop);
  await watched.page.goto(`${front.url}/?api=${api}`);
});

after(async () => {
  await browser?.close();
  await t?.close();
  await front?.close();
  await stranger?.close();
  if (webRoot) fs.rmSync(webRoot, { recursive: true, force: true });
});

describe('the original front end, from an origin of CORS_ALLOW_ORIGINS', () => {
  it('logs in, fills the intervention picker and lists the documents (GET /documents/ and /documents/{intervention_id})', async () => {
    await legacy('login', responsable.username, responsable.password);
    assert.equal(await legacy('loadInterventions'), 2);
    const all = await legacy<{ total: string; rows: { id: number; filename: string }[] }>('listAll');
    assert.equal(all.total, '1', 'X-Total-Count is exposed to the page');
    assert.deepEqual(all.rows.map((row) => row.filename), ['plan.pdf']);
    const ofIntervention = await legacy<{ id: number }[]>('listOf', interventionId);
    assert.deepEqual(ofIntervention.map((row) => row.id), [existing.id]);
    watched.assertClean();
  });

  it('uploads a PNG and a PDF chosen with the pickers, through a CORS preflight', async () => {
    const { cdp, seen } = await recordPreflights(watched.page);
    await watched.page.selectOption('#intervention', { label: 'Contrôle annuel chaudière' });
    for (const kind of ['png', 'pdf'] as const) {
      await watched.page.setInputFiles('#picker', files[kind]);
      const result = await legacy<{ status: number; body: { id: number; path: string; filename: string; intervention_id: number } }>('upload');
      assert.equal(result.status, 201, JSON.stringify(result.body));
      assert.equal(result.body.filename, path.basename(files[kind]));
      assert.equal(result.body.intervention_id, interventionId);
      uploaded[kind] = result.body;
    }
    await cdp.detach();
    const preflight = seen.find((p) => p.url.includes('/api/v1/documents/upload'));
    assert.ok(preflight, 'the multipart POST with a bearer header was preflighted');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], front.url);
    assert.match(preflight.headers['access-control-allow-headers'] ?? '', /authorization/i);
    const stored = await t.db.selectFrom('documents').select(['id', 'sha256']).where('intervention_id', '=', interventionId).orderBy('id').execute();
    assert.deepEqual(stored.map((row) => row.sha256).slice(1), [sha256(png), sha256(pdf)]);
    watched.assertClean();
  });

  it('previews the PNG in an <img> of {base URL}{path}', async () => {
    const size = await legacy<{ width: number; height: number }>('showImage', uploaded.png.path);
    assert.deepEqual(size, { width: 3, height: 2 });
    watched.assertClean();
  });

  it('previews the PDF in an <iframe>: 200 inline application/pdf, shown by the PDF viewer, nothing refused', async () => {
    const url = `${api}${uploaded.pdf.path}`;
    const { frame, status, headers } = await framePreview(watched, url, () => legacy('showFrame', uploaded.pdf.path));
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/pdf');
    assert.match(headers['content-disposition'] ?? '', /^inline; /);
    assert.match(headers['content-security-policy'] ?? '', /\bsandbox\b/);
    assert.equal(frame.url(), url);
    assert.ok(frame.childFrames().some((child) => child.url().startsWith(PDF_VIEWER)), `the PDF viewer runs in the frame: ${frame.childFrames().map((c) => c.url())}`);
    assertNotBlocked(watched);
    watched.assertClean();
  });

  it('downloads by a link and by a plain navigation, with the same SHA-256 and the file name', async () => {
    const { page } = watched;
    await legacy('showLink', uploaded.pdf.path, 'Télécharger');
    const [byLink] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger' }).click()]);
    const [byNavigation] = await Promise.all([page.waitForEvent('download'), page.evaluate((url) => window.location.assign(url), `${api}${uploaded.png.path}`)]);
    assert.equal(byLink.suggestedFilename(), 'rapport été.pdf');
    assert.equal(sha256(fs.readFileSync(await byLink.path())), sha256(pdf));
    assert.equal(byNavigation.suggestedFilename(), 'photo compteur.png');
    assert.equal(sha256(fs.readFileSync(await byNavigation.path())), sha256(png));
    assert.equal(page.url(), `${front.url}/?api=${api}`, 'a download leaves the page where it is');
    // Chromium reports the navigation that became a download as an aborted request.
    watched.assertClean(['net::ERR_ABORTED']);
  });

  it('deletes a document: it leaves both lists, its row and its link', async () => {
    assert.deepEqual(await legacy('remove', uploaded.png.id), { detail: 'Document supprimé' });
    const all = await legacy<{ rows: { id: number }[] }>('listAll');
    assert.deepEqual(all.rows.map((row) => row.id).sort(), [existing.id, uploaded.pdf.id].sort());
    const ofIntervention = await legacy<{ id: number }[]>('listOf', interventionId);
    assert.equal(ofIntervention.some((row) => row.id === uploaded.png.id), false);
    assert.equal(await t.db.selectFrom('documents').select('id').where('id', '=', uploaded.png.id).executeTakeFirst(), undefined);
    const link = await fetch(`${api}${uploaded.png.path}`);
    assert.equal(link.status, 404);
    watched.assertClean(['net::ERR_ABORTED']);
  });
});

describe('other origins', () => {
  it('an origin not in CORS_ALLOW_ORIGINS cannot frame a leaked link (frame-ancestors), nor call the API', async () => {
    const list = await t.app.inject({ url: `/api/v1/documents/${interventionId}`, headers: bearer(await login(t, responsable)) });
    const leaked = (list.json() as { id: number; path: string }[]).find((row) => row.id === uploaded.pdf.id)!;
    const other = await openPage(browser, WIDTHS.desktop);
    try {
      await other.page.goto(`${stranger.url}/?api=${api}`);
      let downloaded = false;
      other.page.on('download', () => (downloaded = true));
      const refused = other.page.waitForEvent('requestfailed', (request) => request.url() === `${api}${leaked.path}`);
      await other.page.evaluate((p) => (window as unknown as { legacy: Legacy }).legacy.showFrame!(p), leaked.path);
      assert.equal((await refused).failure()?.errorText, 'net::ERR_BLOCKED_BY_RESPONSE');
      await other.page.waitForTimeout(500);
      assert.equal(downloaded, false, 'not handed to the downloads either');
      assert.ok(other.problems.some((problem) => /frame-ancestors/.test(problem)), other.problems.join('\n'));
      const frame = await (await other.page.waitForSelector('iframe')).contentFrame();
      assert.equal(frame?.childFrames().some((child) => child.url().startsWith(PDF_VIEWER)), false);
      const call = await other.page.evaluate((base) => fetch(`${base}/api/v1/documents/`).then(() => 'read', () => 'refused'), api);
      assert.equal(call, 'refused');
    } finally {
      await other.context.close();
    }
  });

  it("the app's own origin frames the preview ('self')", async () => {
    const own = await openPage(browser, WIDTHS.desktop);
    try {
      await own.page.goto(`${api}/documents`);
      await own.page.getByRole('heading', { name: 'MIF ERP' }).waitFor();
      const url = `${api}${uploaded.pdf.path}`;
      const { frame, status } = await framePreview(own, url, () =>
        own.page.evaluate((src) => {
          const iframe = document.createElement('iframe');
          iframe.title = 'Aperçu';
          iframe.src = src;
          document.body.append(iframe);
        }, url),
      );
      assert.equal(status, 200);
      assert.ok(frame.childFrames().some((child) => child.url().startsWith(PDF_VIEWER)));
      assertNotBlocked(own);
    } finally {
      await own.context.close();
    }
  });
});
