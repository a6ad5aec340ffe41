import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { DashboardStatsSchema } from './schemas.js';

/** Tableau de bord (docs/api.md §4.9): every authenticated role, figures over the caller's scope. */
const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { dashboard } = app.services;
  app.get(
    '/dashboard/stats',
    {
      onRequest: app.authorize(),
      schema: {
        tags: ['tableau de bord'],
        summary: 'Statistiques du tableau de bord (périmètre de l’appelant)',
        response: withErrors({ 200: DashboardStatsSchema }),
      },
    },
    async (request) => dashboard.stats(request.actor!),
  );
};

export default dashboardRoutes;
