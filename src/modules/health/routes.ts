import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { HealthSchema, ReadinessSchema } from './schemas.js';
import { checkDatabase, checkRedis } from './service.js';

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.config.projectName;
  const now = () => new Date().toISOString();

  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Le serveur HTTP répond', response: withErrors({ 200: HealthSchema }) } },
    async () => ({ status: 'ok', timestamp: now(), service }),
  );

  for (const url of ['/health/live', '/live']) {
    app.get(
      url,
      { schema: { tags: ['health'], summary: 'La boucle d’événements répond', response: withErrors({ 200: HealthSchema }) } },
      async () => ({ status: 'alive', timestamp: now(), service }),
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
        const [database, redis] = await Promise.all([checkDatabase(app.db), checkRedis(app.redis)]);
        const migrations = app.lifecycle.started ? 'healthy' : 'pending';
        const ready = database === 'healthy' && redis !== 'unhealthy' && migrations === 'healthy' && !app.lifecycle.shuttingDown;
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'not_ready',
          timestamp: now(),
          service,
          checks: { database, redis, migrations },
        });
      },
    );
  }
};

export default healthRoutes;
