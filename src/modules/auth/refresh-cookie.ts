/**
 * The web application's refresh token lives in an HttpOnly cookie, never in page scripts
 * (docs/security.md "Browser sessions"). A request opts in with the `X-Session-Cookie: 1` header:
 * - the routes that open or rotate a session (login, token, refresh, change-password) then set the
 *   cookie and answer an empty `refresh_token` in the body;
 * - /auth/refresh and /auth/logout read the cookie when the body carries no token;
 * - /auth/logout and /auth/logout-all clear it.
 * CSRF: besides SameSite=Strict, reading the cookie needs the custom header (a cross-site form cannot
 * send it, and CORS does not allow it, so no other origin's script can) and, when the browser sends
 * them, an Origin equal to this server's and a same-origin Sec-Fetch-Site.
 * Requests without the header (API clients, the legacy front end) are untouched.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../lib/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route does with the refresh cookie of a web session (src/modules/auth/refresh-cookie.ts). */
    refreshCookie?: RefreshCookieUse;
  }
}

/**
 * issue: opens a session (sets the cookie); rotate: reads it and sets the next one (refresh);
 * end: reads it and clears it (logout); clear: clears it (logout-all).
 */
export type RefreshCookieUse = 'issue' | 'rotate' | 'end' | 'clear';
const READERS: ReadonlySet<RefreshCookieUse> = new Set(['rotate', 'end']);
const SETTERS: ReadonlySet<RefreshCookieUse> = new Set(['issue', 'rotate']);

export const REFRESH_COOKIE = 'mif_refresh';
/** The opt-in header of the web application; also the CSRF guard of the cookie's readers. */
export const SESSION_COOKIE_HEADER = 'x-session-cookie';
/** The v1 auth routes: the only ones the browser sends the cookie to (not the legacy root copies). */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

const CROSS_SITE_REFUSED = 'Requête refusée : origine non autorisée pour la session du navigateur';

function wantsCookie(request: FastifyRequest): boolean {
  return request.headers[SESSION_COOKIE_HEADER] === '1';
}

/** Origin and Fetch Metadata, when the browser sends them, must say the request comes from this site. */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) throw AppError.forbidden(CROSS_SITE_REFUSED);
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw AppError.forbidden(CROSS_SITE_REFUSED);
}

function bodyToken(request: FastifyRequest): unknown {
  const body = request.body;
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>).refresh_token : undefined;
}

export default fp(
  async function refreshCookiePlugin(app: FastifyInstance) {
    await app.register(cookie);
    const { environment, auth } = app.config;
    const maxAgeSeconds = auth.refreshTokenExpireDays * 86_400;
    const cookieOptions = { httpOnly: true, secure: environment === 'production', sameSite: 'strict', path: REFRESH_COOKIE_PATH } as const;
    const clear = (reply: FastifyReply) => reply.clearCookie(REFRESH_COOKIE, cookieOptions);

    app.addHook('preValidation', async (request) => {
      const use = request.routeOptions.config.refreshCookie;
      if (!use || !wantsCookie(request)) return;
      assertSameOrigin(request);
      const token = request.cookies[REFRESH_COOKIE];
      if (READERS.has(use) && bodyToken(request) === undefined && token) {
        const body = request.body !== null && typeof request.body === 'object' ? request.body : {};
        request.body = { ...body, refresh_token: token };
      }
    });

    app.addHook('preSerialization', async (request, reply, payload) => {
      const use = request.routeOptions.config.refreshCookie;
      if (!use || !wantsCookie(request) || reply.statusCode !== 200) return payload;
      if (!SETTERS.has(use)) {
        clear(reply);
        return payload;
      }
      const tokens = payload as { refresh_token?: unknown };
      if (typeof tokens.refresh_token !== 'string') return payload;
      reply.setCookie(REFRESH_COOKIE, tokens.refresh_token, { ...cookieOptions, maxAge: maxAgeSeconds });
      return { ...tokens, refresh_token: '' };
    });

    // A refused cookie (expired, revoked, reused) is dropped, so the page stops presenting it.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.config.refreshCookie === 'rotate' && reply.statusCode === 401 && wantsCookie(request)) clear(reply);
      return payload;
    });
  },
  { name: 'refresh-cookie' },
);
