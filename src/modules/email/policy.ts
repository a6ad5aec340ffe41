/**
 * Pure delivery rules of the outbox (docs/operations.md §7): the backoff between attempts, which
 * SMTP failures are permanent, the sender and the Message-ID.
 */

/** Waits after the 1st, 2nd, … failed attempt: 1 min, 5 min, 15 min, 1 h, then 6 h. */
export const BACKOFF_MINUTES = [1, 5, 15, 60, 360] as const;

/** A row still `sending` this long after its claim belongs to a worker that died: it is released. */
export const STUCK_SENDING_MS = 10 * 60_000;

export function retryDelayMs(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), BACKOFF_MINUTES.length) - 1;
  return BACKOFF_MINUTES[index]! * 60_000;
}

/** What nodemailer reports of a failed delivery. */
export interface SmtpFailure {
  code?: string;
  responseCode?: number;
  message: string;
}

/**
 * A 5xx answer to the message (a refused recipient, a rejected content) will never succeed: the row
 * is failed at once. A 5xx to the authentication (EAUTH) is a configuration fault that the operator
 * fixes, so it is retried like network errors and 4xx answers.
 */
export function isPermanentFailure(failure: SmtpFailure): boolean {
  const code = failure.responseCode;
  return code !== undefined && code >= 500 && code < 600 && failure.code !== 'EAUTH';
}

export type Outcome = { status: 'sent' } | { status: 'retry'; nextAttemptAt: Date } | { status: 'failed' };

/** What becomes of a row after its attempt number `attempts` failed. */
export function afterFailure(failure: SmtpFailure, attempts: number, maxAttempts: number, now: Date): Outcome {
  if (isPermanentFailure(failure) || attempts >= maxAttempts) return { status: 'failed' };
  return { status: 'retry', nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)) };
}

/** The error kept in `last_error` and the log: the server's answer, never a credential. */
export function describeFailure(failure: SmtpFailure): string {
  const prefix = failure.responseCode !== undefined ? `${failure.responseCode} ` : failure.code ? `${failure.code} ` : '';
  return `${prefix}${failure.message}`.replace(/\s+/g, ' ').trim().slice(0, 1000);
}

/** The sender domain of the Message-ID `<outbox-{id}@{domain}>`. */
export function senderDomain(fromEmail: string): string {
  const at = fromEmail.lastIndexOf('@');
  return at >= 0 ? fromEmail.slice(at + 1).toLowerCase() : 'localhost';
}

export function messageId(outboxId: number, fromEmail: string): string {
  return `<outbox-${outboxId}@${senderDomain(fromEmail)}>`;
}
