/**
 * Users (api.md §4.2). Writes: admin. List and read: admin and responsable. Own profile: anyone.
 * Static paths (`/users/me`, `/users/update`) are declared before the parameterised ones.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { parseQueryBoolean, parseSort, type SortSpec } from '../../lib/listing.js';
import { listPage, splitCommaLists } from '../../http/lists.js';
import { withErrors } from '../../lib/schemas.js';
import { requestOrigin } from '../auth/routes.js';
import { MessageSchema } from '../auth/schemas.js';
import { USER_MESSAGES } from './policy.js';
import { filterUsers, findUserOut, selectUserOut } from './repository.js';
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
import {
  activateUser,
  createUser,
  deactivateUser,
  patchUser,
  requestActor,
  resetUserPassword,
  revokeUserSessions,
  updateOwnProfile,
} from './service.js';

const USER_SORT: SortSpec = {
  fields: {
    id: 'u.id',
    username: sql`lower(u.username)`,
    email: 'u.email',
    created_at: 'u.created_at',
    last_login: 'u.last_login',
  },
  defaultSort: 'id',
  idColumn: 'u.id',
};

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['utilisateurs'];
  const adminOnly = app.authorize('admin');
  const readers = app.authorize('responsable');

  async function userOrNotFound(id: number) {
    const user = await findUserOut(app.db, id);
    if (!user) throw AppError.notFound(USER_MESSAGES.notFound);
    return user;
  }

  app.post(
    '/users/',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Créer un utilisateur', body: UserCreateSchema, response: withErrors({ 201: UserOutSchema }) },
    },
    async (request, reply) => {
      const { body } = request;
      const id = await createUser(
        app.db,
        { username: body.username, fullName: body.full_name, email: body.email, role: body.role, password: body.password, clientId: body.client_id ?? null },
        requestActor(request.user!, requestOrigin(request)),
        { passwordMinLength: app.config.auth.passwordMinLength, hasher: app.hasher, now: app.clock.now() },
      );
      return reply.code(201).send(await userOrNotFound(id));
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
      const sort = parseSort(query.sort, USER_SORT);
      const filtered = filterUsers(selectUserOut(app.db), {
        roles: query.role,
        isActive: parseQueryBoolean(query.is_active),
        clientId: query.client_id,
        q: query.q,
      });
      return listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
    },
  );

  app.get(
    '/users/me',
    { onRequest: app.authorize(), schema: { tags, summary: 'Voir son profil', response: withErrors({ 200: UserOutSchema }) } },
    async (request) => userOrNotFound(request.user!.id),
  );

  app.put(
    '/users/update',
    {
      onRequest: app.authorize(),
      schema: {
        tags,
        summary: 'Modifier son profil (nom complet, mot de passe)',
        body: Type.Union([UserSelfUpdateSchema, Type.Null()]),
        response: withErrors({ 200: UserSelfUpdateResponseSchema }),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const tokens = await updateOwnProfile(
        app,
        request.user!,
        { fullName: body.full_name, password: body.password, currentPassword: body.current_password },
        requestOrigin(request),
      );
      const user = await userOrNotFound(request.user!.id);
      return tokens ? { ...user, ...tokens } : user;
    },
  );

  app.get(
    '/users/:user_id',
    { onRequest: readers, schema: { tags, summary: 'Lire un utilisateur', params: UserIdParamsSchema, response: withErrors({ 200: UserOutSchema }) } },
    async (request) => userOrNotFound(request.params.user_id),
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
        response: withErrors({ 200: UserOutSchema }),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      await patchUser(
        app,
        request.user!,
        request.params.user_id,
        { fullName: body.full_name, email: body.email, username: body.username, role: body.role, clientId: body.client_id, isActive: body.is_active },
        requestOrigin(request),
      );
      return userOrNotFound(request.params.user_id);
    },
  );

  app.delete(
    '/users/:user_id',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Désactiver un utilisateur (révoque ses sessions)', params: UserIdParamsSchema, response: withErrors({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      const user = request.user!;
      await deactivateUser(app, { ...requestActor(user, requestOrigin(request)), userId: user.id }, request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/users/:user_id/activate',
    { onRequest: adminOnly, schema: { tags, summary: 'Réactiver un utilisateur', params: UserIdParamsSchema, response: withErrors({ 200: UserOutSchema }) } },
    async (request) => {
      await activateUser(app, requestActor(request.user!, requestOrigin(request)), request.params.user_id);
      return userOrNotFound(request.params.user_id);
    },
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
        response: withErrors({ 200: MessageSchema }),
      },
    },
    async (request) => {
      await resetUserPassword(app, requestActor(request.user!, requestOrigin(request)), request.params.user_id, request.body.new_password);
      return { message: 'Mot de passe réinitialisé' };
    },
  );

  app.post(
    '/users/:user_id/revoke-sessions',
    {
      onRequest: adminOnly,
      schema: { tags, summary: 'Révoquer toutes les sessions', params: UserIdParamsSchema, response: withErrors({ 200: MessageSchema }) },
    },
    async (request) => {
      await revokeUserSessions(app, requestActor(request.user!, requestOrigin(request)), request.params.user_id);
      return { message: 'Sessions révoquées' };
    },
  );
};

export default usersRoutes;
