/**
 * Technicians and skills (docs/api.md §4.3). Write: admin, responsable. Read: admin, responsable,
 * technicien; a client gets 403. The static `/techniciens/competences…` paths are matched before
 * `/techniciens/{technicien_id}` (find-my-way prefers static segments).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { READER_ROLES, WRITER_ROLES } from './policy.js';
import {
  CompetenceCreateSchema,
  CompetenceIdParamsSchema,
  CompetenceListQuerySchema,
  CompetenceOutSchema,
  CompetencePatchSchema,
  TechnicienCreateSchema,
  TechnicienIdParamsSchema,
  TechnicienListQuerySchema,
  TechnicienOutSchema,
  TechnicienUpdateSchema,
} from './schemas.js';

const techniciensRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { techniciens, competences } = app.services;
  const tags = ['techniciens'];
  const writers = app.authorize(...WRITER_ROLES);
  const readers = app.authorize(...READER_ROLES);

  // --- technicians (collection) ------------------------------------------------------------------

  app.post(
    '/techniciens/',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer un profil technicien', body: TechnicienCreateSchema, response: withErrors({ 200: TechnicienOutSchema }, 400, 404, 409) },
    },
    async (request) => techniciens.create(request.body),
  );

  app.get(
    '/techniciens/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('disponibilite'),
      schema: { tags, summary: 'Lister les techniciens', querystring: TechnicienListQuerySchema, response: withErrors({ 200: Type.Array(TechnicienOutSchema) }) },
    },
    async (request, reply) => {
      const { limit, offset, sort, ...filters } = request.query;
      return sendPage(reply, await techniciens.list(filters, { limit, offset, sort }));
    },
  );

  // --- skills (static paths, before /techniciens/:technicien_id) ---------------------------------

  app.get(
    '/techniciens/competences',
    {
      onRequest: readers,
      schema: { tags, summary: 'Lister les compétences', querystring: CompetenceListQuerySchema, response: withErrors({ 200: Type.Array(CompetenceOutSchema) }) },
    },
    async (request, reply) => {
      const { limit, offset, sort, q } = request.query;
      return sendPage(reply, await competences.list({ q }, { limit, offset, sort }));
    },
  );

  app.post(
    '/techniciens/competences',
    {
      onRequest: writers,
      schema: { tags, summary: 'Créer une compétence', body: CompetenceCreateSchema, response: withErrors({ 200: CompetenceOutSchema }, 409) },
    },
    async (request) => competences.create(request.body),
  );

  app.patch(
    '/techniciens/competences/:competence_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Modifier une compétence',
        params: CompetenceIdParamsSchema,
        body: Type.Union([CompetencePatchSchema, Type.Null()]),
        response: withErrors({ 200: CompetenceOutSchema }, 404, 409),
      },
    },
    async (request) => competences.update(request.params.competence_id, request.body ?? {}),
  );

  app.delete(
    '/techniciens/competences/:competence_id',
    {
      onRequest: writers,
      schema: { tags, summary: 'Supprimer une compétence (liens retirés)', params: CompetenceIdParamsSchema, response: withErrors({ 204: Type.Null() }, 404) },
    },
    async (request, reply) => {
      await competences.delete(request.actor!, request.params.competence_id);
      return reply.code(204).send(null);
    },
  );

  // --- one technician ----------------------------------------------------------------------------

  app.get(
    '/techniciens/:technicien_id',
    {
      onRequest: readers,
      schema: { tags, summary: 'Lire un technicien', params: TechnicienIdParamsSchema, response: withErrors({ 200: TechnicienOutSchema }, 404) },
    },
    async (request) => techniciens.get(request.params.technicien_id),
  );

  app.put(
    '/techniciens/:technicien_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Modifier un technicien (partiel ; competences_ids remplace tout l’ensemble)',
        params: TechnicienIdParamsSchema,
        body: Type.Union([TechnicienUpdateSchema, Type.Null()]),
        response: withErrors({ 200: TechnicienOutSchema }, 404, 409),
      },
    },
    async (request) => techniciens.update(request.params.technicien_id, request.body ?? {}),
  );

  app.delete(
    '/techniciens/:technicien_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Supprimer un technicien (refusé tant qu’il a des interventions en cours)',
        params: TechnicienIdParamsSchema,
        response: withErrors({ 204: Type.Null() }, 404, 409),
      },
    },
    async (request, reply) => {
      await techniciens.delete(request.actor!, request.params.technicien_id);
      return reply.code(204).send(null);
    },
  );
};

export default techniciensRoutes;
