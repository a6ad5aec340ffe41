/**
 * Pure rules of notifications (api.md §4.7, security.md §5): messages, and who may read whose
 * notifications. Everyone manages their own; admins list everyone's and delete.
 */
import type { Role } from '../../db/schema.js';

export const NOTIFICATION_MESSAGES = {
  notFound: 'Notification non trouvée',
  userNotFound: 'Utilisateur cible introuvable',
  interventionNotFound: 'Intervention cible introuvable',
  markedRead: 'Notification marquée comme lue',
  allMarkedRead: 'Notifications marquées comme lues',
  deleted: 'Notification supprimée',
} as const;

export interface Caller {
  id: number;
  role: Role;
}

/** GET /notifications/user/{user_id}: admin for anyone, every user for their own id. */
export function canListNotificationsOf(caller: Caller, userId: number): boolean {
  return caller.role === 'admin' || caller.id === userId;
}

/** A notification belongs to its recipient only, admin included (marking as read is personal). */
export function ownsNotification(caller: Caller, notification: { userId: number }): boolean {
  return caller.id === notification.userId;
}
