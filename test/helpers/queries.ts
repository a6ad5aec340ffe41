/**
 * Counting the SQL statements a piece of work sends, for the tests that guard against N+1 queries.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';

/** Runs `work` and returns how many SQL statements went through `db`'s executor meanwhile. */
export async function countQueries<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const executor = db.getExecutor() as unknown as { executeQuery: (...args: unknown[]) => Promise<unknown> };
  const original = executor.executeQuery;
  let queries = 0;
  executor.executeQuery = function (this: unknown, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
  try {
    const result = await work();
    return { result, queries };
  } finally {
    executor.executeQuery = original;
  }
}
