/**
 * `npm run seed:demo` orchestration: the password check of every account the run may create (made
 * by the CLI before it opens the database), the demo data set, then the `--scale` units (two written
 * concurrently), progress on a stream, statistics refreshed at the end.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DEMO_ACCOUNTS, passwordProblems, PasswordHashCache, scaleAccountsOfUnit, SCALE_PASSWORD, SCALE_PER_UNIT, type SeedAccount } from './accounts.js';
import { seedDemo, type DemoResult } from './demo.js';
import { FIRST_ADMIN_PASSWORD_FILE } from '../modules/users/first-admin-file.js';
import { SeedConflict } from './errors.js';
import { generateUnit } from './scale/generate.js';
import { presentUnits, writeUnit, type UnitCounts } from './scale/write.js';

export interface SeedOptions {
  /** Units of scale data (0 = the demo data set only). */
  scale: number;
  /** PRNG seed of the scale data. */
  seed: string;
  now: Date;
  timeZone: string;
  hashPassword: (password: string) => Promise<string>;
  /** Progress lines (stderr in the CLI). */
  progress: (line: string) => void;
  /** Units written at the same time (default 2). */
  concurrency?: number;
}

export interface SeedReport {
  demo: DemoResult;
  unitsPresent: number[];
  unitsAdded: number[];
  /** Rows added by the scale part, per table. */
  scaleRows: Partial<UnitCounts>;
  /** Distinct passwords hashed by this run. */
  hashes: number;
  durationMs: number;
}

const SEED_LOCK_KEY = 'mif-erp:seed-demo';
/** The tables that the scale data fills. */
const VACUUMED = ['clients', 'contrats', 'users', 'techniciens', 'equipements', 'plannings', 'interventions', 'historiques_interventions', 'notifications'] as const satisfies readonly (keyof Database)[];

/** Every account that the run may create, for the password policy check. */
export function* seededAccounts(scale: number): Iterable<SeedAccount> {
  yield* DEMO_ACCOUNTS;
  for (let unit = 1; unit <= scale; unit++) {
    const { techniciens, responsables, clients } = scaleAccountsOfUnit(unit);
    yield* techniciens;
    yield* responsables;
    yield* clients;
  }
}

/** Why the run is refused if a password it would set fails the policy (the first 10 accounts named), else null. */
export function passwordRefusal(scale: number, minLength: number): string | null {
  const problems = passwordProblems(seededAccounts(scale), minLength);
  if (problems.length === 0) return null;
  const shown = problems.slice(0, 10);
  if (problems.length > shown.length) shown.push(`… et ${problems.length - shown.length} autre(s) compte(s)`);
  return `Mot de passe refusé par la politique :\n${shown.join('\n')}`;
}

function yearIn(timeZone: string, date: Date): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(date));
}

const nf = new Intl.NumberFormat('fr-FR');

export async function runSeed(db: Kysely<Database>, options: SeedOptions): Promise<SeedReport> {
  const started = Date.now();
  // One seed at a time on a database (a session-level advisory lock held on its own connection).
  return db.connection().execute(async (lockConnection) => {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(hashtext(${SEED_LOCK_KEY})) AS locked`.execute(lockConnection);
    if (!rows[0]?.locked) throw new SeedConflict('Un autre seed est en cours sur cette base.');
    try {
      return await seedLocked(db, options, started);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${SEED_LOCK_KEY}))`.execute(lockConnection);
    }
  });
}

