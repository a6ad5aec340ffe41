/**
 * The hand-written rules: those that combine several variables, the production refusals and the
 * development warnings (docs/configuration.md). Single-variable formats and production ranges are
 * declared in the variable table (variables.ts).
 */
import net from 'node:net';
import { OVERRIDABLE, wideProxyReason, type Overridable } from './checks.js';
import { weakKeyBytesReason, weakSecretReason } from './key-strength.js';
import { isPlaceholder, type PackageInfo } from './package-info.js';
import { quote } from './parsers.js';
import type { Problems } from './problems.js';
import type { ExternalDatabaseConfig, UserRole } from './types.js';
import { VARIABLES, type Values, type Variable } from './variables.js';

/**
 * The password policy (the auth module's `checkPassword`), passed in by the entry points so that
 * the configuration, the lowest layer, imports no feature module. Returns the failing rules.
 */
export type PasswordPolicy = (
  password: string,
  context: { username: string; email: string | null },
  options: { minLength: number },
) => readonly { code: string }[];

const DEFAULT_LIKE_DB_PASSWORDS = new Set(['', 'password', 'postgres', 'changeme']);

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

/** Both keys are needed everywhere; outside production `loadConfigFromEnvironment` generates them first. */
export function requireKeys(v: Values, production: boolean, problems: Problems): void {
  for (const variable of ['SECRET_KEY', 'FILES_ENC_KEY'] as const) {
    if (v[variable] === null && !problems.has(variable)) {
      problems.add(variable, production ? 'missing (required in production)' : 'missing (outside production it is generated in DATA_DIR by loadConfigFromEnvironment)');
    }
  }
}

/**
 * Node refuses a headers timeout above the request timeout; an idle keep-alive connection must be
 * closed before a request on it could time out waiting for its headers (docs/operations.md §11.1).
 */
