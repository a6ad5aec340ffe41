import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Équipements (api.md §4). */
const equipementsRoutes: FastifyPluginAsyncTypebox = async () => {};

export default equipementsRoutes;
