/**
 * Interventions (docs/api.md §4.5). Create: admin, responsable, client (a request). Read, list,
 * history: every role, scoped (docs/security.md §5). Edit: admin, responsable. Status change: any
 * authenticated user reaches the service, which applies scope (404), then the client refusal and the
 * technician's transition rights (403), so that an out-of-scope id answers 404 to everybody.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { copyAlias } from '../../http/aliases.js';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { AppError } from '../../lib/errors.js';
import { parseQueryBoolean, parseQueryTimestamp, parseSort } from '../../lib/listing.js';
import { withErrors } from '../../lib/schemas.js';
import { HISTORIQUE_SORT, INTERVENTION_SORT, type InterventionFilters } from './repository.js';
import {
  HistoriqueOutSchema,
  HistoriqueQuerySchema,
  INTERVENTION_ENUM_FILTERS,
  InterventionCreateSchema,
  InterventionIdParamsSchema,
  InterventionListQuerySchema,
  InterventionOutSchema,
  InterventionPatchSchema,
  LegacyFiltersQuerySchema,
  NullableBody,
  StatusChangeBodySchema,
  StatusChangeQuerySchema,
  type InterventionListQuery,
} from './schemas.js';

/** The list filters; with `legacy`, `technicien_id=0` means "no filter" (docs/api.md §5 rule 8). */
function listFilters(query: InterventionListQuery, legacy: boolean): InterventionFilters {
  return {
    statuts: query.statut,
    priorites: query.priorite,
    types: query.type,
    urgence: parseQueryBoolean(query.urgence),
    technicienId: legacy && query.technicien_id === 0 ? undefined : query.technicien_id,
    equipementId: query.equipement_id,
    clientId: query.client_id,
    contratId: query.contrat_id,
    planningId: query.planning_id,
    enRetard: parseQueryBoolean(query.en_retard),
    dateCreationMin: parseQueryTimestamp('date_creation_min', query.date_creation_min),
    dateCreationMax: parseQueryTimestamp('date_creation_max', query.date_creation_max),
    dateLimiteMax: parseQueryTimestamp('date_limite_max', query.date_limite_max),
    q: query.q,
  };
}

const interventionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['interventions'];
  const anyUser = app.authorize();
  const { interventions } = app.services;

  app.post(
    '/interventions/',
    {
      onRequest: app.authorize('responsable', 'client'),
      preValidation: copyAlias('type', 'type_intervention'),
      schema: {
        tags,
        summary: "Créer une intervention (client : demande d'intervention corrective)",
        body: InterventionCreateSchema,
        response: withErrors({ 200: InterventionOutSchema }, 404, 409),
      },
    },
    async (request) => {
      const { body } = request;
      return interventions.create(request.actor!, {
        titre: body.titre,
        description: body.description,
        type: body.type ?? body.type_intervention ?? null,
        statut: body.statut,
        priorite: body.priorite,
        urgence: body.urgence,
        dateLimite: body.date_limite,
        technicienId: body.technicien_id,
        equipementId: body.equipement_id,
      });
    },
  );

  async function list(request: FastifyRequest, reply: FastifyReply, query: InterventionListQuery, legacy: boolean) {
    const sort = parseSort(query.sort, INTERVENTION_SORT);
    return sendPage(reply, await interventions.list(request.actor!, listFilters(query, legacy), { limit: query.limit, offset: query.offset, sort }));
  }

  app.get(
    '/interventions/',
    {
      onRequest: anyUser,
      preValidation: splitCommaLists(...INTERVENTION_ENUM_FILTERS),
      schema: { tags, summary: 'Lister les interventions (selon le périmètre du rôle)', querystring: InterventionListQuerySchema, response: withErrors({ 200: Type.Array(InterventionOutSchema) }) },
    },
    async (request, reply) => list(request, reply, request.query, false),
  );

  app.get(
    '/filters/interventions',
    {
      onRequest: anyUser,
      preValidation: splitCommaLists(...INTERVENTION_ENUM_FILTERS),
      schema: {
        tags,
        summary: 'Filtrer les interventions (route héritée ; technicien_id=0 = pas de filtre)',
        querystring: LegacyFiltersQuerySchema,
        response: withErrors({ 200: Type.Array(InterventionOutSchema) }),
      },
    },
    async (request, reply) => list(request, reply, request.query, true),
  );

  app.get(
    '/interventions/:intervention_id',
    { onRequest: app.authorizeInRead(), schema: { tags, summary: 'Lire une intervention', params: InterventionIdParamsSchema, response: withErrors({ 200: InterventionOutSchema }, 404) } },
    async (request) => interventions.getAs(request.credentials!, request.params.intervention_id),
  );

  app.patch(
    '/interventions/:intervention_id',
    {
      onRequest: app.authorize('responsable'),
      schema: {
        tags,
        summary: 'Modifier une intervention, affecter ou réaffecter un technicien (pas le statut)',
        params: InterventionIdParamsSchema,
        body: NullableBody(InterventionPatchSchema),
        response: withErrors({ 200: InterventionOutSchema }, 404, 409),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      return interventions.update(request.actor!, request.params.intervention_id, {
        titre: body.titre,
        description: body.description,
        type: body.type ?? body.type_intervention,
        priorite: body.priorite,
        urgence: body.urgence,
        dateLimite: body.date_limite,
        technicienId: body.technicien_id,
        equipementId: body.equipement_id,
        dureeEstimee: body.duree_estimee,
        dureeReelle: body.duree_reelle,
        coutEstime: body.cout_estime,
        coutReel: body.cout_reel,
        rapportIntervention: body.rapport_intervention,
        travauxRealises: body.travaux_realises,
        recommandations: body.recommandations,
        remarque: body.remarque,
        statut: body.statut,
      });
    },
  );

  app.patch(
    '/interventions/:intervention_id/statut',
    {
      onRequest: anyUser,
      schema: {
        tags,
        summary: 'Changer le statut (query string héritée ou corps JSON)',
        params: InterventionIdParamsSchema,
        querystring: StatusChangeQuerySchema,
        body: NullableBody(StatusChangeBodySchema),
        response: withErrors({ 200: InterventionOutSchema }, 403, 404, 409),
      },
    },
    async (request) => {
      const { query } = request;
      const body = request.body ?? {};
      // The JSON body, when it carries a value, wins over the query string.
      const statut = body.statut ?? query.statut;
      if (statut === undefined) throw AppError.validation([{ loc: ['query', 'statut'], msg: 'Champ obligatoire', type: 'missing' }]);
      const actor = request.actor!;
      const id = request.params.intervention_id;
      await interventions.changeStatus(actor, id, {
        statut,
        remarque: body.remarque ?? query.remarque ?? '',
        technicienId: body.technicien_id ?? query.technicien_id ?? null,
        closure: {
          rapportIntervention: body.rapport_intervention,
          travauxRealises: body.travaux_realises,
          recommandations: body.recommandations,
          dureeReelle: body.duree_reelle,
        },
        source: body.statut !== undefined ? 'body' : 'query',
      });
      // The answer is the intervention as the caller now reads it.
      return interventions.get(actor, id);
    },
  );

  app.get(
    '/interventions/:intervention_id/historique',
    {
      onRequest: anyUser,
      schema: {
        tags,
        summary: "Historique des statuts et affectations d'une intervention",
        params: InterventionIdParamsSchema,
        querystring: HistoriqueQuerySchema,
        response: withErrors({ 200: Type.Array(HistoriqueOutSchema) }, 404),
      },
    },
    async (request, reply) => {
      const { query } = request;
      const sort = parseSort(query.sort, HISTORIQUE_SORT);
      return sendPage(reply, await interventions.historique(request.actor!, request.params.intervention_id, { limit: query.limit, offset: query.offset, sort }));
    },
  );
};

export default interventionsRoutes;
