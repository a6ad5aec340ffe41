/**
 * Who may read the operator routes (docs/api.md §4.12): open in development; otherwise the metrics
 * routes need `Bearer <METRICS_TOKEN>` (404 while no token is configured, so that they look absent),
 * and /health/detailed an admin's bearer token or the same METRICS_TOKEN.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '../../lib/errors.js';

export const INVALID_METRICS_TOKEN = 'Jeton de métriques invalide';

/** Whether the Authorization header is `Bearer <token>`, compared in constant time. */
export function bearerIs(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** onRequest of /metrics and /health/metrics. */
export function metricsAccess(app: FastifyInstance): onRequestAsyncHookHandler {
  return async (request) => {
    const { environment, metricsToken } = app.config;
    if (environment === 'development') return;
    if (metricsToken === null) throw AppError.notFound();
    if (!bearerIs(request.headers.authorization, metricsToken)) throw AppError.unauthorized(INVALID_METRICS_TOKEN);
  };
}

/** onRequest of /health/detailed: METRICS_TOKEN, else the admin check of the auth plugin. */
export function detailedAccess(app: FastifyInstance): onRequestAsyncHookHandler {
  const adminOnly = app.authorize('admin');
  return async function (request, reply) {
    if (app.config.environment === 'development') return;
    if (app.config.metricsToken !== null && bearerIs(request.headers.authorization, app.config.metricsToken)) return;
    for (const hook of adminOnly) await hook.call(this, request, reply);
  };
}
