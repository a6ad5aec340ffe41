/**
 * Schema-driven fuzz (docs/api.md §8): thousands of requests generated from the served OpenAPI
 * document by a seeded PRNG — valid ones, then mutations (missing and mistyped fields, bounds, huge
 * and odd strings, bad enums and ids, malformed JSON, other content types) — as every role and as
 * nobody, mostly through inject, a share through a real socket. No response may be a 5xx; every
 * error must be the JSON envelope of docs/api.md §2; every status must be documented for its
 * operation and every documented success body must match its schema (docs/api.md §8).
 * FUZZ_SEED and FUZZ_REQUESTS override the seed and the count.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { before, describe, test } from 'node:test';
import type { Role } from '../../src/db/schema.js';
import { useTestApp } from '../helpers/app.js';
import { deeplyNested, HOSTILE_IDS, HOSTILE_VALUES, Rng, sampleValid, type Hints } from './generate.js';
import { Contract, type JsonSchema, type Operation, type ResponseLike, type Violation } from './openapi.js';
import { buildWorld, tokenOf, worldHints, type Caller, type World } from './world.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
/** Share of the requests sent through a real socket (the rest through inject). */
const SOCKET_SHARE = 0.05;

const CALLERS: readonly Caller[] = ['admin', 'admin', 'admin', 'admin', 'responsable', 'technicien', 'client', 'anonyme'];

const MUTATIONS = [
  'none',
  'none',
  'drop-required',
  'hostile-field',
  'hostile-field',
  'bad-enum',
  'extra-fields',
  'hostile-id',
  'hostile-query',
  'paging',
  'malformed-json',
  'content-type',
  'body-shape',
  'nested',
  'bad-token',
] as const;
type Mutation = (typeof MUTATIONS)[number];

interface FuzzRequest {
  op: Operation;
  caller: Caller;
  mutation: Mutation;
  url: string;
  headers: Record<string, string>;
  /** The bytes sent, if any. */
  payload?: string;
  /** The body as generated (before serialisation), for the request check of an accepted request. */
  body?: unknown;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
}

interface Outcome extends ResponseLike {
  contentType: string;
}

function queryString(query: Record<string, string | string[]>, raw: string | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) for (const item of Array.isArray(value) ? value : [value]) search.append(name, item);
  const text = [search.toString(), raw].filter((part) => part).join('&');
  return text ? `?${text}` : '';
}

