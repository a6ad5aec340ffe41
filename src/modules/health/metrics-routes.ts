/**
 * GET /metrics and GET /health/metrics (docs/operations.md §9): the app's registry in the
 * Prometheus text format 0.0.4. Kept out of the OpenAPI document: an operator route, not JSON, and
 * refused on nginx's public listener.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { metricsAccess } from './access.js';

const PrometheusText = Type.Unsafe<string>({ description: 'Format texte Prometheus 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } });

const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { metrics } = app.services;
  const onRequest = metricsAccess(app);
  for (const url of ['/metrics', '/health/metrics']) {
    app.get(
      url,
      { onRequest, schema: { hide: true, tags: ['health'], summary: 'Métriques Prometheus', response: withErrors({ 200: PrometheusText }, 401, 404) } },
      async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.scrape()),
    );
  }
};

export default metricsRoutes;
