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
  const rows = await database.db.selectFrom('intervention_status_counts').selectAll().where('total', '>', 0).orderBy(['statut', 'priorite']).execute();
  return Object.fromEntries(rows.map((row) => [`${row.statut}/${row.priorite}`, Number(row.total)]));
}

async function actual(): Promise<Record<string, number>> {
  const rows = await sql<{ k: string; n: number }>`SELECT statut || '/' || priorite AS k, count(*)::int AS n FROM interventions GROUP BY 1 ORDER BY 1`.execute(database.db);
  return Object.fromEntries(rows.rows.map((row) => [row.k, row.n]));
}

test('the per-status counters follow bulk inserts, status updates, other updates and deletes', async () => {
  const db = database.db;
  const equipementId = await insertEquipement(db);
  await db
    .insertInto('interventions')
    .values(Array.from({ length: 30 }, (_, i) => ({ titre: `Bulk ${i}`, type_intervention: 'corrective' as const, equipement_id: equipementId, statut: i % 3 === 0 ? ('annulee' as const) : ('ouverte' as const) })))
    .execute();
  assert.deepEqual(await counters(), { 'annulee/normale': 10, 'ouverte/normale': 20 });

  await db.updateTable('interventions').set({ statut: 'archivee' }).where('statut', '=', 'annulee').where('titre', 'in', ['Bulk 0', 'Bulk 3', 'Bulk 6']).execute();
  await db.updateTable('interventions').set({ priorite: 'haute' }).execute();
  assert.deepEqual(await counters(), { 'annulee/haute': 7, 'archivee/haute': 3, 'ouverte/haute': 20 });

  await db.deleteFrom('interventions').where('statut', '=', 'ouverte').where('titre', 'like', 'Bulk 1%').execute();
  assert.deepEqual(await counters(), await actual());
  const total = await db.selectFrom('intervention_status_counts').select(sql<string>`sum(total)`.as('t')).executeTakeFirstOrThrow();
  const real = await db.selectFrom('interventions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(total.t), Number(real.n));
});

test('the 15-minute creation buckets follow inserts, date changes and deletes', async () => {
  const db = database.db;
  const equipementId = await insertEquipement(db);
  const at = (iso: string) => new Date(iso);
  const ids = await db
    .insertInto('interventions')
    .values(
      ['2026-03-01T10:00:00Z', '2026-03-01T10:14:59Z', '2026-03-01T10:15:00Z', '2026-02-28T23:59:00Z'].map((d, i) => ({
        titre: `Bucket ${i}`,
        type_intervention: 'corrective' as const,
        equipement_id: equipementId,
        date_creation: at(d),
      })),
    )
    .returning('id')
    .execute();
  const buckets = async () => {
    const rows = await sql<{ b: string; total: number }>`
      SELECT to_char(bucket, 'YYYY-MM-DD"T"HH24:MI') AS b, total::int FROM intervention_creation_counts
      WHERE bucket >= '2026-02-28' AND bucket < '2026-03-02' AND total > 0 ORDER BY bucket`.execute(db);
    return Object.fromEntries(rows.rows.map((r) => [r.b, r.total]));
  };
  assert.deepEqual(await buckets(), { '2026-02-28T23:45': 1, '2026-03-01T10:00': 2, '2026-03-01T10:15': 1 });

  await db.updateTable('interventions').set({ date_creation: at('2026-03-01T10:20:00Z') }).where('id', '=', ids[0]!.id).execute();
  await db.updateTable('interventions').set({ titre: 'Renamed' }).where('id', '=', ids[1]!.id).execute();
  assert.deepEqual(await buckets(), { '2026-02-28T23:45': 1, '2026-03-01T10:00': 1, '2026-03-01T10:15': 2 });

  await db.deleteFrom('interventions').where('id', '=', ids[3]!.id).execute();
  assert.deepEqual(await buckets(), { '2026-03-01T10:00': 1, '2026-03-01T10:15': 2 });
});
