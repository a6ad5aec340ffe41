/**
 * Notifications (docs/api.md §4.7): manual creation, the lists, own read state, admin deletion.
 * Someone else's notification answers 404 and is audited `rbac.denied` (reason `hors_perimetre`).
 */
import { mapConstraintViolation } from '../../db/constraints.js';
import { emptyPage, type Page } from '../../db/paging.js';
import type { Store } from '../../db/store.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow, outOfScope, roleDenied, type AuditService } from '../audit/service.js';
import { forbiddenRoleMessage } from '../auth/policy.js';
import { canListNotificationsOf, NOTIFICATION_MESSAGES, ownsNotification } from './policy.js';
import { NOTIFICATION_CONSTRAINT_ERRORS, NOTIFICATION_SORT, type NotificationFilters, type NotificationsRepository } from './repository.js';
import type { NotificationCreateBody, NotificationOut } from './schemas.js';

export interface NotificationsDependencies {
  store: Store<{ notifications: NotificationsRepository; audit: AuditRepository }>;
  audit: AuditService;
  clock: Clock;
}

/** The filters of a user's own list (the recipient is the list's owner). */
export type OwnNotificationFilters = Pick<NotificationFilters, 'types' | 'lu'>;

/** A page as the query gives it: `sort` is parsed here, after the permission check of `listOf`. */
export interface NotificationPageRequest {
  limit: number;
  offset: number;
  sort?: string;
}

export class NotificationsService {
  constructor(private readonly deps: NotificationsDependencies) {}

  /** POST /notifications/: the recipient and the intervention must exist (404); sent now, unread. */
  async create(input: NotificationCreateBody): Promise<NotificationOut> {
    const { notifications } = this.deps.store.repos;
    const interventionId = input.intervention_id ?? null;
    if (!(await notifications.userExists(input.user_id))) throw AppError.notFound(NOTIFICATION_MESSAGES.userNotFound);
    if (interventionId !== null && !(await notifications.interventionExists(interventionId))) throw AppError.notFound(NOTIFICATION_MESSAGES.interventionNotFound);
    const contenu = input.contenu?.trim() ?? '';
    // One transaction: an `email` notification and its outbox row exist together or not at all; the
    // e-mail itself is sent later by `email.send`, never inside the request (docs/api.md §4.7).
    const [id] = await this.deps.store
      .transaction((repos) =>
        repos.notifications.insert([{ type: input.type, canal: input.canal, contenu: contenu === '' ? null : contenu, userId: input.user_id, interventionId, dateEnvoi: this.deps.clock.now() }]),
      )
      .catch((error: unknown) => {
        throw mapConstraintViolation(error, NOTIFICATION_CONSTRAINT_ERRORS);
      });
    return this.get(id!);
  }

  async get(id: number): Promise<NotificationOut> {
    const row = await this.deps.store.repos.notifications.find(id);
    if (!row) throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
    return row;
  }

  /** GET /notifications/ (admins: the route checks the role). */
  list(filters: NotificationFilters, page: NotificationPageRequest): Promise<Page<NotificationOut>> {
    return this.deps.store.repos.notifications.page(filters, { limit: page.limit, offset: page.offset, sort: parseSort(page.sort, NOTIFICATION_SORT) });
  }

  /** The caller's own notifications; the system has none. */
  async listOwn(actor: Actor, filters: OwnNotificationFilters, page: NotificationPageRequest): Promise<Page<NotificationOut>> {
    if (actor.userId === null) return emptyPage();
    return this.list({ ...filters, userId: actor.userId }, page);
  }

  /**
   * GET /notifications/user/{user_id}: someone else's list is a 403, audited like the role refusal
   * of a route (`route` names the route the caller requested).
   */
  async listOf(actor: Actor, userId: number, filters: OwnNotificationFilters, page: NotificationPageRequest, route: string): Promise<Page<NotificationOut>> {
    if (!canListNotificationsOf(actor, userId)) {
      throw await this.deps.audit.deny(actor, roleDenied(forbiddenRoleMessage(['admin']), 'user', userId, { route, method: 'GET' }));
    }
    return this.list({ ...filters, userId }, page);
  }

  /** PUT /notifications/{id}/read: own notifications only; someone else's is a 404 (audited). */
  async markRead(actor: Actor, id: number): Promise<void> {
    const { notifications } = this.deps.store.repos;
    const recipient = await notifications.findRecipient(id);
    if (recipient === undefined) throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
    await this.deps.audit.requireInScope(actor, ownsNotification(actor, { userId: recipient }), () =>
      outOfScope(NOTIFICATION_MESSAGES.notFound, 'notification', id, { action: 'read' }),
    );
    await notifications.markRead(id, this.deps.clock.now());
  }

  /** PUT /notifications/read-all: the caller's unread notifications; the number marked. */
  async markAllRead(actor: Actor): Promise<number> {
    if (actor.userId === null) return 0;
    return this.deps.store.repos.notifications.markAllRead(actor.userId, this.deps.clock.now());
  }

  /** DELETE /notifications/{id} (admins), audited `data.deleted` in the same transaction. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.deps.store.transaction(async (repos) => {
      const deleted = await repos.notifications.delete(id);
      if (!deleted) throw AppError.notFound(NOTIFICATION_MESSAGES.notFound);
      await repos.audit.insert(
        auditRow(actor, {
          eventType: 'data.deleted',
          outcome: 'success',
          resourceType: 'notification',
          resourceId: deleted.id,
          details: { user_id: deleted.user_id, type: deleted.type },
        }),
      );
    });
  }
}
