/** Transitional: removed once every module passes `request.actor` to its service. */
import type { FastifyRequest } from 'fastify';
import type { AuditEventInput } from './repository.js';

/** Who, from where, in which request: the common part of every audit row written during a request. */
export function auditContext(request: FastifyRequest): Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'> {
  return {
    actorUserId: request.user?.id ?? null,
    actorRole: request.user?.role ?? null,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    requestId: request.id,
  };
}
