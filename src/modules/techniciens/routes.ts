import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Techniciens et compétences (api.md §4). */
const techniciensRoutes: FastifyPluginAsyncTypebox = async () => {};

export default techniciensRoutes;
