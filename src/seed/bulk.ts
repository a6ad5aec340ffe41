/**
 * Bulk inserts for the seed: one `INSERT … SELECT * FROM unnest($1::type[], $2::type[], …)` per
 * batch. One parameter per column whatever the number of rows (no 65,535-parameter limit), and one
 * round trip per batch.
 *
 * Table, columns, values and returned columns are typed against `src/db/schema.ts`, as Kysely's
 * `insertInto` would type them: a renamed or retyped column fails `tsc`.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

type Table = keyof Database & string;
type Column<T extends Table> = keyof Insertable<Database[T]> & string;
type Returnable<T extends Table> = keyof Selectable<Database[T]> & string;

/** PostgreSQL element type of a column's array parameter. */
type ArrayType = 'text' | 'int4' | 'numeric' | 'bool' | 'timestamptz' | 'date';

/**
 * A row of `T` that has exactly the columns `C`: every listed column is present (a value left out
 * by mistake would silently become NULL), no other column is (it would silently be dropped).
 */
type BulkRow<T extends Table, C extends Column<T>> = Insertable<Database[T]> & { readonly [K in C]: unknown } & { readonly [K in Exclude<Column<T>, C>]?: never };

/**
 * Inserts `rows` into `table` in batches of `batchSize` (default 5,000); `columns` gives each
 * inserted column its array element type. Returns the `returning` columns of the inserted rows.
 */
export async function bulkInsert<T extends Table, C extends Column<T>, R extends Returnable<T> = never>(
  db: Kysely<Database>,
  table: T,
  columns: Readonly<Record<C, ArrayType>>,
  rows: readonly BulkRow<T, C>[],
  options: { onConflictDoNothing?: boolean; returning?: readonly R[]; batchSize?: number } = {},
): Promise<Pick<Selectable<Database[T]>, R>[]> {
  const batchSize = options.batchSize ?? 5000;
  const specs = Object.entries(columns) as [C, ArrayType][];
  const names = sql.join(specs.map(([name]) => sql.id(name)));
  const conflict = options.onConflictDoNothing ? sql` ON CONFLICT DO NOTHING` : sql``;
  const returning = options.returning?.length ? sql` RETURNING ${sql.join(options.returning.map((name) => sql.id(name)))}` : sql``;
  const returned: Pick<Selectable<Database[T]>, R>[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const arrays = specs.map(([name, type]) => {
      const values = batch.map((row) => {
        const value: unknown = row[name];
        return value instanceof Date ? value.toISOString() : (value ?? null);
      });
      return sql`${values}::${sql.raw(type)}[]`;
    });
    const result = await sql<Pick<Selectable<Database[T]>, R>>`INSERT INTO ${sql.table(table)} (${names}) SELECT * FROM unnest(${sql.join(arrays)})${conflict}${returning}`.execute(db);
    returned.push(...result.rows);
  }
  return returned;
}
