/**
 * Notifications (api.md §4.7). Create: admin and responsable. List everyone's and delete: admin.
 * Own notifications: everyone. The static paths (`/notifications/user/me`,
 * `/notifications/read-all`) are declared before the parameterised ones; the router matches
 * static segments first anyway (the legacy service shadowed `/user/me` with a 422).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { parseQueryBoolean, parseSort, type SortSpec } from '../../lib/listing.js';
import { listPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { auditContext } from '../audit/context.js';
import { NOTIFICATION_MESSAGES } from './policy.js';
import { filterNotifications, selectNotificationOut } from './repository.js';
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
import { assertCanListNotificationsOf, createNotification, deleteNotification, getNotification, markAllRead, markRead } from './service.js';

const NOTIFICATION_SORT: SortSpec = {
  fields: { id: 'n.id', date_envoi: 'n.date_envoi' },
  defaultSort: '-date_envoi',
  idColumn: 'n.id',
};

const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['notifications'];
  const adminOnly = app.authorize('admin');
  const anyone = app.authorize();
  const NotificationList = Type.Array(NotificationOutSchema);

  app.post(
    '/notifications/',
    {
      onRequest: app.authorize('responsable'),
      schema: { tags, summary: 'Créer une notification', body: NotificationCreateSchema, response: withErrors({ 201: NotificationOutSchema }) },
    },
    async (request, reply) => {
      const id = await createNotification(app.db, request.body, app.clock.now());
      return reply.code(201).send(await getNotification(app.db, id));
    },
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
      const sort = parseSort(query.sort, NOTIFICATION_SORT);
      const filtered = filterNotifications(selectNotificationOut(app.db), {
        userId: query.user_id,
        interventionId: query.intervention_id,
        types: query.type,
        canaux: query.canal,
        lu: parseQueryBoolean(query.lu),
      });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
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
      const sort = parseSort(query.sort, NOTIFICATION_SORT);
      const filtered = filterNotifications(selectNotificationOut(app.db), { userId: request.user!.id, types: query.type, lu: parseQueryBoolean(query.lu) });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
    },
  );

  app.put(
    '/notifications/read-all',
    {
      onRequest: anyone,
      schema: { tags, summary: 'Marquer toutes mes notifications comme lues', response: withErrors({ 200: MarkAllReadResponseSchema }) },
    },
    async (request) => {
      const count = await markAllRead(app.db, request.user!, app.clock.now());
      return { message: NOTIFICATION_MESSAGES.allMarkedRead, count };
    },
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
        response: withErrors({ 200: NotificationList }),
      },
    },
    async (request, reply) => {
      const { query, params } = request;
      await assertCanListNotificationsOf(app.db, request.user!, params.user_id, auditContext(request), request.routeOptions.url ?? '/notifications/user/:user_id');
      const sort = parseSort(query.sort, NOTIFICATION_SORT);
      const filtered = filterNotifications(selectNotificationOut(app.db), { userId: params.user_id, types: query.type, lu: parseQueryBoolean(query.lu) });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
    },
  );

  app.put(
    '/notifications/:notification_id/read',
    {
      onRequest: anyone,
      schema: { tags, summary: 'Marquer une de mes notifications comme lue', params: NotificationIdParamsSchema, response: withErrors({ 200: MessageResponseSchema }) },
    },
    async (request) => {
      await markRead(app.db, request.user!, request.params.notification_id, app.clock.now(), auditContext(request));
      return { message: NOTIFICATION_MESSAGES.markedRead };
    },
  );

  app.delete(
    '/notifications/:notification_id',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Supprimer une notification', params: NotificationIdParamsSchema, response: withErrors({ 200: DetailResponseSchema }) },
    },
    async (request) => {
      await deleteNotification(app.db, request.params.notification_id, auditContext(request));
      return { detail: NOTIFICATION_MESSAGES.deleted };
    },
  );
};

export default notificationsRoutes;
