/**
 * Bearer authentication (docs/security.md §1): the token's signature and lifetime, then the user
 * and its session read from the database on every request, so that a deactivation, a role change
 * or a revocation takes effect at once. The result is the request's Actor.
 */
import type { Actor, RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { ENROLMENT_REQUIRED, mustEnrol } from './mfa-policy.js';
import type { AuthRepository, Principal } from './repository.js';
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

export interface AuthenticationOptions {
  allowPendingPasswordChange?: boolean;
  allowPendingMfaEnrolment?: boolean;
}

/** A bearer token whose signature and lifetime are verified, before its session is read. */
export interface Credentials {
  userId: number;
  sessionId: string;
  issuedAt: number;
  origin: RequestOrigin;
  options: AuthenticationOptions;
}

export class Authenticator {
  constructor(private readonly deps: AuthenticatorDependencies) {}

  /**
   * The Actor of an `Authorization` header value; 401 for anything but a valid, live session, 403
   * when the user must change a generated password or enrol a second factor, unless the route serves that.
   */
  async authenticate(header: string | undefined, origin: RequestOrigin, options: AuthenticationOptions = {}): Promise<Actor> {
    const credentials = this.verify(header, origin, options);
    return this.admit(credentials, await this.deps.principals.findPrincipal(credentials.userId, credentials.sessionId));
  }

  /** The token's half of `authenticate`, without the database: 401 for a malformed, forged or expired token. */
  verify(header: string | undefined, origin: RequestOrigin, options: AuthenticationOptions = {}): Credentials {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw AppError.unauthorized('Non authentifié');
    const claims = verifyAccessToken(this.deps.settings, match[1]!, this.deps.clock.now());
    if (!claims) throw AppError.unauthorized(INVALID_TOKEN);
    return { userId: claims.userId, sessionId: claims.sessionId, issuedAt: claims.issuedAt, origin, options };
  }

  /**
   * The database's half: the principal read for these credentials (on its own, or carried by the
   * request's first read: docs/decisions.md "Per-request cost") decides, on every request.
   */
  admit(credentials: Credentials, principal: Principal | null): Actor {
    const now = this.deps.clock.now();
    if (!principal) throw AppError.unauthorized(INVALID_TOKEN);
    if (!principal.isActive) throw AppError.unauthorized('Utilisateur désactivé');
    const validAfter = principal.tokensValidAfter ? Math.floor(principal.tokensValidAfter.getTime() / 1000) : null;
    if (validAfter !== null && credentials.issuedAt < validAfter) throw AppError.unauthorized(INVALID_TOKEN);
    if (!principal.sessionExpiresAt || principal.sessionRevokedAt || principal.sessionExpiresAt <= now) {
      throw AppError.unauthorized(INVALID_TOKEN);
    }
    const { options } = credentials;
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
      sessionId: credentials.sessionId,
      ...credentials.origin,
    };
  }
}
