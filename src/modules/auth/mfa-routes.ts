/**
 * TOTP two-factor routes (docs/security.md §3a), in their own file so that the login routes stay as
 * they are: the second step of a login, the caller's enrolment, confirmation and removal, and the
 * admin reset of a user's factor.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../../lib/schemas.js';
import { requestOrigin } from '../../plugins/auth.js';
import refreshCookie from './refresh-cookie.js';
import { MessageSchema, TokenResponseSchema } from './schemas.js';
import {
  MfaConfirmRequestSchema,
  MfaDisableRequestSchema,
  MfaEnrolmentSchema,
  MfaRecoveryCodesSchema,
  MfaStatusSchema,
  MfaVerifyRequestSchema,
  UserIdParamsSchema,
} from './mfa-schemas.js';

const mfaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The second step opens the session: a web login gets its refresh token as the HttpOnly cookie too.
  await app.register(refreshCookie);
  const { mfa } = app.services;
  const tags = ['auth'];
  // A user whom MFA_REQUIRED_ROLES obliges to enrol may reach these routes, and only these (and /auth/me, logout).
  const duringEnrolment = { allowPendingMfaEnrolment: true };

  app.post(
    '/auth/mfa/verify',
    {
      onRequest: [app.authRateLimit],
      config: { refreshCookie: 'issue' },
      schema: { tags, summary: 'Connexion, seconde étape : code TOTP ou code de secours', body: MfaVerifyRequestSchema, response: withErrors({ 200: TokenResponseSchema }, 401) },
    },
    async (request) => mfa.completeLogin(requestOrigin(request), request.body.mfa_token, request.body.otp),
  );

  app.get(
    '/auth/mfa',
    { onRequest: app.authorize(), config: duringEnrolment, schema: { tags, summary: 'État de la double authentification', response: withErrors({ 200: MfaStatusSchema }) } },
    async (request) => mfa.status(request.actor!),
  );

  app.post(
    '/auth/mfa/enroll',
    { onRequest: app.authorize(), config: duringEnrolment, schema: { tags, summary: 'Nouveau secret TOTP (URI otpauth://)', response: withErrors({ 200: MfaEnrolmentSchema }, 409) } },
    async (request) => mfa.enrol(request.actor!),
  );

  app.post(
    '/auth/mfa/confirm',
    {
      onRequest: app.authorize(),
      config: duringEnrolment,
      schema: { tags, summary: 'Active la double authentification par un premier code', body: MfaConfirmRequestSchema, response: withErrors({ 200: MfaRecoveryCodesSchema }, 400, 409) },
    },
    async (request) => mfa.confirm(request.actor!, request.body.otp),
  );

  app.post(
    '/auth/mfa/disable',
    {
      onRequest: app.authorize(),
      schema: { tags, summary: 'Désactive la double authentification (mot de passe + code)', body: MfaDisableRequestSchema, response: withErrors({ 200: MessageSchema }, 400, 409) },
    },
    async (request) => {
      await mfa.disable(request.actor!, request.body.password, request.body.otp);
      return { message: 'Double authentification désactivée' };
    },
  );

  app.post(
    '/users/:user_id/mfa/reset',
    {
      onRequest: app.authorize('admin'),
      schema: { tags: ['users'], summary: "Réinitialise la double authentification d'un utilisateur", params: UserIdParamsSchema, response: withErrors({ 200: MessageSchema }, 404) },
    },
    async (request) => {
      await mfa.reset(request.actor!, request.params.user_id);
      return { message: 'Double authentification réinitialisée' };
    },
  );
};

export default mfaRoutes;
