/** The HTTP server timeouts and the rules that tie them together (docs/operations.md §11.1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';

const ENV = { SECRET_KEY: 'c5gGRaKT2w5kRl4cccpns2-IDK4SiWOGqaNG3y2XB9rKBOIPWt6ru9CVBF_y1dar', FILES_ENC_KEY: '7cXxTtSd2yQuW5IcMDHdmkj0sglaR6A757T3QQgXvfA' };
const OPTIONS = { cwd: process.cwd(), passwordPolicy: checkPassword };

function problemsOf(timeouts: Record<string, string>): string[] {
  try {
    loadConfig({ ...ENV, ...timeouts }, OPTIONS);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

test('timeouts that respect keep-alive < headers <= request are taken as given', () => {
  const { config } = loadConfig({ ...ENV, HTTP_KEEPALIVE_TIMEOUT_MS: '65000', HTTP_HEADERS_TIMEOUT_MS: '66000', HTTP_REQUEST_TIMEOUT_MS: '66000' }, OPTIONS);
  assert.deepEqual(config.httpServer, { keepAliveTimeoutMs: 65_000, headersTimeoutMs: 66_000, requestTimeoutMs: 66_000 });
});

test('a headers timeout above the request timeout is refused, in every environment', () => {
  assert.deepEqual(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '40000' }), ['HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (30000), got 40000']);
});

test('a keep-alive timeout not below the headers timeout is refused', () => {
  assert.deepEqual(problemsOf({ HTTP_KEEPALIVE_TIMEOUT_MS: '10000' }), ['HTTP_KEEPALIVE_TIMEOUT_MS: must be below HTTP_HEADERS_TIMEOUT_MS (10000), got 10000']);
});
