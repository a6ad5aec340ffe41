/**
 * The variable table: every environment variable the configuration reads, with its parser and
 * fallback, one-line description, group, secrecy and, when nothing outside src/config reads it yet,
 * the issue it is reserved for. Parsing (`readVariables`), `.env.example` and docs/configuration.md
 * are derived from it (docs.ts, `npm run config:docs`); rules.ts holds the rules that combine variables.
 *
 * A typed table rather than a TypeBox object: the values need this project's own parsing (boolean
 * words, JSON-or-comma lists, cron, secret-aware messages that never quote the value, one problem
 * line per variable) and defaults resolved from other variables, which a JSON Schema would only
 * describe; with plain parsers the table stays the single source and `Values` is inferred from it.
 */
import { checkCron } from './cron.js';
import { checkEmail, checkFilesKey, checkOverridable, checkProxy, checkRoleOrNone, checkTimeZone, checkUrl, matches, OVERRIDABLE } from './checks.js';
import { bool, int, InvalidValue, list, oneOf, optionalBool, optionalInt, optionalOneOf, optionalText, quote, text, type Parser } from './parsers.js';
import type { Problems } from './problems.js';
import type { Environment, LogFormat, LogLevel, SmtpSecurity } from './types.js';

export type EnvVars = Record<string, string | undefined>;

/** Sections of `.env.example` and docs/configuration.md, in this order. */
export const GROUPS = {
  application: 'Application',
  server: 'HTTP server timeouts',
  database: 'Database',
  authentication: 'Authentication',
  http: 'Rate limiting, proxies, CORS, metrics',
  documents: 'Documents',
  email: 'E-mail',
  jobs: 'Jobs',
  logging: 'Logging and shutdown',
  admin: 'First admin',
  backups: 'Backups',
} as const;

export interface Variable<T = unknown> {
  group: keyof typeof GROUPS;
  parser: Parser<T>;
  /** One line, English. */
  description: string;
  /** Never quoted in a problem, not even one entry of a list. */
  secret?: true;
  /** The issue that will read it: parsed and validated now, read by nothing outside src/config yet. */
  reserved?: string;
  /** The documented default when the fallback (null) is resolved from other variables. */
  defaultText?: string;
  /** The value shown in `.env.example` (every one is refused as SECRET_KEY in production), when not the default. */
  example?: string;
  /** Set (not commented out) in `.env.example`. */
  active?: true;
  /** Refused in production outside [min, max]. */
  production?: { min: number; max?: number };
}

const ENVIRONMENTS = ['development', 'production', 'test'] as const satisfies readonly Environment[];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];
const LOG_FORMATS = ['pretty', 'json'] as const satisfies readonly LogFormat[];
const SMTP_SECURITIES = ['starttls', 'tls', 'none'] as const satisfies readonly SmtpSecurity[];

/** CORS_ALLOW_ORIGINS outside production when unset. */
export const DEFAULT_CORS_ORIGINS: readonly string[] = [
  'http://localhost:3000',
  'http://localhost:3001',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:8000',
];

const GENERATED_KEY = 'generated once in DATA_DIR outside production; required in production';

