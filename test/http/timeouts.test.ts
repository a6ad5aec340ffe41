/**
 * Slow clients on a real socket (docs/operations.md §11.1): the headers, request and keep-alive
 * timeouts of the configuration, set small here, close the connection, with a 408 envelope when a
 * request was being read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../helpers/app.js';
import { assertRawError, exchange, listenLocally, RawConnection, requestText } from '../helpers/raw-http.js';

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 2500;
const KEEPALIVE_TIMEOUT_MS = 1000;
/** Node checks the headers and request timeouts once a second (src/app.ts). */
const CHECK_INTERVAL_MS = 1000;
/** Node keeps an idle socket one second beyond the `Keep-Alive: timeout` it announces. */
const KEEPALIVE_BUFFER_MS = 1000;
const MARGIN_MS = 1000;

let port: number;
useTestApp(
  {
    env: {
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_TIMEOUT_MS),
    },
  },
  async (t) => {
    port = await listenLocally(t.app);
  },
);

/** Writes `text` one byte every `everyMs` until the connection closes; returns when it closed. */
async function dribble(connection: RawConnection, text: string, everyMs: number): Promise<number> {
  const started = Date.now();
  for (const byte of text) {
    if (connection.isClosed) break;
    connection.write(byte);
    await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, everyMs))]);
  }
  await connection.closed;
  return Date.now() - started;
}

describe('slow clients', () => {
  test('headers sent a byte at a time → 408 envelope and the connection closed within the headers timeout', async () => {
    const connection = await RawConnection.open(port);
    const elapsed = dribble(connection, requestText('GET', '/api/v1/health', { 'X-Padding': 'a'.repeat(200) }), 200);
    const response = await connection.response(HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + MARGIN_MS);
    assertRawError(response, 408, 'Délai de réception de la requête dépassé');
    assert.equal(response.headers.connection, 'close');
    const ms = await elapsed;
    assert.ok(ms >= HEADERS_TIMEOUT_MS - 50 && ms < HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + MARGIN_MS, `closed after ${ms} ms`);
  });

  test('a body sent a byte at a time → 408 envelope and the connection closed within the request timeout', async () => {
    const body = JSON.stringify({ username: 'lent', password: 'x'.repeat(200) });
    const connection = await RawConnection.open(port);
    const head = requestText('POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    connection.write(head);
    const elapsed = dribble(connection, body, 200);
    const response = await connection.response(REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + MARGIN_MS);
    assertRawError(response, 408, 'Délai de réception de la requête dépassé');
    const ms = await elapsed;
    assert.ok(ms < REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + MARGIN_MS, `closed after ${ms} ms`);
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout, without a response', async () => {
    const { response, connection } = await exchange(port, requestText('GET', '/api/v1/health'));
    assert.equal(response.status, 200);
    assert.equal(response.headers.connection, 'keep-alive');
    assert.equal(response.headers['keep-alive'], `timeout=${KEEPALIVE_TIMEOUT_MS / 1000}`);
    const started = Date.now();
    assert.equal(await connection.closesWithin(KEEPALIVE_TIMEOUT_MS + KEEPALIVE_BUFFER_MS + MARGIN_MS), true);
    assert.ok(Date.now() - started >= KEEPALIVE_TIMEOUT_MS, `closed after ${Date.now() - started} ms`);
    await assert.rejects(connection.response(0), /closed before a complete response/);
  });
});
