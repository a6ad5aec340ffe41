/**
 * Errors raised before any route runs, seen on a real socket (docs/api.md §2): the router's and
 * Node's HTTP parser's, in the envelope, with `Connection: close` exactly when the socket closes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../helpers/app.js';
import { assertRawError, exchange, listenLocally, requestText, type RawConnection } from '../helpers/raw-http.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let port: number;
useTestApp({}, async (t) => {
  port = await listenLocally(t.app);
});

/** Kept open, the connection serves another request. */
async function assertReusable(connection: RawConnection): Promise<void> {
  connection.write(requestText('GET', '/api/v1/health'));
  const next = await connection.response();
  assert.equal(next.status, 200, next.body);
  connection.destroy();
}

describe('router errors (frameworkErrors)', () => {
  test('bad percent-encoding in the path → 400 "URL invalide" in the envelope, the connection kept', async () => {
    const { response, connection } = await exchange(port, requestText('GET', '/api/v1/contrats/%ff', { 'X-Request-ID': 'bad-url-1' }));
    const error = assertRawError(response, 400, 'URL invalide');
    assert.equal(error.trace_id, 'bad-url-1');
    assert.equal(error.details, null);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers.connection, 'keep-alive');
    await assertReusable(connection);
  });

  test('a path parameter over the router limit → 414 "URL trop longue" in the envelope', async () => {
    const { response, connection } = await exchange(port, requestText('GET', `/api/v1/contrats/${'1'.repeat(150)}`));
    assertRawError(response, 414, 'URL trop longue');
    assert.match(response.headers['x-request-id'] ?? '', UUID_V4);
    await assertReusable(connection);
  });

  test('a method no route has (PROPFIND) on a known path → 405 with Allow', async () => {
    const { response, connection } = await exchange(port, requestText('PROPFIND', '/api/v1/health'));
    assertRawError(response, 405, 'Méthode non autorisée');
    assert.equal(response.headers.allow, 'GET');
    await assertReusable(connection);
  });
});

describe("Node's HTTP parser errors (clientError)", () => {
  const cases: { name: string; request: string; status: 400 | 431; message: string }[] = [
    { name: 'headers over 16 KB', request: requestText('GET', '/api/v1/health', { 'X-Padding': 'a'.repeat(17 * 1024) }), status: 431, message: 'En-têtes de requête trop volumineux' },
    { name: 'a URL over 16 KB', request: requestText('GET', `/api/v1/health?q=${'a'.repeat(17 * 1024)}`), status: 431, message: 'En-têtes de requête trop volumineux' },
    { name: 'a malformed request line', request: 'GARBAGE\r\n\r\n', status: 400, message: 'Requête HTTP invalide' },
    { name: 'a method Node does not know (FOO)', request: requestText('FOO', '/'), status: 400, message: 'Requête HTTP invalide' },
    { name: 'a control character in a header value', request: 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n', status: 400, message: 'Requête HTTP invalide' },
    { name: 'both Content-Length and a bad Transfer-Encoding', request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc', status: 400, message: 'Requête HTTP invalide' },
  ];
  for (const { name, request, status, message } of cases) {
    test(`${name} → ${status} in the envelope, Connection: close, socket closed`, async () => {
      const { response, connection } = await exchange(port, request);
      const error = assertRawError(response, status, message);
      assert.match(error.trace_id, UUID_V4, 'a fresh trace id: no request id could be read');
      assert.equal(response.headers.connection, 'close');
      assert.equal(await connection.closesWithin(2000), true, 'the server closes the connection');
    });
  }
});