export function httpServerRules(v: Values, problems: Problems): void {
  if (v.HTTP_HEADERS_TIMEOUT_MS > v.HTTP_REQUEST_TIMEOUT_MS) {
    problems.add('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${v.HTTP_REQUEST_TIMEOUT_MS}), got ${v.HTTP_HEADERS_TIMEOUT_MS}`);
  }
  if (v.HTTP_KEEPALIVE_TIMEOUT_MS >= v.HTTP_HEADERS_TIMEOUT_MS) {
    problems.add('HTTP_KEEPALIVE_TIMEOUT_MS', `must be below HTTP_HEADERS_TIMEOUT_MS (${v.HTTP_HEADERS_TIMEOUT_MS}), got ${v.HTTP_KEEPALIVE_TIMEOUT_MS}`);
  }
}

export interface DatabaseChoice {
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

/** DATABASE_URL, else POSTGRES_* when POSTGRES_HOST is set, else the embedded server. */
export function chooseDatabase(v: Values, warnings: string[]): DatabaseChoice {
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

/** MFA_REQUIRED_ROLES: `none` means nobody; unset means admin in production, nobody elsewhere. */
export function mfaRequiredRoles(value: string[] | null, production: boolean): UserRole[] {
  if (value === null) return production ? ['admin'] : [];
  return value.filter((role): role is UserRole => role !== 'none');
}

/** The `production` ranges of the variable table, in table order. */
function productionRanges(v: Values, refuse: (variable: string, message: string) => void): void {
  for (const [name, spec] of Object.entries(VARIABLES) as [keyof Values, Variable][]) {
    const value = v[name];
    if (spec.production === undefined || typeof value !== 'number') continue;
    const { min, max = Number.POSITIVE_INFINITY } = spec.production;
    if (value < min || value > max) {
      refuse(name, max === Number.POSITIVE_INFINITY ? `must be at least ${min} in production, got ${value}` : `must be between ${min} and ${max} in production, got ${value}`);
    }
  }
}

/** The refusals of disabled or weakened protections (docs/security.md §11); the overridable ones go through `refuse`. */
function protectionRules(v: Values, refuse: (variable: string, message: string) => void): void {
  for (const entry of v.TRUST_PROXY ?? []) {
    const reason = wideProxyReason(entry);
    if (reason !== null) refuse('TRUST_PROXY', `${reason}; a forged X-Forwarded-For would bypass the per-IP lockout and rate limit`);
  }
  if (v.RATE_LIMIT_ENABLED === false) refuse('RATE_LIMIT_ENABLED', 'false disables the rate limit in production');
  if (v.DOCS_ENABLED === true) refuse('DOCS_ENABLED', 'true publishes /docs and the OpenAPI document in production');
}

export function productionRules(
  v: Values,
  db: DatabaseChoice,
  info: PackageInfo,
  passwordPolicy: PasswordPolicy,
  problems: Problems,
  warnings: string[],
): void {
  const refuse = (variable: string, message: string): void => problems.add(variable, message);
  // SECURITY_OVERRIDES: a refusal named there is a warning instead, so that the choice is visible at each start.
  const overrides = new Set(v.SECURITY_OVERRIDES ?? []);
  const refuseUnlessOverridden = (variable: string, message: string): void => {
    if (overrides.has(variable as Overridable)) warnings.push(`${variable}: ${message} (accepted by SECURITY_OVERRIDES)`);
    else refuse(variable, `${message}${isOverridable(variable) ? ' (to accept it deliberately: SECURITY_OVERRIDES=' + variable + ')' : ''}`);
  };

  if (v.SECRET_KEY !== null) {
    if (Buffer.byteLength(v.SECRET_KEY, 'utf8') < 32) refuse('SECRET_KEY', 'shorter than 32 bytes');
    if (new Set(v.SECRET_KEY).size < 10) refuse('SECRET_KEY', 'has fewer than 10 distinct characters');
    if (isPlaceholder(v.SECRET_KEY, info)) refuse('SECRET_KEY', 'is a known default or placeholder value; generate one with npm run keys:generate');
    const weak = weakSecretReason(v.SECRET_KEY);
    if (weak !== null) refuse('SECRET_KEY', `${weak}; generate one with npm run keys:generate`);
  }
  if (v.FILES_ENC_KEY !== null) {
    if (v.FILES_ENC_KEY === info.exampleFilesKey) refuse('FILES_ENC_KEY', 'is the example value of .env.example; generate one with npm run keys:generate');
    if (v.FILES_ENC_KEY === v.SECRET_KEY) refuse('FILES_ENC_KEY', 'must differ from SECRET_KEY');
    const weak = weakKeyBytesReason(Buffer.from(v.FILES_ENC_KEY, 'base64url'));
    if (weak !== null) refuse('FILES_ENC_KEY', `${weak}; generate one with npm run keys:generate`);
  }
  for (const [index, oldKey] of (v.FILES_ENC_OLD_KEYS ?? []).entries()) {
    const weak = weakKeyBytesReason(Buffer.from(oldKey, 'base64url'));
    if (weak !== null) refuse('FILES_ENC_OLD_KEYS', `entry ${index + 1} ${weak}`);
  }
  protectionRules(v, refuseUnlessOverridden);
  if (v.MFA_REQUIRED_ROLES !== null && !v.MFA_REQUIRED_ROLES.includes('admin')) {
    warnings.push('MFA_REQUIRED_ROLES: admins may sign in without a second factor');
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
    const failures = passwordPolicy(v.ADMIN_PASSWORD, { username: v.ADMIN_USERNAME, email: v.ADMIN_EMAIL }, { minLength: v.PASSWORD_MIN_LENGTH });
    if (failures.length > 0) refuse('ADMIN_PASSWORD', `fails the password policy (${failures.map((f) => f.code).join(', ')})`);
  }
  if (v.METRICS_TOKEN !== null && v.METRICS_TOKEN.length < 24) refuse('METRICS_TOKEN', 'shorter than 24 characters');
  if (v.SMTP_HOST !== null && v.EMAILS_FROM_EMAIL === null) refuse('EMAILS_FROM_EMAIL', 'required when SMTP_HOST is set');

  productionRanges(v, refuseUnlessOverridden);
}

function isOverridable(variable: string): boolean {
  return (OVERRIDABLE as readonly string[]).includes(variable);
}

export function developmentWarnings(v: Values, info: PackageInfo, warnings: string[]): void {
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
