/**
 * Notifications (api.md §4.7): manual creation, own read state, admin deletion. Records outside
 * the caller's scope answer 404 and are audited `rbac.denied` (reason `hors_perimetre`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { forbiddenRoleMessage } from '../auth/policy.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { canListNotificationsOf, NOTIFICATION_MESSAGES, ownsNotification, type Caller } from './policy.js';
import {
  deleteNotification as deleteNotificationRow,
  findNotificationOut,
  findNotificationRecipient,
  foreignKeyViolation,
  insertNotifications,
  interventionExists,
  markAllNotificationsRead,
  markNotificationRead,
  userExists,
} from './repository.js';
import type { NotificationCreateBody, NotificationOut } from './schemas.js';

export type AuditActor = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

export async function getNotification(db: Kysely<Database>, id: number): Promise<NotificationOut> {
  const row = await findNotificationOut(db, id);
  if (!row) throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
  return row;
}

/** POST /notifications/: the recipient and the intervention must exist (404); the row is stored as is. */
export async function createNotification(db: Kysely<Database>, body: NotificationCreateBody, now: Date): Promise<number> {
  const interventionId = body.intervention_id ?? null;
  if (!(await userExists(db, body.user_id))) throw AppError.notFound(NOTIFICATION_MESSAGES.userNotFound);
  if (interventionId !== null && !(await interventionExists(db, interventionId))) throw AppError.notFound(NOTIFICATION_MESSAGES.interventionNotFound);
  const contenu = body.contenu?.trim() ?? '';
  try {
    const [id] = await insertNotifications(db, [
      { type: body.type, canal: body.canal, contenu: contenu === '' ? null : contenu, userId: body.user_id, interventionId, dateEnvoi: now },
    ]);
    return id!;
  } catch (error) {
    // The recipient or the intervention vanished after the checks.
    const constraint = foreignKeyViolation(error);
    if (constraint === 'notifications_user_id_fkey') throw AppError.notFound(NOTIFICATION_MESSAGES.userNotFound);
    if (constraint === 'notifications_intervention_id_fkey') throw AppError.notFound(NOTIFICATION_MESSAGES.interventionNotFound);
    throw error;
  }
}

/** GET /notifications/user/{user_id}: 403 (audited, like a role refusal) for someone else's list. */
export async function assertCanListNotificationsOf(db: Kysely<Database>, caller: Caller, userId: number, actor: AuditActor, route: string): Promise<void> {
  if (canListNotificationsOf(caller, userId)) return;
  await insertAuditEvent(db, {
    ...actor,
    eventType: 'rbac.denied',
    outcome: 'denied',
    resourceType: 'user',
    resourceId: String(userId),
    details: { reason: 'role', route, method: 'GET' },
  });
  throw AppError.forbidden(forbiddenRoleMessage(['admin']));
}

/** PUT /notifications/{id}/read: own notifications only; someone else's is a 404 (audited). */
export async function markRead(db: Kysely<Database>, caller: Caller, id: number, now: Date, actor: AuditActor): Promise<void> {
  const recipient = await findNotificationRecipient(db, id);
  if (recipient === undefined) throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
  if (!ownsNotification(caller, { userId: recipient })) {
    await insertAuditEvent(db, {
      ...actor,
      eventType: 'rbac.denied',
      outcome: 'denied',
      resourceType: 'notification',
      resourceId: String(id),
      details: { reason: 'hors_perimetre', action: 'read' },
    });
    throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
  }
  await markNotificationRead(db, id, now);
}

/** PUT /notifications/read-all: the caller's unread notifications; the number marked. */
export async function markAllRead(db: Kysely<Database>, caller: Caller, now: Date): Promise<number> {
  return markAllNotificationsRead(db, caller.id, now);
}

/** DELETE /notifications/{id} (admin), audited `data.deleted` in the same transaction. */
export async function deleteNotification(db: Kysely<Database>, id: number, actor: AuditActor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await deleteNotificationRow(trx, id);
    if (!deleted) throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
    await insertAuditEvent(trx, {
      ...actor,
      eventType: 'data.deleted',
      outcome: 'success',
      resourceType: 'notification',
      resourceId: String(deleted.id),
      details: { user_id: deleted.user_id, type: deleted.type },
    });
  });
}
