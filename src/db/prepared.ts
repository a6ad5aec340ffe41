/**
 * Statements compiled once and run as named prepared statements (docs/decisions.md "Per-request
 * cost"): PostgreSQL parses and plans them once per connection instead of on every execution, and
 * Kysely builds and compiles them once per process instead of on every call. Kept for the
 * statements every request runs (the authentication read, alone or carried by a single-row read);
 * everything else stays an unnamed statement, so that the per-connection cache of prepared statements stays bounded by this code.
 */
import { createHash } from 'node:crypto';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
  type CompiledQuery,
} from 'kysely';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** Compiles PostgreSQL for the builders below; it never connects. */
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** SQL text → statement name, for the pool wrapper of src/db/database.ts. */
const names = new Map<string, string>();

/** The name a statement runs under when its text was prepared here, else undefined (an unnamed statement). */
export function preparedStatementName(sqlText: string): string | undefined {
  return names.get(sqlText);
}

/**
 * Compiles `build` once, with `placeholders` standing for the values of each call, and returns the
 * function that runs it with the real values (in the order of `placeholders`) on the pool or a
 * transaction. Each placeholder must appear exactly once among the compiled parameters.
 */
export function preparedStatement<R, P extends readonly unknown[]>(
  placeholders: P,
  build: (db: Kysely<Database>, ...values: P) => Compilable<R>,
): (db: Executor, ...values: P) => Promise<R[]> {
  const compiled = build(compiler, ...placeholders).compile();
  const positions = placeholders.map((placeholder) => {
    const position = compiled.parameters.indexOf(placeholder);
    if (position === -1 || compiled.parameters.lastIndexOf(placeholder) !== position) {
      throw new Error(`prepared statement: placeholder ${String(placeholder)} must appear exactly once in ${compiled.sql}`);
    }
    return position;
  });
  names.set(compiled.sql, `mif_${createHash('sha256').update(compiled.sql).digest('hex').slice(0, 24)}`);
  return async (db, ...values) => {
    const parameters = [...compiled.parameters];
    positions.forEach((position, index) => (parameters[position] = values[index]));
    const { rows } = await db.executeQuery<R>({ ...compiled, parameters } as CompiledQuery<R>);
    return rows;
  };
}
