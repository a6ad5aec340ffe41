/**
 * Content types and malformed bodies on a real socket (docs/api.md §1 and §4.1): the form routes
 * take JSON, urlencoded and multipart; every other route JSON only; anything else is a 415, a
 * malformed form a 400, an oversized body a 413, never a 500.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../helpers/app.js';
import { bearer, login, seedUser } from '../helpers/auth.js';
import { assertRawError, exchange, listenLocally, requestText } from '../helpers/raw-http.js';

let port: number;
let authorization: string;
useTestApp({}, async (t) => {
  const user = await seedUser(t, 'technicien');
  authorization = bearer(await login(t, user)).authorization;
  port = await listenLocally(t.app);
});

const FORM_ROUTES = ['/api/v1/auth/login', '/api/v1/auth/token', '/api/v1/auth/refresh', '/api/v1/auth/change-password', '/api/v1/auth/logout'];

async function post(path: string, contentType: string, body: string) {
  const { response, connection } = await exchange(port, requestText('POST', path, { Authorization: authorization, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) }, body));
  connection.destroy();
  return response;
}

describe('form routes (docs/api.md §4.1)', () => {
  for (const path of FORM_ROUTES) {
    test(`${path}: multipart without a boundary → 400; text, XML, non-UTF-8 JSON → 415`, async () => {
      assertRawError(await post(path, 'multipart/form-data', 'username=a'), 400, 'Formulaire multipart invalide');
      for (const type of ['text/plain', 'application/xml', 'application/json; charset=latin1']) {
        assertRawError(await post(path, type, '{"username":"a","password":"b"}'), 415, 'Type de contenu non supporté');
      }
    });
  }

  test('a multipart file part (fields only) → 413; a JSON field that is not JSON → 400', async () => {
    const file = '--b\r\nContent-Disposition: form-data; name="password"; filename="p.txt"\r\nContent-Type: text/plain\r\n\r\nsecret\r\n--b--\r\n';
    assertRawError(await post('/api/v1/auth/login', 'multipart/form-data; boundary=b', file), 413, 'Corps de requête trop volumineux');
    const jsonField = '--b\r\nContent-Disposition: form-data; name="username"\r\nContent-Type: application/json\r\n\r\n{nope\r\n--b--\r\n';
    assertRawError(await post('/api/v1/auth/login', 'multipart/form-data; boundary=b', jsonField), 400, 'Formulaire multipart invalide');
  });

  test('garbage urlencoded or a truncated multipart form → 422 on the missing fields; JSON with charset=UTF-8 is accepted', async () => {
    const truncated = '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice';
    assertRawError(await post('/api/v1/auth/login', 'multipart/form-data; boundary=b', truncated), 422, 'Erreur de validation des données');
    const garbage = await post('/api/v1/auth/login', 'application/x-www-form-urlencoded', '%zz&&==%');
    assertRawError(garbage, 422, 'Erreur de validation des données');
    const declared = await post('/api/v1/auth/login', 'application/json; charset=UTF-8', '{"username":"personne","password":"Mauvais#1Pass"}');
    assertRawError(declared, 401, 'Identifiants invalides');
  });
});

describe('JSON routes', () => {
  test('a form or text body on a JSON-only route → 415', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', 'text/plain']) {
      const { response } = await exchange(port, requestText('PUT', '/api/v1/users/update', { Authorization: authorization, 'Content-Type': type }, 'full_name=x'));
      assertRawError(response, 415, 'Type de contenu non supporté');
    }
  });

  test('a JSON body over 1 MiB → 413 with Connection: close, then the socket is closed', async () => {
    const body = JSON.stringify({ username: 'x'.repeat(1024 * 1024), password: 'x' });
    const { response, connection } = await exchange(port, requestText('POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, body));
    assertRawError(response, 413, 'Corps de requête trop volumineux');
    assert.equal(response.headers.connection, 'close');
    assert.equal(await connection.closesWithin(2000), true);
  });
});
