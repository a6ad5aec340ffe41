/**
 * audit_events: append-only rows (docs/security.md §9). Writes go through the AuditService or, inside
 * a transaction, through the transaction's AuditRepository.
 */
import type { Counter } from 'prom-client';
import type { AuditOutcome } from '../../db/schema.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Executor } from '../../db/store.js';
import { prefixPattern, type SortSpec } from '../../lib/listing.js';

export interface AuditEventInput {
  eventType: string;
  outcome: 'success' | 'failure' | 'denied';
  actorUserId?: number | null;
  actorRole?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditFilters {
  /** Prefix of event_type (`auth.` matches every auth event); LIKE wildcards are escaped. */
  eventTypePrefix?: string;
  outcomes?: AuditOutcome[];
  actorUserId?: number;
  resourceType?: string;
  resourceId?: string;
  dateMin?: Date;
  dateMax?: Date;
}

export const AUDIT_SORT: SortSpec = {
  fields: { id: 'a.id', created_at: 'a.created_at' },
  defaultSort: '-created_at',
  idColumn: 'a.id',
};

export class AuditRepository {
  /**
   * `events` is audit_events_total (docs/operations.md §9), counted once the row is written. A row
   * written in a transaction that later rolls back stays counted: refusals, the usual case, are
   * audited after their rollback (AuditService.guard), so the count follows the table closely.
   */
  constructor(
    private readonly db: Executor,
    private readonly events?: Counter<'event_type' | 'outcome'>,
  ) {}

  async insert(event: AuditEventInput): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        event_type: event.eventType,
        outcome: event.outcome,
        actor_user_id: event.actorUserId ?? null,
        actor_role: event.actorRole ?? null,
        ip: event.ip ?? null,
        user_agent: event.userAgent?.slice(0, 255) ?? null,
        request_id: event.requestId ?? null,
        resource_type: event.resourceType ?? null,
        resource_id: event.resourceId ?? null,
        details: JSON.stringify(event.details ?? {}),
      })
      .execute();
    this.events?.labels(event.eventType, event.outcome).inc();
  }

  /** The filters of GET /audit/, combined with AND; the date bounds are inclusive. */
  async page(filters: AuditFilters, page: PageOptions) {
    let q = this.selectEvents();
    if (filters.eventTypePrefix) q = q.where('a.event_type', 'like', prefixPattern(filters.eventTypePrefix));
    if (filters.outcomes && filters.outcomes.length > 0) q = q.where('a.outcome', 'in', filters.outcomes);
    if (filters.actorUserId !== undefined) q = q.where('a.actor_user_id', '=', filters.actorUserId);
    if (filters.resourceType !== undefined) q = q.where('a.resource_type', '=', filters.resourceType);
    if (filters.resourceId !== undefined) q = q.where('a.resource_id', '=', filters.resourceId);
    if (filters.dateMin) q = q.where('a.created_at', '>=', filters.dateMin);
    if (filters.dateMax) q = q.where('a.created_at', '<=', filters.dateMax);
    return selectPage(q, page);
  }

  async find(id: number) {
    return this.selectEvents().where('a.id', '=', id).executeTakeFirst();
  }

  /** Every audit_events column (AuditEventOut). */
  private selectEvents() {
    return this.db
      .selectFrom('audit_events as a')
      .select([
        'a.id',
        'a.created_at',
        'a.event_type',
        'a.outcome',
        'a.actor_user_id',
        'a.actor_role',
        'a.ip',
        'a.user_agent',
        'a.request_id',
        'a.resource_type',
        'a.resource_id',
        'a.details',
      ]);
  }
}

export type AuditEventRow = NonNullable<Awaited<ReturnType<AuditRepository['find']>>>;
export type AuditPage = Page<AuditEventRow>;
