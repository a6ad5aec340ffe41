/**
 * Configuration: docs/operations.md §2 (variables and defaults) and docs/security.md §11 (production rules).
 * Run: node --import tsx --test test/config/config.test.ts
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, loadConfig, loadConfigFromEnvironment, readEnvironment, type PasswordPolicy } from '../../src/config/index.js';
import { ensureDevelopmentSecrets } from '../../src/config/secrets.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';

type EnvVars = Record<string, string | undefined>;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const EXAMPLE = parseDotenv(readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8'));

const SECRET_KEY = 'c5gGRaKT2w5kRl4cccpns2-IDK4SiWOGqaNG3y2XB9rKBOIPWt6ru9CVBF_y1dar';
const FILES_KEY = '7cXxTtSd2yQuW5IcMDHdmkj0sglaR6A757T3QQgXvfA';
const OLD_FILES_KEY = '1drpbP9dTV2WQj0NB0Yy6q4rXxZs8fi6b_-nu7lYGZ0';
/** base64url of 31 bytes. */
const SHORT_FILES_KEY = Buffer.alloc(31, 7).toString('base64url');

const CWD = path.join(os.tmpdir(), 'mif-erp-config-test-cwd');
const OPTIONS = { cwd: CWD, passwordPolicy: checkPassword };

const VALID_PRODUCTION: EnvVars = {
  ENVIRONMENT: 'production',
  SECRET_KEY,
  FILES_ENC_KEY: FILES_KEY,
  CORS_ALLOW_ORIGINS: 'https://erp.mif.example',
  DATABASE_URL: 'postgres://mif_erp:Str0ng-Db-Passw0rd@db.internal:5432/mif_erp?sslmode=require',
};

const DEV_KEYS: EnvVars = { SECRET_KEY, FILES_ENC_KEY: FILES_KEY };

