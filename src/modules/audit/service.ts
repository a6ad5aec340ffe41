/**
 * The audit writer (docs/security.md §9) and the one way to refuse access (docs/architecture.md
 * "Refusals"): a `Denial` names the answer (404 out of scope, 403 for a role) and what to audit as
 * `rbac.denied`. Thrown inside a transaction, it is audited after the rollback by `guard`, so that a
 * refused write leaves exactly one row: its audit event.
 */
import type { Role } from '../../db/schema.js';
import type { Page, PageOptions } from '../../db/paging.js';
import type { Store } from '../../db/store.js';
import type { RequestOrigin } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import type { AuditEventInput, AuditEventRow, AuditFilters, AuditRepository } from './repository.js';

export interface AuditEvent {
  eventType: string;
  outcome: AuditEventInput['outcome'];
  resourceType?: string | null;
  resourceId?: string | number | null;
  details?: Record<string, unknown>;
}

/** Who an audit row names: an actor, or only an origin before anyone is known (a failed login). */
export type AuditSubject = RequestOrigin & { userId?: number | null; role?: Role | 'system' | null };

/** The audit row of `event` done by `subject`; the system is written with a null role. */
export function auditRow(subject: AuditSubject, event: AuditEvent): AuditEventInput {
  return {
    actorUserId: subject.userId ?? null,
    actorRole: subject.role === 'system' ? null : (subject.role ?? null),
    ip: subject.ip,
    userAgent: subject.userAgent,
    requestId: subject.requestId,
    eventType: event.eventType,
    outcome: event.outcome,
    resourceType: event.resourceType ?? null,
    resourceId: event.resourceId === undefined || event.resourceId === null ? null : String(event.resourceId),
    details: event.details,
  };
}

/** A refusal to audit as `rbac.denied` and to answer with `error`. */
export class Denial extends Error {
  constructor(
    readonly error: AppError,
    readonly resourceType: string | null,
    readonly resourceId: string | number | null,
    readonly details: Record<string, unknown>,
  ) {
    super(error.message);
    this.name = 'Denial';
  }
}

/** A record outside the caller's scope: the same 404 as a missing one (docs/security.md §5). */
export function outOfScope(message: string, resourceType: string, resourceId: string | number, details: Record<string, unknown> = {}): Denial {
  return new Denial(AppError.notFound(message), resourceType, resourceId, { reason: 'hors_perimetre', ...details });
}

/** An action the caller's role may not take on this record: 403. */
export function roleDenied(message: string, resourceType: string | null, resourceId: string | number | null, details: Record<string, unknown> = {}): Denial {
  return new Denial(AppError.forbidden(message), resourceType, resourceId, { reason: 'role', ...details });
}

export type AuditRepositories = { audit: AuditRepository };

export class AuditService {
  constructor(private readonly store: Store<AuditRepositories>) {}

  async record(subject: AuditSubject, event: AuditEvent): Promise<void> {
    await this.store.repos.audit.insert(auditRow(subject, event));
  }

  /** Audits `denial` and returns the error to throw. */
  async deny(actor: AuditSubject, denial: Denial): Promise<AppError> {
    await this.record(actor, { eventType: 'rbac.denied', outcome: 'denied', resourceType: denial.resourceType, resourceId: denial.resourceId, details: denial.details });
    return denial.error;
  }

  /** The record-scope check: a row the caller may not see answers 404 and is audited. */
  async requireInScope(actor: AuditSubject, visible: boolean, denial: () => Denial): Promise<void> {
    if (!visible) throw await this.deny(actor, denial());
  }

  /** Runs `work`; a Denial it throws (after its transaction rolled back) is audited and answered. */
  async guard<T>(actor: AuditSubject, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Denial) throw await this.deny(actor, error);
      throw error;
    }
  }

  list(filters: AuditFilters, page: PageOptions): Promise<Page<AuditEventRow>> {
    return this.store.repos.audit.page(filters, page);
  }

  async get(id: number): Promise<AuditEventRow> {
    const event = await this.store.repos.audit.find(id);
    if (!event) throw AppError.notFound("Événement d'audit introuvable");
    return event;
  }
}
