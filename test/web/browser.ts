/// <reference lib="dom" />
// (DOM types: the page.evaluate() callbacks run in the browser.)
/**
 * Browser tests on the real application: the web app built by Vite, served by the real server on a
 * real port and database, driven in Debian's Chromium (/usr/bin/chromium, installed by .ci/run)
 * through playwright-core. Each page records its console errors and failed requests; axe-core checks
 * accessibility; screenshots go to test/web/screenshots/ (not committed) at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { createTestApp, type TestApp } from '../helpers/app.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(repoRoot, 'test', 'web', 'screenshots');
export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } } as const;

export interface WebServer {
  t: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real app on a real port, serving a fresh build of web/, on the file's own database; `env` adds configuration. */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  const webRoot = await buildWebApp();
  const t = await createTestApp({ webRoot, env: { RATE_LIMIT_ENABLED: 'false', ...env } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  assert.ok(address && typeof address === 'object');
  return {
    t,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await t.close();
      fs.rmSync(webRoot, { recursive: true, force: true });
    },
  };
}

/** Builds web/ into a temporary directory (the same build as `npm run build`). */
export async function buildWebApp(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mif-erp-web-build-'));
  await build({ configFile: path.join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export { launchChromium } from '../../scripts/lib/chromium.js';

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  problems: string[];
  /** `expected` lists URL parts whose 4xx the journey provokes on purpose. */
  assertClean(expected?: string[]): void;
}

export async function openPage(browser: Browser, viewport: { width: number; height: number }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Africa/Casablanca' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // The browser's own PDF viewer (chrome-extension:// and chrome:// pages inside a PDF preview) is not the
  // application: closing a preview while it loads aborts its scripts. Only http(s) requests count.
  // The favicon is fetched by the browser itself and cancelled (ERR_ABORTED) when a navigation starts before
  // it arrives; a missing favicon still shows as an HTTP error below.
  page.on('requestfailed', (request) => {
    const errorText = request.failure()?.errorText ?? '';
    if (!/^https?:/.test(request.url())) return;
    if (errorText === 'net::ERR_ABORTED' && new URL(request.url()).pathname.startsWith('/favicon')) return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return {
    page,
    context,
    problems,
    assertClean(expected = []) {
      const unexpected = problems.filter((problem) => !expected.some((part) => problem.includes(part)));
      assert.deepEqual(unexpected, [], 'no console error and no failed request');
    },
  };
}

const axeSource = fs.readFileSync(path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** axe-core on the page as it is: no serious or critical violation (WCAG 2.1 A and AA rules). */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  // A dialog or a toast fades in: axe would measure the contrast of half-transparent colours.
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.mantine-Modal-content, .mantine-Notification-root')).every((element) => getComputedStyle(element).opacity === '1'));
  let serious = await seriousViolations(page);
  // A toast that started fading out while axe ran is measured half-transparent: when only its nodes
  // fail and it is no longer fully shown, judge the screen again once it is gone.
  const inToast = serious.length > 0 && serious.every((v) => v.nodes.every((node) => node.html.includes('mantine-Notification')));
  if (inToast && !(await toastShown(page))) {
    await page.waitForFunction(() => document.querySelectorAll('.mantine-Notification-root').length === 0, undefined, { timeout: 15_000 });
    serious = await seriousViolations(page);
  }
  assert.deepEqual(serious, [], `accessibility of ${screen}`);
}

/** A toast is on screen, fully opaque (not leaving). */
function toastShown(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const toasts = Array.from(document.querySelectorAll('.mantine-Notification-root'));
    return toasts.length > 0 && toasts.every((element) => getComputedStyle(element).opacity === '1');
  });
}

async function seriousViolations(page: Page) {
  // evaluate() runs outside the page's CSP (a <script> tag would be refused by script-src 'self').
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 300), failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Every form field of the page (inputs, selects, text areas) has an accessible name. */
export async function assertFieldsLabelled(page: Page, screen: string): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('input:not([type=hidden]), select, textarea'))
      .filter((field) => field.offsetParent !== null && !field.getAttribute('aria-hidden'))
      .filter((field) => {
        const labelled = field.getAttribute('aria-label') || field.getAttribute('aria-labelledby') || (field.id && document.querySelector(`label[for="${field.id}"]`)) || field.closest('label');
        return !labelled;
      })
      .map((field) => field.outerHTML.slice(0, 160)),
  );
  assert.deepEqual(unlabelled, [], `labels of the fields of ${screen}`);
}

/** The connexion form, filled and sent (where it leads is the journey's to check). */
export async function signInAt(page: Page, baseUrl: string, user: { username: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/connexion`);
  await page.getByLabel('Identifiant ou e-mail').fill(user.username);
  await page.getByLabel('Mot de passe').fill(user.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** The otplib code of the step `steps` from now (real clock): ±1 step is accepted (docs/security.md §3a). */
export const totp = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Screenshots of the screen at both widths, then back to the page's own width. */
export async function capture(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const own = page.viewportSize()!;
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    // From the top (a scrolled full-page capture draws the fixed header over the content), once the
    // navigation bar's slide (Mantine's AppShell transition) is over.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label === 'desktop' ? 1280 : 360}.png`), fullPage: true });
  }
  await page.setViewportSize(own);
}

/** No horizontal scrolling at the page's width (the 360 px phone). */
export async function assertNoHorizontalScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `page ${scroll} px wide in a ${width} px window`);
}

/** A real PNG (a 16×16 square of one colour): valid for the server's magic-byte check and for an <img>. */
export function smallPng(rgb: [number, number, number] = [30, 110, 200]): Buffer {
  const size = 16;
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: size }, () => Buffer.from(rgb)))]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Keyboard reachability with a visible focus: from the element labelled `from`, Tab reaches each
 * of `names` (labels or button texts, in this order), and the focused element looks different
 * from the same element unfocused (outline, border or shadow).
 */
export async function assertKeyboardReachable(page: Page, from: string, names: string[]): Promise<void> {
  await page.getByLabel(from).first().focus();
  const seen: string[] = [];
  for (let step = 0; step < 80 && seen.length < names.length; step++) {
    const focused = await page.evaluate(async () => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const labelled = element.getAttribute('aria-label') ?? (element.id ? document.querySelector(`label[for="${CSS.escape(element.id)}"]`)?.textContent : null) ?? element.textContent ?? '';
      // Inline, no named helper: tsx would wrap one in a __name() call the page does not know.
      // The waits let the inputs' border-colour transition end.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const focusedStyle = getComputedStyle(element);
      const focusedLook = [focusedStyle.outlineStyle, focusedStyle.outlineWidth, focusedStyle.outlineColor, focusedStyle.borderColor, focusedStyle.boxShadow].join('|');
      element.blur();
      await new Promise((resolve) => setTimeout(resolve, 150));
      const restingStyle = getComputedStyle(element);
      const restingLook = [restingStyle.outlineStyle, restingStyle.outlineWidth, restingStyle.outlineColor, restingStyle.borderColor, restingStyle.boxShadow].join('|');
      element.focus({ focusVisible: true } as FocusOptions);
      return { name: labelled.replace(/\s+/g, ' ').replace(/\s*\*$/, '').trim(), visible: focusedLook !== restingLook };
    });
    if (focused && focused.name === names[seen.length]) {
      assert.ok(focused.visible, `visible focus on « ${focused.name} »`);
      seen.push(focused.name);
    }
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(seen, names, 'every control reached with the Tab key');
}
