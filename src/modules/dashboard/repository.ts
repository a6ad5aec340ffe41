/**
 * Dashboard figures (docs/api.md §4.9) in one SQL statement: every part is a sub-query over the caller's
 * scope. For a technician or a client, the rows in scope are read once (a MATERIALIZED CTE through
 * the `(technicien_id, statut)` / `(client_id, statut)` index) and counted. For the full scope, each
 * part is written so that an index serves it on a large table:
 * - statuses × priorities: the trigger-maintained `intervention_status_counts` (migration 000003);
 * - overdue: the partial index on `date_limite` for active statuses;
 * - closed this month: the partial index on `date_cloture`;
 * - the 6-month series: sums of 15-minute creation buckets (`intervention_creation_counts`). The month
 *   boundaries are computed by PostgreSQL in APP_TIMEZONE (`date_trunc('month', now AT TIME ZONE tz)`
 *   ± n months, back to instants), so each row is only compared, never converted: on 1M rows this
 *   is several times cheaper than grouping by `date_trunc('month', date_creation AT TIME ZONE tz)`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/store.js';
import type { Priorite, StatutEquipement, StatutIntervention } from '../../db/schema.js';
import type { DashboardScope, RowScope } from './policy.js';

export interface DashboardCounts {
  /** Interventions in scope per (statut, priorite). */
  parStatutPriorite: { statut: StatutIntervention; priorite: Priorite; n: number }[];
  enRetard: number;
  termineesMensuel: number;
  /** The current month and the 5 before it, oldest first, zero-filled; `month` is 1–12. */
  evolution: { year: number; month: number; total: number }[];
  equipementsParStatut: { statut: StatutEquipement; n: number }[];
  utilisateurs: { total: number; actifs: number };
}

function scopePredicate(scope: RowScope, alias: 'i' | 'e' | 'u'): RawBuilder<boolean> {
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`true`;
    case 'none':
      return sql<boolean>`false`;
    case 'client':
      return sql<boolean>`${sql.ref(`${alias}.client_id`)} = ${scope.clientId}`;
    case 'technicien':
      if (alias !== 'i') throw new Error('technician scope applies to interventions only');
      return sql<boolean>`i.technicien_id = ${scope.technicienId}`;
  }
}

interface Row {
  groups: [StatutIntervention, Priorite, number][];
  en_retard: number;
  terminees_mensuel: number;
  /** [year, month] of the 6 months, oldest first. */
  months: [number, number][];
  /** Interventions created in each of those months. */
  monthly: number[];
  equipements: [StatutEquipement, number][];
  utilisateurs: [number, number];
}

/** The series covers the current month and the 5 before it. */
const SERIES_MONTHS = 6;

