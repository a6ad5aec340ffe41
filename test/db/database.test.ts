/**
 * The pool's bounds (docs/operations.md §3): the server's statement_timeout, the client-side query
 * timeout just above it, and neither when the statement timeout is 0 (operator commands such as the
 * seed, whose bulk statements may legitimately run for long).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createPool } from '../../src/db/database.js';
import { databaseUrl } from '../helpers/database.js';

const silent = pino({ level: 'silent' });
const url = () => databaseUrl('postgres');

test('a statement longer than DB_STATEMENT_TIMEOUT_MS is cancelled by the server', async () => {
  const pool = createPool(url(), { poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 200 }, silent);
  try {
    await assert.rejects(pool.query('SELECT pg_sleep(1)'), (error: { code?: string }) => error.code === '57014');
    assert.equal((await pool.query('SHOW statement_timeout')).rows[0].statement_timeout, '200ms');
  } finally {
    await pool.end();
  }
});

test('statement timeout 0: statements are unbounded, on the server and in the client', async () => {
  const pool = createPool(url(), { poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 0 }, silent);
  try {
    // Longer than the client-side margin (1 s) that bounds queries when a statement timeout is set.
    const result = await pool.query('SELECT pg_sleep(1.5), current_setting($1) AS timeout', ['statement_timeout']);
    assert.equal(result.rows[0].timeout, '0');
  } finally {
    await pool.end();
  }
});
