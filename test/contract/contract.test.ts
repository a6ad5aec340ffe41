/**
 * The OpenAPI document tells the truth (docs/api.md §8): for every operation it lists, a
 * representative request succeeds with the documented status and its response matches the
 * documented schema; the request itself satisfies the documented request schema; a request
 * without a documented-required field is refused (422); without a token an authenticated operation
 * answers 401; an unknown id answers 404; a duplicate answers 409. The fuzz (fuzz.test.ts) checks
 * the statuses and envelopes of thousands of other requests.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { useTestApp, type TestApp } from '../helpers/app.js';
import { assertIssue, call } from '../helpers/http.js';
import { DUPLICATE_CREATIONS, EXCHANGES, type Exchange } from './exchanges.js';
import { assertNoViolations, Contract, fillPath, type Operation, type Violation } from './openapi.js';
import { buildWorld, type World } from './world.js';

describe('the OpenAPI document against the server', () => {
  let world: World;
  let contract: Contract;
  const t = useTestApp({}, async (app) => {
    world = await buildWorld(app);
  });
  before(async () => {
    contract = await Contract.load(t());
  });

  function send(op: Operation, exchange: Exchange): Promise<LightMyRequestResponse> {
    const as = typeof exchange.as === 'string' ? world.tokens[exchange.as] : exchange.as;
    const raw = exchange.raw ? { headers: { 'content-type': exchange.raw.contentType }, payload: exchange.raw.payload } : { payload: exchange.body };
    return call(t(), op.method, fillPath(op.path, exchange.params ?? {}), { as, query: exchange.query, ...raw });
  }

  async function exchangeFor(app: TestApp, op: Operation): Promise<Exchange> {
    const factory = EXCHANGES[op.key];
    assert.ok(factory, `no representative request for ${op.key}`);
    return factory(app, world);
  }

  test('every operation of the document has a representative request, and only those', () => {
    const documented = contract.operations.map((op) => op.key);
    assert.ok(documented.length >= 69, `only ${documented.length} operations`);
    assert.deepEqual(documented.filter((key) => !Object.hasOwn(EXCHANGES, key)), [], 'operations without a representative request');
    assert.deepEqual(Object.keys(EXCHANGES).filter((key) => !documented.includes(key)), [], 'requests for operations the document does not list');
  });

  test('each representative request gets its documented success; request and response match the document', async () => {
    const violations: Violation[] = [];
    for (const op of contract.operations) {
      const exchange = await exchangeFor(t(), op);
      const response = await send(op, exchange);
      if (response.statusCode !== exchange.status) {
        violations.push({ key: op.key, problem: `expected ${exchange.status}, got ${response.statusCode}: ${response.body.slice(0, 300)}` });
        continue;
      }
      violations.push(...contract.checkResponse(op, response));
      const params = Object.fromEntries(Object.entries(exchange.params ?? {}).map(([k, v]) => [k, String(v)]));
      // A raw (multipart) body is read as a stream; its fields are checked by the route's own tests.
      const accepted = exchange.raw ? { contentType: exchange.raw.contentType, body: {} } : { contentType: exchange.body === undefined ? undefined : 'application/json', body: exchange.body };
      violations.push(...contract.checkAcceptedRequest(op, { params, query: exchange.query ?? {}, ...accepted }));
    }
    assertNoViolations(violations);
  });

  test('without a token an operation documented with bearer security answers 401 (documented); a public one does not', async () => {
    const violations: Violation[] = [];
    let authenticated = 0;
    for (const op of contract.operations) {
      const exchange = await exchangeFor(t(), op);
      const response = await send(op, { ...exchange, as: null });
      if (op.authenticated) authenticated++;
      if (op.authenticated && !op.statuses.includes('401')) violations.push({ key: op.key, problem: 'bearer security without a documented 401' });
      if (op.authenticated !== (response.statusCode === 401)) violations.push({ key: op.key, problem: `anonymous: ${response.statusCode} (401 documented: ${op.authenticated})` });
      violations.push(...contract.checkResponse(op, response));
    }
    assertNoViolations(violations);
    assert.ok(authenticated > 50, `${authenticated} authenticated operations`);
  });

  test('a request without a documented-required body, or body field, is refused with 422 there', async () => {
    let checked = 0;
    for (const op of contract.operations) {
      if (op.bodyRequired) {
        const response = await send(op, { ...(await exchangeFor(t(), op)), body: undefined, raw: undefined });
        assert.equal(response.statusCode, 422, `${op.key} without a body: ${response.body}`);
        checked++;
      }
      const schema = op.bodies['application/json'];
      const required = (schema?.required as string[] | undefined) ?? [];
      for (const field of required) {
        const exchange = await exchangeFor(t(), op);
        const body = { ...(exchange.body as Record<string, unknown>) };
        delete body[field];
        const response = await send(op, { ...exchange, body });
        assertIssue(response, ['body', field], 'missing');
        assertNoViolations(contract.checkResponse(op, response));
        checked++;
      }
    }
    assert.ok(checked >= 30, `${checked} required fields checked`);
  });

  test('an unknown id answers 404 wherever the document lists a 404', async () => {
    const violations: Violation[] = [];
    for (const op of contract.operations.filter((o) => o.parameters.some((p) => p.in === 'path'))) {
      const exchange = await exchangeFor(t(), op);
      const params = Object.fromEntries(Object.keys(exchange.params ?? {}).map((name) => [name, 2_147_483_647]));
      const response = await send(op, { ...exchange, params });
      violations.push(...contract.checkResponse(op, response));
      if (op.statuses.includes('404') && response.statusCode !== 404) violations.push({ key: op.key, problem: `unknown id: ${response.statusCode}` });
    }
    assertNoViolations(violations);
  });

  test('a duplicate answers 409 on every creation with a unique field (documented)', async () => {
    const violations: Violation[] = [];
    for (const key of DUPLICATE_CREATIONS) {
      const op = contract.operation(key);
      const exchange = await exchangeFor(t(), op);
      const first = await send(op, exchange);
      assert.equal(first.statusCode, exchange.status, `${key}: ${first.body}`);
      const second = await send(op, exchange);
      if (second.statusCode !== 409) violations.push({ key, problem: `duplicate: ${second.statusCode} ${second.body.slice(0, 200)}` });
      violations.push(...contract.checkResponse(op, second));
    }
    assertNoViolations(violations);
  });
});
