/**
 * Configuration (operations.md §2, security.md §11). `loadConfig` is the only reader of the
 * environment variables: it parses every variable of the table with its default, collects every
 * problem and throws one `ConfigError` listing them all. Secrets are never quoted in a problem.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { checkPassword } from '../modules/auth/password-policy.js';
import { ensureDevelopmentSecrets } from './secrets.js';
import type { AppConfig, Environment, ExternalDatabaseConfig, LogLevel, SmtpSecurity } from './types.js';

export type { AppConfig } from './types.js';
export { ensureDevelopmentSecrets } from './secrets.js';

export type EnvVars = Record<string, string | undefined>;

/** Every problem of the configuration: one line per variable (its reasons joined with "; "), after a header line. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = [...problems];
  }
}

// ---------------------------------------------------------------------------------------------
// Parsers. A field turns the raw (trimmed, non-empty) string into a value or throws InvalidValue;
// an unset or empty variable takes the fallback. On error the fallback is used too, so that the
// remaining rules still run and every problem is reported at once.

/** Problems grouped by variable: one line per variable, its reasons joined with "; ". */
class Problems {
  private readonly byVariable = new Map<string, string[]>();

  add(variable: string, message: string): void {
    const reasons = this.byVariable.get(variable) ?? [];
    reasons.push(message);
    this.byVariable.set(variable, reasons);
  }

  has(variable: string): boolean {
    return this.byVariable.has(variable);
  }

  lines(): string[] {
    return [...this.byVariable].map(([variable, reasons]) => `${variable}: ${reasons.join('; ')}`);
  }
}

class InvalidValue extends Error {
  /** The message already shows the offending part of the value (list entries). */
  constructor(message: string, readonly showsValue = false) {
    super(message);
  }
}

interface Field<T> {
  fallback: T;
  parse: (raw: string) => T;
  /** Never quote the value in a problem. */
  secret: boolean;
}

/** Returns an error message, or null when the value is acceptable. */
type Check = (value: string) => string | null;

const field = <T>(fallback: T, parse: (raw: string) => T, secret = false): Field<T> => ({ fallback, parse, secret });

