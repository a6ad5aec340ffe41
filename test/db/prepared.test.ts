/**
 * Prepared statements (src/db/prepared.ts): compiled once, run by name through the app's pool, with
 * each call's own values; a statement not prepared there stays unnamed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { createKysely, createPool } from '../../src/db/database.js';
import { preparedStatement, preparedStatementName } from '../../src/db/prepared.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let scratch: TestDatabase;
before(async () => {
  scratch = await createTestDatabase();
});
after(async () => scratch.drop());

const clientByEmail = preparedStatement(['placeholder@example.invalid', 0] as [string, number], (db, email, minId) =>
  db.selectFrom('clients').select(['id', 'nom_entreprise']).where('email', '=', email).where('id', '>', minId),
);

describe('prepared statements', () => {
  test('run by name on the connection, each call with its own values, on the pool and in a transaction', async () => {
    // One connection, so that pg_prepared_statements (per session) sees what the calls prepared.
    const db = createKysely(createPool(scratch.connectionString, { poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 10_000 }, pino({ level: 'silent' })));
    try {
      const ids = [];
      for (const nom of ['Alpha', 'Beta']) {
        const row = await db.insertInto('clients').values({ nom_entreprise: nom, nom_contact: 'Contact', email: `${nom.toLowerCase()}@example.com` }).returning('id').executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      assert.deepEqual(await clientByEmail(db, 'alpha@example.com', 0), [{ id: ids[0], nom_entreprise: 'Alpha' }]);
      assert.deepEqual(await clientByEmail(db, 'beta@example.com', 0), [{ id: ids[1], nom_entreprise: 'Beta' }]);
      assert.deepEqual(await clientByEmail(db, 'beta@example.com', ids[1]!), [], 'the second value is bound too');
      assert.deepEqual(await db.transaction().execute((trx) => clientByEmail(trx, 'alpha@example.com', 0)), [{ id: ids[0], nom_entreprise: 'Alpha' }]);

      const { rows } = await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(db);
      const named = rows.filter((row) => row.name.startsWith('mif_'));
      assert.equal(named.length, 1, 'one prepared statement, reused by every call');
      assert.match(named[0]!.statement, /from "clients"/);
      assert.equal(preparedStatementName(named[0]!.statement), named[0]!.name);
      assert.equal(preparedStatementName('SELECT name, statement FROM pg_prepared_statements'), undefined, 'other statements stay unnamed');
    } finally {
      await db.destroy();
    }
  });

  test('a placeholder that is not exactly once among the parameters is refused when the statement is declared', () => {
    assert.throws(
      () => preparedStatement([7] as [number], (db, id) => db.selectFrom('clients').select('id').where('id', '=', id + 1)),
      /placeholder 7 must appear exactly once/,
    );
    assert.throws(
      () => preparedStatement([7] as [number], (db, id) => db.selectFrom('clients').select('id').where('id', '=', id).where('id', '<', id)),
      /placeholder 7 must appear exactly once/,
    );
  });
});