export const VARIABLES = {
  ENVIRONMENT: { group: 'application', parser: oneOf(ENVIRONMENTS, 'development'), description: 'Runtime mode', active: true },
  DEBUG: { group: 'application', parser: bool(false), description: 'Debug mode; must be false in production' },
  HOST: { group: 'application', parser: text('127.0.0.1'), description: 'Listen address' },
  PORT: { group: 'application', parser: int(8000, 0, 65535), description: 'Listen port' },
  PROJECT_NAME: { group: 'application', parser: text('ERP Interventions'), description: 'Service name reported by the health answers' },
  LEGACY_ROOT_ROUTES: { group: 'application', parser: bool(true), description: 'Also serve the v1 routes at the root' },
  DOCS_ENABLED: { group: 'application', parser: optionalBool(), description: '/docs and the OpenAPI JSON; true is refused in production (SECURITY_OVERRIDES)', defaultText: 'true, false in production', example: 'true' },
  APP_TIMEZONE: { group: 'application', parser: text('Africa/Casablanca', checkTimeZone), description: 'Business time zone: planning arithmetic, "this month", e-mail dates' },
  APP_PUBLIC_URL: {
    group: 'application',
    parser: optionalText(checkUrl(['http:', 'https:'], 'an http(s) URL')),
    description: 'Front-end base URL used for links in e-mails',
    example: 'https://erp.example.com',
  },

  HTTP_HEADERS_TIMEOUT_MS: {
    group: 'server',
    parser: int(10_000, 1),
    description: 'Time a client has to send the request line and headers, in ms; then 408 and the connection is closed; at most HTTP_REQUEST_TIMEOUT_MS',
  },
  HTTP_REQUEST_TIMEOUT_MS: { group: 'server', parser: int(30_000, 1), description: 'Time a client has to send the whole request, body included, in ms; then 408 and the connection is closed' },
  HTTP_KEEPALIVE_TIMEOUT_MS: {
    group: 'server',
    parser: int(5_000, 1),
    description: 'An idle keep-alive connection is closed after this many ms; below HTTP_HEADERS_TIMEOUT_MS, above the idle timeout of a reverse proxy that reuses connections',
  },

  DATABASE_URL: {
    group: 'database',
    parser: optionalText(checkUrl(['postgres:', 'postgresql:'], 'a postgres:// URL')),
    description: 'External PostgreSQL, sslmode honoured; with it and POSTGRES_HOST unset, the embedded server under DATA_DIR is used',
    secret: true,
    example: 'postgres://mif_erp:<strong-password>@db.example.com:5432/mif_erp?sslmode=require',
  },
  POSTGRES_HOST: { group: 'database', parser: optionalText(), description: 'External server host; used when DATABASE_URL is unset', example: 'db.example.com' },
  POSTGRES_PORT: { group: 'database', parser: int(5432, 1, 65535), description: 'External server port' },
  POSTGRES_USER: { group: 'database', parser: optionalText(), description: 'External server user', example: 'mif_erp' },
  POSTGRES_PASSWORD: {
    group: 'database',
    parser: optionalText(),
    description: 'External server password; password, postgres, changeme or empty are refused in production',
    secret: true,
    example: '<strong-password>',
  },
  POSTGRES_DB: { group: 'database', parser: text('mif_erp'), description: 'External database name' },
  DATA_DIR: { group: 'database', parser: text('./data'), description: 'Everything local lives here: embedded cluster, uploads, development keys, relative log files' },
  EMBEDDED_PG_DATA_DIR: { group: 'database', parser: optionalText(), description: 'Embedded cluster directory', defaultText: 'DATA_DIR/postgres', example: './data/postgres' },
  EMBEDDED_PG_PORT: {
    group: 'database',
    parser: optionalInt(1, 65535),
    description: 'Embedded server port',
    defaultText: 'a free loopback port chosen at first start and remembered in DATA_DIR',
    example: '54329',
  },
  EMBEDDED_PG_RESTART_ATTEMPTS: {
    group: 'database',
    parser: int(6, 0),
    description: 'Restarts of a crashed embedded server before the app gives up and exits 1 (back-off 0.25 s, 1 s, 2 s, 4 s, 8 s, then 15 s)',
  },
  DB_POOL_MAX: { group: 'database', parser: int(10, 1), description: 'Connection pool size' },
  DB_CONNECT_TIMEOUT_MS: { group: 'database', parser: int(5000, 1), description: 'Pool-acquire timeout in ms; a timeout answers 503' },
  DB_STATEMENT_TIMEOUT_MS: { group: 'database', parser: int(15000, 0), description: 'Statement timeout in ms; a timeout answers 503' },

  SECRET_KEY: {
    group: 'authentication',
    parser: optionalText(),
    description: 'JWT HS256 and signed-URL key: >= 32 bytes, >= 10 distinct characters, not a placeholder; generate it with npm run keys:generate',
    secret: true,
    defaultText: GENERATED_KEY,
    example: 'change-me-generate-with-npm-run-keys-generate',
    active: true,
  },
  JWT_ISSUER: { group: 'authentication', parser: text('mif-erp'), description: 'JWT issuer' },
  JWT_AUDIENCE: { group: 'authentication', parser: text('mif-erp-api'), description: 'JWT audience' },
  ACCESS_TOKEN_EXPIRE_MINUTES: { group: 'authentication', parser: int(15, 1), description: 'Access token lifetime in minutes', production: { min: 5, max: 60 } },
  REFRESH_TOKEN_EXPIRE_DAYS: { group: 'authentication', parser: int(7, 1), description: 'Refresh token lifetime in days', production: { min: 1, max: 30 } },
  REFRESH_FAMILY_MAX_DAYS: { group: 'authentication', parser: int(30, 1), description: 'Maximum age of a refresh token family in days' },
  PASSWORD_MIN_LENGTH: { group: 'authentication', parser: int(8, 1), description: 'Minimum password length', production: { min: 8 } },
  BRUTE_FORCE_MAX_FAILURES: { group: 'authentication', parser: int(5, 1), description: 'Failures before an account is locked', production: { min: 3, max: 10 } },
  BRUTE_FORCE_IP_MAX_FAILURES: {
    group: 'authentication',
    parser: int(5, 1),
    description: 'Failures before an IP is locked; raise it behind a shared NAT (above 100 in production: SECURITY_OVERRIDES)',
    production: { min: 3, max: 100 },
  },
  BRUTE_FORCE_WINDOW_MINUTES: { group: 'authentication', parser: int(15, 1), description: 'Brute-force counting window in minutes', production: { min: 5, max: 1440 } },
  BRUTE_FORCE_LOCK_MINUTES: { group: 'authentication', parser: int(5, 1), description: 'First lock duration in minutes; it doubles up to 8x', production: { min: 1, max: 60 } },
  MFA_REQUIRED_ROLES: {
    group: 'authentication',
    parser: list(checkRoleOrNone),
    description: 'Roles that must enrol a TOTP second factor at their next login; none for nobody',
    defaultText: 'admin in production, none elsewhere',
    example: 'admin,responsable',
  },
  SECURITY_OVERRIDES: {
    group: 'authentication',
    parser: list(checkOverridable),
    description: `Production refusals deliberately accepted, by variable name (${OVERRIDABLE.join(', ')}); each one is logged as a warning at start`,
    defaultText: 'empty: every refusal applies',
    example: 'RATE_LIMIT_ENABLED',
  },

  RATE_LIMIT_ENABLED: { group: 'http', parser: optionalBool(), description: 'Rate limiting; false is refused in production (SECURITY_OVERRIDES)', defaultText: 'on in production when DEBUG is false, else off', example: 'false' },
  RATE_LIMIT_PER_MINUTE: { group: 'http', parser: int(120, 1), description: 'Requests per minute per client IP' },
  AUTH_RATE_LIMIT_PER_MINUTE: { group: 'http', parser: int(30, 1), description: 'Login/token/refresh requests per minute per client IP' },
  REDIS_URL: {
    group: 'http',
    parser: optionalText(checkUrl(['redis:', 'rediss:'], 'a redis:// or rediss:// URL')),
    description: 'Shared rate-limit store, required with several nodes; refused with the embedded database in production',
    secret: true,
    example: 'redis://redis.example.com:6379/0',
  },
  TRUST_PROXY: {
    group: 'http',
    parser: list(checkProxy),
    description: 'IPs/CIDRs of the reverse proxies; never true, * or a /0; in production each entry a few addresses (/28) or inside a private network',
    defaultText: 'empty: trust nobody',
    example: '127.0.0.1,10.0.0.0/8',
  },
  CORS_ALLOW_ORIGINS: {
    group: 'http',
    parser: list(),
    description: 'Exact allowed origins; required in production, where * and null are refused',
    defaultText: `outside production: ${DEFAULT_CORS_ORIGINS.join(', ')}`,
    example: '["https://erp.example.com"]',
  },
  METRICS_TOKEN: {
    group: 'http',
    parser: optionalText(),
    description: 'Bearer token for the metrics routes, >= 24 characters in production; generate it with npm run keys:generate',
    secret: true,
    example: '<at-least-24-random-characters>',
  },

  FILES_ENC_KEY: {
    group: 'documents',
    parser: optionalText(checkFilesKey),
    description: 'File encryption master key; the example value and a copy of SECRET_KEY are refused in production; generate it with npm run keys:generate',
    secret: true,
    defaultText: GENERATED_KEY,
    example: 'EXAMPLE-files-key-refused-in-production-000',
    active: true,
  },
  FILES_ENC_OLD_KEYS: { group: 'documents', parser: list(checkFilesKey), description: 'Previous FILES_ENC_KEY values, still accepted for reading', secret: true, defaultText: 'empty', example: '' },
  UPLOAD_DIRECTORY: {
    group: 'documents',
    parser: optionalText(),
    description: 'Upload storage; shared storage when running several nodes',
    defaultText: 'DATA_DIR/uploads',
    example: './data/uploads',
  },
  UPLOAD_MAX_MB: { group: 'documents', parser: int(20, 1), description: 'Maximum upload size in MB', production: { min: 1, max: 100 } },
  DOWNLOAD_URL_TTL_SECONDS: { group: 'documents', parser: int(300, 1), description: 'Signed download URL lifetime in seconds' },

  SMTP_HOST: { group: 'email', parser: optionalText(), description: 'SMTP server; without it e-mails go to the log transport', example: 'smtp.example.com' },
  SMTP_PORT: { group: 'email', parser: int(587, 1, 65535), description: 'SMTP port' },
  SMTP_USER: { group: 'email', parser: optionalText(), description: 'SMTP user', example: 'erp@example.com' },
  SMTP_PASSWORD: { group: 'email', parser: optionalText(), description: 'SMTP password', secret: true, example: '<smtp-password>' },
  SMTP_SECURITY: { group: 'email', parser: oneOf(SMTP_SECURITIES, 'starttls'), description: 'SMTP connection security; tls is implicit TLS' },
  EMAILS_FROM_EMAIL: {
    group: 'email',
    parser: optionalText(checkEmail),
    description: 'Sender address; required in production when SMTP_HOST is set',
    example: 'erp@example.com',
  },
  EMAILS_FROM_NAME: { group: 'email', parser: text('ERP MIF Maroc'), description: 'Sender name' },
  EMAIL_SUBJECT_PREFIX: { group: 'email', parser: text('[MIF]'), description: 'Subject prefix' },
  EMAIL_MAX_ATTEMPTS: { group: 'email', parser: int(6, 1), description: 'Delivery attempts before an e-mail is abandoned' },

  ENABLE_SCHEDULER: { group: 'jobs', parser: bool(true), description: 'Run the job workers on this node' },
  PLANNING_CRON: { group: 'jobs', parser: text('*/15 * * * *', checkCron), description: 'Preventive planning schedule, in APP_TIMEZONE' },
  OVERDUE_CRON: { group: 'jobs', parser: text('*/15 * * * *', checkCron), description: 'Overdue interventions follow-up schedule, in APP_TIMEZONE' },
  CONTRATS_EXPIRE_CRON: { group: 'jobs', parser: text('0 1 * * *', checkCron), description: 'Contract expiry schedule, in APP_TIMEZONE' },
  PURGE_CRON: { group: 'jobs', parser: text('30 3 * * *', checkCron), description: 'Retention purge schedule, in APP_TIMEZONE' },
  PLANNING_LEAD_DAYS: { group: 'jobs', parser: int(0, 0), description: 'Create planned interventions this many days ahead' },
  AUDIT_RETENTION_DAYS: { group: 'jobs', parser: int(365, 1), description: 'Audit log retention in days' },
  LOGIN_ATTEMPTS_RETENTION_DAYS: { group: 'jobs', parser: int(90, 1), description: 'Login attempt retention in days' },

  LOG_LEVEL: { group: 'logging', parser: optionalOneOf(LOG_LEVELS), description: 'Log level (debug adds the embedded PostgreSQL server output)', defaultText: 'info, warn in test', example: 'debug' },
  LOG_FORMAT: {
    group: 'logging',
    parser: optionalOneOf(LOG_FORMATS),
    description: 'stdout lines: pretty (human-readable) or json; LOG_FILE is always json',
    defaultText: 'pretty in development when stdout is a terminal, json otherwise',
    example: 'json',
  },
  LOG_FILE: { group: 'logging', parser: optionalText(), description: 'Log file, written besides stdout; a relative path is under DATA_DIR', example: 'logs/mif-erp.log' },
  LOG_ROTATE_SIZE: { group: 'logging', parser: text('50m', matches(/^\d+[kmg]?$/i, 'a size such as 500k, 50m or 1g')), description: 'Rotate the log file at this size' },
  LOG_ROTATE_FREQUENCY: {
    group: 'logging',
    parser: text('daily', matches(/^(?:daily|hourly|\d+)$/, 'daily, hourly or a number of milliseconds')),
    description: 'Rotate the log file at this interval',
  },
  LOG_RETENTION_COUNT: { group: 'logging', parser: int(14, 1), description: 'Rotated log files kept' },
  SHUTDOWN_TIMEOUT_SECONDS: { group: 'logging', parser: int(25, 1), description: 'Grace period of a graceful shutdown in seconds' },

  ADMIN_EMAIL: { group: 'admin', parser: optionalText(checkEmail), description: 'First admin e-mail, created at start when there is no user', example: 'admin@example.com' },
  ADMIN_PASSWORD: { group: 'admin', parser: optionalText(), description: 'First admin password; the password policy applies', secret: true, example: '<strong-admin-password>' },
  ADMIN_USERNAME: { group: 'admin', parser: text('admin'), description: 'First admin username' },
  ADMIN_FULL_NAME: { group: 'admin', parser: text('Administrateur'), description: 'First admin full name' },

  BACKUP_DIR: { group: 'backups', parser: text('./backups'), description: 'Backup directory' },
  BACKUP_RETENTION_DAYS: { group: 'backups', parser: int(14, 1), description: 'Backup retention in days' },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;
export type Values = { [K in VariableName]: (typeof VARIABLES)[K]['parser'] extends Parser<infer T> ? T : never };

/** Every variable name that the configuration reads. */
export const CONFIG_VARIABLES: readonly VariableName[] = Object.keys(VARIABLES) as VariableName[];

/** Every variable of `env` through its parser; a malformed one takes its fallback and is reported. */
export function readVariables(env: EnvVars, problems: Problems): Values {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(VARIABLES) as [string, Variable][]) {
    const raw = env[name]?.trim();
    values[name] = spec.parser.fallback;
    if (raw === undefined || raw === '') continue;
    const secret = spec.secret === true;
    try {
      values[name] = spec.parser.parse(raw, secret);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      const shown = error.showsValue || secret ? '' : `, got ${quote(raw)}`;
      problems.add(name, `${error.message}${shown}`);
    }
  }
  return values as Values;
}
