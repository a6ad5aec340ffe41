/**
 * Equipment (docs/api.md §4.4). Writes: admin, responsable. Reads: admin, responsable, technicien (all
 * rows) and client (its company's rows only; others answer 404).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { copyAlias } from '../../http/aliases.js';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { EQUIPEMENT_MESSAGES, EQUIPEMENT_READ_ROLES, EQUIPEMENT_WRITE_ROLES } from './policy.js';
import {
  EquipementCreateBodySchema,
  EquipementDeletedSchema,
  EquipementIdParamsSchema,
  EquipementListQuerySchema,
  EquipementOutSchema,
  EquipementPatchBodySchema,
} from './schemas.js';

const equipementsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { equipements } = app.services;
  const tags = ['equipements'];
  const writers = app.authorize(...EQUIPEMENT_WRITE_ROLES);
  const readers = app.authorize(...EQUIPEMENT_READ_ROLES);

  app.post(
    '/equipements/',
    {
      onRequest: writers,
      preValidation: copyAlias('type', 'type_equipement'),
      schema: {
        tags,
        summary: 'Créer un équipement',
        body: EquipementCreateBodySchema,
        response: withErrors({ 200: EquipementOutSchema }, 404, 409),
      },
    },
    async (request) => equipements.create(request.body ?? {}),
  );

  app.get(
    '/equipements/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('statut', 'criticite'),
      schema: { tags, summary: 'Lister les équipements', querystring: EquipementListQuerySchema, response: withErrors({ 200: Type.Array(EquipementOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const trimmed = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
      const filters = {
        statuts: query.statut,
        criticites: query.criticite,
        type: trimmed(query.type),
        clientId: query.client_id,
        contratId: query.contrat_id,
        localisation: trimmed(query.localisation),
        q: trimmed(query.q),
      };
      return sendPage(reply, await equipements.list(request.actor!, filters, { limit: query.limit, offset: query.offset, sort: query.sort }));
    },
  );

  app.get(
    '/equipements/:equipement_id',
    {
      onRequest: readers,
      schema: { tags, summary: 'Lire un équipement', params: EquipementIdParamsSchema, response: withErrors({ 200: EquipementOutSchema }, 404) },
    },
    async (request) => equipements.get(request.actor!, request.params.equipement_id),
  );

  app.patch(
    '/equipements/:equipement_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Modifier un équipement (mise à jour partielle)',
        params: EquipementIdParamsSchema,
        body: EquipementPatchBodySchema,
        response: withErrors({ 200: EquipementOutSchema }, 404, 409),
      },
    },
    async (request) => equipements.update(request.params.equipement_id, request.body ?? {}),
  );

  app.delete(
    '/equipements/:equipement_id',
    {
      onRequest: writers,
      schema: {
        tags,
        summary: 'Supprimer un équipement (et ses plannings)',
        params: EquipementIdParamsSchema,
        response: withErrors({ 200: EquipementDeletedSchema }, 404, 409),
      },
    },
    async (request) => {
      await equipements.delete(request.actor!, request.params.equipement_id);
      return { detail: EQUIPEMENT_MESSAGES.deleted };
    },
  );
};

export default equipementsRoutes;
