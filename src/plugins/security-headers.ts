/**
 * Response headers of docs/security.md §7, on every response the application sends (success, errors,
 * unknown routes, CORS preflights, 429s).
 *
 * Set in one onSend hook rather than with @fastify/helmet: helmet adds headers the spec does not ask
 * for (X-DNS-Prefetch-Control, Origin-Agent-Cluster, COOP, X-XSS-Protection…) that would each need
 * disabling, and it cannot give the Swagger UI (whose routes belong to @fastify/swagger-ui) its own
 * CSP without per-route configuration. onSend also runs for the error handler and the not-found
 * handler, and after the route, so a route that sets its own CSP or CORP (document downloads:
 * `default-src 'none'; sandbox`, `cross-origin`) keeps them.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppConfig } from '../config/types.js';
import fp from 'fastify-plugin';

/** Where app.ts mounts the Swagger UI. */
export const DOCS_ROUTE_PREFIX = '/docs';

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The one inline `<style>` the Swagger UI renders (the SVG logo of swagger-ui-standalone-preset.js:
 * `.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}`), allowed by its hash
 * rather than with 'unsafe-inline'. Should a Swagger UI upgrade change it, only the logo's colours
 * are lost (the browser reports the new hash in its console).
 */
const SWAGGER_UI_LOGO_STYLE_HASH = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * Swagger UI: its HTML loads scripts, styles and icons from /docs/static (no inline script), its CSS
 * uses data: images, and it fetches the OpenAPI document and "try it out" calls from this origin.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${SWAGGER_UI_LOGO_STYLE_HASH}`,
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const HSTS = 'max-age=63072000; includeSubDomains';

function isDocsPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path === DOCS_ROUTE_PREFIX || path.startsWith(`${DOCS_ROUTE_PREFIX}/`);
}

/** The headers of docs/security.md §7 on one reply; also used for the router's errors, which run no hook. */
export function setSecurityHeaders(reply: FastifyReply, url: string, config: Pick<AppConfig, 'environment' | 'docsEnabled'>): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Referrer-Policy', 'no-referrer');
  if (!reply.hasHeader('Content-Security-Policy')) {
    reply.header('Content-Security-Policy', config.docsEnabled && isDocsPath(url) ? DOCS_CSP : API_CSP);
  }
  if (!reply.hasHeader('Cross-Origin-Resource-Policy')) reply.header('Cross-Origin-Resource-Policy', 'same-origin');
  if (config.environment === 'production') reply.header('Strict-Transport-Security', HSTS);
  // Neither Fastify nor node:http sets these; removed in case a dependency ever does.
  reply.removeHeader('X-Powered-By');
  reply.removeHeader('Server');
}

export default fp(
  async function securityHeadersPlugin(app: FastifyInstance) {
    app.addHook('onSend', async (request, reply, payload) => {
      setSecurityHeaders(reply, request.url, app.config);
      return payload;
    });
  },
  { name: 'security-headers' },
);
