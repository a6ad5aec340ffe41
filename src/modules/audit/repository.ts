import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

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
