/**
 * Bearer authentication (docs/security.md §1): the token's signature and lifetime, then the user
 * and its session read from the database on every request, so that a deactivation, a role change
 * or a revocation takes effect at once. The result is the request's Actor.
 */
import type { Actor, RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { ENROLMENT_REQUIRED, mustEnrol } from './mfa-policy.js';
import type { AuthRepository } from './repository.js';
import { verifyAccessToken, type AuthSettings } from './tokens.js';

/** The 401 of a token that does not, or no longer, open a session. */
export const INVALID_TOKEN = 'Token invalide ou expiré';

/** The 403 of a user whose password was generated, on every route but the password change (docs/security.md §2). */
export const PASSWORD_CHANGE_REQUIRED = 'Changement de mot de passe obligatoire : utilisez POST /api/v1/auth/change-password';

export interface AuthenticatorDependencies {
  settings: AuthSettings;
  clock: Clock;
  principals: Pick<AuthRepository, 'findPrincipal'>;
}

export class Authenticator {
  constructor(private readonly deps: AuthenticatorDependencies) {}

  /**
   * The Actor of an `Authorization` header value; 401 for anything but a valid, live session, 403
   * when the user must change a generated password or enrol a second factor, unless the route serves that.
   */
  async authenticate(
    header: string | undefined,
    origin: RequestOrigin,
    options: { allowPendingPasswordChange?: boolean; allowPendingMfaEnrolment?: boolean } = {},
  ): Promise<Actor> {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw AppError.unauthorized('Non authentifié');
    const now = this.deps.clock.now();
    const claims = verifyAccessToken(this.deps.settings, match[1]!, now);
    if (!claims) throw AppError.unauthorized(INVALID_TOKEN);
    const principal = await this.deps.principals.findPrincipal(claims.userId, claims.sessionId);
    if (!principal) throw AppError.unauthorized(INVALID_TOKEN);
    if (!principal.isActive) throw AppError.unauthorized('Utilisateur désactivé');
    const validAfter = principal.tokensValidAfter ? Math.floor(principal.tokensValidAfter.getTime() / 1000) : null;
    if (validAfter !== null && claims.issuedAt < validAfter) throw AppError.unauthorized(INVALID_TOKEN);
    if (!principal.sessionExpiresAt || principal.sessionRevokedAt || principal.sessionExpiresAt <= now) {
      throw AppError.unauthorized(INVALID_TOKEN);
    }
    if (principal.mustChangePassword && !options.allowPendingPasswordChange) throw AppError.forbidden(PASSWORD_CHANGE_REQUIRED);
    // MFA_REQUIRED_ROLES: the session may only enrol (docs/security.md §3a).
    if (mustEnrol(principal.role, this.deps.settings.mfaRequiredRoles, principal.hasConfirmedMfa) && !options.allowPendingMfaEnrolment) {
      throw AppError.forbidden(ENROLMENT_REQUIRED);
    }
    return {
      userId: principal.id,
      role: principal.role,
      clientId: principal.clientId,
      technicienId: principal.technicienId,
      sessionId: claims.sessionId,
      ...origin,
    };
  }
}
