/**
 * The audit log, for admins (docs/api.md §4.11, docs/security.md §9).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { parseQueryTimestamp, parseSort } from '../../lib/listing.js';
import { withErrors } from '../../lib/schemas.js';
import { AUDIT_SORT } from './repository.js';
import { AuditEventIdParamsSchema, AuditEventOutSchema, AuditListQuerySchema } from './schemas.js';

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['audit'];
  const adminOnly = app.authorize('admin');
  const { audit } = app.services;

  app.get(
    '/audit/',
    {
      onRequest: adminOnly,
      preValidation: splitCommaLists('outcome'),
      schema: { tags, summary: "Journal d'audit", querystring: AuditListQuerySchema, response: withErrors({ 200: Type.Array(AuditEventOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const filters = {
        eventTypePrefix: query.event_type,
        outcomes: query.outcome,
        actorUserId: query.actor_user_id,
        resourceType: query.resource_type,
        resourceId: query.resource_id,
        dateMin: parseQueryTimestamp('date_min', query.date_min),
        dateMax: parseQueryTimestamp('date_max', query.date_max),
      };
      return sendPage(reply, await audit.list(filters, { limit: query.limit, offset: query.offset, sort: parseSort(query.sort, AUDIT_SORT) }));
    },
  );

  app.get(
    '/audit/:event_id',
    { onRequest: adminOnly, schema: { tags, summary: "Un événement d'audit", params: AuditEventIdParamsSchema, response: withErrors({ 200: AuditEventOutSchema }, 404) } },
    async (request) => audit.get(request.params.event_id),
  );
};

export default auditRoutes;
