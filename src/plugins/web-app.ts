/**
 * Serves the web application (web/, built by Vite into dist/web) from the API's own origin
 * (docs/architecture.md "Web application"):
 * - /assets/* are the hashed build outputs: cached for a year, immutable;
 * - a browser navigation (a reload, a shared link) to any other path outside the API gets the
 *   application's page, with a per-response CSP nonce; the application routes it itself.
 *   Navigations are told apart by Fetch Metadata (`Sec-Fetch-Mode: navigate`) or, from browsers
 *   that do not send it, by an Accept header that asks for HTML first. API clients of the legacy root
 *   aliases (LEGACY_ROOT_ROUTES: `GET /interventions` …) send neither and keep getting JSON;
 *   /api, /docs, /metrics and the health routes are never answered with the page.
 * Without a build (tests, an API-only deployment) the server serves the API alone.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** The placeholder of Vite's `html.cspNonce` (web/vite.config.ts), replaced on every page response. */
export const CSP_NONCE_PLACEHOLDER = '__CSP_NONCE__';
/** Where web/index.html receives APP_TIMEZONE, in which the application shows dates. */
const TIMEZONE_PLACEHOLDER = '__APP_TIMEZONE__';

/** Paths that always belong to the API, whatever the request asks for. */
const API_PREFIXES = ['/api', '/docs', '/metrics', '/health', '/live', '/ready', '/openapi.json', '/assets'];

/**
 * The page's policy: scripts and styles of this origin only, plus the inline `<style>` elements that
 * Mantine renders (its CSS variables), allowed by the response's nonce, never 'unsafe-inline'.
 * Images may be `blob:` (previews of a file being uploaded) or `data:` (Mantine's icons).
 */
export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self' blob:",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** dist/web next to the compiled server (dist/src/plugins), or under the checkout when run from src/ by tsx. */
export function defaultWebRoot(): string {
  const base = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  return path.join(base, path.basename(base) === 'dist' ? 'web' : 'dist/web');
}

function isApiPath(pathname: string): boolean {
  return API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`) || pathname.startsWith(`${prefix}?`));
}

export function isNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const mode = request.headers['sec-fetch-mode'];
  if (mode !== undefined) return mode === 'navigate';
  const accept = request.headers.accept ?? '';
  return /^\s*text\/html\b/i.test(accept);
}

export interface WebAppOptions {
  /** The built application (index.html, assets/, favicon.svg); null serves the API alone. */
  root: string | null;
}

export default fp<WebAppOptions>(
  async function webAppPlugin(app: FastifyInstance, options: WebAppOptions) {
    const indexFile = options.root === null ? null : path.join(options.root, 'index.html');
    if (indexFile === null || !fs.existsSync(indexFile)) {
      app.log.info({ web_root: options.root }, 'application web non construite : seule l’API est servie');
      return;
    }
    const root = options.root!;
    const page = fs.readFileSync(indexFile, 'utf8').replaceAll(TIMEZONE_PLACEHOLDER, app.config.appTimezone);
    const favicon = fs.readFileSync(path.join(root, 'favicon.svg'));

    await app.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      immutable: true,
      maxAge: '365d',
      decorateReply: false,
    });

    // Browsers ask for /favicon.ico on their own; both names answer the same icon, so no request fails.
    for (const url of ['/favicon.svg', '/favicon.ico']) {
      app.get(url, { schema: { hide: true } }, async (_request, reply) =>
        reply.header('Cache-Control', 'public, max-age=86400').type('image/svg+xml').send(favicon),
      );
    }

    app.addHook('onRequest', async (request, reply) => {
      const pathname = request.url.split('?', 1)[0] ?? '/';
      if (!isNavigation(request) || isApiPath(pathname)) return;
      const nonce = randomBytes(16).toString('base64');
      return reply
        .header('Content-Security-Policy', pageCsp(nonce))
        .header('Cache-Control', 'no-cache')
        .header('Vary', [reply.getHeader('Vary'), 'Accept, Sec-Fetch-Mode'].filter(Boolean).join(', '))
        .type('text/html; charset=utf-8')
        .send(page.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
    });
  },
  { name: 'web-app', dependencies: ['security-headers'] },
);
