/**
 * CORS (docs/security.md §6): only the exact origins of CORS_ALLOW_ORIGINS are echoed, always with
 * `Vary: Origin`; `Origin: null` and unlisted origins get no CORS header at all.
 */
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Origin', 'X-Requested-With', 'X-Request-ID'];
export const CORS_EXPOSED_HEADERS = [
  'X-Request-ID',
  'X-Total-Count',
  'X-Response-Time',
  'Content-Disposition',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];
export const CORS_MAX_AGE_SECONDS = 600;

export default fp(
  async function corsPlugin(app: FastifyInstance) {
    // Exact matches only: `null` (sandboxed documents, file://) and `*` are never honoured.
    const allowed = new Set(app.config.corsAllowOrigins.filter((origin) => origin !== 'null' && origin !== '*'));

    const granted: FastifyCorsOptions = {
      origin: true, // echo the request's Origin, already checked against the list
      credentials: true,
      methods: CORS_METHODS,
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: CORS_MAX_AGE_SECONDS,
      // An OPTIONS without Access-Control-Request-Method would otherwise get a text/plain 400.
      strictPreflight: false,
    };
    // `origin: false` disables CORS for the request: no Access-Control-* header, and a preflight
    // falls through to the not-found handler. A static origin list would not do: @fastify/cors still
    // sends Allow-Credentials, Expose-Headers and the preflight headers to unlisted origins.
    const refused: FastifyCorsOptions = { origin: false };

    await app.register(cors, {
      hideOptionsRoute: true,
      // The delegator makes the options dynamic, so @fastify/cors adds `Vary: Origin` to every response.
      delegator: (request, callback) => {
        const origin = request.headers.origin;
        callback(null, origin !== undefined && allowed.has(origin) ? granted : refused);
      },
    });
  },
  { name: 'cors', dependencies: ['errors'] },
);
