import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../lib/errors.js';
import { withErrors } from '../../lib/schemas.js';
import { requestOrigin } from '../../plugins/auth.js';
import { UserOutSchema } from '../users/schemas.js';
import {
  ChangePasswordRequestSchema,
  ChangePasswordResponseSchema,
  LoginRequestSchema,
  LogoutRequestSchema,
  MessageSchema,
  RefreshRequestSchema,
  TokenRequestSchema,
  TokenResponseSchema,
} from './schemas.js';

const FORM = ['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'];
const MULTIPART = /^\s*multipart\/form-data\s*(?:;|$)/i;
const BOUNDARY = /;\s*boundary=(?:"[^"]+"|[^\s;"]+)/i;
export const MULTIPART_WITHOUT_BOUNDARY = 'Formulaire multipart invalide : boundary absente';

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Login forms come urlencoded (OAuth2 password flow), multipart or JSON (docs/api.md §5 rule 4).
  // Encapsulated here: multipart fields are attached to the body for these routes only.
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { files: 0, fields: 10, fieldSize: 4096, parts: 10 } });
  // The multipart parser throws a bare Error (a 500) on a form without a boundary: refused before
  // parsing, like malformed JSON (docs/api.md §2, 422).
  app.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    if (type && MULTIPART.test(type) && !BOUNDARY.test(type)) throw AppError.validation([{ loc: ['body'], msg: MULTIPART_WITHOUT_BOUNDARY, type: 'value' }], MULTIPART_WITHOUT_BOUNDARY);
  });

  const { auth, profile } = app.services;
  const tags = ['auth'];
  const limited = { onRequest: [app.authRateLimit] };

  app.post(
    '/auth/token',
    {
      ...limited,
      schema: { tags, summary: 'Connexion (OAuth2 password) : email ou username', consumes: FORM, body: TokenRequestSchema, response: withErrors({ 200: TokenResponseSchema }, 401, 403) },
    },
    async (request) => {
      const identifier = request.body.email ?? request.body.username;
      if (!identifier) throw AppError.validation([{ loc: ['body', 'username'], msg: 'Champ obligatoire', type: 'missing' }]);
      return auth.login(requestOrigin(request), { identifier, password: request.body.password, endpoint: 'token' });
    },
  );

  app.post(
    '/auth/login',
    { ...limited, schema: { tags, summary: 'Connexion : username ou e-mail', consumes: FORM, body: LoginRequestSchema, response: withErrors({ 200: TokenResponseSchema }, 401, 403) } },
    async (request) => auth.login(requestOrigin(request), { identifier: request.body.username, password: request.body.password, endpoint: 'login' }),
  );

  app.post(
    '/auth/refresh',
    { ...limited, schema: { tags, summary: 'Rotation du refresh token', consumes: FORM, body: RefreshRequestSchema, response: withErrors({ 200: TokenResponseSchema }, 401) } },
    async (request) => auth.refresh(requestOrigin(request), request.body.refresh_token),
  );

  app.post(
    '/auth/logout',
    { onRequest: app.authorize(), schema: { tags, summary: 'Ferme la session courante', consumes: FORM, body: LogoutRequestSchema, response: withErrors({ 200: MessageSchema }) } },
    async (request) => {
      await auth.logout(request.actor!, request.body?.refresh_token);
      return { message: 'Déconnexion réussie' };
    },
  );

  app.post(
    '/auth/logout-all',
    { onRequest: app.authorize(), schema: { tags, summary: 'Ferme toutes les sessions', response: withErrors({ 200: MessageSchema }) } },
    async (request) => {
      await auth.logoutAll(request.actor!);
      return { message: 'Toutes les sessions ont été fermées' };
    },
  );

  app.get(
    '/auth/me',
    { onRequest: app.authorize(), schema: { tags, summary: 'Utilisateur courant', response: withErrors({ 200: UserOutSchema }) } },
    async (request) => profile.current(request.actor!),
  );

  app.post(
    '/auth/change-password',
    {
      onRequest: app.authorize(),
      schema: { tags, summary: 'Change son mot de passe (ouvre une nouvelle session)', consumes: FORM, body: ChangePasswordRequestSchema, response: withErrors({ 200: ChangePasswordResponseSchema }, 400) },
    },
    async (request) => {
      const tokens = await auth.changePassword(request.actor!, { currentPassword: request.body.current_password, newPassword: request.body.new_password, endpoint: 'change_password' });
      return { message: 'Mot de passe changé avec succès', ...tokens };
    },
  );
};

export default authRoutes;
