/**
 * Writes the e-mails of freshly inserted notifications (docs/operations.md §7): in the caller's
 * transaction, one outbox row per e-mail notification of an active recipient, rendered from the
 * template of its type. Nothing is sent here: `email.send` does that after the commit.
 */
import type { Clock } from '../../lib/clock.js';
import type { EmailOutboxRepository } from './outbox-repository.js';
import { renderEmail, type TemplateSettings } from './templates.js';

export class EmailComposer {
  constructor(
    private readonly settings: TemplateSettings,
    private readonly clock: Clock,
  ) {}

  /** Renders and stores the e-mails of `notificationIds` (only those with canal `email`); returns how many. */
  async enqueue(outbox: EmailOutboxRepository, notificationIds: number[]): Promise<number> {
    const notifications = await outbox.notificationsToRender(notificationIds);
    const now = this.clock.now();
    await outbox.insert(
      notifications.map((n) => {
        const email = renderEmail(n.type, n.variables, this.settings);
        return { notificationId: n.notificationId, toAddress: n.toAddress, subject: email.subject, bodyText: email.text, bodyHtml: email.html, now };
      }),
    );
    return notifications.length;
  }
}
