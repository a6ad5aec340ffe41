/**
 * Clients et contrats (docs/api.md §4.10). Writes: admin and responsable. Reads: admin and
 * responsable (every company), client (its own company only; other records answer 404).
 * Technicians: 403. The contract routes are in contrats-routes.ts, registered from here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { parseQueryBoolean } from '../../lib/listing.js';
import { withErrors } from '../../lib/schemas.js';
import contratsRoutes from './contrats-routes.js';
import { READ_ROLES, WRITE_ROLES } from './policy.js';
import { ClientCreateSchema, ClientIdParamsSchema, ClientListQuerySchema, ClientOutSchema, ClientPatchSchema } from './schemas.js';

const clientsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['clients'];
  const readers = app.authorize(...READ_ROLES);
  const writers = app.authorize(...WRITE_ROLES);
  const { clients } = app.services;

  app.get(
    '/clients/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('type_client'),
      schema: { tags, summary: 'Lister les clients', querystring: ClientListQuerySchema, response: withErrors({ 200: Type.Array(ClientOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const filters = { isActive: parseQueryBoolean(query.is_active), typesClient: query.type_client, ville: query.ville, q: query.q };
      return sendPage(reply, await clients.list(request.actor!, filters, { limit: query.limit, offset: query.offset, sort: query.sort }));
    },
  );

  app.post(
    '/clients/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un client', body: ClientCreateSchema, response: withErrors({ 201: ClientOutSchema }, 409) },
    },
    async (request, reply) => reply.code(201).send(await clients.create(request.body)),
  );

  app.get(
    '/clients/:client_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un client', params: ClientIdParamsSchema, response: withErrors({ 200: ClientOutSchema }, 404) } },
    async (request) => clients.get(request.actor!, request.params.client_id),
  );

  app.patch(
    '/clients/:client_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Modifier un client (is_active: false = désactivation)',
        params: ClientIdParamsSchema,
        body: Type.Union([ClientPatchSchema, Type.Null()]),
        response: withErrors({ 200: ClientOutSchema }, 404, 409),
      },
    },
    async (request) => clients.patch(request.params.client_id, request.body ?? {}),
  );

  app.delete(
    '/clients/:client_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Supprimer un client (refusé tant qu’il est référencé : désactivez-le)',
        params: ClientIdParamsSchema,
        response: withErrors({ 204: Type.Null() }, 404, 409),
      },
    },
    async (request, reply) => {
      await clients.remove(request.actor!, request.params.client_id);
      return reply.code(204).send(null);
    },
  );

  await app.register(contratsRoutes);
};

export default clientsRoutes;
