/**
 * Preventive planning (docs/api.md §4.6). Writes: admin and responsable. Reads: also technicians.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import {
  PlanningCreateSchema,
  PlanningDatesBodySchema,
  PlanningDatesQuerySchema,
  PlanningIdParamsSchema,
  PlanningListQuerySchema,
  PlanningOutSchema,
  PlanningUpdateSchema,
} from './schemas.js';

const planningRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['planning'];
  const writers = app.authorize('responsable');
  const readers = app.authorize('responsable', 'technicien');
  const { planning } = app.services;

  app.post(
    '/planning/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un planning préventif', body: PlanningCreateSchema, response: withErrors({ 201: PlanningOutSchema }, 400, 404) },
    },
    async (request, reply) => reply.code(201).send(await planning.create(request.body)),
  );

  app.get(
    '/planning/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('statut', 'frequence'),
      schema: { tags, summary: 'Lister les plannings', querystring: PlanningListQuerySchema, response: withErrors({ 200: Type.Array(PlanningOutSchema) }) },
    },
    async (request, reply) => sendPage(reply, await planning.list(request.query)),
  );

  app.get(
    '/planning/:planning_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un planning', params: PlanningIdParamsSchema, response: withErrors({ 200: PlanningOutSchema }, 404) } },
    async (request) => planning.get(request.params.planning_id),
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
        response: withErrors({ 200: PlanningOutSchema }, 400, 404),
      },
    },
    async (request) => planning.update(request.params.planning_id, request.body ?? {}),
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
        response: withErrors({ 200: PlanningOutSchema }, 404),
      },
    },
    async (request) => {
      // The query string (legacy) wins over the body when both are given.
      const fromQuery = request.query.nouvelle_date;
      const fromBody = request.body?.nouvelle_date;
      const input =
        fromQuery !== undefined ? { value: fromQuery, location: 'query' as const } : fromBody !== undefined ? { value: fromBody, location: 'body' as const } : undefined;
      return planning.moveDates(request.params.planning_id, input);
    },
  );

  app.delete(
    '/planning/:planning_id',
    {
      onRequest: writers,
      schema: { tags, summary: 'Supprimer un planning (les interventions générées sont conservées)', params: PlanningIdParamsSchema, response: withErrors({ 204: Type.Null() }, 404) },
    },
    async (request, reply) => {
      await planning.delete(request.actor!, request.params.planning_id);
      return reply.code(204).send(null);
    },
  );
};

export default planningRoutes;
