/**
 * Wakes `email.send` when an e-mail is enqueued (docs/operations.md §7): a dedicated connection
 * LISTENs on the outbox channel, which PostgreSQL notifies only when the transaction that wrote the
 * rows commits, on whichever node it ran. A lost connection is re-opened after a pause; meanwhile
 * the one-minute sweep still sends everything.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_CHANNEL } from '../modules/email/outbox-repository.js';

const RECONNECT_DELAY_MS = 5_000;

export class OutboxListener {
  private client: pg.PoolClient | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly onEnqueued: () => void,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    try {
      const client = await this.pool.connect();
      this.client = client;
      client.on('notification', (message) => {
        if (message.channel === OUTBOX_CHANNEL) this.onEnqueued();
      });
      client.on('error', () => this.reconnectLater());
      client.on('end', () => this.reconnectLater());
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.logger.warn({ err: error }, 'écoute de la file des e-mails impossible ; nouvel essai bientôt');
      this.reconnectLater();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.drop();
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    // A LISTENing connection must not go back to the pool: destroy it.
    client?.release(true);
  }

  private reconnectLater(): void {
    this.drop();
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) void this.start();
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }
}
