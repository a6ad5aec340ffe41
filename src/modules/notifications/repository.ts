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
