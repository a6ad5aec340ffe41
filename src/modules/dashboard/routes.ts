import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Tableau de bord (api.md §4). */
const dashboardRoutes: FastifyPluginAsyncTypebox = async () => {};

export default dashboardRoutes;
