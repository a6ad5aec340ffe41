import type { Kysely } from 'kysely';
import type { AuditOutcome, Database } from '../../db/schema.js';
import { prefixPattern } from '../../lib/listing.js';

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

/** Appends one audit row; pass the transaction when the audited action has one. */
export async function insertAuditEvent(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
  await db
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
}

export interface AuditFilters {
  /** Prefix of event_type (`auth.` matches every auth event); LIKE wildcards are escaped. */
  eventTypePrefix?: string;
  outcomes?: string[];
  actorUserId?: number;
  resourceType?: string;
  resourceId?: string;
  dateMin?: Date;
  dateMax?: Date;
}

/** Every audit_events column (AuditEventOut). */
export function selectAuditEvents(db: Kysely<Database>) {
  return db
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

export type AuditEventsQuery = ReturnType<typeof selectAuditEvents>;

/** The filters of GET /audit/, combined with AND; the date bounds are inclusive. */
export function filterAuditEvents(query: AuditEventsQuery, filters: AuditFilters): AuditEventsQuery {
  let q = query;
  if (filters.eventTypePrefix) q = q.where('a.event_type', 'like', prefixPattern(filters.eventTypePrefix));
  if (filters.outcomes && filters.outcomes.length > 0) q = q.where('a.outcome', 'in', filters.outcomes as AuditOutcome[]);
  if (filters.actorUserId !== undefined) q = q.where('a.actor_user_id', '=', filters.actorUserId);
  if (filters.resourceType !== undefined) q = q.where('a.resource_type', '=', filters.resourceType);
  if (filters.resourceId !== undefined) q = q.where('a.resource_id', '=', filters.resourceId);
  if (filters.dateMin) q = q.where('a.created_at', '>=', filters.dateMin);
  if (filters.dateMax) q = q.where('a.created_at', '<=', filters.dateMax);
  return q;
}

export async function findAuditEvent(db: Kysely<Database>, id: number) {
  return selectAuditEvents(db).where('a.id', '=', id).executeTakeFirst();
}
