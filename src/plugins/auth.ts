/**
 * Bearer authentication (docs/security.md §1) and role checks (§5). Every authenticated request
 * reads the user and its session once from the database (the Authenticator): the role and scope
 * come from there, not the token. The result is `request.actor`, which routes pass to services.
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/schema.js';
import type { Actor, RequestOrigin } from '../lib/actor.js';
import { roleDenied } from '../modules/audit/service.js';
import type { AuthenticationOptions, Credentials } from '../modules/auth/authenticator.js';
import { forbiddenRoleMessage, hasRole } from '../modules/auth/policy.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route serves a user who must change a generated password first (docs/security.md §2). */
    allowPendingPasswordChange?: boolean;
    /** The route serves a user whom MFA_REQUIRED_ROLES obliges to enrol a second factor first (docs/security.md §3a). */
    allowPendingMfaEnrolment?: boolean;
  }
  interface FastifyRequest {
    /** Set by `authorize()`; null on the routes that need no authentication. */
    actor: Actor | null;
    /** Set by `authorizeInRead()`: the verified token, whose principal the route's read carries. */
    credentials: Credentials | null;
  }
  interface FastifyInstance {
    /** onRequest hooks: a valid bearer token, then (when roles are given) one of the roles. */
    authorize(...roles: Role[]): onRequestAsyncHookHandler[];
    /**
     * onRequest hooks of a route open to every role whose service admits the caller from the
     * principal carried by its own read (one round trip, docs/decisions.md "Per-request cost"):
     * the token is verified here, `request.credentials` set, `request.actor` left null.
     */
    authorizeInRead(): onRequestAsyncHookHandler[];
  }
}

/** Where a request comes from (the client IP as resolved through TRUST_PROXY). */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id };
}

function routeAuthentication(request: FastifyRequest): AuthenticationOptions {
  const { allowPendingPasswordChange, allowPendingMfaEnrolment } = request.routeOptions.config;
  return {
    allowPendingPasswordChange: allowPendingPasswordChange === true,
    // The routes open during a password change (me, the change, logout) stay open during an enrolment.
    allowPendingMfaEnrolment: allowPendingMfaEnrolment === true || allowPendingPasswordChange === true,
  };
}

/** The hooks `authorize()` hands out, so that src/plugins/openapi-errors.ts can document their 401 / 403. */
const AUTHENTICATION_HOOKS = new WeakSet<object>();
const ROLE_HOOKS = new WeakSet<object>();

/** The statuses a route's onRequest hooks of `authorize()` can answer: 401 (token), 403 (role). */
export function authorizationStatuses(onRequest: unknown): (401 | 403)[] {
  const hooks: unknown[] = Array.isArray(onRequest) ? onRequest : [onRequest];
  const statuses: (401 | 403)[] = [];
  if (hooks.some((hook) => typeof hook === 'function' && AUTHENTICATION_HOOKS.has(hook))) statuses.push(401);
  if (hooks.some((hook) => typeof hook === 'function' && ROLE_HOOKS.has(hook))) statuses.push(403);
  return statuses;
}

export default fp(
  async function authPlugin(app: FastifyInstance) {
    app.decorateRequest('actor', null);
    app.decorateRequest('credentials', null);
    const { authenticator, audit } = app.services;

    const authenticate: onRequestAsyncHookHandler = async (request) => {
      request.actor = await authenticator.authenticate(request.headers.authorization, requestOrigin(request), routeAuthentication(request));
    };
    AUTHENTICATION_HOOKS.add(authenticate);
    const verifyToken: onRequestAsyncHookHandler = async (request) => {
      request.credentials = authenticator.verify(request.headers.authorization, requestOrigin(request), routeAuthentication(request));
    };
    AUTHENTICATION_HOOKS.add(verifyToken);
    app.decorate('authorizeInRead', () => [verifyToken]);

    app.decorate('authorize', (...roles: Role[]) => {
      if (roles.length === 0) return [authenticate];
      const requireRole: onRequestAsyncHookHandler = async (request) => {
        const actor = request.actor!;
        if (actor.role !== 'system' && hasRole(actor.role, roles)) return;
        throw await audit.deny(actor, roleDenied(forbiddenRoleMessage(roles), null, null, { route: request.routeOptions.url ?? null, method: request.method }));
      };
      ROLE_HOOKS.add(requireRole);
      return [authenticate, requireRole];
    });
  },
  { name: 'auth' },
);
