/**
 * `email.send` (docs/operations.md §7): releases rows stuck in `sending`, then claims due rows in
 * batches (`FOR UPDATE SKIP LOCKED`: several workers never share a row) and delivers them through
 * the transport. A temporary failure goes back to `pending` with the backoff; a permanent 5xx, or
 * the last allowed attempt, leaves the row `failed`. Each failure is logged with the server's answer.
 */
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Store } from '../../db/store.js';
import type { Clock } from '../../lib/clock.js';
import type { ClaimedEmail, EmailOutboxRepository } from './outbox-repository.js';
import { afterFailure, describeFailure, messageId, STUCK_SENDING_MS, type SmtpFailure } from './policy.js';
import type { MailTransport } from './transport.js';

export interface EmailDeliveryDependencies {
  store: Store<{ outbox: EmailOutboxRepository }>;
  transport: MailTransport;
  clock: Clock;
  logger: Logger;
  settings: {
    /** EMAILS_FROM_EMAIL; without it (development, log transport) `noreply@localhost`. */
    fromEmail: string | null;
    fromName: string;
    maxAttempts: number;
  };
  /** Rows claimed at once; they are sent concurrently over the transport's pooled connections. */
  batchSize?: number;
  /** emails_total by status sent, retry, failed (docs/operations.md §9). */
  outcomes: Counter<'status'>;
}

export interface DeliverySummary {
  [key: string]: number;
  sent: number;
  retried: number;
  failed: number;
  released: number;
}

const DEFAULT_BATCH = 20;
const FALLBACK_FROM = 'noreply@localhost';

function asFailure(error: unknown): SmtpFailure {
  if (error instanceof Error) {
    const { code, responseCode } = error as Error & { code?: unknown; responseCode?: unknown };
    return { message: error.message, code: typeof code === 'string' ? code : undefined, responseCode: typeof responseCode === 'number' ? responseCode : undefined };
  }
  return { message: String(error) };
}

export class EmailDeliveryService {
  constructor(private readonly deps: EmailDeliveryDependencies) {}

  get transportKind(): MailTransport['kind'] {
    return this.deps.transport.kind;
  }

  /** Sends every due row, batch after batch, until none is due or `signal` asks to stop (between batches). */
  async sendDue(signal?: AbortSignal): Promise<DeliverySummary> {
    const { outbox } = this.deps.store.repos;
    const now = this.deps.clock.now();
    const summary: DeliverySummary = { sent: 0, retried: 0, failed: 0, released: 0 };
    summary.released = await outbox.releaseStuck(new Date(now.getTime() - STUCK_SENDING_MS), now, this.deps.settings.maxAttempts);
    if (summary.released > 0) this.deps.logger.warn({ released: summary.released }, 'e-mails bloqués en envoi remis en attente');
    while (!signal?.aborted) {
      const batch = await outbox.claimDue(this.deps.clock.now(), this.deps.batchSize ?? DEFAULT_BATCH);
      if (batch.length === 0) break;
      const outcomes = await Promise.all(batch.map((row) => this.deliver(row)));
      for (const outcome of outcomes) {
        summary[outcome === 'sent' ? 'sent' : outcome === 'retry' ? 'retried' : 'failed']++;
        this.deps.outcomes.labels(outcome).inc();
      }
    }
    return summary;
  }

  /** Closes the transport's idle SMTP connections. */
  close(): void {
    this.deps.transport.close();
  }

  /** The outbox counts of /health/detailed. */
  counts(): Promise<{ pending: number; failed: number }> {
    return this.deps.store.repos.outbox.counts();
  }

  private async deliver(row: ClaimedEmail): Promise<'sent' | 'retry' | 'failed'> {
    const { outbox } = this.deps.store.repos;
    const { fromEmail, fromName, maxAttempts } = this.deps.settings;
    const address = fromEmail ?? FALLBACK_FROM;
    try {
      await this.deps.transport.send({
        messageId: messageId(row.id, address),
        from: { name: fromName, address },
        to: row.to_address,
        subject: row.subject,
        text: row.body_text,
        html: row.body_html,
      });
    } catch (error) {
      const failure = asFailure(error);
      const outcome = afterFailure(failure, row.attempts, maxAttempts, this.deps.clock.now());
      const description = describeFailure(failure);
      this.deps.logger.warn({ outbox_id: row.id, attempts: row.attempts, outcome: outcome.status, error: description }, 'échec d’envoi d’un e-mail');
      if (outcome.status === 'retry') await outbox.markRetry(row.id, outcome.nextAttemptAt, description);
      else await outbox.markFailed(row.id, description);
      return outcome.status === 'retry' ? 'retry' : 'failed';
    }
    await outbox.markSent(row.id, this.deps.clock.now());
    return 'sent';
  }
}
