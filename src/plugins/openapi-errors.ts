/**
 * Documents the errors the platform can answer on every route (docs/api.md §2 "Common errors",
 * §8): added to each route's declared responses, so that the OpenAPI document lists every status
 * a route can return. A route names the statuses of its own rules itself (`withErrors`).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorStatus } from '../lib/errors.js';
import { withErrors } from '../lib/schemas.js';
import { authorizationStatuses } from './auth.js';
import { isRateLimitExemptRoute } from './rate-limit.js';

/** Methods whose request body Fastify parses: too large (413) or of another content type (415). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The platform statuses of one route: authentication, body parsing, validation, rate limit, failures. */
export function platformErrorStatuses(route: Pick<RouteOptions, 'method' | 'url' | 'onRequest'>): ErrorStatus[] {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const statuses: ErrorStatus[] = [...authorizationStatuses(route.onRequest)];
  if (methods.some((method) => BODY_METHODS.has(method))) statuses.push(413, 415);
  // Path, query and body are validated on every route, and a NUL is refused anywhere (no-nul.ts).
  statuses.push(422);
  if (!isRateLimitExemptRoute(route.url)) statuses.push(429);
  statuses.push(500, 503);
  return statuses;
}

export default fp(
  async function openapiErrorsPlugin(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      // Routes that declare no responses (the documentation's own) stay undocumented.
      if (!route.schema?.response) return;
      route.schema = { ...route.schema, response: withErrors(route.schema.response as Record<number, never>, ...platformErrorStatuses(route)) };
    });
  },
  { name: 'openapi-errors' },
);
