/**
 * Bearer authentication (security.md §1) and role checks (§5). Every authenticated request reads
 * the user and its session once from the database: the role and scope come from there, not the token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/schema.js';
import { AppError } from '../lib/errors.js';
import { auditContext } from '../modules/audit/context.js';
import { insertAuditEvent } from '../modules/audit/repository.js';
import { forbiddenRoleMessage, hasRole } from '../modules/auth/policy.js';
import { findPrincipal } from '../modules/auth/repository.js';
import { verifyAccessToken } from '../modules/auth/tokens.js';

export interface AuthUser {
  id: number;
  username: string;
  email: string;
  fullName: string;
  role: Role;
  clientId: number | null;
  technicienId: number | null;
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyInstance {
    /** onRequest hooks: a valid bearer token, then (when roles are given) one of the roles. */
    authorize(...roles: Role[]): onRequestAsyncHookHandler[];
  }
}

const INVALID_TOKEN = 'Token invalide ou expiré';

export async function authenticateRequest(app: FastifyInstance, request: FastifyRequest): Promise<AuthUser> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw AppError.unauthorized('Non authentifié');
  const now = app.clock.now();
  const claims = await verifyAccessToken(app.config, match[1]!, now);
  if (!claims) throw AppError.unauthorized(INVALID_TOKEN);
  const principal = await findPrincipal(app.db, claims.userId, claims.sessionId);
  if (!principal) throw AppError.unauthorized(INVALID_TOKEN);
  if (!principal.isActive) throw AppError.unauthorized('Utilisateur désactivé');
  const validAfter = principal.tokensValidAfter ? Math.floor(principal.tokensValidAfter.getTime() / 1000) : null;
  if (validAfter !== null && claims.issuedAt < validAfter) throw AppError.unauthorized(INVALID_TOKEN);
  if (!principal.sessionExpiresAt || principal.sessionRevokedAt || principal.sessionExpiresAt <= now) {
    throw AppError.unauthorized(INVALID_TOKEN);
  }
  return {
    id: principal.id,
    username: principal.username,
    email: principal.email,
    fullName: principal.fullName,
    role: principal.role,
    clientId: principal.clientId,
    technicienId: principal.technicienId,
    sessionId: claims.sessionId,
  };
}

export default fp(
  async function authPlugin(app: FastifyInstance) {
    app.decorateRequest('user', null);

    const authenticate: onRequestAsyncHookHandler = async (request) => {
      request.user = await authenticateRequest(app, request);
    };

    app.decorate('authorize', (...roles: Role[]) => {
      if (roles.length === 0) return [authenticate];
      const requireRole: onRequestAsyncHookHandler = async (request: FastifyRequest, _reply: FastifyReply) => {
        const user = request.user!;
        if (hasRole(user.role, roles)) return;
        await insertAuditEvent(app.db, {
          ...auditContext(request),
          eventType: 'rbac.denied',
          outcome: 'denied',
          details: { reason: 'role', route: request.routeOptions.url ?? null, method: request.method },
        });
        throw AppError.forbidden(forbiddenRoleMessage(roles));
      };
      return [authenticate, requireRole];
    });
  },
  { name: 'auth' },
);
