/** Health, liveness and readiness (docs/operations.md §8): no authentication, exempt from rate limiting. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { onRequestAsyncHookHandler } from 'fastify';
import { withErrors } from '../../lib/schemas.js';
import { DetailedHealthSchema, HealthSchema, ReadinessSchema } from './schemas.js';

/** Whether the Authorization header is `Bearer <token>`, compared in constant time. */
function bearerIs(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { health, healthDetails } = app.services;

  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Le serveur HTTP répond', response: withErrors({ 200: HealthSchema }) } },
    async () => health.health(),
  );

  for (const url of ['/health/live', '/live']) {
    app.get(
      url,
      { schema: { tags: ['health'], summary: 'La boucle d’événements répond', response: withErrors({ 200: HealthSchema }) } },
      async () => health.live(),
    );
  }

  for (const url of ['/health/ready', '/ready']) {
    app.get(
      url,
      {
        schema: {
          tags: ['health'],
          summary: 'Prêt à servir (base joignable, migrations appliquées, pas en arrêt)',
          response: withErrors({ 200: ReadinessSchema, 503: ReadinessSchema }),
        },
      },
      async (_request, reply) => {
        // The Redis client and the lifecycle are the HTTP app's (rate-limit plugin, app.ts): read at each call.
        const readiness = await health.readiness({ redis: app.redis, started: app.lifecycle.started, shuttingDown: app.lifecycle.shuttingDown });
        return reply.code(readiness.status === 'ready' ? 200 : 503).send(readiness);
      },
    );
  }

  // Open in development; otherwise an admin's bearer token or `Bearer <METRICS_TOKEN>` (docs/api.md §7).
  const adminOnly = app.authorize('admin');
  const detailedAccess: onRequestAsyncHookHandler = async function (request, reply) {
    if (app.config.environment === 'development') return;
    if (app.config.metricsToken !== null && bearerIs(request.headers.authorization, app.config.metricsToken)) return;
    for (const hook of adminOnly) await hook.call(this, request, reply);
  };
  app.get(
    '/health/detailed',
    {
      onRequest: detailedAccess,
      schema: {
        tags: ['health'],
        summary: 'État détaillé : préparation, pool, dernières exécutions des jobs, file des e-mails, système',
        // `detailedAccess` is not one of authorize()'s hooks, so the OpenAPI plugin cannot infer it.
        security: [{ bearer: [] }],
        response: withErrors({ 200: DetailedHealthSchema, 503: DetailedHealthSchema }, 401, 403),
      },
    },
    async (_request, reply) => {
      const { pool } = app.database;
      const detailed = await healthDetails.detailed({
        redis: app.redis,
        started: app.lifecycle.started,
        shuttingDown: app.lifecycle.shuttingDown,
        pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      });
      return reply.code(detailed.status === 'ready' ? 200 : 503).send(detailed);
    },
  );
};

export default healthRoutes;
