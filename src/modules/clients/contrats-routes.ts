/**
 * Contrats (api.md §4.10): same roles as the clients; a client user reads the contracts of its own
 * company only. Registered from routes.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../lib/errors.js';
import { parseSort, type SortSpec } from '../../lib/listing.js';
import { listPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { auditContext } from '../audit/context.js';
import { ContratCreateSchema, ContratIdParamsSchema, ContratListQuerySchema, ContratOutSchema, ContratPatchSchema } from './contrats-schemas.js';
import { createContrat, patchContrat, readContrat, removeContrat } from './contrats-service.js';
import { companyScope, CONTRAT_MESSAGES, READ_ROLES, WRITE_ROLES } from './policy.js';
import { filterContrats, findContrat, selectContrats } from './repository.js';

const CONTRAT_SORT: SortSpec = {
  fields: { id: 'k.id', date_fin: 'k.date_fin', numero_contrat: 'k.numero_contrat' },
  defaultSort: 'id',
  idColumn: 'k.id',
};

const contratsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['contrats'];
  const readers = app.authorize(...READ_ROLES);
  const writers = app.authorize(...WRITE_ROLES);
  const timeZone = app.config.appTimezone;

  async function contratOut(id: number) {
    const row = await findContrat(app.db, id, timeZone);
    // Deleted by a concurrent request between the write and this read.
    if (!row) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
    return row;
  }

  app.get(
    '/contrats/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('statut', 'type_contrat'),
      schema: { tags, summary: 'Lister les contrats', querystring: ContratListQuerySchema, response: withErrors({ 200: Type.Array(ContratOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const sort = parseSort(query.sort, CONTRAT_SORT);
      const filtered = filterContrats(selectContrats(app.db, timeZone), {
        scope: companyScope(request.user!),
        clientId: query.client_id,
        statuts: query.statut,
        typesContrat: query.type_contrat,
        dateFinMax: query.date_fin_max,
      });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
    },
  );

  app.post(
    '/contrats/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un contrat', body: ContratCreateSchema, response: withErrors({ 201: ContratOutSchema }) },
    },
    async (request, reply) => {
      const id = await createContrat(app.db, request.body, app.clock.now());
      return reply.code(201).send(await contratOut(id));
    },
  );

  app.get(
    '/contrats/:contrat_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un contrat', params: ContratIdParamsSchema, response: withErrors({ 200: ContratOutSchema }) } },
    async (request) => readContrat(app.db, request.user!, request.params.contrat_id, auditContext(request), timeZone),
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
        response: withErrors({ 200: ContratOutSchema }),
      },
    },
    async (request) => {
      await patchContrat(app.db, request.params.contrat_id, request.body ?? {}, app.clock.now());
      return contratOut(request.params.contrat_id);
    },
  );

  app.delete(
    '/contrats/:contrat_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: "Supprimer un contrat (refusé tant qu'il est utilisé : passez-le au statut 'resilie')",
        params: ContratIdParamsSchema,
        response: withErrors({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await removeContrat(app.db, request.params.contrat_id, auditContext(request));
      return reply.code(204).send(null);
    },
  );
};

export default contratsRoutes;
