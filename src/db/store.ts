/**
 * The data access a service is made from (docs/architecture.md "Store"): its repositories on the
 * pool, and the same repositories bound to one transaction. A service never sees the Kysely
 * instance; it says which repositories it needs and gets them through a store.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The database or a transaction: what a repository is made from. */
export type Executor = Kysely<Database>;

export interface Store<R> {
  /** Repositories on the pool: one statement, one connection, no transaction. */
  readonly repos: R;
  /** Runs `work` in one transaction; its repositories all use it. Rolled back when `work` throws. */
  transaction<T>(work: (repos: R) => Promise<T>): Promise<T>;
}

export function createStore<R>(db: Kysely<Database>, makeRepositories: (executor: Executor) => R): Store<R> {
  return {
    repos: makeRepositories(db),
    transaction: (work) => db.transaction().execute((trx) => work(makeRepositories(trx))),
  };
}
