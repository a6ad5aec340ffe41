/**
 * Configuration (docs/configuration.md). `loadConfig` is the only reader of the environment
 * variables: it parses every variable of the table (variables.ts) with its default, applies the
 * rules that combine variables (rules.ts), collects every problem and throws one `ConfigError`
 * listing them all. Secrets are never quoted in a problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { packageInfo } from './package-info.js';
import { ConfigError, Problems } from './problems.js';
import { chooseDatabase, developmentWarnings, httpServerRules, mfaRequiredRoles, productionRules, requireKeys, type PasswordPolicy } from './rules.js';
import { ensureDevelopmentSecrets } from './secrets.js';
import type { AppConfig } from './types.js';
import { DEFAULT_CORS_ORIGINS, readVariables, VARIABLES, type EnvVars } from './variables.js';

export type { AppConfig } from './types.js';
export type { PasswordPolicy } from './rules.js';
export type { EnvVars } from './variables.js';
export { ConfigError } from './problems.js';
export { ensureDevelopmentSecrets } from './secrets.js';

export interface LoadOptions {
  cwd: string;
  /** Checks ADMIN_PASSWORD in production: the auth module's `checkPassword`. */
  passwordPolicy: PasswordPolicy;
}

/**
 * The variables of `<cwd>/.env` (when present) overlaid by the real environment, which wins. This
 * module is the one reader of `process.env`; tests pass their own.
 */
export function readEnvironment(cwd: string, processEnv: NodeJS.ProcessEnv = process.env): EnvVars {
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
  return path.resolve(cwd, raw === undefined || raw === '' ? VARIABLES.DATA_DIR.parser.fallback : raw);
}

/**
 * Parses and validates the configuration. Pure apart from reading package.json and .env.example:
 * it never generates keys (see `ensureDevelopmentSecrets`). Throws a `ConfigError` listing every problem.
 */
export function loadConfig(env: EnvVars, options: LoadOptions): { config: AppConfig; warnings: string[] } {
  const problems = new Problems();
  const warnings: string[] = [];
  const v = readVariables(env, problems);
  const info = packageInfo(options.cwd);
  const production = v.ENVIRONMENT === 'production';

  requireKeys(v, production, problems);
  httpServerRules(v, problems);
  const db = chooseDatabase(v, warnings);
  if (production) productionRules(v, db, info, options.passwordPolicy, problems, warnings);
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
    httpServer: {
      headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: v.HTTP_KEEPALIVE_TIMEOUT_MS,
    },
    database: {
      external: db.external,
      embeddedDataDir: v.EMBEDDED_PG_DATA_DIR === null ? path.join(dataDir, 'postgres') : fromCwd(v.EMBEDDED_PG_DATA_DIR),
      embeddedPort: v.EMBEDDED_PG_PORT,
      embeddedRestartAttempts: v.EMBEDDED_PG_RESTART_ATTEMPTS,
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
      mfaRequiredRoles: mfaRequiredRoles(v.MFA_REQUIRED_ROLES, production),
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
      overdueCron: v.OVERDUE_CRON,
      contratsExpireCron: v.CONTRATS_EXPIRE_CRON,
      purgeCron: v.PURGE_CRON,
      planningLeadDays: v.PLANNING_LEAD_DAYS,
      auditRetentionDays: v.AUDIT_RETENTION_DAYS,
      loginAttemptsRetentionDays: v.LOGIN_ATTEMPTS_RETENTION_DAYS,
    },
    log: {
      // debug would show PostgreSQL's own start-up lines in development (docs/operations.md §10).
      level: v.LOG_LEVEL ?? ({ production: 'info', development: 'info', test: 'warn' } as const)[v.ENVIRONMENT],
      format: v.LOG_FORMAT,
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
export async function loadConfigFromEnvironment(
  options: LoadOptions & { processEnv?: NodeJS.ProcessEnv },
): Promise<{ config: AppConfig; warnings: string[] }> {
  const env = readEnvironment(options.cwd, options.processEnv);
  const secrets = await ensureDevelopmentSecrets(env, { dataDir: resolveDataDir(env, options.cwd) });
  const { config, warnings } = loadConfig(secrets.env, { cwd: options.cwd, passwordPolicy: options.passwordPolicy });
  return { config, warnings: [...secrets.warnings, ...warnings] };
}
