/**
 * What the intervention use cases are made from, and the two steps they share: the scope check of
 * one intervention (404, audited `rbac.denied` when it exists out of scope) and a write in one
 * transaction (a Denial audited after the rollback, a constraint race answered like its pre-check).
 */
import type { Counter } from 'prom-client';
import { mapConstraintViolation } from '../../db/constraints.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { outOfScope, type AuditService } from '../audit/service.js';
import type { NotificationsRepository } from '../notifications/repository.js';
import type { InterventionPartiesRepository } from './parties-repository.js';
import { INTERVENTION_MESSAGES, inScope, interventionScope } from './policy.js';
import { INTERVENTION_CONSTRAINT_ERRORS, type InterventionsRepository } from './repository.js';

export interface InterventionRepositories {
  interventions: InterventionsRepository;
  parties: InterventionPartiesRepository;
  notifications: NotificationsRepository;
}

export interface InterventionsDependencies {
  store: Store<InterventionRepositories>;
  audit: AuditService;
  clock: Clock;
  /** interventions_status_changes_total (docs/operations.md §9), counted once the change is committed. */
  statusChanges: Counter<'from' | 'to'>;
}

/** `row` (intervention `id`) when the caller may see it; 404 otherwise. */
export async function requireVisible<T extends { technicien_id: number | null; client_id: number | null }>(
  deps: InterventionsDependencies,
  actor: Actor,
  id: number,
  row: T | undefined,
): Promise<T> {
  if (!row) throw AppError.notFound(INTERVENTION_MESSAGES.notFound);
  await deps.audit.requireInScope(actor, inScope(interventionScope(actor), row), () => outOfScope(INTERVENTION_MESSAGES.notFound, 'intervention', id));
  return row;
}

/** Runs `work` in one transaction, for `actor`. */
export function runWrite<T>(deps: InterventionsDependencies, actor: Actor, work: (repos: InterventionRepositories) => Promise<T>): Promise<T> {
  return deps.audit.guard(actor, () =>
    deps.store.transaction(work).catch((error: unknown) => {
      throw mapConstraintViolation(error, INTERVENTION_CONSTRAINT_ERRORS);
    }),
  );
}
