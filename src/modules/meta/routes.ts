import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { OpenApiDocumentSchema, RootSchema } from './schemas.js';

/**
 * Root-only routes: the API banner and the OpenAPI document (also at /api/v1/openapi.json, see
 * app.ts). HTTP metadata only: no service behind them.
 */
const metaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { schema: { response: withErrors({ 200: RootSchema }) } }, async () => ({
    message: 'API ERP MIF Maroc',
    version: app.config.version,
    docs: '/docs',
  }));

  if (app.config.docsEnabled) {
    const openapi = { schema: { response: withErrors({ 200: OpenApiDocumentSchema }) } };
    for (const url of ['/openapi.json', '/api/v1/openapi.json']) {
      app.get(url, openapi, async (_request, reply) => reply.serializer(JSON.stringify).send(app.swagger()));
    }
  }
};

export default metaRoutes;
