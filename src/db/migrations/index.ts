/**
 * The migration list, built from static imports so that it works the same under tsx (sources) and
 * from the compiled `dist` tree, without reading the migrations directory at run time.
 *
 * Keys are the file names without extension. Kysely applies migrations in key order, so every new
 * file must sort after the previous ones (the `YYYY_MM_DD_NNNNNN_` prefix) and be added here.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m2026_12_04_000001 from './2026_12_04_000001_initial_schema.js';
import * as m2026_12_04_000002 from './2026_12_04_000002_interventions_date_cloture_index.js';
import * as m2026_12_04_000003 from './2026_12_04_000003_intervention_status_counts.js';
import * as m2026_12_04_000004 from './2026_12_04_000004_intervention_creation_counts.js';
import * as m2026_12_07_000005 from './2026_12_07_000005_users_must_change_password.js';
import * as m2026_12_07_000020 from './2026_12_07_000020_job_runs.js';
import * as m2026_12_07_000030 from './2026_12_07_000030_two_factor_and_lockout_accounts.js';

export const migrations: Record<string, Migration> = {
  '2026_12_04_000001_initial_schema': m2026_12_04_000001,
  '2026_12_04_000002_interventions_date_cloture_index': m2026_12_04_000002,
  '2026_12_04_000003_intervention_status_counts': m2026_12_04_000003,
  '2026_12_04_000004_intervention_creation_counts': m2026_12_04_000004,
  '2026_12_07_000005_users_must_change_password': m2026_12_07_000005,
  '2026_12_07_000020_job_runs': m2026_12_07_000020,
  '2026_12_07_000030_two_factor_and_lockout_accounts': m2026_12_07_000030,
};

/** A Kysely `MigrationProvider` over the static list above (defaults to `migrations`). */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly list: Record<string, Migration> = migrations) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.list };
  }
}
