/**
 * Where the outbox delivers (docs/operations.md §7): nodemailer over SMTP when SMTP_HOST is set
 * (SMTP_SECURITY: STARTTLS required, implicit TLS, or none), else the log transport, which writes
 * the recipient and the subject (the body at debug level) and counts as a delivery.
 */
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/types.js';

export interface OutgoingEmail {
  messageId: string;
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'log';
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** Connections kept open to the relay, so a batch does not pay one handshake per message. */
const SMTP_POOL_CONNECTIONS = 5;
const SMTP_TIMEOUT_MS = 30_000;

export function smtpTransport(smtp: AppConfig['smtp']): MailTransport {
  const transporter = nodemailer.createTransport({
    host: smtp.host!,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user !== null ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    pool: true,
    maxConnections: SMTP_POOL_CONNECTIONS,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    kind: 'smtp',
    async send(email) {
      await transporter.sendMail({ messageId: email.messageId, from: email.from, to: email.to, subject: email.subject, text: email.text, html: email.html });
    },
    close: () => transporter.close(),
  };
}

export function logTransport(logger: Logger): MailTransport {
  return {
    kind: 'log',
    async send(email) {
      logger.info({ to: email.to, subject: email.subject, message_id: email.messageId }, 'e-mail (transport journal)');
      logger.debug({ to: email.to, body: email.text }, 'e-mail (transport journal) : corps');
    },
    close: () => undefined,
  };
}

export function createMailTransport(smtp: AppConfig['smtp'], logger: Logger): MailTransport {
  return smtp.host !== null ? smtpTransport(smtp) : logTransport(logger);
}
