import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { insertEquipement } from '../helpers/fixtures.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

async function counters(): Promise<Record<string, number>> {
  const rows = await database.db.selectFrom('intervention_status_counts').selectAll().where('total', '>', 0).execute();
  return Object.fromEntries(rows.map((row) => [row.statut, Number(row.total)]));
}

async function actual(): Promise<Record<string, number>> {
  const rows = await sql<{ statut: string; n: number }>`SELECT statut, count(*)::int AS n FROM interventions GROUP BY statut`.execute(database.db);
  return Object.fromEntries(rows.rows.map((row) => [row.statut, row.n]));
}

test('the per-status counters follow bulk inserts, status updates, other updates and deletes', async () => {
  const db = database.db;
  const equipementId = await insertEquipement(db);
  await db
    .insertInto('interventions')
    .values(Array.from({ length: 30 }, (_, i) => ({ titre: `Bulk ${i}`, type_intervention: 'corrective' as const, equipement_id: equipementId, statut: i % 3 === 0 ? ('annulee' as const) : ('ouverte' as const) })))
    .execute();
  assert.deepEqual(await counters(), { ouverte: 20, annulee: 10 });

  await db.updateTable('interventions').set({ statut: 'archivee' }).where('statut', '=', 'annulee').where('titre', 'in', ['Bulk 0', 'Bulk 3', 'Bulk 6']).execute();
  await db.updateTable('interventions').set({ priorite: 'haute' }).execute();
  assert.deepEqual(await counters(), { ouverte: 20, annulee: 7, archivee: 3 });

  await db.deleteFrom('interventions').where('statut', '=', 'ouverte').where('titre', 'like', 'Bulk 1%').execute();
  assert.deepEqual(await counters(), await actual());
  const total = await db.selectFrom('intervention_status_counts').select(sql<string>`sum(total)`.as('t')).executeTakeFirstOrThrow();
  const real = await db.selectFrom('interventions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(total.t), Number(real.n));
});
