/**
 * The one HTTP helper of the suites: a request as a caller (a token, a login's tokens or nobody),
 * and the assertions on the error envelope (docs/api.md §2).
 */
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ERROR_CODES, type ErrorStatus } from '../../src/lib/errors.js';
import type { TestApp } from './app.js';
import { bearer, type Tokens } from './auth.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  /** The caller: its tokens or access token; absent = no Authorization header. */
  as?: Tokens | string | null;
  query?: Record<string, string | string[]>;
  payload?: unknown;
  headers?: Record<string, string>;
  remoteAddress?: string;
}

/** One request; `url` as given (`/api/v1/...` or a root alias). */
export function call(t: TestApp, method: Method, url: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  const inject: InjectOptions = {
    method,
    url,
    query: options.query,
    headers: { ...(options.as ? bearer(options.as) : {}), ...options.headers },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    ...(options.payload === undefined ? {} : { payload: options.payload as InjectOptions['payload'] }),
  };
  return t.app.inject(inject);
}

export interface ErrorBody {
  error: { code: string; message: string; details: unknown; trace_id: string };
}

/** The error envelope of a response (asserts there is one). */
export function errorOf(response: LightMyRequestResponse): ErrorBody['error'] {
  const body = response.json() as ErrorBody;
  assert.ok(body.error, `no error envelope: ${response.body}`);
  return body.error;
}

/** Asserts an error envelope with this status, its code, this exact message and a trace id; returns the details. */
export function assertError(response: LightMyRequestResponse, status: ErrorStatus, message: string): unknown {
  assert.equal(response.statusCode, status, response.body);
  const error = errorOf(response);
  assert.equal(error.code, ERROR_CODES[status], response.body);
  assert.equal(error.message, message, response.body);
  assert.equal(typeof error.trace_id, 'string', response.body);
  return error.details;
}

/** Asserts a 422 (code VALIDATION_ERROR) whose details contain an issue at `loc` with `type` (and `msg` when given). */
export function assertIssue(response: LightMyRequestResponse, loc: (string | number)[], type: string, msg?: string): void {
  assert.equal(response.statusCode, 422, response.body);
  const error = errorOf(response);
  assert.equal(error.code, ERROR_CODES[422], response.body);
  const details = error.details as { loc: unknown[]; type: string; msg: string }[];
  const found = details.find((d) => JSON.stringify(d.loc) === JSON.stringify(loc));
  assert.ok(found, `no issue at ${JSON.stringify(loc)}: ${response.body}`);
  assert.equal(found.type, type, response.body);
  if (msg !== undefined) assert.equal(found.msg, msg, response.body);
}
