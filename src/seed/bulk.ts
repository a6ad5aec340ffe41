/**
 * Bulk inserts for the seed: one `INSERT … SELECT * FROM unnest($1::type[], $2::type[], …)` per
 * batch. One parameter per column whatever the number of rows (no 65,535-parameter limit), and one
 * round trip per batch.
 */
import { sql, type Kysely } from 'kysely';

/** [column name, PostgreSQL element type of the array parameter]. */
export type ColumnSpec = readonly [name: string, type: string];

export type Cell = string | number | boolean | Date | null;

export interface BulkInsertOptions {
  /** `ON CONFLICT DO NOTHING` (any unique violation skips the row). */
  onConflictDoNothing?: boolean;
  /** Columns to return (in insertion order for each batch). */
  returning?: readonly string[];
  /** Rows per statement (default 5,000). */
  batchSize?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const PG_TYPE = /^[a-z0-9_ ()]+$/;

function checkIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid identifier ${JSON.stringify(name)}`);
  return name;
}

/** Inserts `rows` (each an array in `columns` order) in batches; returns the `returning` columns. */
export async function bulkInsert<R = Record<string, unknown>>(
  db: Kysely<any>,
  table: string,
  columns: readonly ColumnSpec[],
  rows: readonly (readonly Cell[])[],
  options: BulkInsertOptions = {},
): Promise<R[]> {
  const batchSize = options.batchSize ?? 5000;
  const names = columns.map(([name]) => sql.raw(checkIdentifier(name)));
  const returned: R[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const arrays = columns.map(([, type], c) => {
      if (!PG_TYPE.test(type)) throw new Error(`invalid type ${JSON.stringify(type)}`);
      const values = batch.map((row) => {
        const value = row[c];
        return value instanceof Date ? value.toISOString() : (value ?? null);
      });
      return sql`${values}::${sql.raw(type)}[]`;
    });
    const conflict = options.onConflictDoNothing ? sql` ON CONFLICT DO NOTHING` : sql``;
    const returning = options.returning?.length ? sql` RETURNING ${sql.join(options.returning.map((r) => sql.raw(checkIdentifier(r))))}` : sql``;
    const result = await sql<R>`INSERT INTO ${sql.raw(checkIdentifier(table))} (${sql.join(names)}) SELECT * FROM unnest(${sql.join(arrays)})${conflict}${returning}`.execute(db);
    returned.push(...result.rows);
  }
  return returned;
}
