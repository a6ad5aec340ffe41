/**
 * The audit log, for admins (api.md §4.11, security.md §9).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../lib/errors.js';
import { listPage, parseQueryTimestamp, parseSort, splitCommaLists, type SortSpec } from '../../lib/listing.js';
import { withErrors } from '../../lib/schemas.js';
import { filterAuditEvents, findAuditEvent, selectAuditEvents } from './repository.js';
import { AuditEventIdParamsSchema, AuditEventOutSchema, AuditListQuerySchema } from './schemas.js';

const AUDIT_SORT: SortSpec = {
  fields: { id: 'a.id', created_at: 'a.created_at' },
  defaultSort: '-created_at',
  idColumn: 'a.id',
};

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['audit'];
  const adminOnly = app.authorize('admin');

  app.get(
    '/audit/',
    {
      onRequest: adminOnly,
      preValidation: splitCommaLists('outcome'),
      schema: { tags, summary: "Journal d'audit", querystring: AuditListQuerySchema, response: withErrors({ 200: Type.Array(AuditEventOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const sort = parseSort(query.sort, AUDIT_SORT);
      const filtered = filterAuditEvents(selectAuditEvents(app.db), {
        eventTypePrefix: query.event_type,
        outcomes: query.outcome,
        actorUserId: query.actor_user_id,
        resourceType: query.resource_type,
        resourceId: query.resource_id,
        dateMin: parseQueryTimestamp('date_min', query.date_min),
        dateMax: parseQueryTimestamp('date_max', query.date_max),
      });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
    },
  );

  app.get(
    '/audit/:event_id',
    { onRequest: adminOnly, schema: { tags, summary: "Un événement d'audit", params: AuditEventIdParamsSchema, response: withErrors({ 200: AuditEventOutSchema }) } },
    async (request) => {
      const event = await findAuditEvent(app.db, request.params.event_id);
      if (!event) throw AppError.notFound("Événement d'audit introuvable");
      return event;
    },
  );
};

export default auditRoutes;