/** The SQL of {@link DashboardRepository.loadCounts}, exported for EXPLAIN in tests and benchmarks. */
export function dashboardQuery(scope: DashboardScope, now: Date, timeZone: string): RawBuilder<Row> {
  // Full scope: each part reads the table through its own index. Restricted scope (a technician's or
  // a client's work, a few hundred rows): the rows in scope are read once, through the
  // (technicien_id, statut) or (client_id, statut) index, and every part counts over them.
  const restricted = scope.interventions.kind !== 'all';
  const withScoped = restricted
    ? sql`WITH scoped AS MATERIALIZED (
        SELECT i.statut, i.priorite, i.date_creation, i.date_limite, i.date_cloture
        FROM interventions i WHERE ${scopePredicate(scope.interventions, 'i')}
      )`
    : sql``;
  const source = restricted ? sql`scoped i` : sql`interventions i`;
  // Full scope: the counters replace a scan of every row (≈ 45 ms on 1M rows).
  const groups = restricted
    ? sql`(SELECT i.statut, i.priorite, count(*)::int AS n FROM scoped i GROUP BY i.statut, i.priorite)`
    : sql`(SELECT statut, priorite, total::int AS n FROM intervention_status_counts WHERE total > 0)`;
  const tz = sql`${timeZone}::text`;
  // The first instant of the current month in APP_TIMEZONE, as a local timestamp.
  const currentMonth = sql`date_trunc('month', ${now}::timestamptz AT TIME ZONE ${tz})`;
  /** Start of the month `offset` months from the current one, as an instant (timestamptz). */
  const monthStart = (offset: number) => sql`((${currentMonth} + ${sql.raw(`interval '${Math.trunc(offset)} months'`)}) AT TIME ZONE ${tz})`;
  // One range count per month (an index range scan for the full scope): cheaper than converting
  // every row's date_creation to the time zone and grouping.
  // Full scope: sums of the 15-minute creation buckets (migration 000004), in UTC wall-clock time.
  const perMonth = Array.from({ length: SERIES_MONTHS }, (_, k) => {
    const offset = k - (SERIES_MONTHS - 1);
    return restricted
      ? sql`(SELECT count(*)::int FROM ${source}
               WHERE i.date_creation >= ${monthStart(offset)} AND i.date_creation < ${monthStart(offset + 1)})`
      : sql`(SELECT coalesce(sum(total), 0)::int FROM intervention_creation_counts
               WHERE bucket >= ${monthStart(offset)} AT TIME ZONE 'UTC' AND bucket < ${monthStart(offset + 1)} AT TIME ZONE 'UTC')`;
  });

  return sql<Row>`
    ${withScoped}
    SELECT
      (SELECT coalesce(json_agg(json_build_array(g.statut, g.priorite, g.n)), '[]') FROM ${groups} g) AS groups,
      (SELECT count(*)::int FROM ${source}
         WHERE i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') AND i.date_limite < ${now}::timestamptz) AS en_retard,
      (SELECT count(*)::int FROM ${source}
         WHERE i.date_cloture >= ${monthStart(0)} AND i.date_cloture < ${monthStart(1)}) AS terminees_mensuel,
      (SELECT json_agg(json_build_array(extract(year FROM m)::int, extract(month FROM m)::int) ORDER BY m)
         FROM generate_series(${currentMonth} - ${sql.raw(`interval '${SERIES_MONTHS - 1} months'`)}, ${currentMonth}, interval '1 month') AS m) AS months,
      json_build_array(${sql.join(perMonth)}) AS monthly,
      (SELECT coalesce(json_agg(json_build_array(s.statut, s.n)), '[]')
         FROM (SELECT e.statut, count(*)::int AS n FROM equipements e WHERE ${scopePredicate(scope.equipements, 'e')}
               GROUP BY e.statut) s) AS equipements,
      (SELECT json_build_array(count(*)::int, (count(*) FILTER (WHERE u.is_active))::int)
         FROM users u WHERE ${scopePredicate(scope.utilisateurs, 'u')}) AS utilisateurs
  `;
}

export class DashboardRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Every figure of the dashboard, in one statement. It runs with parallel query off (SET LOCAL in
   * its own transaction: BEGIN, SET, SELECT, COMMIT): its dozen sub-plans would each launch workers,
   * and on 2 cores under load the launches cost more than they save (1M interventions: ≈ 120 ms
   * serial against ≈ 420 ms with the default plans, measured).
   */
  async loadCounts(scope: DashboardScope, now: Date, timeZone: string): Promise<DashboardCounts> {
    const { rows } = await this.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
      return dashboardQuery(scope, now, timeZone).execute(trx);
    });
    const row = rows[0]!;
    return {
      parStatutPriorite: row.groups.map(([statut, priorite, n]) => ({ statut, priorite, n })),
      enRetard: row.en_retard,
      termineesMensuel: row.terminees_mensuel,
      evolution: row.months.map(([year, month], k) => ({ year, month, total: row.monthly[k] ?? 0 })),
      equipementsParStatut: row.equipements.map(([statut, n]) => ({ statut, n })),
      utilisateurs: { total: row.utilisateurs[0], actifs: row.utilisateurs[1] },
    };
  }
}
