/**
 * `npm test`: one real PostgreSQL for the whole run (the embedded server, or the server named by
 * TEST_PG_URL, e.g. Debian's PostgreSQL 15 in CI), one migrated template database, then node's test
 * runner over every test file; each file clones the template (test/helpers/database.ts).
 * Arguments, if any, restrict the run to those files or directories.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { createKysely, createPool } from '../src/db/database.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';

const TEMPLATE_DB = 'mif_erp_test_template';
const root = path.resolve(import.meta.dirname, '..');
const logger = pino({ level: 'warn' });

async function collectTestFiles(targets: string[]): Promise<string[]> {
  const files: string[] = [];
  async function walk(target: string): Promise<void> {
    const stat = await fs.stat(target);
    if (stat.isFile()) {
      files.push(target);
      return;
    }
    for (const entry of await fs.readdir(target, { withFileTypes: true })) {
      const full = path.join(target, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.test.ts')) files.push(full);
    }
  }
  for (const target of targets) await walk(path.resolve(target));
  return files.sort();
}

async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  const db = createKysely(createPool(url.toString(), { poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 }, logger));
  try {
    await migrateToLatest(db, logger);
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<number> {
  const files = await collectTestFiles(process.argv.slice(2).length > 0 ? process.argv.slice(2) : [path.join(root, 'test')]);
  let embedded: EmbeddedServer | null = null;
  let dataDir: string | null = null;
  let adminUrl = process.env.TEST_PG_URL;
  if (!adminUrl) {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mif-erp-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, clusterDir: path.join(dataDir, 'postgres'), port: null, logger });
    adminUrl = embedded.connectionString;
  }
  try {
    await prepareTemplate(adminUrl);
    const server = new pg.Client({ connectionString: adminUrl });
    await server.connect();
    const version = (await server.query('SHOW server_version')).rows[0].server_version;
    await server.end();
    process.stdout.write(`PostgreSQL ${version} (${embedded ? 'embarqué' : 'TEST_PG_URL'}), ${files.length} fichiers de test\n`);

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=2',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${path.join(root, 'test/support/summary-reporter.mjs')}`,
        '--test-reporter-destination=stdout',
        ...files,
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, TEST_PG_URL: adminUrl, TEST_TEMPLATE_DB: TEMPLATE_DB } },
    );
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    await embedded?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Échec de la préparation des tests : ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