/** The problems `loadConfig` reports for `env` ([] when it loads). */
function problemsOf(env: EnvVars): string[] {
  try {
    loadConfig(env, OPTIONS);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
}

const variableOf = (problem: string): string => problem.slice(0, problem.indexOf(':'));
const variablesOf = (env: EnvVars): string[] => problemsOf(env).map(variableOf);

const tempDirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mif-erp-config-'));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

describe('production rules (docs/security.md §11)', () => {
  test('the valid production fixture loads without problems', () => {
    const { config, warnings } = loadConfig(VALID_PRODUCTION, OPTIONS);
    assert.equal(config.environment, 'production');
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.corsAllowOrigins, ['https://erp.mif.example']);
    assert.deepEqual(config.database.external, { connectionString: VALID_PRODUCTION.DATABASE_URL });
  });

  test('short SECRET_KEY + CORS_ALLOW_ORIGINS=* + no FILES_ENC_KEY → exactly those three problems', () => {
    const env = { ...VALID_PRODUCTION, SECRET_KEY: 'short', CORS_ALLOW_ORIGINS: '*', FILES_ENC_KEY: undefined };
    const problems = problemsOf(env);
    assert.deepEqual(problems.map(variableOf).sort(), ['CORS_ALLOW_ORIGINS', 'FILES_ENC_KEY', 'SECRET_KEY']);
    let message = '';
    try {
      loadConfig(env, OPTIONS);
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    for (const problem of problems) assert.ok(lines.includes(problem), `message lacks the line ${problem}`);
  });

  const OPENING_EXAMPLE_SECRET = EXAMPLE.SECRET_KEY ?? '';
  const OPENING_EXAMPLE_FILES_KEY = EXAMPLE.FILES_ENC_KEY ?? '';
  test('.env.example provides the SECRET_KEY placeholder and FILES_ENC_KEY example value', () => {
    assert.equal(OPENING_EXAMPLE_SECRET, 'change-me-generate-with-npm-run-keys-generate');
    assert.ok(OPENING_EXAMPLE_FILES_KEY.length > 0);
  });

  interface RuleCase {
    rule: string;
    variable: string;
    bad: EnvVars;
    fix: EnvVars;
    reason: RegExp;
  }

  const externalPostgres = (password: string | undefined): EnvVars => ({
    DATABASE_URL: undefined,
    POSTGRES_HOST: 'db.internal',
    POSTGRES_USER: 'mif_erp',
    POSTGRES_PASSWORD: password,
  });

  const RULES: RuleCase[] = [
    { rule: 'SECRET_KEY missing', variable: 'SECRET_KEY', bad: { SECRET_KEY: undefined }, fix: { SECRET_KEY }, reason: /missing/ },
    { rule: 'SECRET_KEY empty', variable: 'SECRET_KEY', bad: { SECRET_KEY: '' }, fix: { SECRET_KEY }, reason: /missing/ },
    {
      rule: 'SECRET_KEY shorter than 32 bytes',
      variable: 'SECRET_KEY',
      bad: { SECRET_KEY: 'c5gGRaKT2w5kRl4cccpns2-IDK4SiWO' },
      fix: { SECRET_KEY: 'c5gGRaKT2w5kRl4cccpns2-IDK4SiWOG' },
      reason: /32 bytes/,
    },
    {
      rule: 'SECRET_KEY with fewer than 10 distinct characters',
      variable: 'SECRET_KEY',
      bad: { SECRET_KEY: 'abcdefghi'.repeat(5) },
      fix: { SECRET_KEY: 'c5gGRaKT2w5kRl4cccpns2-IDK4SiWOGqaNG3y2X' },
      reason: /10 distinct/,
    },
    {
      rule: 'SECRET_KEY equal to the .env.example placeholder',
      variable: 'SECRET_KEY',
      bad: { SECRET_KEY: OPENING_EXAMPLE_SECRET },
      fix: { SECRET_KEY },
      reason: /placeholder/,
    },
    {
      rule: 'SECRET_KEY equal to a built-in default',
      variable: 'SECRET_KEY',
      bad: { SECRET_KEY: 'insecure-test-secret-key' },
      fix: { SECRET_KEY },
      reason: /placeholder/,
    },
    { rule: 'FILES_ENC_KEY missing', variable: 'FILES_ENC_KEY', bad: { FILES_ENC_KEY: undefined }, fix: { FILES_ENC_KEY: FILES_KEY }, reason: /missing/ },
    {
      rule: 'FILES_ENC_KEY not base64url of 32 bytes',
      variable: 'FILES_ENC_KEY',
      bad: { FILES_ENC_KEY: SHORT_FILES_KEY },
      fix: { FILES_ENC_KEY: FILES_KEY },
      reason: /32 bytes/,
    },
    {
      rule: 'FILES_ENC_KEY with characters outside base64url',
      variable: 'FILES_ENC_KEY',
      bad: { FILES_ENC_KEY: `${FILES_KEY.slice(0, 42)}+` },
      fix: { FILES_ENC_KEY: FILES_KEY },
      reason: /base64url/,
    },
    {
      rule: 'FILES_ENC_KEY equal to the .env.example value',
      variable: 'FILES_ENC_KEY',
      bad: { FILES_ENC_KEY: OPENING_EXAMPLE_FILES_KEY },
      fix: { FILES_ENC_KEY: FILES_KEY },
      reason: /\.env\.example/,
    },
    {
      rule: 'FILES_ENC_KEY equal to SECRET_KEY',
      variable: 'FILES_ENC_KEY',
      bad: { SECRET_KEY: FILES_KEY, FILES_ENC_KEY: FILES_KEY },
      fix: { SECRET_KEY },
      reason: /SECRET_KEY/,
    },
    {
      rule: 'FILES_ENC_OLD_KEYS with an invalid entry',
      variable: 'FILES_ENC_OLD_KEYS',
      bad: { FILES_ENC_OLD_KEYS: `${OLD_FILES_KEY},${SHORT_FILES_KEY}` },
      fix: { FILES_ENC_OLD_KEYS: OLD_FILES_KEY },
      reason: /entry 2/,
    },
    {
      rule: 'CORS_ALLOW_ORIGINS missing',
      variable: 'CORS_ALLOW_ORIGINS',
      bad: { CORS_ALLOW_ORIGINS: undefined },
      fix: { CORS_ALLOW_ORIGINS: 'https://erp.mif.example' },
      reason: /missing or empty/,
    },
    {
      rule: 'CORS_ALLOW_ORIGINS empty JSON list',
      variable: 'CORS_ALLOW_ORIGINS',
      bad: { CORS_ALLOW_ORIGINS: '[]' },
      fix: { CORS_ALLOW_ORIGINS: '["https://erp.mif.example"]' },
      reason: /missing or empty/,
    },
    {
      rule: 'CORS_ALLOW_ORIGINS containing *',
      variable: 'CORS_ALLOW_ORIGINS',
      bad: { CORS_ALLOW_ORIGINS: 'https://erp.mif.example,*' },
      fix: { CORS_ALLOW_ORIGINS: 'https://erp.mif.example' },
      reason: /"\*" is refused/,
    },
    {
      rule: 'CORS_ALLOW_ORIGINS containing null',
      variable: 'CORS_ALLOW_ORIGINS',
      bad: { CORS_ALLOW_ORIGINS: '["null"]' },
      fix: { CORS_ALLOW_ORIGINS: '["https://erp.mif.example"]' },
      reason: /"null" is refused/,
    },
    {
      rule: 'CORS_ALLOW_ORIGINS entry that is not a bare origin',
      variable: 'CORS_ALLOW_ORIGINS',
      bad: { CORS_ALLOW_ORIGINS: 'https://erp.mif.example/app' },
      fix: { CORS_ALLOW_ORIGINS: 'https://erp.mif.example' },
      reason: /bare origin/,
    },
    { rule: 'DEBUG true', variable: 'DEBUG', bad: { DEBUG: 'true' }, fix: { DEBUG: 'false' }, reason: /false/ },
    { rule: 'TRUST_PROXY true', variable: 'TRUST_PROXY', bad: { TRUST_PROXY: 'true' }, fix: { TRUST_PROXY: '10.0.0.1' }, reason: /every client/ },
    { rule: 'TRUST_PROXY *', variable: 'TRUST_PROXY', bad: { TRUST_PROXY: '*' }, fix: { TRUST_PROXY: '10.0.0.0/8' }, reason: /every client/ },
    {
      rule: 'TRUST_PROXY entry that is not an IP or CIDR',
      variable: 'TRUST_PROXY',
      bad: { TRUST_PROXY: '10.0.0.1, proxy.internal' },
      fix: { TRUST_PROXY: '10.0.0.1, fd00::/8' },
      reason: /entry 2 .*not an IP address or CIDR/,
    },
    ...['password', 'postgres', 'changeme', undefined].map<RuleCase>((password) => ({
      rule: `POSTGRES_PASSWORD ${password === undefined ? 'empty' : `= ${password}`} for an external server`,
      variable: 'POSTGRES_PASSWORD',
      bad: externalPostgres(password),
      fix: { POSTGRES_PASSWORD: 'Str0ng-Db-Passw0rd' },
      reason: /default-like/,
    })),
    {
      rule: 'default-like password in DATABASE_URL',
      variable: 'DATABASE_URL',
      bad: { DATABASE_URL: 'postgres://mif_erp:postgres@db.internal:5432/mif_erp' },
      fix: { DATABASE_URL: 'postgres://mif_erp:Str0ng-Db-Passw0rd@db.internal:5432/mif_erp' },
      reason: /default-like/,
    },
    {
      rule: 'no password in DATABASE_URL',
      variable: 'DATABASE_URL',
      bad: { DATABASE_URL: 'postgres://mif_erp@db.internal:5432/mif_erp' },
      fix: { DATABASE_URL: 'postgres://mif_erp:Str0ng-Db-Passw0rd@db.internal:5432/mif_erp' },
      reason: /empty/,
    },
    {
      rule: 'REDIS_URL with the embedded server',
      variable: 'REDIS_URL',
      bad: { DATABASE_URL: undefined, REDIS_URL: 'redis://cache.internal:6379/0' },
      fix: { DATABASE_URL: VALID_PRODUCTION.DATABASE_URL },
      reason: /embedded/,
    },
    {
      rule: 'METRICS_TOKEN shorter than 24 characters',
      variable: 'METRICS_TOKEN',
      bad: { METRICS_TOKEN: 'x'.repeat(23) },
      fix: { METRICS_TOKEN: 'x'.repeat(24) },
      reason: /24/,
    },
    {
      rule: 'SMTP_HOST without EMAILS_FROM_EMAIL',
      variable: 'EMAILS_FROM_EMAIL',
      bad: { SMTP_HOST: 'smtp.mif.example' },
      fix: { EMAILS_FROM_EMAIL: 'erp@mif.example' },
      reason: /SMTP_HOST/,
    },
    {
      rule: 'ADMIN_PASSWORD failing the password policy',
      variable: 'ADMIN_PASSWORD',
      bad: { ADMIN_USERNAME: 'chef', ADMIN_PASSWORD: 'chef2026' },
      fix: { ADMIN_PASSWORD: 'Bootstrap#2026x' },
      reason: /password policy \(uppercase, special, contains_username\)/,
    },
    { rule: 'ACCESS_TOKEN_EXPIRE_MINUTES below 5', variable: 'ACCESS_TOKEN_EXPIRE_MINUTES', bad: { ACCESS_TOKEN_EXPIRE_MINUTES: '4' }, fix: { ACCESS_TOKEN_EXPIRE_MINUTES: '5' }, reason: /5 and 60/ },
    { rule: 'ACCESS_TOKEN_EXPIRE_MINUTES above 60', variable: 'ACCESS_TOKEN_EXPIRE_MINUTES', bad: { ACCESS_TOKEN_EXPIRE_MINUTES: '61' }, fix: { ACCESS_TOKEN_EXPIRE_MINUTES: '60' }, reason: /5 and 60/ },
    { rule: 'REFRESH_TOKEN_EXPIRE_DAYS above 30', variable: 'REFRESH_TOKEN_EXPIRE_DAYS', bad: { REFRESH_TOKEN_EXPIRE_DAYS: '31' }, fix: { REFRESH_TOKEN_EXPIRE_DAYS: '30' }, reason: /1 and 30/ },
    { rule: 'REFRESH_TOKEN_EXPIRE_DAYS below 1', variable: 'REFRESH_TOKEN_EXPIRE_DAYS', bad: { REFRESH_TOKEN_EXPIRE_DAYS: '0' }, fix: { REFRESH_TOKEN_EXPIRE_DAYS: '1' }, reason: />= 1/ },
    { rule: 'PASSWORD_MIN_LENGTH below 8', variable: 'PASSWORD_MIN_LENGTH', bad: { PASSWORD_MIN_LENGTH: '7' }, fix: { PASSWORD_MIN_LENGTH: '8' }, reason: /at least 8/ },
    { rule: 'UPLOAD_MAX_MB above 100', variable: 'UPLOAD_MAX_MB', bad: { UPLOAD_MAX_MB: '101' }, fix: { UPLOAD_MAX_MB: '100' }, reason: /1 and 100/ },
    { rule: 'UPLOAD_MAX_MB below 1', variable: 'UPLOAD_MAX_MB', bad: { UPLOAD_MAX_MB: '0' }, fix: { UPLOAD_MAX_MB: '1' }, reason: />= 1/ },
    // Issue 13, finding 3: weak keys and disabled protections.
    { rule: 'SECRET_KEY a repeated block', variable: 'SECRET_KEY', bad: { SECRET_KEY: 'Xk3#pQ9!vZ'.repeat(4) }, fix: { SECRET_KEY }, reason: /repeated pattern/ },
    { rule: 'SECRET_KEY a run of characters', variable: 'SECRET_KEY', bad: { SECRET_KEY: 'abcdefghijklmnopqrstuvwxyz012345' }, fix: { SECRET_KEY }, reason: /runs/ },
    { rule: 'SECRET_KEY of low entropy', variable: 'SECRET_KEY', bad: { SECRET_KEY: 'aQaWaEaRaTaYaUaIaOaPaQaQaQaQaQaQ' }, fix: { SECRET_KEY }, reason: /entropy/ },
    { rule: 'FILES_ENC_KEY of 32 zero bytes', variable: 'FILES_ENC_KEY', bad: { FILES_ENC_KEY: Buffer.alloc(32).toString('base64url') }, fix: { FILES_ENC_KEY: FILES_KEY }, reason: /all zero/ },
    {
      rule: 'FILES_ENC_KEY of counting bytes',
      variable: 'FILES_ENC_KEY',
      bad: { FILES_ENC_KEY: Buffer.from([...Array(32).keys()]).toString('base64url') },
      fix: { FILES_ENC_KEY: FILES_KEY },
      reason: /consecutive bytes/,
    },
    { rule: 'FILES_ENC_KEY of few byte values', variable: 'FILES_ENC_KEY', bad: { FILES_ENC_KEY: Buffer.from('q3x9m1z7k5p0w2cq3x9m1z7k5p0w2cxq').toString('base64url') }, fix: { FILES_ENC_KEY: FILES_KEY }, reason: /distinct byte/ },
    { rule: 'TRUST_PROXY covering the whole IPv4 space', variable: 'TRUST_PROXY', bad: { TRUST_PROXY: '0.0.0.0/1,128.0.0.0/1' }, fix: { TRUST_PROXY: '10.0.0.0/8' }, reason: /wider than a private network.*SECURITY_OVERRIDES=TRUST_PROXY/ },
    { rule: 'TRUST_PROXY a public /24', variable: 'TRUST_PROXY', bad: { TRUST_PROXY: '203.0.113.0/24' }, fix: { TRUST_PROXY: '203.0.113.16/28' }, reason: /X-Forwarded-For/ },
    { rule: 'TRUST_PROXY an IPv6 /64', variable: 'TRUST_PROXY', bad: { TRUST_PROXY: '2001:db8::/64' }, fix: { TRUST_PROXY: '2001:db8::10,fd00::/8' }, reason: /\/124/ },
    { rule: 'RATE_LIMIT_ENABLED=false', variable: 'RATE_LIMIT_ENABLED', bad: { RATE_LIMIT_ENABLED: 'false' }, fix: { RATE_LIMIT_ENABLED: 'true' }, reason: /disables the rate limit/ },
    { rule: 'DOCS_ENABLED=true', variable: 'DOCS_ENABLED', bad: { DOCS_ENABLED: 'true' }, fix: { DOCS_ENABLED: undefined }, reason: /\/docs/ },
    { rule: 'BRUTE_FORCE_MAX_FAILURES of 1,000,000', variable: 'BRUTE_FORCE_MAX_FAILURES', bad: { BRUTE_FORCE_MAX_FAILURES: '1000000' }, fix: { BRUTE_FORCE_MAX_FAILURES: '10' }, reason: /3 and 10/ },
    { rule: 'BRUTE_FORCE_IP_MAX_FAILURES of 1,000,000', variable: 'BRUTE_FORCE_IP_MAX_FAILURES', bad: { BRUTE_FORCE_IP_MAX_FAILURES: '1000000' }, fix: { BRUTE_FORCE_IP_MAX_FAILURES: '100' }, reason: /3 and 100.*SECURITY_OVERRIDES/ },
    { rule: 'BRUTE_FORCE_WINDOW_MINUTES of 1 minute', variable: 'BRUTE_FORCE_WINDOW_MINUTES', bad: { BRUTE_FORCE_WINDOW_MINUTES: '1' }, fix: { BRUTE_FORCE_WINDOW_MINUTES: '5' }, reason: /5 and 1440/ },
    { rule: 'BRUTE_FORCE_LOCK_MINUTES of a day', variable: 'BRUTE_FORCE_LOCK_MINUTES', bad: { BRUTE_FORCE_LOCK_MINUTES: '1440' }, fix: { BRUTE_FORCE_LOCK_MINUTES: '60' }, reason: /1 and 60/ },
  ];

  for (const { rule, variable, bad, fix, reason } of RULES) {
    test(`refused: ${rule}`, () => {
      const badEnv = { ...VALID_PRODUCTION, ...bad };
      const problems = problemsOf(badEnv);
      assert.deepEqual(problems.map(variableOf), [variable], `problems: ${JSON.stringify(problems)}`);
      assert.match(problems[0] ?? '', reason);

      const fixedEnv = { ...badEnv, ...fix };
      assert.deepEqual(problemsOf(fixedEnv), [], 'fixing only this rule removes the problem');
    });
  }

  test('issue 13: TRUST_PROXY=0.0.0.0/0 is refused in every environment, naming the variable (it used to crash at start)', () => {
    for (const env of [{ ...VALID_PRODUCTION }, { ENVIRONMENT: 'development', ...DEV_KEYS }]) {
      for (const everything of ['0.0.0.0/0', '::/0', '10.0.0.1,0.0.0.0/0']) {
        const problems = problemsOf({ ...env, TRUST_PROXY: everything });
        assert.deepEqual(problems.map(variableOf), ['TRUST_PROXY'], everything);
        assert.match(problems[0]!, /whole address space/);
      }
    }
  });

  test('issue 13: SECURITY_OVERRIDES turns the overridable refusals into warnings, and only those', () => {
    const env = { ...VALID_PRODUCTION, TRUST_PROXY: '203.0.113.0/24', RATE_LIMIT_ENABLED: 'false', DOCS_ENABLED: 'true', BRUTE_FORCE_IP_MAX_FAILURES: '500' };
    assert.deepEqual(problemsOf(env).map(variableOf), ['TRUST_PROXY', 'RATE_LIMIT_ENABLED', 'DOCS_ENABLED', 'BRUTE_FORCE_IP_MAX_FAILURES']);
    const accepted = loadConfig({ ...env, SECURITY_OVERRIDES: 'TRUST_PROXY,RATE_LIMIT_ENABLED,DOCS_ENABLED,BRUTE_FORCE_IP_MAX_FAILURES' }, OPTIONS);
    assert.equal(accepted.config.rateLimit.enabled, false);
    assert.deepEqual(accepted.warnings.map((w) => w.slice(0, w.indexOf(':'))), ['TRUST_PROXY', 'RATE_LIMIT_ENABLED', 'DOCS_ENABLED', 'BRUTE_FORCE_IP_MAX_FAILURES']);
    assert.ok(accepted.warnings.every((w) => w.endsWith('(accepted by SECURITY_OVERRIDES)')));
    // A weak key or an absurd account threshold is never accepted.
    const problems = problemsOf({ ...VALID_PRODUCTION, SECURITY_OVERRIDES: 'FILES_ENC_KEY,BRUTE_FORCE_MAX_FAILURES' });
    assert.deepEqual(problems.map(variableOf), ['SECURITY_OVERRIDES']);
    assert.match(problems[0]!, /cannot be overridden/);
  });

  test('issue 13: proxies inside private networks, or a few public addresses, are accepted', () => {
    for (const proxies of ['127.0.0.1', '10.0.0.0/8', '172.16.0.0/12,192.168.1.0/24', '100.64.0.0/10', 'fd00::/8', '::1', '203.0.113.7', '198.51.100.0/28', '2001:db8::/124']) {
      assert.deepEqual(problemsOf({ ...VALID_PRODUCTION, TRUST_PROXY: proxies }), [], proxies);
    }
    assert.deepEqual(problemsOf({ ...VALID_PRODUCTION, TRUST_PROXY: '10.0.0.0/7' }).map(variableOf), ['TRUST_PROXY'], 'wider than 10/8');
  });

  test('issue 13: MFA_REQUIRED_ROLES is admin in production by default, none elsewhere, and none on request', () => {
    assert.deepEqual(loadConfig(VALID_PRODUCTION, OPTIONS).config.auth.mfaRequiredRoles, ['admin']);
    assert.deepEqual(loadConfig({ ENVIRONMENT: 'development', ...DEV_KEYS }, OPTIONS).config.auth.mfaRequiredRoles, []);
    const none = loadConfig({ ...VALID_PRODUCTION, MFA_REQUIRED_ROLES: 'none' }, OPTIONS);
    assert.deepEqual(none.config.auth.mfaRequiredRoles, []);
    assert.match(none.warnings.join('\n'), /MFA_REQUIRED_ROLES: admins may sign in without a second factor/);
    assert.deepEqual(loadConfig({ ...VALID_PRODUCTION, MFA_REQUIRED_ROLES: 'admin,responsable' }, OPTIONS).config.auth.mfaRequiredRoles, ['admin', 'responsable']);
    assert.deepEqual(problemsOf({ ...VALID_PRODUCTION, MFA_REQUIRED_ROLES: 'superadmin' }).map(variableOf), ['MFA_REQUIRED_ROLES']);
  });

  test('an http:// origin that is not localhost is only a warning; localhost is not', () => {
    const plain = loadConfig({ ...VALID_PRODUCTION, CORS_ALLOW_ORIGINS: 'http://erp.mif.example' }, OPTIONS);
    assert.equal(plain.warnings.length, 1);
    assert.match(plain.warnings[0] ?? '', /^CORS_ALLOW_ORIGINS: .*http/);
    const local = loadConfig({ ...VALID_PRODUCTION, CORS_ALLOW_ORIGINS: 'http://localhost:3000,https://erp.mif.example' }, OPTIONS);
    assert.deepEqual(local.warnings, []);
  });

  test('every violated rule is reported at once, one line per variable', () => {
    const env: EnvVars = {
      ENVIRONMENT: 'production',
      SECRET_KEY: 'changeme',
      FILES_ENC_KEY: 'changeme',
      CORS_ALLOW_ORIGINS: 'null',
      DEBUG: 'yes',
      TRUST_PROXY: '*',
      REDIS_URL: 'redis://cache.internal:6379',
      METRICS_TOKEN: 'short',
      SMTP_HOST: 'smtp.mif.example',
      ACCESS_TOKEN_EXPIRE_MINUTES: '120',
      REFRESH_TOKEN_EXPIRE_DAYS: '90',
      PASSWORD_MIN_LENGTH: '6',
      UPLOAD_MAX_MB: '500',
    };
    assert.deepEqual(variablesOf(env).sort(), [
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      'CORS_ALLOW_ORIGINS',
      'DEBUG',
      'EMAILS_FROM_EMAIL',
      'FILES_ENC_KEY',
      'METRICS_TOKEN',
      'PASSWORD_MIN_LENGTH',
      'REDIS_URL',
      'REFRESH_TOKEN_EXPIRE_DAYS',
      'SECRET_KEY',
      'TRUST_PROXY',
      'UPLOAD_MAX_MB',
    ]);
  });

  test('secret values never appear in the problems', () => {
    const secrets = {
      SECRET_KEY: 'Leak1-SecretKey',
      FILES_ENC_KEY: 'Leak2-FilesKey',
      FILES_ENC_OLD_KEYS: 'Leak3-OldKey',
      DATABASE_URL: 'mysql://user:Leak4-DbPassword@db/x',
      REDIS_URL: 'memcache://user:Leak5-RedisPassword@cache',
      METRICS_TOKEN: 'Leak6-Metrics',
    };
    let message = '';
    try {
      loadConfig({ ...VALID_PRODUCTION, ...secrets }, OPTIONS);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      message = error.message;
    }
    assert.deepEqual(
      message.split('\n').slice(1).map(variableOf).sort(),
      ['DATABASE_URL', 'FILES_ENC_KEY', 'FILES_ENC_OLD_KEYS', 'METRICS_TOKEN', 'REDIS_URL', 'SECRET_KEY'],
    );
    for (const value of Object.values(secrets)) assert.ok(!message.includes(value), 'a secret value leaked');
    assert.ok(!message.includes('Leak'), 'part of a secret value leaked');
  });

  test('production defaults: log level info, docs off, rate limiting on', () => {
    const { config } = loadConfig(VALID_PRODUCTION, OPTIONS);
    assert.equal(config.log.level, 'info');
    assert.equal(config.docsEnabled, false);
    assert.equal(config.rateLimit.enabled, true);
    const overridden = loadConfig({ ...VALID_PRODUCTION, DOCS_ENABLED: 'on', RATE_LIMIT_ENABLED: 'off', SECURITY_OVERRIDES: 'DOCS_ENABLED,RATE_LIMIT_ENABLED' }, OPTIONS).config;
    assert.equal(overridden.docsEnabled, true);
    assert.equal(overridden.rateLimit.enabled, false);
  });

  test('a padded (Fernet-style) FILES_ENC_KEY is accepted', () => {
    const padded = `${FILES_KEY}=`;
    assert.equal(loadConfig({ ...VALID_PRODUCTION, FILES_ENC_KEY: padded }, OPTIONS).config.files.encKey, padded);
  });

  test('ADMIN_PASSWORD goes through the password policy passed in, with the admin identity and PASSWORD_MIN_LENGTH, in production only', () => {
    const calls: unknown[][] = [];
    const refuseAll: PasswordPolicy = (...args) => {
      calls.push(args);
      return [{ code: 'stub_rule' }];
    };
    const env = { ADMIN_PASSWORD: 'Any#Pass-2026', ADMIN_USERNAME: 'chef', ADMIN_EMAIL: 'chef@mif.example', PASSWORD_MIN_LENGTH: '12' };
    assert.throws(
      () => loadConfig({ ...VALID_PRODUCTION, ...env }, { cwd: CWD, passwordPolicy: refuseAll }),
      (error: unknown) => error instanceof ConfigError && error.problems.join() === 'ADMIN_PASSWORD: fails the password policy (stub_rule)',
    );
    assert.deepEqual(calls, [['Any#Pass-2026', { username: 'chef', email: 'chef@mif.example' }, { minLength: 12 }]]);
    loadConfig({ ...DEV_KEYS, ...env }, { cwd: CWD, passwordPolicy: refuseAll });
    assert.equal(calls.length, 1, 'not called outside production');
  });
});

describe('development and test', () => {
  test('defaults in development', async () => {
    const cwd = await freshDir();
    const { config, warnings } = loadConfig(DEV_KEYS, { cwd, passwordPolicy: checkPassword });
    assert.deepEqual(warnings, []);
    assert.equal(config.environment, 'development');
    assert.equal(config.debug, false);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8000);
    assert.equal(config.projectName, 'ERP Interventions');
    assert.equal(config.version, PACKAGE_VERSION);
    assert.equal(config.legacyRootRoutes, true);
    assert.equal(config.docsEnabled, true);
    assert.equal(config.appTimezone, 'Africa/Casablanca');
    assert.equal(config.appPublicUrl, null);
    assert.equal(config.dataDir, path.join(cwd, 'data'));
    assert.deepEqual(config.httpServer, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
    assert.deepEqual(config.database, {
      external: null,
      embeddedDataDir: path.join(cwd, 'data', 'postgres'),
      embeddedPort: null,
      embeddedRestartAttempts: 6,
      poolMax: 10,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 15000,
    });
    assert.deepEqual(config.auth, {
      secretKey: SECRET_KEY,
      jwtIssuer: 'mif-erp',
      jwtAudience: 'mif-erp-api',
      accessTokenExpireMinutes: 15,
      refreshTokenExpireDays: 7,
      refreshFamilyMaxDays: 30,
      passwordMinLength: 8,
      bruteForceMaxFailures: 5,
      bruteForceIpMaxFailures: 5,
      bruteForceWindowMinutes: 15,
      bruteForceLockMinutes: 5,
      mfaRequiredRoles: [],
    });
    assert.deepEqual(config.rateLimit, { enabled: false, perMinute: 120, authPerMinute: 30, redisUrl: null });
    assert.deepEqual(config.trustProxy, []);
    assert.deepEqual(config.corsAllowOrigins, [
      'http://localhost:3000',
      'http://localhost:3001',
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      'http://localhost:8000',
    ]);
    assert.equal(config.metricsToken, null);
    assert.deepEqual(config.files, {
      encKey: FILES_KEY,
      oldKeys: [],
      uploadDirectory: path.join(cwd, 'data', 'uploads'),
      uploadMaxMb: 20,
      downloadUrlTtlSeconds: 300,
    });
    assert.deepEqual(config.smtp, {
      host: null,
      port: 587,
      user: null,
      password: null,
      security: 'starttls',
      fromEmail: null,
      fromName: 'ERP MIF Maroc',
      subjectPrefix: '[MIF]',
      maxAttempts: 6,
    });
    assert.deepEqual(config.jobs, {
      enableScheduler: true,
      planningCron: '*/15 * * * *',
      overdueCron: '*/15 * * * *',
      contratsExpireCron: '0 1 * * *',
      purgeCron: '30 3 * * *',
      planningLeadDays: 0,
      auditRetentionDays: 365,
      loginAttemptsRetentionDays: 90,
    });
    assert.deepEqual(config.log, { level: 'info', format: null, file: null, rotateSize: '50m', rotateFrequency: 'daily', retentionCount: 14 });
    assert.equal(config.shutdownTimeoutSeconds, 25);
    assert.deepEqual(config.admin, { email: null, password: null, username: 'admin', fullName: 'Administrateur' });
    assert.deepEqual(config.backup, { dir: path.join(cwd, 'backups'), retentionDays: 14 });
  });

  test('test environment: log level warn, docs on, rate limiting off', () => {
    const { config } = loadConfig({ ...DEV_KEYS, ENVIRONMENT: 'test' }, OPTIONS);
    assert.equal(config.environment, 'test');
    assert.equal(config.log.level, 'warn');
    assert.equal(config.docsEnabled, true);
    assert.equal(config.rateLimit.enabled, false);
  });

  test('paths: DATA_DIR relative to cwd, overrides, LOG_FILE relative to DATA_DIR', () => {
    const { config } = loadConfig(
      { ...DEV_KEYS, DATA_DIR: 'var/instance-a', EMBEDDED_PG_DATA_DIR: '/srv/pg', UPLOAD_DIRECTORY: 'shared/uploads', LOG_FILE: 'logs/app.log', BACKUP_DIR: '/srv/backups' },
      OPTIONS,
    );
    assert.equal(config.dataDir, path.join(CWD, 'var', 'instance-a'));
    assert.equal(config.database.embeddedDataDir, '/srv/pg');
    assert.equal(config.files.uploadDirectory, path.join(CWD, 'shared', 'uploads'));
    assert.equal(config.log.file, path.join(CWD, 'var', 'instance-a', 'logs', 'app.log'));
    assert.equal(config.backup.dir, '/srv/backups');
  });

  test('a missing SECRET_KEY / FILES_ENC_KEY is a problem for loadConfig (it never generates keys)', () => {
    assert.deepEqual(variablesOf({}).sort(), ['FILES_ENC_KEY', 'SECRET_KEY']);
  });

  test('production-only rules do not apply in development', () => {
    const { config, warnings } = loadConfig(
      {
        SECRET_KEY: 'short',
        FILES_ENC_KEY: FILES_KEY,
        DEBUG: 'true',
        ACCESS_TOKEN_EXPIRE_MINUTES: '120',
        PASSWORD_MIN_LENGTH: '4',
        REDIS_URL: 'redis://localhost:6379',
        METRICS_TOKEN: 'short',
        SMTP_HOST: 'localhost',
        CORS_ALLOW_ORIGINS: '*',
      },
      OPTIONS,
    );
    assert.equal(config.debug, true);
    assert.equal(config.auth.accessTokenExpireMinutes, 120);
    assert.equal(config.auth.passwordMinLength, 4);
    assert.deepEqual(config.corsAllowOrigins, ['*']);
    assert.ok(warnings.some((warning) => warning.startsWith('CORS_ALLOW_ORIGINS:')), 'a non-origin entry is warned about');
  });

  test('booleans accept true/false, 1/0, yes/no, on/off in any case', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'Yes', 'on', 'ON']) {
      assert.equal(loadConfig({ ...DEV_KEYS, DEBUG: word }, OPTIONS).config.debug, true, word);
    }
    for (const word of ['false', 'False', '0', 'no', 'NO', 'off', 'Off']) {
      assert.equal(loadConfig({ ...DEV_KEYS, LEGACY_ROOT_ROUTES: word }, OPTIONS).config.legacyRootRoutes, false, word);
    }
  });

  const MALFORMED: [variable: string, value: string][] = [
    ['ENVIRONMENT', 'staging'],
    ['DEBUG', 'maybe'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['POSTGRES_PORT', '0'],
    ['SMTP_PORT', '65536'],
    ['EMBEDDED_PG_PORT', 'x'],
    ['DB_POOL_MAX', '1.5'],
    ['DB_POOL_MAX', '0'],
    ['HTTP_HEADERS_TIMEOUT_MS', '0'],
    ['HTTP_KEEPALIVE_TIMEOUT_MS', '5s'],
    ['UPLOAD_MAX_MB', '20MB'],
    ['SMTP_SECURITY', 'foo'],
    ['LOG_LEVEL', 'verbose'],
    ['CORS_ALLOW_ORIGINS', '["http://localhost:3000",'],
    ['CORS_ALLOW_ORIGINS', '[1, 2]'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10.0.0.300'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['FILES_ENC_OLD_KEYS', '["not-a-key"]'],
    ['APP_TIMEZONE', 'Mars/Olympus_Mons'],
    ['APP_PUBLIC_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://db/x'],
    ['REDIS_URL', 'http://cache'],
    ['PLANNING_CRON', '* * *'],
    ['PLANNING_CRON', '0 25 * * *'],
    ['OVERDUE_CRON', '*/0 * * * *'],
    ['CONTRATS_EXPIRE_CRON', '0 1 * *'],
    ['PURGE_CRON', '30 3 32 * *'],
    ['EMAILS_FROM_EMAIL', 'not-an-address'],
    ['LOG_ROTATE_SIZE', 'big'],
  ];

  for (const [variable, value] of MALFORMED) {
    test(`malformed in development: ${variable}=${value}`, () => {
      assert.deepEqual(variablesOf({ ...DEV_KEYS, [variable]: value }), [variable]);
    });
  }

  test('all malformed values are collected into one ConfigError', () => {
    let caught: unknown;
    try {
      loadConfig({ ...DEV_KEYS, ENVIRONMENT: 'staging', PORT: 'abc', SMTP_SECURITY: 'foo', CORS_ALLOW_ORIGINS: '[' }, OPTIONS);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    assert.deepEqual(caught.problems.map(variableOf), ['ENVIRONMENT', 'PORT', 'CORS_ALLOW_ORIGINS', 'SMTP_SECURITY']);
    assert.equal(caught.message.split('\n').length, 1 + caught.problems.length);
    assert.match(caught.message, /^PORT: must be an integer, got "abc"$/m);
  });

  test('valid cron expressions, TRUST_PROXY forms and enum case are accepted', () => {
    const { config } = loadConfig(
      { ...DEV_KEYS, PLANNING_CRON: '0 6-18/2 1,15 jan-jun MON-FRI', TRUST_PROXY: '["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"]', LOG_LEVEL: 'INFO', ENVIRONMENT: 'Test' },
      OPTIONS,
    );
    assert.equal(config.jobs.planningCron, '0 6-18/2 1,15 jan-jun MON-FRI');
    assert.deepEqual(config.trustProxy, ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8']);
    assert.equal(config.log.level, 'info');
    assert.equal(config.environment, 'test');
  });
});

describe('lists and database', () => {
  test('CORS_ALLOW_ORIGINS accepts a JSON list or a comma list', () => {
    const expected = ['https://a.mif.example', 'https://b.mif.example:8443'];
    const fromJson = loadConfig({ ...VALID_PRODUCTION, CORS_ALLOW_ORIGINS: '["https://a.mif.example", "https://b.mif.example:8443"]' }, OPTIONS);
    const fromCommas = loadConfig({ ...VALID_PRODUCTION, CORS_ALLOW_ORIGINS: ' https://a.mif.example , https://b.mif.example:8443 ,' }, OPTIONS);
    assert.deepEqual(fromJson.config.corsAllowOrigins, expected);
    assert.deepEqual(fromCommas.config.corsAllowOrigins, expected);
  });

  test('FILES_ENC_OLD_KEYS accepts a JSON list or a comma list', () => {
    const other = Buffer.alloc(32, 1).toString('base64url');
    const fromJson = loadConfig({ ...DEV_KEYS, FILES_ENC_OLD_KEYS: JSON.stringify([OLD_FILES_KEY, other]) }, OPTIONS);
    const fromCommas = loadConfig({ ...DEV_KEYS, FILES_ENC_OLD_KEYS: `${OLD_FILES_KEY},${other}` }, OPTIONS);
    assert.deepEqual(fromJson.config.files.oldKeys, [OLD_FILES_KEY, other]);
    assert.deepEqual(fromCommas.config.files.oldKeys, [OLD_FILES_KEY, other]);
  });

  test('POSTGRES_* builds an encoded connection string when DATABASE_URL is unset', () => {
    const { config } = loadConfig(
      { ...DEV_KEYS, POSTGRES_HOST: 'db.internal', POSTGRES_PORT: '6543', POSTGRES_USER: 'mif user', POSTGRES_PASSWORD: 'p@ss:w/rd%#', POSTGRES_DB: 'erp' },
      OPTIONS,
    );
    const connectionString = config.database.external?.connectionString ?? '';
    assert.equal(connectionString, 'postgres://mif%20user:p%40ss%3Aw%2Frd%25%23@db.internal:6543/erp');
    const url = new URL(connectionString);
    assert.equal(decodeURIComponent(url.username), 'mif user');
    assert.equal(decodeURIComponent(url.password), 'p@ss:w/rd%#');
    assert.equal(url.hostname, 'db.internal');
  });

  test('POSTGRES_DB defaults to mif_erp and POSTGRES_PORT to 5432', () => {
    const { config } = loadConfig({ ...DEV_KEYS, POSTGRES_HOST: 'db.internal', POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'p' }, OPTIONS);
    assert.equal(config.database.external?.connectionString, 'postgres://u:p@db.internal:5432/mif_erp');
  });

  test('DATABASE_URL wins over POSTGRES_HOST, with a warning', () => {
    const url = 'postgres://u:p@primary.internal/erp';
    const { config, warnings } = loadConfig({ ...DEV_KEYS, DATABASE_URL: url, POSTGRES_HOST: 'other.internal' }, OPTIONS);
    assert.deepEqual(config.database.external, { connectionString: url });
    assert.ok(warnings.some((warning) => warning.startsWith('POSTGRES_HOST:')));
  });

  test('database.external is null without DATABASE_URL and POSTGRES_HOST; EMBEDDED_PG_PORT is kept', () => {
    const { config } = loadConfig({ ...DEV_KEYS, POSTGRES_USER: 'ignored', EMBEDDED_PG_PORT: '54329' }, OPTIONS);
    assert.equal(config.database.external, null);
    assert.equal(config.database.embeddedPort, 54329);
  });
});

describe('readEnvironment', () => {
  test('.env is loaded and the real environment wins', async () => {
    const cwd = await freshDir();
    await fs.writeFile(path.join(cwd, '.env'), 'A=from-file\nB=from-file\n# a comment\nC="quoted value"\n');
    const env = readEnvironment(cwd, { B: 'from-env', D: 'only-env' });
    assert.equal(env.A, 'from-file');
    assert.equal(env.B, 'from-env');
    assert.equal(env.C, 'quoted value');
    assert.equal(env.D, 'only-env');
  });

  test('without .env, the environment is returned as is (a copy)', async () => {
    const cwd = await freshDir();
    const processEnv = { PORT: '9000' };
    const env = readEnvironment(cwd, processEnv);
    assert.deepEqual(env, { PORT: '9000' });
    assert.notEqual(env, processEnv);
  });
});

describe('ensureDevelopmentSecrets', () => {
  const modeOf = async (file: string): Promise<number> => (await fs.stat(file)).mode & 0o777;

  test('creates 0600 key files in a new 0700 DATA_DIR, and a second call reuses them', async () => {
    const dataDir = path.join(await freshDir(), 'data');
    const input: EnvVars = { ENVIRONMENT: 'development' };
    const first = await ensureDevelopmentSecrets(input, { dataDir });

    assert.deepEqual(input, { ENVIRONMENT: 'development' }, 'the input is not modified');
    const secretKey = first.env.SECRET_KEY ?? '';
    const filesKey = first.env.FILES_ENC_KEY ?? '';
    assert.ok(Buffer.byteLength(secretKey) >= 32 && new Set(secretKey).size >= 10);
    assert.match(filesKey, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(filesKey, 'base64url').length, 32);
    assert.notEqual(secretKey, filesKey);
    assert.equal(first.warnings.length, 2);
    assert.ok(first.warnings.some((warning) => warning.startsWith('SECRET_KEY')));
    assert.ok(first.warnings.some((warning) => warning.startsWith('FILES_ENC_KEY')));

    if (process.platform !== 'win32') {
      assert.equal(await modeOf(dataDir), 0o700);
      assert.equal(await modeOf(path.join(dataDir, 'secret.key')), 0o600);
      assert.equal(await modeOf(path.join(dataDir, 'files.key')), 0o600);
    }
    assert.equal((await fs.readFile(path.join(dataDir, 'secret.key'), 'utf8')).trim(), secretKey);
    assert.equal((await fs.readFile(path.join(dataDir, 'files.key'), 'utf8')).trim(), filesKey);

    const second = await ensureDevelopmentSecrets(input, { dataDir });
    assert.equal(second.env.SECRET_KEY, secretKey);
    assert.equal(second.env.FILES_ENC_KEY, filesKey);
    assert.deepEqual(second.warnings, []);
  });

  test('keys already in the environment are kept and no file is written for them', async () => {
    const dataDir = await freshDir();
    const result = await ensureDevelopmentSecrets({ ENVIRONMENT: 'test', SECRET_KEY }, { dataDir });
    assert.equal(result.env.SECRET_KEY, SECRET_KEY);
    await assert.rejects(fs.stat(path.join(dataDir, 'secret.key')), { code: 'ENOENT' });
    assert.equal(result.env.FILES_ENC_KEY, (await fs.readFile(path.join(dataDir, 'files.key'), 'utf8')).trim());
  });

  test('nothing is generated in production', async () => {
    const dataDir = path.join(await freshDir(), 'data');
    const result = await ensureDevelopmentSecrets({ ENVIRONMENT: 'production' }, { dataDir });
    assert.deepEqual(result, { env: { ENVIRONMENT: 'production' }, warnings: [] });
    await assert.rejects(fs.stat(dataDir), { code: 'ENOENT' });
  });

  test('concurrent first starts agree on the same keys', async () => {
    const dataDir = await freshDir();
    const results = await Promise.all(Array.from({ length: 6 }, () => ensureDevelopmentSecrets({}, { dataDir })));
    const secretKeys = new Set(results.map((result) => result.env.SECRET_KEY));
    const filesKeys = new Set(results.map((result) => result.env.FILES_ENC_KEY));
    assert.equal(secretKeys.size, 1);
    assert.equal(filesKeys.size, 1);
    assert.equal(results.flatMap((result) => result.warnings).length, 2, 'each key is generated exactly once');
  });
});

describe('loadConfigFromEnvironment', () => {
  test('reads .env, generates development keys in DATA_DIR once, and reuses them', async () => {
    const cwd = await freshDir();
    await fs.writeFile(path.join(cwd, '.env'), 'PORT=9001\nDATA_DIR=./instance\n');
    const first = await loadConfigFromEnvironment({ cwd, passwordPolicy: checkPassword, processEnv: { ENVIRONMENT: 'development' } });
    assert.equal(first.config.port, 9001);
    assert.equal(first.config.dataDir, path.join(cwd, 'instance'));
    assert.equal(first.config.auth.secretKey, (await fs.readFile(path.join(cwd, 'instance', 'secret.key'), 'utf8')).trim());
    assert.equal(first.config.files.encKey, (await fs.readFile(path.join(cwd, 'instance', 'files.key'), 'utf8')).trim());
    assert.equal(first.warnings.length, 2);

    const second = await loadConfigFromEnvironment({ cwd, passwordPolicy: checkPassword, processEnv: { ENVIRONMENT: 'development' } });
    assert.equal(second.config.auth.secretKey, first.config.auth.secretKey);
    assert.equal(second.config.files.encKey, first.config.files.encKey);
    assert.deepEqual(second.warnings, []);
  });

  test('production without keys fails and writes nothing', async () => {
    const cwd = await freshDir();
    await assert.rejects(
      loadConfigFromEnvironment({ cwd, passwordPolicy: checkPassword, processEnv: { ENVIRONMENT: 'production', CORS_ALLOW_ORIGINS: 'https://erp.mif.example' } }),
      (error: unknown) => error instanceof ConfigError && error.problems.map(variableOf).sort().join() === 'FILES_ENC_KEY,SECRET_KEY',
    );
    await assert.rejects(fs.stat(path.join(cwd, 'data')), { code: 'ENOENT' });
  });
});
