/**
 * Contrats (docs/api.md §4.10): same roles as the clients; a client user reads the contracts of its
 * own company only. Registered from routes.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { ContratCreateSchema, ContratIdParamsSchema, ContratListQuerySchema, ContratOutSchema, ContratPatchSchema } from './contrats-schemas.js';
import { READ_ROLES, WRITE_ROLES } from './policy.js';

const contratsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['contrats'];
  const readers = app.authorize(...READ_ROLES);
  const writers = app.authorize(...WRITE_ROLES);
  const { contrats } = app.services;

  app.get(
    '/contrats/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('statut', 'type_contrat'),
      schema: { tags, summary: 'Lister les contrats', querystring: ContratListQuerySchema, response: withErrors({ 200: Type.Array(ContratOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const filters = { clientId: query.client_id, statuts: query.statut, typesContrat: query.type_contrat, dateFinMax: query.date_fin_max };
      return sendPage(reply, await contrats.list(request.actor!, filters, { limit: query.limit, offset: query.offset, sort: query.sort }));
    },
  );

  app.post(
    '/contrats/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un contrat', body: ContratCreateSchema, response: withErrors({ 201: ContratOutSchema }, 404, 409) },
    },
    async (request, reply) => reply.code(201).send(await contrats.create(request.body)),
  );

  app.get(
    '/contrats/:contrat_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un contrat', params: ContratIdParamsSchema, response: withErrors({ 200: ContratOutSchema }, 404) } },
    async (request) => contrats.get(request.actor!, request.params.contrat_id),
  );

  app.patch(
    '/contrats/:contrat_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Modifier un contrat',
        params: ContratIdParamsSchema,
        body: Type.Union([ContratPatchSchema, Type.Null()]),
        response: withErrors({ 200: ContratOutSchema }, 404, 409),
      },
    },
    async (request) => contrats.patch(request.params.contrat_id, request.body ?? {}),
  );

  app.delete(
    '/contrats/:contrat_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: "Supprimer un contrat (refusé tant qu'il est utilisé : passez-le au statut 'resilie')",
        params: ContratIdParamsSchema,
        response: withErrors({ 204: Type.Null() }, 404, 409),
      },
    },
    async (request, reply) => {
      await contrats.remove(request.actor!, request.params.contrat_id);
      return reply.code(204).send(null);
    },
  );
};

export default contratsRoutes;
