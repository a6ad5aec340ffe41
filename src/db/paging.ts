/**
 * The one list contract below the routes (docs/api.md §1 "Lists"): a repository returns
 * `{ rows, total }` — the page and the count of every matching row before limit/offset — and the
 * route turns `total` into `X-Total-Count` (src/http/lists.ts).
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { SortTerm } from '../lib/listing.js';

export interface Page<T> {
  rows: T[];
  total: number;
}

export interface PageOptions {
  limit: number;
  offset: number;
  sort: SortTerm[];
}

/** A list's window as the query gives it: `sort` is the API's text, parsed by the service against its SortSpec. */
export type ListRequest = Omit<PageOptions, 'sort'> & { sort?: string };

/** The empty page, for a scope that can match nothing (no query is run). */
export function emptyPage<T>(): Page<T> {
  return { rows: [], total: 0 };
}

export function mapPage<T, U>(page: Page<T>, map: (row: T) => U): Page<U> {
  return { rows: page.rows.map(map), total: page.total };
}

/**
 * Runs the count and the page of a filtered select. Nulls sort last in both directions. The count
 * replaces the selection with `count(*)`, so the query must not use GROUP BY or DISTINCT (use a
 * subquery filter instead).
 */
export async function selectPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, options: PageOptions): Promise<Page<O>> {
  const countQuery = query
    .clearSelect()
    .clearOrderBy()
    .select(sql<string>`count(*)`.as('total'));
  let pageQuery = query.clearOrderBy();
  for (const term of options.sort) {
    const expression = typeof term.column === 'string' ? sql.ref(term.column) : term.column;
    pageQuery = pageQuery.orderBy(expression, (ob) => (term.direction === 'desc' ? ob.desc() : ob.asc()).nullsLast());
  }
  const [countRow, rows] = await Promise.all([
    countQuery.executeTakeFirst() as Promise<{ total: string | number } | undefined>,
    pageQuery.limit(options.limit).offset(options.offset).execute(),
  ]);
  return { rows: rows as O[], total: Number(countRow?.total ?? 0) };
}
