import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { Ajv } from 'ajv';
import { AppError, type ValidationIssue } from '../../src/lib/errors.js';
import {
  containsPattern,
  EnumListQuery,
  escapeLike,
  LimitQuery,
  OffsetQuery,
  parseQueryBoolean,
  parseQueryTimestamp,
  parseSort,
  parseTimestamp,
  prefixPattern,
  readTimestamp,
  requireTimestamp,
  QueryBoolean,
  QueryTimestamp,
} from '../../src/lib/listing.js';
import { splitCommaLists } from '../../src/http/lists.js';

// The app's Ajv options (src/app.ts), so that the schemas are checked as the routes check them.
const ajv = new Ajv({ allErrors: true, coerceTypes: 'array', useDefaults: true });

function valid(schema: object, value: unknown): boolean {
  return ajv.validate(schema, value);
}

describe('parseSort', () => {
  const spec = { fields: { id: 'u.id', username: 'u.username', created_at: 'u.created_at' }, defaultSort: 'id' };

  test('absent or empty → the default, which already ends on id', () => {
    assert.deepEqual(parseSort(undefined, spec), [{ field: 'id', column: 'u.id', direction: 'asc' }]);
    assert.deepEqual(parseSort('  ', spec), [{ field: 'id', column: 'u.id', direction: 'asc' }]);
  });

  test('comma list with `-` prefix, then id ascending as the tie-breaker', () => {
    assert.deepEqual(parseSort('-created_at, username', spec), [
      { field: 'created_at', column: 'u.created_at', direction: 'desc' },
      { field: 'username', column: 'u.username', direction: 'asc' },
      { field: 'id', column: 'u.id', direction: 'asc' },
    ]);
  });

  test('an explicit id (even descending) is not appended again; duplicates keep the first', () => {
    assert.deepEqual(parseSort('-id,username,-username', spec), [
      { field: 'id', column: 'u.id', direction: 'desc' },
      { field: 'username', column: 'u.username', direction: 'asc' },
    ]);
  });

  test('a default sort such as -created_at gets the id tie-breaker', () => {
    const terms = parseSort(undefined, { fields: { id: 'a.id', created_at: 'a.created_at' }, defaultSort: '-created_at' });
    assert.deepEqual(terms.map((t) => `${t.direction} ${String(t.column)}`), ['desc a.created_at', 'asc a.id']);
  });

  test('unknown field → 422 VALIDATION_ERROR at query.sort naming the field and the allowed ones', () => {
    for (const raw of ['password', '-hashed_password', 'username,nope', '-', '__proto__', 'toString']) {
      assert.throws(
        () => parseSort(raw, spec),
        (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.status, 422);
          assert.equal(error.code, 'VALIDATION_ERROR');
          const details = error.details as { loc: string[]; msg: string; type: string }[];
          assert.equal(details.length, 1);
          assert.deepEqual(details[0]!.loc, ['query', 'sort']);
          assert.equal(details[0]!.type, 'enum');
          assert.match(details[0]!.msg, /Champs acceptés : id, username, created_at/);
          return true;
        },
        raw,
      );
    }
  });

  test('expressions are accepted as columns and the tie-breaker column can be named', () => {
    const lower = sql`lower(u.username)`;
    const terms = parseSort('username', { fields: { username: lower }, defaultSort: 'username', idColumn: 'u.id' });
    assert.equal(terms[0]!.column, lower);
    assert.deepEqual(terms[1], { field: 'id', column: 'u.id', direction: 'asc' });
  });
});

describe('LIKE escaping', () => {
  test('%, _ and \\ are escaped; other characters are kept', () => {
    assert.equal(escapeLike('100%'), '100\\%');
    assert.equal(escapeLike('a_b'), 'a\\_b');
    assert.equal(escapeLike('c:\\x'), 'c:\\\\x');
    assert.equal(escapeLike("l'été *?"), "l'été *?");
    assert.equal(containsPattern('%_'), '%\\%\\_%');
    assert.equal(prefixPattern('auth.'), 'auth.%');
    assert.equal(prefixPattern('a%'), 'a\\%%');
  });
});

describe('query booleans', () => {
  test('true/false/1/0/yes/no/on/off in any case are accepted and parsed', () => {
    const expected: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false, TRUE: true, Off: false, yEs: true };
    for (const [raw, value] of Object.entries(expected)) {
      assert.equal(valid(QueryBoolean, raw), true, raw);
      assert.equal(parseQueryBoolean(raw), value, raw);
    }
    assert.equal(parseQueryBoolean(undefined), undefined);
  });

  test('anything else is refused by the schema', () => {
    for (const raw of ['', 'vrai', '2', 'truee', ' true', 'y', 'n']) assert.equal(valid(QueryBoolean, raw), false, raw);
    assert.throws(() => parseQueryBoolean('maybe'), (error: unknown) => error instanceof AppError && error.status === 422);
  });
});

