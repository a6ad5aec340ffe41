import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Planning préventif (api.md §4). */
const planningRoutes: FastifyPluginAsyncTypebox = async () => {};

export default planningRoutes;
