import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Interventions (api.md §4). */
const interventionsRoutes: FastifyPluginAsyncTypebox = async () => {};

export default interventionsRoutes;
