/** Health, liveness and readiness (docs/operations.md §8): no authentication, exempt from rate limiting. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { HealthSchema, ReadinessSchema } from './schemas.js';

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { health } = app.services;

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
};

export default healthRoutes;
