/**
 * Notifications (docs/api.md §4.7). Create: admin and responsable. List everyone's and delete: admin.
 * Own notifications: everyone. The static paths (`/notifications/user/me`,
 * `/notifications/read-all`) are declared before the parameterised ones; the router matches
 * static segments first anyway (the legacy service shadowed `/user/me` with a 422).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { parseQueryBoolean } from '../../lib/listing.js';
import { withErrors } from '../../lib/schemas.js';
import { NOTIFICATION_MESSAGES } from './policy.js';
import {
  DetailResponseSchema,
  MarkAllReadResponseSchema,
  MessageResponseSchema,
  NotificationCreateSchema,
  NotificationIdParamsSchema,
  NotificationListQuerySchema,
  NotificationOutSchema,
  NotificationUserParamsSchema,
  OwnNotificationListQuerySchema,
} from './schemas.js';

const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['notifications'];
  const adminOnly = app.authorize('admin');
  const anyone = app.authorize();
  const NotificationList = Type.Array(NotificationOutSchema);
  const { notifications } = app.services;

  app.post(
    '/notifications/',
    {
      onRequest: app.authorize('responsable'),
      schema: { tags, summary: 'Créer une notification', body: NotificationCreateSchema, response: withErrors({ 201: NotificationOutSchema }, 404) },
    },
    async (request, reply) => reply.code(201).send(await notifications.create(request.body)),
  );

  app.get(
    '/notifications/',
    {
      onRequest: adminOnly,
      preValidation: splitCommaLists('type', 'canal'),
      schema: { tags, summary: 'Lister toutes les notifications', querystring: NotificationListQuerySchema, response: withErrors({ 200: NotificationList }) },
    },
    async (request, reply) => {
      const { query } = request;
      const filters = { userId: query.user_id, interventionId: query.intervention_id, types: query.type, canaux: query.canal, lu: parseQueryBoolean(query.lu) };
      return sendPage(reply, await notifications.list(filters, query));
    },
  );

  app.get(
    '/notifications/user/me',
    {
      onRequest: anyone,
      preValidation: splitCommaLists('type'),
      schema: { tags, summary: 'Mes notifications', querystring: OwnNotificationListQuerySchema, response: withErrors({ 200: NotificationList }) },
    },
    async (request, reply) => {
      const { query } = request;
      return sendPage(reply, await notifications.listOwn(request.actor!, { types: query.type, lu: parseQueryBoolean(query.lu) }, query));
    },
  );

  app.put(
    '/notifications/read-all',
    {
      onRequest: anyone,
      schema: { tags, summary: 'Marquer toutes mes notifications comme lues', response: withErrors({ 200: MarkAllReadResponseSchema }) },
    },
    async (request) => ({ message: NOTIFICATION_MESSAGES.allMarkedRead, count: await notifications.markAllRead(request.actor!) }),
  );

  app.get(
    '/notifications/user/:user_id',
    {
      onRequest: anyone,
      preValidation: splitCommaLists('type'),
      schema: {
        tags,
        summary: "Notifications d'un utilisateur (admin, ou soi-même)",
        params: NotificationUserParamsSchema,
        querystring: OwnNotificationListQuerySchema,
        response: withErrors({ 200: NotificationList }, 403),
      },
    },
    async (request, reply) => {
      const { query, params } = request;
      const filters = { types: query.type, lu: parseQueryBoolean(query.lu) };
      const route = request.routeOptions.url ?? '/notifications/user/:user_id';
      return sendPage(reply, await notifications.listOf(request.actor!, params.user_id, filters, query, route));
    },
  );

  app.put(
    '/notifications/:notification_id/read',
    {
      onRequest: anyone,
      schema: { tags, summary: 'Marquer une de mes notifications comme lue', params: NotificationIdParamsSchema, response: withErrors({ 200: MessageResponseSchema }, 404) },
    },
    async (request) => {
      await notifications.markRead(request.actor!, request.params.notification_id);
      return { message: NOTIFICATION_MESSAGES.markedRead };
    },
  );

  app.delete(
    '/notifications/:notification_id',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Supprimer une notification', params: NotificationIdParamsSchema, response: withErrors({ 200: DetailResponseSchema }, 404) },
    },
    async (request) => {
      await notifications.delete(request.actor!, request.params.notification_id);
      return { detail: NOTIFICATION_MESSAGES.deleted };
    },
  );
};

export default notificationsRoutes;