function parseInteger(raw: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(raw)) throw new InvalidValue('must be an integer');
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidValue(max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer between ${min} and ${max}`);
  }
  return value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function parseBoolean(raw: string): boolean {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidValue('must be a boolean (true/false, 1/0, yes/no, on/off)');
}

function parseEnum<T extends string>(raw: string, values: readonly T[]): T {
  const value = values.find((candidate) => candidate === raw.toLowerCase());
  if (value === undefined) throw new InvalidValue(`must be one of ${values.join(', ')}`);
  return value;
}

function checked(raw: string, check: Check | undefined): string {
  const error = check?.(raw) ?? null;
  if (error !== null) throw new InvalidValue(error);
  return raw;
}

/** A JSON list of strings (`["a","b"]`) or a comma list (`a, b`); empty entries are dropped. */
function parseList(raw: string, check: Check | undefined, secret: boolean): string[] {
  let entries: string[];
  if (raw.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidValue('is not valid JSON (expected a JSON list of strings or a comma list)');
    }
    if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'string')) {
      throw new InvalidValue('must be a JSON list of strings');
    }
    entries = parsed;
  } else {
    entries = raw.split(',');
  }
  entries = entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const error = check?.(entry) ?? null;
    if (error !== null) {
      throw new InvalidValue(`entry ${index + 1}${secret ? '' : ` (${quote(entry)})`} ${error}`, true);
    }
  });
  return entries;
}

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => field(fallback, (raw) => parseInteger(raw, min, max));
const optionalInt = (min: number, max: number) => field<number | null>(null, (raw) => parseInteger(raw, min, max));
const bool = (fallback: boolean) => field(fallback, parseBoolean);
const optionalBool = () => field<boolean | null>(null, parseBoolean);
const oneOf = <T extends string>(values: readonly T[], fallback: T) => field(fallback, (raw) => parseEnum(raw, values));
const optionalOneOf = <T extends string>(values: readonly T[]) => field<T | null>(null, (raw) => parseEnum(raw, values));
const text = (fallback: string, check?: Check) => field(fallback, (raw) => checked(raw, check));
const optionalText = (check?: Check) => field<string | null>(null, (raw) => checked(raw, check));
const secretText = (check?: Check) => field<string | null>(null, (raw) => checked(raw, check), true);
const list = (check?: Check) => field<string[] | null>(null, (raw) => parseList(raw, check, false));
const secretList = (check?: Check) => field<string[] | null>(null, (raw) => parseList(raw, check, true), true);

// ---------------------------------------------------------------------------------------------
// Value checks.

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

const matches = (pattern: RegExp, description: string): Check => (value) => (pattern.test(value) ? null : `must be ${description}`);

const checkUrl = (protocols: string[], description: string): Check => (value) => {
  try {
    if (protocols.includes(new URL(value).protocol)) return null;
  } catch {
    // fall through
  }
  return `must be ${description}`;
};

const checkTimeZone: Check = (value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return null;
  } catch {
    return 'must be an IANA time zone such as Africa/Casablanca';
  }
};

const checkEmail = matches(/^[^\s@]+@[^\s@]+$/, 'an e-mail address');

/** base64url (with or without padding) of exactly 32 bytes: the FILES_ENC_KEY / Fernet key format. */
export function isFilesKey(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}=?$/.test(value) && Buffer.from(value, 'base64url').length === 32;
}

const checkFilesKey: Check = (value) => (isFilesKey(value) ? null : 'is not the base64url encoding of exactly 32 bytes');

export function isIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || rest.length > 0) return false;
  const family = net.isIP(address);
  if (family === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const checkProxy: Check = (value) => {
  if (value === '*' || value.toLowerCase() === 'true') return 'would trust every client; list the IPs or CIDRs of the reverse proxies';
  return isIpOrCidr(value) ? null : 'is not an IP address or CIDR';
};

const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A standard 5-field cron expression: `*`, values, ranges, lists, steps and month/day names. */
const checkCron: Check = (value) => {
  const parts = value.split(/\s+/);
  if (parts.length !== CRON_FIELDS.length) return 'must be a cron expression with 5 fields';
  for (const [index, spec] of CRON_FIELDS.entries()) {
    const part = parts[index] ?? '';
    const valid = part.split(',').every((item) => {
      const match = /^(?:\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/i.exec(item);
      if (match === null || (match[3] !== undefined && Number(match[3]) < 1)) return false;
      if (match[1] === undefined) return true; // `*`
      const toNumber = (token: string): number => {
        const name = token.toLowerCase();
        const number = /^\d+$/.test(token) ? Number(token) : spec.names?.includes(name) ? spec.names.indexOf(name) + spec.min : NaN;
        return number >= spec.min && number <= spec.max ? number : NaN;
      };
      const low = toNumber(match[1]);
      const high = match[2] === undefined ? low : toNumber(match[2]);
      return low <= high; // false when either is NaN
    });
    if (!valid) return `has an invalid ${spec.name} field`;
  }
  return null;
};

// ---------------------------------------------------------------------------------------------
// The variables (operations.md §2). Defaults that depend on other variables are resolved below.

const ENVIRONMENTS = ['development', 'production', 'test'] as const satisfies readonly Environment[];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];
const SMTP_SECURITIES = ['starttls', 'tls', 'none'] as const satisfies readonly SmtpSecurity[];

const SCHEMA = {
  ENVIRONMENT: oneOf(ENVIRONMENTS, 'development'),
  DEBUG: bool(false),
  HOST: text('127.0.0.1'),
  PORT: int(8000, 0, 65535),
  PROJECT_NAME: text('ERP Interventions'),
  LEGACY_ROOT_ROUTES: bool(true),
  DOCS_ENABLED: optionalBool(),
  APP_TIMEZONE: text('Africa/Casablanca', checkTimeZone),
  APP_PUBLIC_URL: optionalText(checkUrl(['http:', 'https:'], 'an http(s) URL')),

  DATABASE_URL: secretText(checkUrl(['postgres:', 'postgresql:'], 'a postgres:// URL')),
  POSTGRES_HOST: optionalText(),
  POSTGRES_PORT: int(5432, 1, 65535),
  POSTGRES_USER: optionalText(),
  POSTGRES_PASSWORD: secretText(),
  POSTGRES_DB: text('mif_erp'),
  DATA_DIR: text('./data'),
  EMBEDDED_PG_DATA_DIR: optionalText(),
  EMBEDDED_PG_PORT: optionalInt(1, 65535),
  DB_POOL_MAX: int(10, 1),
  DB_CONNECT_TIMEOUT_MS: int(5000, 1),
  DB_STATEMENT_TIMEOUT_MS: int(15000, 0),

  SECRET_KEY: secretText(),
  JWT_ISSUER: text('mif-erp'),
  JWT_AUDIENCE: text('mif-erp-api'),
  ACCESS_TOKEN_EXPIRE_MINUTES: int(15, 1),
  REFRESH_TOKEN_EXPIRE_DAYS: int(7, 1),
  REFRESH_FAMILY_MAX_DAYS: int(30, 1),
  PASSWORD_MIN_LENGTH: int(8, 1),
  BRUTE_FORCE_MAX_FAILURES: int(5, 1),
  BRUTE_FORCE_IP_MAX_FAILURES: int(5, 1),
  BRUTE_FORCE_WINDOW_MINUTES: int(15, 1),
  BRUTE_FORCE_LOCK_MINUTES: int(5, 1),

  RATE_LIMIT_ENABLED: optionalBool(),
  RATE_LIMIT_PER_MINUTE: int(120, 1),
  AUTH_RATE_LIMIT_PER_MINUTE: int(30, 1),
  REDIS_URL: secretText(checkUrl(['redis:', 'rediss:'], 'a redis:// or rediss:// URL')),
  TRUST_PROXY: list(checkProxy),
  CORS_ALLOW_ORIGINS: list(),
  METRICS_TOKEN: secretText(),

  FILES_ENC_KEY: secretText(checkFilesKey),
  FILES_ENC_OLD_KEYS: secretList(checkFilesKey),
  UPLOAD_DIRECTORY: optionalText(),
  UPLOAD_MAX_MB: int(20, 1),
  DOWNLOAD_URL_TTL_SECONDS: int(300, 1),

  SMTP_HOST: optionalText(),
  SMTP_PORT: int(587, 1, 65535),
  SMTP_USER: optionalText(),
  SMTP_PASSWORD: secretText(),
  SMTP_SECURITY: oneOf(SMTP_SECURITIES, 'starttls'),
  EMAILS_FROM_EMAIL: optionalText(checkEmail),
  EMAILS_FROM_NAME: text('ERP MIF Maroc'),
  EMAIL_SUBJECT_PREFIX: text('[MIF]'),
  EMAIL_MAX_ATTEMPTS: int(6, 1),

  ENABLE_SCHEDULER: bool(true),
  PLANNING_CRON: text('*/15 * * * *', checkCron),
  PLANNING_LEAD_DAYS: int(0, 0),
  AUDIT_RETENTION_DAYS: int(365, 1),
  LOGIN_ATTEMPTS_RETENTION_DAYS: int(90, 1),

  LOG_LEVEL: optionalOneOf(LOG_LEVELS),
  LOG_FILE: optionalText(),
  LOG_ROTATE_SIZE: text('50m', matches(/^\d+[kmg]?$/i, 'a size such as 500k, 50m or 1g')),
  LOG_ROTATE_FREQUENCY: text('daily', matches(/^(?:daily|hourly|\d+)$/, 'daily, hourly or a number of milliseconds')),
  LOG_RETENTION_COUNT: int(14, 1),
  SHUTDOWN_TIMEOUT_SECONDS: int(25, 1),

  ADMIN_EMAIL: optionalText(checkEmail),
  ADMIN_PASSWORD: secretText(),
  ADMIN_USERNAME: text('admin'),
  ADMIN_FULL_NAME: text('Administrateur'),

  BACKUP_DIR: text('./backups'),
  BACKUP_RETENTION_DAYS: int(14, 1),
} satisfies Record<string, Field<unknown>>;

type Values = { [K in keyof typeof SCHEMA]: (typeof SCHEMA)[K] extends Field<infer T> ? T : never };

/** Every variable name that the configuration reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(SCHEMA);

function readAll(env: EnvVars, problems: Problems): Values {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SCHEMA) as [string, Field<unknown>][]) {
    const raw = env[name]?.trim();
    values[name] = spec.fallback;
    if (raw === undefined || raw === '') continue;
    try {
      values[name] = spec.parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      const shown = error.showsValue || spec.secret ? '' : `, got ${quote(raw)}`;
      problems.add(name, `${error.message}${shown}`);
    }
  }
  return values as Values;
}

// ---------------------------------------------------------------------------------------------
// package.json (version) and .env.example (placeholder values), found next to each other.

interface PackageInfo {
  version: string;
  /** Values of `.env.example`, refused as SECRET_KEY in production. */
  exampleValues: Set<string>;
  exampleFilesKey: string | null;
}

const PACKAGE_NAME = 'mif-erp';
const BUILT_IN_PLACEHOLDERS = ['insecure-test-secret-key', 'changeme', 'change-me', 'secret', 'your-secret-key'];
let modulePackageInfo: PackageInfo | null | undefined;

/** Walks up from `start` to the directory whose package.json is named mif-erp. */
function findPackageRoot(start: string): { root: string; version: string } | null {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === PACKAGE_NAME) return { root: dir, version: typeof manifest.version === 'string' ? manifest.version : '0.0.0' };
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) return null;
  }
}

function readPackageInfo(start: string): PackageInfo | null {
  const found = findPackageRoot(start);
  if (found === null) return null;
  let text = '';
  try {
    text = fs.readFileSync(path.join(found.root, '.env.example'), 'utf8');
  } catch {
    // no .env.example: only the built-in placeholders apply
  }
  const example = parseDotenv(text);
  // Commented-out assignments (`# VAR=value`) are example values too.
  const commented = parseDotenv(text.replace(/^#[ \t]*(?=[A-Z][A-Z0-9_]*=)/gm, ''));
  const values = [...Object.values(example), ...Object.values(commented)].map((value) => value.trim()).filter((value) => value !== '');
  return {
    version: found.version,
    exampleValues: new Set(values),
    exampleFilesKey: example.FILES_ENC_KEY?.trim() || null,
  };
}

/** Located from this module (works from `src/` and from `dist/src/`), else from the working directory. */
function packageInfo(cwd: string): PackageInfo {
  if (modulePackageInfo === undefined) {
    modulePackageInfo = readPackageInfo(path.dirname(fileURLToPath(import.meta.url)));
  }
  return modulePackageInfo ?? readPackageInfo(cwd) ?? { version: '0.0.0', exampleValues: new Set(), exampleFilesKey: null };
}

function isPlaceholder(value: string, info: PackageInfo): boolean {
  return info.exampleValues.has(value) || BUILT_IN_PLACEHOLDERS.includes(value.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Rules that combine several variables.

export const DEFAULT_CORS_ORIGINS: readonly string[] = [
  'http://localhost:3000',
  'http://localhost:3001',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:8000',
];

const DEFAULT_LIKE_DB_PASSWORDS = new Set(['', 'password', 'postgres', 'changeme']);

const PRODUCTION_RANGES: { variable: 'ACCESS_TOKEN_EXPIRE_MINUTES' | 'REFRESH_TOKEN_EXPIRE_DAYS' | 'PASSWORD_MIN_LENGTH' | 'UPLOAD_MAX_MB'; min: number; max: number }[] = [
  { variable: 'ACCESS_TOKEN_EXPIRE_MINUTES', min: 5, max: 60 },
  { variable: 'REFRESH_TOKEN_EXPIRE_DAYS', min: 1, max: 30 },
  { variable: 'PASSWORD_MIN_LENGTH', min: 8, max: Number.POSITIVE_INFINITY },
  { variable: 'UPLOAD_MAX_MB', min: 1, max: 100 },
];

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`. */
function isBareOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

function isLocalhostOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface DatabaseChoice {
  external: ExternalDatabaseConfig | null;
  /** The variable holding the external server's password, and its value ('' when none). */
  passwordVariable: 'DATABASE_URL' | 'POSTGRES_PASSWORD';
  password: string;
}

function buildConnectionString(v: Values, host: string): string {
  const user = v.POSTGRES_USER === null ? '' : encodeURIComponent(v.POSTGRES_USER);
  const password = v.POSTGRES_PASSWORD === null ? '' : `:${encodeURIComponent(v.POSTGRES_PASSWORD)}`;
  const auth = user !== '' || password !== '' ? `${user}${password}@` : '';
  const hostPart = host.startsWith('/') ? encodeURIComponent(host) : net.isIPv6(host) ? `[${host}]` : host;
  return `postgres://${auth}${hostPart}:${v.POSTGRES_PORT}/${encodeURIComponent(v.POSTGRES_DB)}`;
}

function chooseDatabase(v: Values, warnings: string[]): DatabaseChoice {
  if (v.DATABASE_URL !== null) {
    if (v.POSTGRES_HOST !== null) warnings.push('POSTGRES_HOST: ignored because DATABASE_URL is set');
    const encoded = new URL(v.DATABASE_URL).password;
    let password = encoded;
    try {
      password = decodeURIComponent(encoded);
    } catch {
      // keep the raw form
    }
    return { external: { connectionString: v.DATABASE_URL }, passwordVariable: 'DATABASE_URL', password };
  }
  if (v.POSTGRES_HOST !== null) {
    return {
      external: { connectionString: buildConnectionString(v, v.POSTGRES_HOST) },
      passwordVariable: 'POSTGRES_PASSWORD',
      password: v.POSTGRES_PASSWORD ?? '',
    };
  }
  return { external: null, passwordVariable: 'POSTGRES_PASSWORD', password: '' };
}

/** security.md §11. */
function productionRules(v: Values, db: DatabaseChoice, info: PackageInfo, problems: Problems, warnings: string[]): void {
  const refuse = (variable: string, message: string): void => problems.add(variable, message);

  if (v.SECRET_KEY !== null) {
    if (Buffer.byteLength(v.SECRET_KEY, 'utf8') < 32) refuse('SECRET_KEY', 'shorter than 32 bytes');
    if (new Set(v.SECRET_KEY).size < 10) refuse('SECRET_KEY', 'has fewer than 10 distinct characters');
    if (isPlaceholder(v.SECRET_KEY, info)) refuse('SECRET_KEY', 'is a known default or placeholder value; generate one with npm run keys:generate');
  }
  if (v.FILES_ENC_KEY !== null) {
    if (v.FILES_ENC_KEY === info.exampleFilesKey) refuse('FILES_ENC_KEY', 'is the example value of .env.example; generate one with npm run keys:generate');
    if (v.FILES_ENC_KEY === v.SECRET_KEY) refuse('FILES_ENC_KEY', 'must differ from SECRET_KEY');
  }

  const origins = v.CORS_ALLOW_ORIGINS;
  if (origins === null || origins.length === 0) {
    refuse('CORS_ALLOW_ORIGINS', 'missing or empty; list the exact origins of the front-ends');
  } else {
    for (const origin of origins) {
      if (origin === '*' || origin.toLowerCase() === 'null') {
        refuse('CORS_ALLOW_ORIGINS', `${quote(origin)} is refused in production; list exact origins`);
      } else if (!isBareOrigin(origin)) {
        refuse('CORS_ALLOW_ORIGINS', `${quote(origin)} is not a bare origin (scheme://host[:port])`);
      } else if (origin.startsWith('http://') && !isLocalhostOrigin(origin)) {
        warnings.push(`CORS_ALLOW_ORIGINS: ${quote(origin)} is plain http; use https in production`);
      }
    }
  }

  if (v.DEBUG) refuse('DEBUG', 'must be false in production');

  if (db.external !== null && DEFAULT_LIKE_DB_PASSWORDS.has(db.password.toLowerCase())) {
    refuse(db.passwordVariable, 'the database password is empty or a default-like value (password, postgres, changeme)');
  }
  if (db.external === null && v.REDIS_URL !== null) {
    refuse('REDIS_URL', 'is refused with the embedded database server; several nodes need an external PostgreSQL (DATABASE_URL)');
  }

  if (v.ADMIN_PASSWORD !== null) {
    const failures = checkPassword(v.ADMIN_PASSWORD, { username: v.ADMIN_USERNAME, email: v.ADMIN_EMAIL }, { minLength: v.PASSWORD_MIN_LENGTH });
    if (failures.length > 0) refuse('ADMIN_PASSWORD', `fails the password policy (${failures.map((f) => f.code).join(', ')})`);
  }
  if (v.METRICS_TOKEN !== null && v.METRICS_TOKEN.length < 24) refuse('METRICS_TOKEN', 'shorter than 24 characters');
  if (v.SMTP_HOST !== null && v.EMAILS_FROM_EMAIL === null) refuse('EMAILS_FROM_EMAIL', 'required when SMTP_HOST is set');

  for (const { variable, min, max } of PRODUCTION_RANGES) {
    const value = v[variable];
    if (value < min || value > max) {
      refuse(variable, max === Number.POSITIVE_INFINITY ? `must be at least ${min} in production, got ${value}` : `must be between ${min} and ${max} in production, got ${value}`);
    }
  }
}

function developmentWarnings(v: Values, info: PackageInfo, warnings: string[]): void {
  if (v.SECRET_KEY !== null && isPlaceholder(v.SECRET_KEY, info)) {
    warnings.push('SECRET_KEY: a placeholder value is in use (refused in production)');
  }
  if (v.FILES_ENC_KEY !== null && v.FILES_ENC_KEY === info.exampleFilesKey) {
    warnings.push('FILES_ENC_KEY: the .env.example value is in use (refused in production)');
  }
  for (const origin of v.CORS_ALLOW_ORIGINS ?? []) {
    if (!isBareOrigin(origin)) warnings.push(`CORS_ALLOW_ORIGINS: ${quote(origin)} is not a bare origin (scheme://host[:port]) and will never match`);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points.

/** The variables of `<cwd>/.env` (when present) overlaid by the real environment, which wins. */
export function readEnvironment(cwd: string, processEnv: NodeJS.ProcessEnv): EnvVars {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseDotenv(fs.readFileSync(path.join(cwd, '.env'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { ...fromFile, ...processEnv };
}

/** DATA_DIR as an absolute path (default `./data`, relative to `cwd`). */
export function resolveDataDir(env: EnvVars, cwd: string): string {
  const raw = env.DATA_DIR?.trim();
  return path.resolve(cwd, raw === undefined || raw === '' ? SCHEMA.DATA_DIR.fallback : raw);
}

/**
 * Parses and validates the configuration. Pure apart from reading package.json and .env.example:
 * it never generates keys (see `ensureDevelopmentSecrets`). Throws a `ConfigError` listing every problem.
 */
export function loadConfig(env: EnvVars, options: { cwd: string }): { config: AppConfig; warnings: string[] } {
  const problems = new Problems();
  const warnings: string[] = [];
  const v = readAll(env, problems);
  const info = packageInfo(options.cwd);
  const production = v.ENVIRONMENT === 'production';

  for (const variable of ['SECRET_KEY', 'FILES_ENC_KEY'] as const) {
    if (v[variable] === null && !problems.has(variable)) {
      problems.add(variable, production ? 'missing (required in production)' : 'missing (outside production it is generated in DATA_DIR by loadConfigFromEnvironment)');
    }
  }
  const db = chooseDatabase(v, warnings);
  if (production) productionRules(v, db, info, problems, warnings);
  else developmentWarnings(v, info, warnings);

  const lines = problems.lines();
  if (lines.length > 0) throw new ConfigError(lines);

  const fromCwd = (target: string): string => path.resolve(options.cwd, target);
  const dataDir = fromCwd(v.DATA_DIR);
  const config: AppConfig = {
    environment: v.ENVIRONMENT,
    debug: v.DEBUG,
    host: v.HOST,
    port: v.PORT,
    projectName: v.PROJECT_NAME,
    version: info.version,
    legacyRootRoutes: v.LEGACY_ROOT_ROUTES,
    docsEnabled: v.DOCS_ENABLED ?? !production,
    appTimezone: v.APP_TIMEZONE,
    appPublicUrl: v.APP_PUBLIC_URL === null ? null : v.APP_PUBLIC_URL.replace(/\/+$/, ''),
    dataDir,
    database: {
      external: db.external,
      embeddedDataDir: v.EMBEDDED_PG_DATA_DIR === null ? path.join(dataDir, 'postgres') : fromCwd(v.EMBEDDED_PG_DATA_DIR),
      embeddedPort: v.EMBEDDED_PG_PORT,
      poolMax: v.DB_POOL_MAX,
      connectTimeoutMs: v.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS,
    },
    auth: {
      secretKey: v.SECRET_KEY ?? '',
      jwtIssuer: v.JWT_ISSUER,
      jwtAudience: v.JWT_AUDIENCE,
      accessTokenExpireMinutes: v.ACCESS_TOKEN_EXPIRE_MINUTES,
      refreshTokenExpireDays: v.REFRESH_TOKEN_EXPIRE_DAYS,
      refreshFamilyMaxDays: v.REFRESH_FAMILY_MAX_DAYS,
      passwordMinLength: v.PASSWORD_MIN_LENGTH,
      bruteForceMaxFailures: v.BRUTE_FORCE_MAX_FAILURES,
      bruteForceIpMaxFailures: v.BRUTE_FORCE_IP_MAX_FAILURES,
      bruteForceWindowMinutes: v.BRUTE_FORCE_WINDOW_MINUTES,
      bruteForceLockMinutes: v.BRUTE_FORCE_LOCK_MINUTES,
    },
    rateLimit: {
      enabled: v.RATE_LIMIT_ENABLED ?? (production && !v.DEBUG),
      perMinute: v.RATE_LIMIT_PER_MINUTE,
      authPerMinute: v.AUTH_RATE_LIMIT_PER_MINUTE,
      redisUrl: v.REDIS_URL,
    },
    trustProxy: v.TRUST_PROXY ?? [],
    corsAllowOrigins: v.CORS_ALLOW_ORIGINS ?? [...DEFAULT_CORS_ORIGINS],
    metricsToken: v.METRICS_TOKEN,
    files: {
      encKey: v.FILES_ENC_KEY ?? '',
      oldKeys: v.FILES_ENC_OLD_KEYS ?? [],
      uploadDirectory: v.UPLOAD_DIRECTORY === null ? path.join(dataDir, 'uploads') : fromCwd(v.UPLOAD_DIRECTORY),
      uploadMaxMb: v.UPLOAD_MAX_MB,
      downloadUrlTtlSeconds: v.DOWNLOAD_URL_TTL_SECONDS,
    },
    smtp: {
      host: v.SMTP_HOST,
      port: v.SMTP_PORT,
      user: v.SMTP_USER,
      password: v.SMTP_PASSWORD,
      security: v.SMTP_SECURITY,
      fromEmail: v.EMAILS_FROM_EMAIL,
      fromName: v.EMAILS_FROM_NAME,
      subjectPrefix: v.EMAIL_SUBJECT_PREFIX,
      maxAttempts: v.EMAIL_MAX_ATTEMPTS,
    },
    jobs: {
      enableScheduler: v.ENABLE_SCHEDULER,
      planningCron: v.PLANNING_CRON,
      planningLeadDays: v.PLANNING_LEAD_DAYS,
      auditRetentionDays: v.AUDIT_RETENTION_DAYS,
      loginAttemptsRetentionDays: v.LOGIN_ATTEMPTS_RETENTION_DAYS,
    },
    log: {
      level: v.LOG_LEVEL ?? ({ production: 'info', development: 'debug', test: 'warn' } as const)[v.ENVIRONMENT],
      file: v.LOG_FILE === null ? null : path.resolve(dataDir, v.LOG_FILE),
      rotateSize: v.LOG_ROTATE_SIZE,
      rotateFrequency: v.LOG_ROTATE_FREQUENCY,
      retentionCount: v.LOG_RETENTION_COUNT,
    },
    shutdownTimeoutSeconds: v.SHUTDOWN_TIMEOUT_SECONDS,
    admin: {
      email: v.ADMIN_EMAIL,
      password: v.ADMIN_PASSWORD,
      username: v.ADMIN_USERNAME,
      fullName: v.ADMIN_FULL_NAME,
    },
    backup: {
      dir: fromCwd(v.BACKUP_DIR),
      retentionDays: v.BACKUP_RETENTION_DAYS,
    },
  };
  return { config, warnings };
}

/** `.env` + real environment → DATA_DIR → development keys (outside production) → `loadConfig`. */
export async function loadConfigFromEnvironment(options: { cwd: string; processEnv: NodeJS.ProcessEnv }): Promise<{ config: AppConfig; warnings: string[] }> {
  const env = readEnvironment(options.cwd, options.processEnv);
  const secrets = await ensureDevelopmentSecrets(env, { dataDir: resolveDataDir(env, options.cwd) });
  const { config, warnings } = loadConfig(secrets.env, { cwd: options.cwd });
  return { config, warnings: [...secrets.warnings, ...warnings] };
}
