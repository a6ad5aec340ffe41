import type { Kysely } from 'kysely';
import type { Canal, Database, TypeNotification } from '../../db/schema.js';

export interface NewNotification {
  type: TypeNotification;
  canal: Canal;
  contenu: string | null;
  userId: number;
  interventionId?: number | null;
  planningId?: number | null;
  dateEnvoi: Date;
}

/** Inserts in-app notifications (one row per recipient); call it inside the business transaction. */
export async function insertNotifications(db: Kysely<Database>, notifications: NewNotification[]): Promise<number[]> {
  if (notifications.length === 0) return [];
  const rows = await db
    .insertInto('notifications')
    .values(
      notifications.map((n) => ({
        type: n.type,
        canal: n.canal,
        contenu: n.contenu?.slice(0, 1000) ?? null,
        user_id: n.userId,
        intervention_id: n.interventionId ?? null,
        planning_id: n.planningId ?? null,
        date_envoi: n.dateEnvoi,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

// --- API (api.md §4.7) ---------------------------------------------------------------------------

type Db = Kysely<Database>;

const NOTIFICATION_OUT_COLUMNS = [
  'n.id',
  'n.type',
  'n.canal',
  'n.contenu',
  'n.date_envoi',
  'n.intervention_id',
  'n.user_id',
  'n.lu',
  'n.date_lecture',
  'n.planning_id',
] as const;

/** The columns of NotificationOut. */
export function selectNotificationOut(db: Db) {
  return db.selectFrom('notifications as n').select(NOTIFICATION_OUT_COLUMNS);
}

export type NotificationsQuery = ReturnType<typeof selectNotificationOut>;

export interface NotificationFilters {
  userId?: number;
  interventionId?: number;
  types?: TypeNotification[];
  canaux?: Canal[];
  lu?: boolean;
}

export function filterNotifications(query: NotificationsQuery, filters: NotificationFilters): NotificationsQuery {
  let q = query;
  if (filters.userId !== undefined) q = q.where('n.user_id', '=', filters.userId);
  if (filters.interventionId !== undefined) q = q.where('n.intervention_id', '=', filters.interventionId);
  if (filters.types && filters.types.length > 0) q = q.where('n.type', 'in', filters.types);
  if (filters.canaux && filters.canaux.length > 0) q = q.where('n.canal', 'in', filters.canaux);
  if (filters.lu !== undefined) q = q.where('n.lu', '=', filters.lu);
  return q;
}

export async function findNotificationOut(db: Db, id: number) {
  return selectNotificationOut(db).where('n.id', '=', id).executeTakeFirst();
}

/** The recipient of a notification, or undefined when it does not exist. */
export async function findNotificationRecipient(db: Db, id: number): Promise<number | undefined> {
  const row = await db.selectFrom('notifications').select('user_id').where('id', '=', id).executeTakeFirst();
  return row?.user_id;
}

/** Marks one notification read; `date_lecture` keeps its first value (idempotent). */
export async function markNotificationRead(db: Db, id: number, now: Date): Promise<void> {
  await db
    .updateTable('notifications')
    .set((eb) => ({ lu: true, date_lecture: eb.fn.coalesce('date_lecture', eb.val(now)) }))
    .where('id', '=', id)
    .execute();
}

/** Marks every unread notification of the user read; the number of rows changed. */
export async function markAllNotificationsRead(db: Db, userId: number, now: Date): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set((eb) => ({ lu: true, date_lecture: eb.fn.coalesce('date_lecture', eb.val(now)) }))
    .where('user_id', '=', userId)
    .where('lu', '=', false)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteNotification(db: Db, id: number) {
  return db.deleteFrom('notifications').where('id', '=', id).returning(['id', 'user_id', 'type']).executeTakeFirst();
}

export async function userExists(db: Db, id: number): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export async function interventionExists(db: Db, id: number): Promise<boolean> {
  const row = await db.selectFrom('interventions').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** The constraint of a foreign-key violation (23503), or null for any other error. */
export function foreignKeyViolation(error: unknown): string | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e && e.code === '23503' && typeof e.constraint === 'string' ? e.constraint : null;
}
