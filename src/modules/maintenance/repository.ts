/**
 * The deletions of `maintenance.purge` (docs/operations.md §6), one statement per kind of row. Each
 * is idempotent (a row purged once no longer matches), so two workers or a retry purge nothing twice.
 */
import type { Executor } from '../../db/store.js';

export interface PurgeCutoffs {
  /** Sessions revoked or expired before this instant go, with their refresh tokens (FK CASCADE). */
  sessions: Date;
  loginAttempts: Date;
  /** Lockouts untouched since this instant and not locked any more. */
  lockoutsIdle: Date;
  audit: Date;
  outboxSent: Date;
  outboxFailed: Date;
  now: Date;
}

export interface PurgeCounts {
  [key: string]: number;
  sessions: number;
  login_attempts: number;
  lockouts: number;
  audit_events: number;
  outbox_sent: number;
  outbox_failed: number;
}

export class PurgeRepository {
  constructor(private readonly db: Executor) {}

  async purge(c: PurgeCutoffs): Promise<PurgeCounts> {
    const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
    const sessions = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('revoked_at', '<', c.sessions), eb('expires_at', '<', c.sessions)]))
      .executeTakeFirst();
    const loginAttempts = await this.db.deleteFrom('login_attempts').where('created_at', '<', c.loginAttempts).executeTakeFirst();
    const lockouts = await this.db
      .deleteFrom('lockouts')
      .where('updated_at', '<', c.lockoutsIdle)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', c.now)]))
      .executeTakeFirst();
    const audit = await this.db.deleteFrom('audit_events').where('created_at', '<', c.audit).executeTakeFirst();
    const sent = await this.db.deleteFrom('email_outbox').where('status', '=', 'sent').where('created_at', '<', c.outboxSent).executeTakeFirst();
    const failed = await this.db.deleteFrom('email_outbox').where('status', '=', 'failed').where('created_at', '<', c.outboxFailed).executeTakeFirst();
    return {
      sessions: count(sessions),
      login_attempts: count(loginAttempts),
      lockouts: count(lockouts),
      audit_events: count(audit),
      outbox_sent: count(sent),
      outbox_failed: count(failed),
    };
  }
}
