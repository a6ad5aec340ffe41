import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Clients et contrats (api.md §4). */
const clientsRoutes: FastifyPluginAsyncTypebox = async () => {};

export default clientsRoutes;
