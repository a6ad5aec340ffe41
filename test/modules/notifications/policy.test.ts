import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canListNotificationsOf, NOTIFICATION_MESSAGES, ownsNotification } from '../../../src/modules/notifications/policy.js';

test("listing a user's notifications: admin for anyone, the others for their own id only", () => {
  assert.equal(canListNotificationsOf({ userId: 1, role: 'admin' }, 2), true);
  assert.equal(canListNotificationsOf({ userId: 1, role: 'admin' }, 1), true);
  for (const role of ['responsable', 'technicien', 'client'] as const) {
    assert.equal(canListNotificationsOf({ userId: 5, role }, 5), true, role);
    assert.equal(canListNotificationsOf({ userId: 5, role }, 6), false, role);
  }
});

test('a notification is owned by its recipient only, whatever the role', () => {
  for (const role of ['admin', 'responsable', 'technicien', 'client'] as const) {
    assert.equal(ownsNotification({ userId: 3, role }, { userId: 3 }), true, role);
    assert.equal(ownsNotification({ userId: 3, role }, { userId: 4 }), false, role);
  }
});

test('messages of docs/api.md §4.7', () => {
  assert.deepEqual(NOTIFICATION_MESSAGES, {
    notFound: 'Notification non trouvée',
    userNotFound: 'Utilisateur cible introuvable',
    interventionNotFound: 'Intervention cible introuvable',
    markedRead: 'Notification marquée comme lue',
    allMarkedRead: 'Notifications marquées comme lues',
    deleted: 'Notification supprimée',
  });
});
