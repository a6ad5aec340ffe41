/**
 * Preventive planning (api.md §4.6). Writes: admin and responsable. Reads: also technicians.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { parseQueryTimestamp, parseSort, type SortSpec } from '../../lib/listing.js';
import { listPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { auditContext } from '../audit/context.js';
import { normaliseFrequence, type Frequence } from './calendar.js';
import { filterPlannings, selectPlanningOut } from './repository.js';
import {
  PlanningCreateSchema,
  PlanningDatesBodySchema,
  PlanningDatesQuerySchema,
  PlanningIdParamsSchema,
  PlanningListQuerySchema,
  PlanningOutSchema,
  PlanningUpdateSchema,
} from './schemas.js';
import { createPlanning, deletePlanning, getPlanning, movePlanningDates, toPlanningOut, updatePlanning, type PlanningContext } from './service.js';

const PLANNING_SORT: SortSpec = {
  fields: { id: 'p.id', prochaine_date: 'p.prochaine_date' },
  defaultSort: 'id',
  idColumn: 'p.id',
};

/** Frequency filters accept the same aliases as the body; an unknown one → 422. */
function frequenceFilter(values: string[] | undefined): Frequence[] | undefined {
  if (!values) return undefined;
  return values.map((value, index) => {
    const frequence = normaliseFrequence(value);
    if (!frequence) throw AppError.validation([{ loc: ['query', 'frequence', index], msg: 'Fréquence invalide', type: 'enum' }]);
    return frequence;
  });
}

const planningRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['planning'];
  const writers = app.authorize('responsable');
  const readers = app.authorize('responsable', 'technicien');

  const context = (): PlanningContext => ({ db: app.db, now: app.clock.now(), timeZone: app.config.appTimezone });
  const actor = (request: FastifyRequest) => auditContext(request);

  app.post(
    '/planning/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un planning préventif', body: PlanningCreateSchema, response: withErrors({ 201: PlanningOutSchema }) },
    },
    async (request, reply) => {
      const id = await createPlanning(context(), request.body);
      return reply.code(201).send(await getPlanning(app.db, id));
    },
  );

  app.get(
    '/planning/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('statut', 'frequence'),
      schema: { tags, summary: 'Lister les plannings', querystring: PlanningListQuerySchema, response: withErrors({ 200: Type.Array(PlanningOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const sort = parseSort(query.sort, PLANNING_SORT);
      const filtered = filterPlannings(selectPlanningOut(app.db), {
        equipementId: query.equipement_id,
        statuts: query.statut,
        frequences: frequenceFilter(query.frequence),
        technicienId: query.technicien_id,
        prochaineDateMax: parseQueryTimestamp('prochaine_date_max', query.prochaine_date_max),
      });
      const rows = await listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
      return rows.map(toPlanningOut);
    },
  );

  app.get(
    '/planning/:planning_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un planning', params: PlanningIdParamsSchema, response: withErrors({ 200: PlanningOutSchema }) } },
    async (request) => getPlanning(app.db, request.params.planning_id),
  );

  app.put(
    '/planning/:planning_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Modifier un planning (partiel : chaque champ fourni est mis à jour)',
        params: PlanningIdParamsSchema,
        body: Type.Union([PlanningUpdateSchema, Type.Null()]),
        response: withErrors({ 200: PlanningOutSchema }),
      },
    },
    async (request) => {
      await updatePlanning(context(), request.params.planning_id, request.body ?? {});
      return getPlanning(app.db, request.params.planning_id);
    },
  );

  app.patch(
    '/planning/:planning_id/dates',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Déplacer la prochaine date (nouvelle_date en query, ou corps JSON)',
        params: PlanningIdParamsSchema,
        querystring: PlanningDatesQuerySchema,
        body: PlanningDatesBodySchema,
        response: withErrors({ 200: PlanningOutSchema }),
      },
    },
    async (request) => {
      // The query string (legacy) wins over the body when both are given.
      const fromQuery = request.query.nouvelle_date;
      const fromBody = request.body?.nouvelle_date;
      const input =
        fromQuery !== undefined ? { value: fromQuery, location: 'query' as const } : fromBody !== undefined ? { value: fromBody, location: 'body' as const } : undefined;
      await movePlanningDates(context(), request.params.planning_id, input);
      return getPlanning(app.db, request.params.planning_id);
    },
  );

  app.delete(
    '/planning/:planning_id',
    {
      onRequest: writers,
      schema: { tags, summary: 'Supprimer un planning (les interventions générées sont conservées)', params: PlanningIdParamsSchema, response: withErrors({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await deletePlanning(app.db, request.params.planning_id, actor(request));
      return reply.code(204).send(null);
    },
  );
};

export default planningRoutes;
