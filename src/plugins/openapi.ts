/**
 * What @fastify/swagger cannot know, so that the OpenAPI document tells the truth (docs/api.md §8):
 * - the errors the platform can answer on every route (docs/api.md §2 "Common errors"), added to
 *   each route's declared responses; a route names the statuses of its own rules (`withErrors`);
 * - which routes need a bearer token (`security`);
 * - which request bodies may be absent (`optionalBodies`).
 */
import type { SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorStatus } from '../lib/errors.js';
import { withErrors } from '../lib/schemas.js';
import { authorizationStatuses } from './auth.js';
import { isRateLimitExemptRoute } from './rate-limit.js';

/** Methods whose request body Fastify parses: too large (413) or of another content type (415). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The platform statuses of one route: authentication, body parsing, validation, rate limit, failures. */
export function platformErrorStatuses(route: Pick<RouteOptions, 'method' | 'url' | 'onRequest' | 'schema'>): ErrorStatus[] {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const statuses: ErrorStatus[] = [...authorizationStatuses(route.onRequest)];
  // The router refuses a path parameter it cannot decode (400 "URL invalide") or over its length (414).
  const hasPathParameter = route.url.includes(':');
  // Form routes refuse a form that cannot be parsed (400 "Formulaire multipart invalide", body-parsers.ts).
  const takesForms = (route.schema as { consumes?: string[] } | undefined)?.consumes?.includes('multipart/form-data') ?? false;
  if (hasPathParameter || takesForms) statuses.push(400);
  if (hasPathParameter) statuses.push(414);
  if (methods.some((method) => BODY_METHODS.has(method))) statuses.push(413, 415);
  // Path, query and body are validated on every route, and a NUL is refused anywhere (no-nul.ts).
  statuses.push(422);
  if (!isRateLimitExemptRoute(route.url)) statuses.push(429);
  statuses.push(500, 503);
  return statuses;
}

interface OpenApiOperation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Record<string, unknown> }> };
}

function acceptsNull(schema: Record<string, unknown> | undefined): boolean {
  if (!schema) return false;
  if (schema.nullable === true || schema.type === 'null') return true;
  if (Array.isArray(schema.type) && schema.type.includes('null')) return true;
  const branches = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  return Array.isArray(branches) && branches.some(acceptsNull);
}

/**
 * @fastify/swagger marks every request body required; a body whose schema accepts null may be
 * left out (an empty body arrives as null, docs/api.md §1). The `transformObject` of the document.
 */
export const optionalBodies: SwaggerTransformObject = (documentObject) => {
  const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
  const paths = (document.paths ?? {}) as Record<string, Record<string, OpenApiOperation>>;
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      const body = operation.requestBody;
      if (body?.content && Object.values(body.content).every((media) => acceptsNull(media.schema))) body.required = false;
    }
  }
  return document;
};

export default fp(
  async function openapiPlugin(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      // Routes that declare no responses (the documentation's own) stay undocumented.
      if (!route.schema?.response) return;
      const statuses = platformErrorStatuses(route);
      route.schema = {
        ...route.schema,
        response: withErrors(route.schema.response as Record<number, never>, ...statuses),
        // A bearer token is asked for exactly where `authorize()` guards the route.
        ...(statuses.includes(401) ? { security: [{ bearer: [] }] } : {}),
      };
    });
  },
  { name: 'openapi' },
);
