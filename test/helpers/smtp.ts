/**
 * A real SMTP server in the test process (the `smtp-server` package) on a free loopback port: it
 * receives what nodemailer sends over TCP, answers each message as the test scripts it (accept, a
 * temporary 451, a permanent 550), and keeps every accepted message parsed by `mailparser`.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { findFreePort } from '../../src/db/embedded.js';

export type SmtpAnswer = 'accept' | 451 | 550;

export interface TestSmtpServer {
  port: number;
  /** Messages accepted so far, parsed, in arrival order. */
  received: ParsedMail[];
  /** Answers for the next messages, in order; once used up, every message is accepted. */
  script(...answers: SmtpAnswer[]): void;
  /** Messages refused so far (each DATA answered 4xx or 5xx). */
  refused(): number;
  /** Resolves once `count` messages have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  const answers: SmtpAnswer[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const answer = answers.shift() ?? 'accept';
      simpleParser(stream).then(
        (mail) => {
          if (answer === 'accept') {
            received.push(mail);
            callback();
            return;
          }
          refusals++;
          const error = new Error(answer === 451 ? 'Requested action aborted: try again later' : 'Mailbox unavailable') as Error & { responseCode: number };
          error.responseCode = answer;
          callback(error);
        },
        (error: Error) => callback(error),
      );
    },
  });
  const port = await findFreePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    received,
    script: (...next) => void answers.push(...next),
    refused: () => refusals,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP: ${received.length} message(s) received, ${count} expected`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The environment that points the app's outbox at `smtp` (no TLS on the loopback test server). */
export function smtpEnv(smtp: TestSmtpServer): Record<string, string> {
  return { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SECURITY: 'none', EMAILS_FROM_EMAIL: 'erp@mif.example.ma', EMAILS_FROM_NAME: 'ERP MIF Maroc' };
}
