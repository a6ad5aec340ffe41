/**
 * Users (docs/api.md §4.2). Writes: admin. List and read: admin and responsable. Own profile: anyone.
 * Static paths (`/users/me`, `/users/update`) are declared before the parameterised ones.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { parseQueryBoolean } from '../../lib/listing.js';
import { withErrors } from '../../lib/schemas.js';
import { MessageSchema } from '../auth/schemas.js';
import {
  ResetPasswordSchema,
  UserCreateSchema,
  UserIdParamsSchema,
  UserListQuerySchema,
  UserOutSchema,
  UserPatchSchema,
  UserSelfUpdateResponseSchema,
  UserSelfUpdateSchema,
} from './schemas.js';

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { users, profile } = app.services;
  const tags = ['utilisateurs'];
  const adminOnly = app.authorize('admin');
  const readers = app.authorize('responsable');

  app.post(
    '/users/',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Créer un utilisateur', body: UserCreateSchema, response: withErrors({ 201: UserOutSchema }, 400, 404, 409) },
    },
    async (request, reply) => {
      const { body } = request;
      const user = await users.create(request.actor!, {
        username: body.username,
        fullName: body.full_name,
        email: body.email,
        role: body.role,
        password: body.password,
        clientId: body.client_id ?? null,
      });
      return reply.code(201).send(user);
    },
  );

  app.get(
    '/users/',
    {
      onRequest: readers,
      preValidation: splitCommaLists('role'),
      schema: { tags, summary: 'Lister les utilisateurs', querystring: UserListQuerySchema, response: withErrors({ 200: Type.Array(UserOutSchema) }) },
    },
    async (request, reply) => {
      const { query } = request;
      const filters = { roles: query.role, isActive: parseQueryBoolean(query.is_active), clientId: query.client_id, q: query.q };
      return sendPage(reply, await users.list(filters, { limit: query.limit, offset: query.offset, sort: query.sort }));
    },
  );

  app.get(
    '/users/me',
    { onRequest: app.authorize(), schema: { tags, summary: 'Voir son profil', response: withErrors({ 200: UserOutSchema }) } },
    async (request) => profile.me(request.actor!),
  );

  app.put(
    '/users/update',
    {
      onRequest: app.authorize(),
      schema: {
        tags,
        summary: 'Modifier son profil (nom complet, mot de passe)',
        body: Type.Union([UserSelfUpdateSchema, Type.Null()]),
        response: withErrors({ 200: UserSelfUpdateResponseSchema }, 400),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      return profile.update(request.actor!, { fullName: body.full_name, password: body.password, currentPassword: body.current_password });
    },
  );

  app.get(
    '/users/:user_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un utilisateur', params: UserIdParamsSchema, response: withErrors({ 200: UserOutSchema }, 404) } },
    async (request) => users.get(request.params.user_id),
  );

  app.patch(
    '/users/:user_id',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: 'Modifier un utilisateur (is_active: false = désactivation)',
        params: UserIdParamsSchema,
        body: Type.Union([UserPatchSchema, Type.Null()]),
        response: withErrors({ 200: UserOutSchema }, 404, 409),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      return users.patch(request.actor!, request.params.user_id, {
        fullName: body.full_name,
        email: body.email,
        username: body.username,
        role: body.role,
        clientId: body.client_id,
        isActive: body.is_active,
      });
    },
  );

  app.delete(
    '/users/:user_id',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Désactiver un utilisateur (révoque ses sessions)', params: UserIdParamsSchema, response: withErrors({ 204: Type.Null() }, 404, 409) },
    },
    async (request, reply) => {
      await users.deactivate(request.actor!, request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/users/:user_id/activate',
    { onRequest: adminOnly, schema: { tags, summary: 'Réactiver un utilisateur', params: UserIdParamsSchema, response: withErrors({ 200: UserOutSchema }, 404) } },
    async (request) => users.activate(request.actor!, request.params.user_id),
  );

  app.post(
    '/users/:user_id/reset-password',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: 'Réinitialiser le mot de passe (révoque toutes les sessions)',
        params: UserIdParamsSchema,
        body: ResetPasswordSchema,
        response: withErrors({ 200: MessageSchema }, 400, 404),
      },
    },
    async (request) => {
      await users.resetPassword(request.actor!, request.params.user_id, request.body.new_password);
      return { message: 'Mot de passe réinitialisé' };
    },
  );

  app.post(
    '/users/:user_id/revoke-sessions',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Révoquer toutes les sessions', params: UserIdParamsSchema, response: withErrors({ 200: MessageSchema }, 404) },
    },
    async (request) => {
      await users.revokeSessions(request.actor!, request.params.user_id);
      return { message: 'Sessions révoquées' };
    },
  );
};

export default usersRoutes;
