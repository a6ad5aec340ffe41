/**
 * Every SQL statement of the e-mail outbox (docs/operations.md §7): the variables of the notifications
 * to render, the rows written in the notification's transaction, the claims of `email.send`
 * (`FOR UPDATE SKIP LOCKED`, so two workers never take the same row), the outcomes, the release of
 * rows stuck in `sending`, and the counts of /health/detailed.
 */
import { sql } from 'kysely';
import type { TypeNotification } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import type { EmailVariables } from './templates.js';

/** The NOTIFY channel that wakes `email.send` once the transaction that wrote rows commits. */
export const OUTBOX_CHANNEL = 'email_outbox';

export interface OutboxNotification {
  notificationId: number;
  type: TypeNotification;
  toAddress: string;
  variables: EmailVariables;
}

export interface NewOutboxRow {
  notificationId: number;
  toAddress: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  now: Date;
}

export interface ClaimedEmail {
  id: number;
  to_address: string;
  subject: string;
  body_text: string;
  body_html: string;
  attempts: number;
}

export class EmailOutboxRepository {
  constructor(private readonly db: Executor) {}

  /** The e-mail notifications among `ids` whose recipient is active, with their template variables. */
  async notificationsToRender(ids: number[]): Promise<OutboxNotification[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('notifications as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .leftJoin('interventions as i', 'i.id', 'n.intervention_id')
      .leftJoin('equipements as e', 'e.id', 'i.equipement_id')
      .leftJoin('techniciens as t', 't.id', 'i.technicien_id')
      .leftJoin('users as tu', 'tu.id', 't.user_id')
      .leftJoin('plannings as p', 'p.id', 'n.planning_id')
      .leftJoin('equipements as pe', 'pe.id', 'p.equipement_id')
      .select([
        'n.id as notification_id',
        'n.type',
        'n.contenu',
        'n.planning_id',
        'u.email',
        'u.full_name',
        'i.id as intervention_id',
        'i.titre',
        'i.description',
        'i.statut',
        'i.priorite',
        'i.date_limite',
        'i.date_cloture',
        'i.travaux_realises',
        'e.nom as equipement_nom',
        'e.localisation as equipement_localisation',
        'tu.full_name as technicien_nom',
        'pe.nom as planning_equipement_nom',
      ])
      .where('n.id', 'in', ids)
      .where('n.canal', '=', 'email')
      .where('u.is_active', '=', true)
      .orderBy('n.id')
      .execute();
    return rows.map((r) => ({
      notificationId: r.notification_id,
      type: r.type,
      toAddress: r.email,
      variables: {
        destinataire_nom: r.full_name,
        id: r.intervention_id,
        // A planning's notification has no intervention: its title names the planning.
        titre: r.titre ?? (r.planning_id !== null ? `Planning #${r.planning_id}${r.planning_equipement_nom ? ` (${r.planning_equipement_nom})` : ''}` : null),
        description: r.description,
        statut: r.statut,
        priorite: r.priorite,
        date_limite: r.date_limite,
        date_cloture: r.date_cloture,
        equipement_nom: r.equipement_nom ?? r.planning_equipement_nom,
        equipement_localisation: r.equipement_localisation,
        technicien_nom: r.technicien_nom,
        travaux_realises: r.travaux_realises,
        contenu: r.contenu,
        planning_id: r.planning_id,
      },
    }));
  }

  /** Writes the rows, then signals `email.send`; PostgreSQL delivers the signal only if the transaction commits. */
  async insert(rows: NewOutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('email_outbox')
      .values(
        rows.map((r) => ({
          notification_id: r.notificationId,
          to_address: r.toAddress,
          subject: r.subject,
          body_text: r.bodyText,
          body_html: r.bodyHtml,
          next_attempt_at: r.now,
          created_at: r.now,
        })),
      )
      .execute();
    await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(this.db);
  }

  /**
   * Claims up to `limit` due rows: `sending`, one more attempt, `next_attempt_at` = the claim time
   * (what the stuck-row release measures from).
   */
  async claimDue(now: Date, limit: number): Promise<ClaimedEmail[]> {
    const result = await sql<ClaimedEmail>`
      UPDATE email_outbox o SET status = 'sending', attempts = o.attempts + 1, next_attempt_at = ${now}
      FROM (
        SELECT id FROM email_outbox
        WHERE status = 'pending' AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) due
      WHERE o.id = due.id
      RETURNING o.id, o.to_address, o.subject, o.body_text, o.body_html, o.attempts`.execute(this.db);
    return result.rows;
  }

  async markSent(id: number, now: Date): Promise<void> {
    await this.db.updateTable('email_outbox').set({ status: 'sent', sent_at: now, last_error: null }).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  async markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.db
      .updateTable('email_outbox')
      .set({ status: 'pending', next_attempt_at: nextAttemptAt, last_error: error.slice(0, 1000) })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .execute();
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db.updateTable('email_outbox').set({ status: 'failed', last_error: error.slice(0, 1000) }).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  /**
   * Rows claimed before `claimedBefore` and still `sending` (a worker died mid-send): back to
   * `pending` now, or `failed` when they have used every attempt. Returns how many were released.
   */
  async releaseStuck(claimedBefore: Date, now: Date, maxAttempts: number): Promise<number> {
    const result = await sql`
      UPDATE email_outbox SET
        status = CASE WHEN attempts >= ${maxAttempts} THEN 'failed' ELSE 'pending' END,
        next_attempt_at = ${now},
        last_error = COALESCE(last_error, 'envoi interrompu')
      WHERE status = 'sending' AND next_attempt_at < ${claimedBefore}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Rows waiting to be sent (pending or being sent) and rows abandoned. */
  async counts(): Promise<{ pending: number; failed: number }> {
    const row = await this.db
      .selectFrom('email_outbox')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('status', 'in', ['pending', 'sending']).as('pending'),
        eb.fn.countAll<number>().filterWhere('status', '=', 'failed').as('failed'),
      ])
      .executeTakeFirstOrThrow();
    return { pending: Number(row.pending), failed: Number(row.failed) };
  }
}
