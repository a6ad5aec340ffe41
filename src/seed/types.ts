/** Table types for the seed modules. */
import type { Insertable as KyselyInsertable } from 'kysely';
import type { Database } from '../db/schema.js';

export type { Database, StatutIntervention } from '../db/schema.js';
export type Insertable<T extends keyof Database> = KyselyInsertable<Database[T]>;
