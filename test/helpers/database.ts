/**
 * Each test file gets its own database, cloned from the migrated template that `npm test` prepares.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { createKysely, createPool } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';

export interface TestDatabase {
  name: string;
  connectionString: string;
  db: Kysely<Database>;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_PG_URL;
  if (!url) throw new Error('TEST_PG_URL absent : lancez les tests avec `npm test`');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `mif_erp_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : process.env.TEST_TEMPLATE_DB;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      // 55006: the template is briefly in use by a concurrent clone.
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
  const connectionString = databaseUrl(name);
  const db = createKysely(
    createPool(connectionString, { poolMax: 5, connectTimeoutMs: 5000, statementTimeoutMs: 30_000 }, pino({ level: 'silent' })),
  );
  let dropped = false;
  return {
    name,
    connectionString,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
