/**
 * Builds the real app for a test: a fresh cloned database, a temporary DATA_DIR, fixed test secrets.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, type App, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789-abcdefghijklmnop';
export const TEST_FILES_ENC_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const repoRoot = path.resolve(import.meta.dirname, '../..');

export async function makeTempDir(prefix = 'mif-erp-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A test configuration; `env` overrides or adds variables (DATABASE_URL unset = embedded mode). */
export function testConfig(env: Record<string, string | undefined>): AppConfig {
  return loadConfig(
    {
      ENVIRONMENT: 'test',
      SECRET_KEY: TEST_SECRET_KEY,
      FILES_ENC_KEY: TEST_FILES_ENC_KEY,
      LOG_LEVEL: 'silent',
      ...env,
    },
    { cwd: repoRoot, passwordPolicy: checkPassword },
  ).config;
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  config: AppConfig;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends Pick<BuildOptions, 'clock' | 'hasher'> {
  env?: Record<string, string | undefined>;
  extraRoutes?: FastifyPluginAsync;
  logger?: Logger;
  /** Reuse a database (e.g. two app instances on one database); it is then not dropped by close(). */
  database?: TestDatabase;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await makeTempDir();
  const config = testConfig({ DATABASE_URL: database.connectionString, DATA_DIR: dataDir, ...options.env });
  const app = await buildApp(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    extraRoutes: options.extraRoutes,
    clock: options.clock,
    hasher: options.hasher,
  });
  return {
    app,
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
