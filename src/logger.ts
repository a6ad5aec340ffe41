import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import pinoRoll from 'pino-roll';
import type { AppConfig, LogFormat } from './config/types.js';

/**
 * The one redaction list (docs/security.md §10): these names never reach a log line, whether they
 * are body fields (any depth up to two levels), query parameters (`redactPath`, plugins/http.ts) or
 * the values of an object logged by hand.
 */
export const SECRET_FIELDS: readonly string[] = [
  'password',
  'current_password',
  'new_password',
  'refresh_token',
  'access_token',
  'token',
  'sig',
  // Second factor (docs/security.md §3a): a TOTP or recovery code (`otp`), the challenge of a login,
  // an enrolment's secret. Not `code`: error codes (`err.code`) must stay readable.
  'otp',
  'recovery_codes',
  'mfa_token',
  'secret',
  'otpauth_uri',
];

/** Headers that carry credentials. */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

/** Query parameters left out of the logged path: every secret field, and the rest of a signed URL. */
export const REDACTED_QUERY_PARAMS: ReadonlySet<string> = new Set([...SECRET_FIELDS, 'exp', 'uid']);

export const REDACT_PATHS = [
  ...SECRET_HEADERS.flatMap((header) => [`req.headers["${header}"]`, `headers["${header}"]`]),
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
];

export function createLogger(config: Pick<AppConfig, 'log' | 'projectName' | 'environment'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.log.level,
      base: { service: config.projectName, env: config.environment },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    destination,
  );
}

/** LOG_FORMAT, or by default pretty for a developer at a terminal and JSON for everything else (docs/operations.md §10). */
export function logFormatFor(config: Pick<AppConfig, 'log' | 'environment'>, stdoutIsTerminal: boolean): LogFormat {
  return config.log.format ?? (config.environment === 'development' && stdoutIsTerminal ? 'pretty' : 'json');
}

/**
 * Human-readable lines: time, level, message, then the fields on the same line. Redaction has
 * already happened in pino. Synchronous, so that the shutdown's last lines are not lost.
 */
export function prettyStream(destination: number | NodeJS.WritableStream, colorize: boolean): DestinationStream {
  return pinoPretty({ destination, colorize, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service,env' });
}

/**
 * stdout (pretty or JSON, `logFormatFor`), plus the rotated LOG_FILE when set, always JSON
 * (docs/operations.md §10): the same lines in both.
 */
export async function createLogDestination(
  config: Pick<AppConfig, 'log' | 'environment'>,
  stdoutIsTerminal = process.stdout.isTTY === true,
): Promise<DestinationStream> {
  const stdout = logFormatFor(config, stdoutIsTerminal) === 'pretty' ? prettyStream(1, stdoutIsTerminal) : pino.destination(1);
  if (!config.log.file) return stdout;
  const file = await pinoRoll({
    file: config.log.file,
    size: config.log.rotateSize,
    frequency: config.log.rotateFrequency,
    limit: { count: config.log.retentionCount },
    mkdir: true,
  });
  return pino.multistream([{ stream: stdout, level: 'trace' }, { stream: file, level: 'trace' }]);
}
