/** Health, liveness, readiness, detailed health and metrics (docs/operations.md §8, §9): exempt from rate limiting; only the detailed health and the metrics need a token. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { detailedAccess } from './access.js';
import metricsRoutes from './metrics-routes.js';
import { DetailedHealthSchema, HealthSchema, ReadinessSchema } from './schemas.js';

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

  // Open in development; otherwise an admin's bearer token or `Bearer <METRICS_TOKEN>` (docs/api.md §4.12).
  app.get(
    '/health/detailed',
    {
      onRequest: detailedAccess(app),
      schema: {
        tags: ['health'],
        summary: 'État détaillé : préparation, pool, dernières exécutions des jobs, file des e-mails, documents, système, requêtes',
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

  await app.register(metricsRoutes);
};

export default healthRoutes;
