/**
 * Builds the real app for a test: a fresh cloned database, a temporary DATA_DIR, fixed test secrets.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, type App, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import type { Services } from '../../src/container.js';
import type { Database } from '../../src/db/schema.js';
import { openRuntime, type RuntimeOptions } from '../../src/runtime.js';
import type { Kysely } from 'kysely';
import { generateFilesKey, generateSecretKey } from '../../src/config/keys.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789-abcdefghijklmnop';
export const TEST_FILES_ENC_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const repoRoot = path.resolve(import.meta.dirname, '../..');

export async function makeTempDir(prefix = 'mif-erp-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * The variables of a production app that starts: production refuses the test keys (a counting
 * FILES_ENC_KEY, a run-heavy SECRET_KEY), so fresh ones; a disabled rate limit needs its override.
 */
export function productionEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ENVIRONMENT: 'production',
    SECRET_KEY: generateSecretKey(),
    FILES_ENC_KEY: generateFilesKey(),
    CORS_ALLOW_ORIGINS: 'https://erp.mif.example',
    RATE_LIMIT_ENABLED: 'false',
    SECURITY_OVERRIDES: 'RATE_LIMIT_ENABLED',
    ...extra,
  };
}

/** A test configuration; `env` overrides or adds variables (DATABASE_URL unset = embedded mode). */
export function testConfig(env: Record<string, string | undefined>): AppConfig {
  return loadConfig(
    {
      ENVIRONMENT: 'test',
      SECRET_KEY: TEST_SECRET_KEY,
      FILES_ENC_KEY: TEST_FILES_ENC_KEY,
      LOG_LEVEL: 'silent',
      // The job runner is started by the tests that exercise it (test/jobs/); the others call the services.
      ENABLE_SCHEDULER: 'false',
      ...env,
    },
    { cwd: repoRoot, passwordPolicy: checkPassword },
  ).config;
}

export interface TestApp {
  app: App;
  /** The app's own database handle (the test file's cloned database). */
  db: Kysely<Database>;
  /** The app's services, for tests that call business code without HTTP. */
  services: Services;
  database: TestDatabase;
  config: AppConfig;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends Pick<RuntimeOptions, 'clock' | 'hasher'> {
  env?: Record<string, string | undefined>;
  extraRoutes?: FastifyPluginAsync;
  /** The built web application to serve (src/plugins/web-app.ts); none by default. */
  webRoot?: string | null;
  jobs?: BuildOptions['jobs'];
  logger?: Logger;
  /** Reuse a database (e.g. two app instances on one database); it is then not dropped by close(). */
  database?: TestDatabase;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await makeTempDir();
  const config = testConfig({ DATABASE_URL: database.connectionString, DATA_DIR: dataDir, ...options.env });
  const runtime = await openRuntime(config, { logger: options.logger ?? pino({ level: 'silent' }), clock: options.clock, hasher: options.hasher });
    const app = await buildApp(runtime, { extraRoutes: options.extraRoutes, webRoot: options.webRoot ?? null, jobs: options.jobs });
  return {
    app,
    db: runtime.db,
    services: runtime.services,
    database,
    config,
    dataDir,
    async close() {
      await app.close();
      if (ownDatabase) await database.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The file-level set-up of a suite: one app (and its cloned database) built before the first test
 * and closed after the last. Read it inside tests: `const t = useTestApp(); ... t().app`.
 * `setup` runs once the app is built (the file's data): Node 20 starts a file's top-level `before`
 * hooks together, so a second one could not count on the app being there yet.
 */
export function useTestApp(options: TestAppOptions | (() => TestAppOptions) = {}, setup?: (t: TestApp) => Promise<void>): () => TestApp {
  let current: TestApp | undefined;
  before(async () => {
    current = await createTestApp(typeof options === 'function' ? options() : options);
    await setup?.(current);
  });
  after(async () => {
    await current?.close();
  });
  return () => {
    if (!current) throw new Error('useTestApp: the app is built in before()');
    return current;
  };
}

/**
 * A fresh database and an empty DATA_DIR for the whole file, removed after it: for tests that build
 * their own app, start a server process or run operator scripts on them.
 */
export function useScratch(): { readonly database: TestDatabase; readonly dataDir: string } {
  let scratch: { database: TestDatabase; dataDir: string } | null = null;
  before(async () => {
    scratch = { database: await createTestDatabase(), dataDir: await makeTempDir() };
  });
  after(async () => {
    if (!scratch) return;
    await scratch.database.drop();
    await fs.rm(scratch.dataDir, { recursive: true, force: true });
  });
  const ready = () => {
    if (!scratch) throw new Error('useScratch: read inside a test or hook, not at load time');
    return scratch;
  };
  return {
    get database() {
      return ready().database;
    },
    get dataDir() {
      return ready().dataDir;
    },
  };
}

