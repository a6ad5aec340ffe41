/**
 * Pure rules of notifications (docs/api.md §4.7, docs/security.md §5): messages, and who may read
 * whose notifications. Everyone manages their own; admins list everyone's and delete.
 */
import type { Actor } from '../../lib/actor.js';

export const NOTIFICATION_MESSAGES = {
  notFound: 'Notification non trouvée',
  userNotFound: 'Utilisateur cible introuvable',
  interventionNotFound: 'Intervention cible introuvable',
  markedRead: 'Notification marquée comme lue',
  allMarkedRead: 'Notifications marquées comme lues',
  deleted: 'Notification supprimée',
} as const;

export type Caller = Pick<Actor, 'userId' | 'role'>;

/** GET /notifications/user/{user_id}: admin for anyone, every user for their own id. */
export function canListNotificationsOf(caller: Caller, userId: number): boolean {
  return caller.role === 'admin' || caller.userId === userId;
}

/** A notification belongs to its recipient only, admin included (marking as read is personal). */
export function ownsNotification(caller: Caller, notification: { userId: number }): boolean {
  return caller.userId === notification.userId;
}
