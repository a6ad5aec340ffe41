import pino, { type DestinationStream, type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import type { AppConfig } from './config/types.js';

/** Field names whose values never reach a log line (docs/security.md §10). */
const SECRET_FIELDS = ['password', 'current_password', 'new_password', 'refresh_token', 'access_token', 'token', 'sig'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
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

/**
 * stdout, plus the rotated LOG_FILE when set (docs/operations.md §10): same lines in both.
 */
export async function createLogDestination(config: Pick<AppConfig, 'log'>): Promise<DestinationStream> {
  const stdout = pino.destination(1);
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
