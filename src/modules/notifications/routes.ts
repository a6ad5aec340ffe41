import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Notifications (api.md §4). */
const notificationsRoutes: FastifyPluginAsyncTypebox = async () => {};

export default notificationsRoutes;
