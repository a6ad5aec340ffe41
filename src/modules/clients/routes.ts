/**
 * Clients et contrats (api.md §4.10). Writes: admin and responsable. Reads: admin and responsable
 * (every company), client (its own company only; other records answer 404). Technicians: 403.
 * The contract routes are in contrats-routes.ts, registered from here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { parseQueryBoolean, parseSort, type SortSpec } from '../../lib/listing.js';
import { listPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { auditContext } from '../audit/context.js';
import contratsRoutes from './contrats-routes.js';
import { CLIENT_MESSAGES, companyScope, READ_ROLES, WRITE_ROLES } from './policy.js';
import { filterClients, findClient, selectClients } from './repository.js';
import { ClientCreateSchema, ClientIdParamsSchema, ClientListQuerySchema, ClientOutSchema, ClientPatchSchema } from './schemas.js';
import { createClient, patchClient, readClient, removeClient } from './service.js';

const CLIENT_SORT: SortSpec = {
  fields: { id: 'c.id', nom_entreprise: sql`lower(c.nom_entreprise)` },
  defaultSort: 'id',
  idColumn: 'c.id',
};

const clientsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['clients'];
  const readers = app.authorize(...READ_ROLES);
  const writers = app.authorize(...WRITE_ROLES);

  async function clientOut(id: number) {
    const row = await findClient(app.db, id);
    // Deleted by a concurrent request between the write and this read.
    if (!row) throw AppError.notFound(CLIENT_MESSAGES.notFound);
    return row;
  }

  app.get(
    '/clients/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('type_client'),
      schema: { tags, summary: 'Lister les clients', querystring: ClientListQuerySchema, response: withErrors({ 200: Type.Array(ClientOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const sort = parseSort(query.sort, CLIENT_SORT);
      const filtered = filterClients(selectClients(app.db), {
        scope: companyScope(request.user!),
        isActive: parseQueryBoolean(query.is_active),
        typesClient: query.type_client,
        ville: query.ville,
        q: query.q,
      });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
    },
  );

  app.post(
    '/clients/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un client', body: ClientCreateSchema, response: withErrors({ 201: ClientOutSchema }) },
    },
    async (request, reply) => {
      const id = await createClient(app.db, request.body, app.clock.now());
      return reply.code(201).send(await clientOut(id));
    },
  );

  app.get(
    '/clients/:client_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un client', params: ClientIdParamsSchema, response: withErrors({ 200: ClientOutSchema }) } },
    async (request) => readClient(app.db, request.user!, request.params.client_id, auditContext(request)),
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
        response: withErrors({ 200: ClientOutSchema }),
      },
    },
    async (request) => {
      await patchClient(app.db, request.params.client_id, request.body ?? {}, app.clock.now());
      return clientOut(request.params.client_id);
    },
  );

  app.delete(
    '/clients/:client_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Supprimer un client (refusé tant qu’il est référencé : désactivez-le)',
        params: ClientIdParamsSchema,
        response: withErrors({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await removeClient(app.db, request.params.client_id, auditContext(request));
      return reply.code(204).send(null);
    },
  );

  await app.register(contratsRoutes);
};

export default clientsRoutes;
