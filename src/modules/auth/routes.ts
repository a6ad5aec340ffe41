import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../lib/errors.js';
import { withErrors } from '../../lib/schemas.js';
import { requestOrigin } from '../../plugins/auth.js';
import { formBodyParsers } from '../../plugins/body-parsers.js';
import { UserOutSchema } from '../users/schemas.js';
import refreshCookie from './refresh-cookie.js';
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

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Login forms come urlencoded (OAuth2 password flow), multipart or JSON (docs/api.md §5 rule 4);
  // encapsulated here, every other route takes JSON only.
  await app.register(formBodyParsers);
  await app.register(refreshCookie);

  const { auth, profile } = app.services;
  const tags = ['auth'];
  const limited = { onRequest: [app.authRateLimit] };
  // Open to a user who must change a generated password first: who am I, the change, leaving.
  const duringPasswordChange = { allowPendingPasswordChange: true };
  const issue = { refreshCookie: 'issue' } as const;

  app.post(
    '/auth/token',
    {
      ...limited,
      config: issue,
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
    { ...limited, config: issue, schema: { tags, summary: 'Connexion : username ou e-mail', consumes: FORM, body: LoginRequestSchema, response: withErrors({ 200: TokenResponseSchema }, 401, 403) } },
    async (request) => auth.login(requestOrigin(request), { identifier: request.body.username, password: request.body.password, endpoint: 'login' }),
  );

  app.post(
    '/auth/refresh',
    { ...limited, config: { refreshCookie: 'rotate' }, schema: { tags, summary: 'Rotation du refresh token', consumes: FORM, body: RefreshRequestSchema, response: withErrors({ 200: TokenResponseSchema }, 401) } },
    async (request) => auth.refresh(requestOrigin(request), request.body.refresh_token),
  );

  app.post(
    '/auth/logout',
    { onRequest: app.authorize(), config: { ...duringPasswordChange, refreshCookie: 'end' }, schema: { tags, summary: 'Ferme la session courante', consumes: FORM, body: LogoutRequestSchema, response: withErrors({ 200: MessageSchema }) } },
    async (request) => {
      await auth.logout(request.actor!, request.body?.refresh_token);
      return { message: 'Déconnexion réussie' };
    },
  );

  app.post(
    '/auth/logout-all',
    { onRequest: app.authorize(), config: { ...duringPasswordChange, refreshCookie: 'clear' }, schema: { tags, summary: 'Ferme toutes les sessions', consumes: FORM, response: withErrors({ 200: MessageSchema }) } },
    async (request) => {
      await auth.logoutAll(request.actor!);
      return { message: 'Toutes les sessions ont été fermées' };
    },
  );

  app.get(
    '/auth/me',
    { onRequest: app.authorize(), config: duringPasswordChange, schema: { tags, summary: 'Utilisateur courant', response: withErrors({ 200: UserOutSchema }) } },
    async (request) => profile.current(request.actor!),
  );

  app.post(
    '/auth/change-password',
    {
      onRequest: app.authorize(),
      config: { ...duringPasswordChange, ...issue },
      schema: { tags, summary: 'Change son mot de passe (ouvre une nouvelle session)', consumes: FORM, body: ChangePasswordRequestSchema, response: withErrors({ 200: ChangePasswordResponseSchema }, 400) },
    },
    async (request) => {
      const tokens = await auth.changePassword(request.actor!, { currentPassword: request.body.current_password, newPassword: request.body.new_password, endpoint: 'change_password' });
      return { message: 'Mot de passe changé avec succès', ...tokens };
    },
  );
};

export default authRoutes;