describe('limit and offset schemas', () => {
  test('limit is 1–500 with the route default; offset ≥ 0 with default 0', () => {
    const schema = { type: 'object', properties: { limit: LimitQuery(50), offset: OffsetQuery } };
    const empty: Record<string, unknown> = {};
    assert.equal(valid(schema, empty), true);
    assert.deepEqual(empty, { limit: 50, offset: 0 });
    assert.equal(valid(schema, { limit: '500', offset: '3' }), true);
    for (const bad of [{ limit: 0 }, { limit: 501 }, { limit: 'abc' }, { limit: 2.5 }, { offset: -1 }, { offset: 'x' }]) {
      assert.equal(valid(schema, bad), false, JSON.stringify(bad));
    }
    assert.equal(LimitQuery(500).default, 500);
  });
});

describe('enum lists', () => {
  test('splitCommaLists turns comma lists and repeated parameters into one array; the enum schema checks each value', async () => {
    const hook = splitCommaLists('role');
    const request = { query: { role: ['admin,client', ' technicien ', ''], other: 'a,b' } };
    await (hook as unknown as (r: unknown) => Promise<void>)(request);
    assert.deepEqual(request.query, { role: ['admin', 'client', 'technicien'], other: 'a,b' });

    const schema = EnumListQuery(['admin', 'client', 'technicien'] as const);
    assert.equal(valid(schema, request.query.role), true);
    assert.equal(valid(schema, ['admin', 'chef']), false);
  });
});

describe('timestamps', () => {
  test('with an offset, without (UTC), and date only (00:00 UTC)', () => {
    assert.equal(parseTimestamp('2026-12-01T10:30:00+01:00')?.toISOString(), '2026-12-01T09:30:00.000Z');
    assert.equal(parseTimestamp('2026-12-01T10:30:00')?.toISOString(), '2026-12-01T10:30:00.000Z');
    assert.equal(parseTimestamp('2026-12-01 10:30')?.toISOString(), '2026-12-01T10:30:00.000Z');
    assert.equal(parseTimestamp('2026-12-01T10:30:00.123456Z')?.toISOString(), '2026-12-01T10:30:00.123Z');
    assert.equal(parseTimestamp('2026-12-01T10:30:00-0230')?.toISOString(), '2026-12-01T13:00:00.000Z');
    assert.equal(parseTimestamp('2026-12-01')?.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(parseTimestamp('2028-02-29')?.toISOString(), '2028-02-29T00:00:00.000Z');
  });

  test('impossible dates and garbage are refused', () => {
    for (const raw of ['2026-02-29', '2026-13-01', '2026-04-31', '2026-12-01T24:00', '2026-12-01T10:60', 'hier', '2026-12-01T10:00+25:00']) {
      assert.equal(parseTimestamp(raw), null, raw);
    }
    assert.equal(valid(QueryTimestamp, 'hier'), false);
    assert.equal(valid(QueryTimestamp, '2026-12-01T10:00:00Z'), true);
    assert.throws(
      () => parseQueryTimestamp('date_min', '2026-02-30'),
      (error: unknown) => error instanceof AppError && error.status === 422 && JSON.stringify(error.details).includes('"date_min"'),
    );
    assert.equal(parseQueryTimestamp('date_min', undefined), undefined);
  });

  test('readTimestamp collects the issue at its location; requireTimestamp throws it', () => {
    const issues: ValidationIssue[] = [];
    assert.equal(readTimestamp('2026-12-01', ['body', 'a'], issues)?.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(readTimestamp('2026-02-30', ['body', 'b'], issues), undefined);
    assert.equal(readTimestamp('demain', ['query', 'c'], issues), undefined);
    assert.deepEqual(issues, [
      { loc: ['body', 'b'], msg: 'Date invalide', type: 'format' },
      { loc: ['query', 'c'], msg: 'Date invalide', type: 'format' },
    ]);
    assert.equal(requireTimestamp('2026-12-01T10:30:00+01:00', ['body', 'd']).toISOString(), '2026-12-01T09:30:00.000Z');
    assert.throws(
      () => requireTimestamp('2026-04-31', ['body', 'nouvelle_date']),
      (error: unknown) => error instanceof AppError && error.status === 422 && JSON.stringify(error.details) === '[{"loc":["body","nouvelle_date"],"msg":"Date invalide","type":"format"}]',
    );
  });
});
