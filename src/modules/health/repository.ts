/** The database probe of readiness (docs/operations.md §8). */
import { sql } from 'kysely';
import type { Executor } from '../../db/store.js';

export class HealthRepository {
  constructor(private readonly db: Executor) {}

  /** `SELECT 1`: the pool hands out a connection and the server answers. */
  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }
}