/** A generated value as query text; an empty list sends nothing. */
function asQueryValue(value: unknown): string | string[] | undefined {
  if (Array.isArray(value)) return value.length > 0 ? value.map((item) => String(item)) : undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function setQuery(query: Record<string, string | string[]>, name: string, value: unknown): void {
  const text = asQueryValue(value);
  if (text !== undefined) query[name] = text;
}

function mutateBody(rng: Rng, body: Record<string, unknown>, schema: JsonSchema, mutation: Mutation): unknown {
  const properties = Object.keys((schema.properties ?? {}) as object);
  const enums = properties.filter((key) => {
    const property = (schema.properties as Record<string, JsonSchema>)[key]!;
    return Array.isArray(property.enum) || Array.isArray((property.items as JsonSchema | undefined)?.enum);
  });
  switch (mutation) {
    case 'drop-required': {
      const required = (schema.required as string[] | undefined) ?? [];
      if (required.length > 0) delete body[rng.pick(required)];
      return body;
    }
    case 'hostile-field':
      if (properties.length > 0) body[rng.pick(properties)] = rng.pick(HOSTILE_VALUES);
      return body;
    case 'bad-enum':
      if (enums.length > 0) body[rng.pick(enums)] = rng.pick(['INVALIDE', 'Ouverte', 'admin ', '', 'ouverte\u0000']);
      return body;
    case 'extra-fields':
      body[rng.pick(['inconnu', 'id', 'created_at', 'role', 'hashed_password', 'is_admin'])] = rng.pick(HOSTILE_VALUES);
      return body;
    case 'body-shape':
      return rng.pick<unknown>([[], [body], 'texte', 42, true, null]);
    case 'nested':
      // Now and then a body over the 1 MiB limit instead (413).
      if (rng.chance(0.1)) return { ...body, x: 'y'.repeat(1_100_000) };
      return { ...body, [rng.pick(properties.length > 0 ? properties : ['x'])]: deeplyNested(rng.pick([10, 31, 40, 200])) };
    default:
      return body;
  }
}

/** One request for `op`: valid values from the schema and the world, then the mutation. */
function generate(rng: Rng, op: Operation, world: World, hints: Hints): FuzzRequest {
  let mutation = rng.pick(MUTATIONS);
  const caller = rng.pick(CALLERS);
  const headers: Record<string, string> = {};
  const token = tokenOf(world, caller);
  if (mutation === 'bad-token') headers.authorization = rng.pick(['Bearer x.y.z', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Bearer ${token ?? ''}x`, 'bearer']);
  else if (token) headers.authorization = `Bearer ${token}`;

  const params: Record<string, string> = {};
  // No prototype: `__proto__` is one of the hostile parameter names.
  const query: Record<string, string | string[]> = Object.create(null);
  let rawQuery: string | undefined;
  for (const parameter of op.parameters) {
    if (parameter.in === 'path') {
      params[parameter.name] = mutation === 'hostile-id' && rng.chance(0.7) ? rng.pick(HOSTILE_IDS) : encodeURIComponent(String(sampleValid(parameter.schema, rng, hints, parameter.name)));
    } else if (parameter.in === 'query' && (parameter.required || rng.chance(0.3))) {
      setQuery(query, parameter.name, sampleValid(parameter.schema, rng, hints, parameter.name));
    }
  }
  const queryNames = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  if (mutation === 'hostile-query') {
    const name = queryNames.length > 0 && rng.chance(0.8) ? rng.pick(queryNames) : rng.pick(['inconnu', 'sort', '__proto__']);
    if (rng.chance(0.2)) rawQuery = rng.pick([`${name}=%E0%A4%A`, `${name}=%zz`, `${name}[]=1`, `${name}=a&${name}=b&${name}=c`, `${name}`, '&&=&']);
    else setQuery(query, name, rng.pick(HOSTILE_VALUES));
  }
  if (mutation === 'paging') {
    if (queryNames.includes('limit')) query.limit = String(rng.pick([0, -1, 501, 2 ** 31, 1e21, 'abc', '1.5', '', '50']));
    if (queryNames.includes('offset')) query.offset = String(rng.pick([-1, 2 ** 31, 2 ** 53, 1e21, 'x', '', '0']));
    if (queryNames.includes('sort')) query.sort = String(rng.pick(['-id', 'inconnu', '-', ',,', '--id', 'id,-id,id', 'x'.repeat(250)]));
  }

  const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '1') + queryString(query, rawQuery);
  const request: FuzzRequest = { op, caller, mutation, url, headers, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, safeDecode(v)])), query };

  const mediaTypes = Object.keys(op.bodies);
  if (mediaTypes.length === 0 && !['malformed-json', 'content-type', 'body-shape'].includes(mutation)) return request;
  const schema = op.bodies['application/json'] ?? { type: 'object', properties: {} };
  const valid = sampleValid(schema, rng, hints) as Record<string, unknown> | null;
  if (mutation === 'malformed-json') {
    request.headers['content-type'] = 'application/json';
    request.payload = rng.pick(['{', '{"a":', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '"\\ud800', '\u0000', '{"a":1}{"b":2}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}']);
    return request;
  }
  if (mutation === 'content-type') {
    const [type, payload] = rng.pick<[string, string]>([
      ['text/plain', 'bonjour'],
      ['application/xml', '<a>1</a>'],
      ['application/x-www-form-urlencoded', 'a=1&b=%zz&c'],
      ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--'],
      ['multipart/form-data', 'garbage'],
      ['application/json; charset=utf-16', JSON.stringify(valid ?? {})],
      ['application/octet-stream', '\u0000\u0001'],
      ['', JSON.stringify(valid ?? {})],
    ]);
    if (type) request.headers['content-type'] = type;
    request.payload = payload;
    if (type.startsWith('application/json')) request.body = valid ?? {};
    return request;
  }
  if (valid === null) return request;
  mutation = valid && typeof valid === 'object' ? mutation : 'none';
  const body = mutateBody(rng, valid, schema, mutation);
  request.body = body;
  request.headers['content-type'] = 'application/json';
  request.payload = JSON.stringify(body);
  return request;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A 4xx/5xx must be the envelope of docs/api.md §2, as JSON. */
function envelopeProblem(outcome: Outcome): string | null {
  if (outcome.statusCode < 400) return null;
  if (!outcome.contentType.startsWith('application/json')) return `content type ${outcome.contentType}`;
  let body: { error?: Record<string, unknown> };
  try {
    body = outcome.json() as typeof body;
  } catch {
    return 'not JSON';
  }
  const error = body.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || !('details' in error) || typeof error.trace_id !== 'string') return 'no envelope';
  return null;
}

/** The generic 404 / 405 of a URL no route matches (a hostile id such as `..` can leave the route's pattern). */
function isUnknownRoute(outcome: Outcome): boolean {
  return (outcome.statusCode === 404 && outcome.body.includes('"Ressource introuvable"')) || outcome.statusCode === 405;
}

/**
 * Node's own 431 for a request line and headers over 16 KiB (a hostile query sent through the socket):
 * answered before any route, documented once for all routes (docs/api.md §2), not per operation.
 */
function isHeaderLimitRefusal(outcome: Outcome): boolean {
  return outcome.statusCode === 431 && outcome.body.includes('REQUEST_HEADER_FIELDS_TOO_LARGE');
}

describe('fuzz of every documented operation', () => {
  let world: World;
  let contract: Contract;
  let origin: string;
  const t = useTestApp({}, async (app) => {
    world = await buildWorld(app);
  });
  before(async () => {
    contract = await Contract.load(t());
    await t().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t().app.server.address() as AddressInfo).port}`;
  });

  async function send(request: FuzzRequest, socket: boolean): Promise<Outcome> {
    if (socket) {
      // fetch sends no body with a GET (inject does: those stay on inject).
      const body = request.op.method === 'GET' ? undefined : request.payload;
      const response = await fetch(origin + request.url, { method: request.op.method, headers: request.headers, body });
      const text = await response.text();
      return { statusCode: response.status, body: text, contentType: response.headers.get('content-type') ?? '', json: () => JSON.parse(text) };
    }
    const response = await t().app.inject({ method: request.op.method, url: request.url, headers: request.headers, payload: request.payload });
    return { statusCode: response.statusCode, body: response.body, contentType: String(response.headers['content-type'] ?? ''), json: () => response.json() };
  }

  /** A route revoked or disabled a caller's session (logout, password change): log it in again. */
  async function keepCallerLoggedIn(request: FuzzRequest, outcome: Outcome): Promise<void> {
    if (request.caller === 'anonyme' || request.mutation === 'bad-token' || outcome.statusCode !== 401) return;
    // A refused login or refresh token says nothing about the caller's own session.
    if (!/Token invalide|Utilisateur désactivé/.test(outcome.body)) return;
    await world.relogin(request.caller as Role);
  }

  test(`${REQUESTS} generated requests (seed ${SEED}): no 5xx, envelopes on errors, statuses and bodies as documented`, async () => {
    const rng = new Rng(SEED);
    const hints = worldHints(world, { unknownIds: true });
    const failures: { request: FuzzRequest; outcome: Outcome; problem: string }[] = [];
    const statuses = new Map<number, number>();
    const exercised = new Set<string>();
    let socketRequests = 0;
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      // Round robin over the operations, so that each one gets its share whatever the count.
      const op = contract.operations[i % contract.operations.length]!;
      const request = generate(rng, op, world, hints);
      const socket = rng.chance(SOCKET_SHARE);
      if (socket) socketRequests++;
      const outcome = await send(request, socket);
      exercised.add(op.key);
      statuses.set(outcome.statusCode, (statuses.get(outcome.statusCode) ?? 0) + 1);
      const problems: string[] = [];
      if (outcome.statusCode >= 500) problems.push(`status ${outcome.statusCode}`);
      const envelope = envelopeProblem(outcome);
      if (envelope) problems.push(envelope);
      if (!isUnknownRoute(outcome) && !isHeaderLimitRefusal(outcome)) {
        const violations: Violation[] = [...contract.checkResponse(op, outcome)];
        if (outcome.statusCode < 300) violations.push(...contract.checkAcceptedRequest(op, { params: request.params, query: request.query, contentType: request.headers['content-type'], body: request.body }));
        problems.push(...violations.map((v) => v.problem));
      }
      for (const problem of problems) failures.push({ request, outcome, problem });
      await keepCallerLoggedIn(request, outcome);
    }
    const seconds = (performance.now() - started) / 1000;
    const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`fuzz: seed ${SEED}, ${REQUESTS} requests (${socketRequests} by socket) over ${exercised.size} operations in ${seconds.toFixed(1)} s; ${summary}`);

    assert.deepEqual(contract.operations.map((op) => op.key).filter((key) => !exercised.has(key)), [], 'operations the fuzz never exercised');
    if (failures.length > 0) {
      // One example per operation and kind of problem.
      const distinct = [...new Map(failures.map((f) => [`${f.request.op.key} ${f.problem.slice(0, 40)}`, f])).values()];
      const shown = distinct.slice(0, 12).map(({ request, outcome, problem }) =>
        [`- ${problem}`, `  ${request.op.method} ${request.url} as ${request.caller} (${request.mutation})`, `  body: ${(request.payload ?? '').slice(0, 300)}`, `  → ${outcome.statusCode} ${outcome.body.slice(0, 300)}`].join('\n'),
      );
      assert.fail(`${failures.length} problem(s) (${distinct.length} distinct) in ${REQUESTS} requests (seed ${SEED}):\n${shown.join('\n')}`);
    }
  });
});
