/**
 * notifications: in-app notifications, one row per recipient (docs/api.md §4.7). Other modules write
 * theirs through `insert`, inside their own business transaction; with an e-mail composer, the
 * outbox rows of the `email` ones are written in that same transaction (docs/operations.md §7).
 */
import type { Canal, TypeNotification } from '../../db/schema.js';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type PageOptions } from '../../db/paging.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import type { SortSpec } from '../../lib/listing.js';
import type { EmailComposer } from '../email/composer.js';
import { EmailOutboxRepository } from '../email/outbox-repository.js';
import { NOTIFICATION_MESSAGES } from './policy.js';

export interface NewNotification {
  type: TypeNotification;
  canal: Canal;
  contenu: string | null;
  userId: number;
  interventionId?: number | null;
  planningId?: number | null;
  dateEnvoi: Date;
}

export interface NotificationFilters {
  userId?: number;
  interventionId?: number;
  types?: TypeNotification[];
  canaux?: Canal[];
  lu?: boolean;
}

export const NOTIFICATION_SORT: SortSpec = {
  fields: { id: 'n.id', date_envoi: 'n.date_envoi' },
  defaultSort: '-date_envoi',
  idColumn: 'n.id',
};

/** The recipient or the intervention deleted between the service's existence checks and the insert. */
export const NOTIFICATION_CONSTRAINT_ERRORS: ConstraintErrors = {
  notifications_user_id_fkey: () => AppError.notFound(NOTIFICATION_MESSAGES.userNotFound),
  notifications_intervention_id_fkey: () => AppError.notFound(NOTIFICATION_MESSAGES.interventionNotFound),
};

/** The columns of NotificationOut. */
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

export class NotificationsRepository {
  /** `mail`: renders the outbox rows of e-mail notifications; null writes the in-app rows only. */
  constructor(
    private readonly db: Executor,
    private readonly mail: EmailComposer | null = null,
  ) {}

  /**
   * One row per notification; `contenu` is cut to the column's 1000 characters. Returns the ids.
   * Call it inside a transaction: the outbox rows must commit (or roll back) with the notifications.
   */
  async insert(notifications: NewNotification[]): Promise<number[]> {
    if (notifications.length === 0) return [];
    const rows = await this.db
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
    const ids = rows.map((row) => row.id);
    const emailIds = ids.filter((_, index) => notifications[index]!.canal === 'email');
    if (this.mail && emailIds.length > 0) await this.mail.enqueue(new EmailOutboxRepository(this.db), emailIds);
    return ids;
  }

  /** The filters combined with AND. */
  async page(filters: NotificationFilters, page: PageOptions) {
    let q = this.selectOut();
    if (filters.userId !== undefined) q = q.where('n.user_id', '=', filters.userId);
    if (filters.interventionId !== undefined) q = q.where('n.intervention_id', '=', filters.interventionId);
    if (filters.types && filters.types.length > 0) q = q.where('n.type', 'in', filters.types);
    if (filters.canaux && filters.canaux.length > 0) q = q.where('n.canal', 'in', filters.canaux);
    if (filters.lu !== undefined) q = q.where('n.lu', '=', filters.lu);
    return selectPage(q, page);
  }

  async find(id: number) {
    return this.selectOut().where('n.id', '=', id).executeTakeFirst();
  }

  /** The recipient of a notification, or undefined when it does not exist. */
  async findRecipient(id: number): Promise<number | undefined> {
    const row = await this.db.selectFrom('notifications').select('user_id').where('id', '=', id).executeTakeFirst();
    return row?.user_id;
  }

  /** Marks one notification read; `date_lecture` keeps its first value (idempotent). */
  async markRead(id: number, now: Date): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set((eb) => ({ lu: true, date_lecture: eb.fn.coalesce('date_lecture', eb.val(now)) }))
      .where('id', '=', id)
      .execute();
  }

  /** Marks every unread notification of the user read; the number of rows changed. */
  async markAllRead(userId: number, now: Date): Promise<number> {
    const result = await this.db
      .updateTable('notifications')
      .set((eb) => ({ lu: true, date_lecture: eb.fn.coalesce('date_lecture', eb.val(now)) }))
      .where('user_id', '=', userId)
      .where('lu', '=', false)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async delete(id: number) {
    return this.db.deleteFrom('notifications').where('id', '=', id).returning(['id', 'user_id', 'type']).executeTakeFirst();
  }

  async userExists(id: number): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  async interventionExists(id: number): Promise<boolean> {
    const row = await this.db.selectFrom('interventions').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  private selectOut() {
    return this.db.selectFrom('notifications as n').select(NOTIFICATION_OUT_COLUMNS);
  }
}
