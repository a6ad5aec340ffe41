/** Fully parsed and validated configuration. Built once by `loadConfig`; nothing else reads `process.env`. */
export type Environment = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'pretty' | 'json';
export type SmtpSecurity = 'starttls' | 'tls' | 'none';
/** The user roles (the same list as `users.role`, docs/domain.md). */
export type UserRole = 'admin' | 'responsable' | 'technicien' | 'client';

/** External server settings; `null` in `AppConfig.database.external` means "use the embedded server". */
export interface ExternalDatabaseConfig {
  /** A `postgres://` connection string (built from POSTGRES_* when DATABASE_URL is unset). */
  connectionString: string;
}

export interface AppConfig {
  environment: Environment;
  debug: boolean;
  host: string;
  port: number;
  projectName: string;
  version: string;
  legacyRootRoutes: boolean;
  docsEnabled: boolean;
  appTimezone: string;
  appPublicUrl: string | null;
  /** Absolute path. */
  dataDir: string;

  /** Slow-client limits of the HTTP server (docs/operations.md §11.1). */
  httpServer: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };

  database: {
    external: ExternalDatabaseConfig | null;
    /** Absolute path of the embedded cluster. */
    embeddedDataDir: string;
    /** Fixed port for the embedded server; `null` = choose a free one at first start and remember it. */
    embeddedPort: number | null;
    /** Restarts of a crashed embedded postmaster before giving up (docs/operations.md §3). */
    embeddedRestartAttempts: number;
    poolMax: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
  };

  auth: {
    secretKey: string;
    jwtIssuer: string;
    jwtAudience: string;
    accessTokenExpireMinutes: number;
    refreshTokenExpireDays: number;
    refreshFamilyMaxDays: number;
    passwordMinLength: number;
    bruteForceMaxFailures: number;
    bruteForceIpMaxFailures: number;
    bruteForceWindowMinutes: number;
    bruteForceLockMinutes: number;
    /** Roles that must enrol a TOTP second factor (docs/security.md §3a). */
    mfaRequiredRoles: UserRole[];
  };

  rateLimit: {
    enabled: boolean;
    perMinute: number;
    authPerMinute: number;
    redisUrl: string | null;
  };

  /** IPs / CIDRs of trusted reverse proxies (empty = trust nobody). */
  trustProxy: string[];
  corsAllowOrigins: string[];
  metricsToken: string | null;

  files: {
    /** base64url of 32 bytes. */
    encKey: string;
    oldKeys: string[];
    uploadDirectory: string;
    uploadMaxMb: number;
    downloadUrlTtlSeconds: number;
  };

  smtp: {
    host: string | null;
    port: number;
    user: string | null;
    password: string | null;
    security: SmtpSecurity;
    fromEmail: string | null;
    fromName: string;
    subjectPrefix: string;
    maxAttempts: number;
  };

  jobs: {
    enableScheduler: boolean;
    planningCron: string;
    overdueCron: string;
    contratsExpireCron: string;
    purgeCron: string;
    planningLeadDays: number;
    auditRetentionDays: number;
    loginAttemptsRetentionDays: number;
  };

  log: {
    level: LogLevel;
    /** LOG_FORMAT; null: pretty in development on a terminal, JSON otherwise (src/logger.ts `logFormatFor`). */
    format: LogFormat | null;
    file: string | null;
    rotateSize: string;
    rotateFrequency: string;
    retentionCount: number;
  };

  shutdownTimeoutSeconds: number;

  admin: {
    email: string | null;
    password: string | null;
    username: string;
    fullName: string;
  };

  backup: {
    dir: string;
    retentionDays: number;
  };
}
