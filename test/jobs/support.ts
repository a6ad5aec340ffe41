/** Shared by the job tests: due plannings inserted directly, and waiting for a condition without a fixed sleep. */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { insertEquipement } from '../helpers/fixtures.js';

/** `count` daily plannings due since `dueSince`, on one equipment; their ids. */
export async function insertDuePlannings(db: Kysely<Database>, count: number, dueSince: Date): Promise<number[]> {
  const equipementId = await insertEquipement(db);
  const ids: number[] = [];
  for (let offset = 0; offset < count; offset += 1000) {
    const rows = await db
      .insertInto('plannings')
      .values(
        Array.from({ length: Math.min(1000, count - offset) }, () => ({
          equipement_id: equipementId,
          frequence: 'journalier' as const,
          date_reference: dueSince,
          prochaine_date: dueSince,
        })),
      )
      .returning('id')
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