async function seedLocked(db: Kysely<Database>, options: SeedOptions, started: number): Promise<SeedReport> {
  const hashes = new PasswordHashCache(options.hashPassword);
  const demo = await seedDemo(db, { now: options.now, currentYear: yearIn(options.timeZone, options.now), hashes });
  const createdDemo = Object.entries(demo.created).map(([table, n]) => `${table} +${n}`);
  options.progress(`[démo] ${createdDemo.length > 0 ? createdDemo.join(', ') : 'déjà présentes, rien à ajouter'}`);

  const report: SeedReport = { demo, unitsPresent: [], unitsAdded: [], scaleRows: {}, hashes: 0, durationMs: 0 };
  if (options.scale > 0) {
    const present = await presentUnits(db);
    const missing: number[] = [];
    for (let unit = 1; unit <= options.scale; unit++) (present.has(unit) ? report.unitsPresent : missing).push(unit);
    if (report.unitsPresent.length > 0) options.progress(`[scale] ${report.unitsPresent.length} unité(s) déjà présente(s) sur ${options.scale}`);
    if (missing.length > 0) {
      const context = { passwordHash: await hashes.get(SCALE_PASSWORD), competenceIds: demo.competenceIds, now: options.now.getTime() };
      const scaleStarted = Date.now();
      let totalRows = 0;
      let next = 0;
      const worker = async () => {
        while (next < missing.length) {
          const unit = missing[next++]!;
          const unitStarted = Date.now();
          const data = generateUnit(options.seed, unit, context.now, context.competenceIds.length);
          const counts = await db.transaction().execute(async (trx) => {
            await sql`SET LOCAL synchronous_commit = off`.execute(trx);
            await sql`SET LOCAL statement_timeout = 0`.execute(trx);
            return writeUnit(trx, data, context);
          });
          report.unitsAdded.push(unit);
          let rows = 0;
          for (const [table, n] of Object.entries(counts) as [keyof UnitCounts, number][]) {
            report.scaleRows[table] = (report.scaleRows[table] ?? 0) + n;
            rows += n;
          }
          totalRows += rows;
          const elapsed = (Date.now() - scaleStarted) / 1000;
          options.progress(
            `[scale] unité ${unit} (${report.unitsAdded.length}/${missing.length}) : ${nf.format(counts.interventions)} interventions, ` +
              `${nf.format(counts.historiques_interventions)} historiques, ${nf.format(counts.notifications)} notifications, ` +
              `${nf.format(rows)} lignes en ${((Date.now() - unitStarted) / 1000).toFixed(1)} s — total ${nf.format(totalRows)} lignes, ` +
              `${nf.format(Math.round(totalRows / Math.max(elapsed, 0.001)))} lignes/s`,
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, missing.length) }, worker));
      report.unitsAdded.sort((a, b) => a - b);
      options.progress('[scale] VACUUM ANALYZE (statistiques et carte de visibilité)…');
      await sql`VACUUM (ANALYZE) ${sql.join(VACUUMED.map((table) => sql.table(table)))}`.execute(db);
    }
  }
  report.hashes = hashes.size;
  report.durationMs = Date.now() - started;
  return report;
}

/** The account listing printed at the end (docs/operations.md §5). */
export function accountsSummary(report: SeedReport, scale: number): string {
  const lines = ['Comptes de démonstration (e-mail / identifiant — mot de passe, rôle) :'];
  const adopted = report.demo.adoptedAdmin;
  for (const account of DEMO_ACCOUNTS) {
    if (account.role === 'admin' && adopted) {
      lines.push(
        `  ${adopted.email} / ${adopted.username} — son propre mot de passe (ADMIN_PASSWORD, ou DATA_DIR/${FIRST_ADMIN_PASSWORD_FILE} s’il a été généré) (admin)` +
          ` [administrateur existant conservé à la place de ${account.email}]`,
      );
      continue;
    }
    const existing = report.demo.existingAccounts.includes(account.email) ? ' [compte déjà présent : mot de passe inchangé]' : '';
    lines.push(`  ${account.email} / ${account.username} — ${account.password} (${account.role})${existing}`);
  }
  if (scale > 0) {
    const last = scaleAccountsOfUnit(scale);
    const first = scaleAccountsOfUnit(1);
    lines.push(`Comptes générés (--scale ${scale}), tous avec le mot de passe ${SCALE_PASSWORD} :`);
    const range = (a: SeedAccount, b: SeedAccount, n: number, label: string) => `  ${a.email} … ${b.email} (${nf.format(n)} ${label})`;
    lines.push(range(first.techniciens[0]!, last.techniciens.at(-1)!, scale * SCALE_PER_UNIT.techniciens, 'techniciens'));
    lines.push(range(first.responsables[0]!, last.responsables.at(-1)!, scale * SCALE_PER_UNIT.responsables, 'responsables'));
    lines.push(range(first.clients[0]!, last.clients.at(-1)!, scale * SCALE_PER_UNIT.clients, 'clients'));
    lines.push('  (identifiant = partie locale de l’e-mail, p. ex. technicien.0001)');
  }
  return lines.join('\n');
}
