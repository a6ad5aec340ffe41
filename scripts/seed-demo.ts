/**
 * npm run seed:demo [-- --scale N --seed S --allow-production]   (docs/operations.md §5)
 *
 * Idempotent demo data, written directly to the database (no e-mail, no outbox row). Refuses to
 * run with ENVIRONMENT=production unless --allow-production is given. Prints the accounts and their
 * passwords at the end; progress goes to stderr. Exit codes: 0 success, 1 validation, 2 conflict.
 */
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { argon2Hasher, hashPassword } from '../src/modules/auth/password-hash.js';
import { createServices } from '../src/container.js';
import { systemClock } from '../src/lib/clock.js';
import { seedDocuments } from '../src/seed/documents.js';
import { SeedConflict } from '../src/seed/errors.js';
import { accountsSummary, passwordRefusal, runSeed } from '../src/seed/run.js';
import { CliError, cliLogger, EXIT_CONFLICT, loadCliConfig, runCli, withDatabase } from './lib/cli.js';

/** 10,000 units = 50 million interventions: far beyond any useful volume. */
const MAX_SCALE = 10_000;
const USAGE = 'Usage : npm run seed:demo [-- --scale N --seed S --with-documents --allow-production]';
const PRODUCTION_REFUSAL = 'Refusé : ENVIRONMENT=production. Les données de démonstration ne sont pas destinées à la production ; ajoutez --allow-production pour passer outre.';

runCli(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scale: { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        'allow-production': { type: 'boolean', default: false },
        'with-documents': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!/^\d{1,6}$/.test(values.scale) || Number(values.scale) > MAX_SCALE) {
    throw new CliError(`--scale doit être un entier positif ou nul, au plus ${MAX_SCALE} (reçu : ${values.scale})\n${USAGE}`);
  }
  const scale = Number(values.scale);
  if (values.seed.length === 0 || values.seed.length > 100) throw new CliError('--seed doit contenir entre 1 et 100 caractères');

  // Checked before the configuration, whose production rules would otherwise speak first.
  const allowProduction = values['allow-production'];
  if (!allowProduction && readEnvironment(process.cwd()).ENVIRONMENT?.trim() === 'production') throw new CliError(PRODUCTION_REFUSAL);
  const config = await loadCliConfig();
  if (!allowProduction && config.environment === 'production') throw new CliError(PRODUCTION_REFUSAL);
  // Every password the run may set, against the policy, before touching the database.
  const refusal = passwordRefusal(scale, config.auth.passwordMinLength);
  if (refusal !== null) throw new CliError(refusal);

  // A connection holds the seed's advisory lock while two units are written concurrently, and the
  // final VACUUM of a large seed outlasts DB_STATEMENT_TIMEOUT_MS: a pool of at least 4, no timeout.
  const seedConfig = { ...config, database: { ...config.database, poolMax: Math.max(config.database.poolMax, 4), statementTimeoutMs: 0 } };
  const report = await withDatabase(seedConfig, async ({ db }) => {
    await migrateToLatest(db, cliLogger);
    let seeded;
    try {
      seeded = await runSeed(db, {
        scale,
        seed: values.seed,
        now: new Date(),
        timeZone: config.appTimezone,
        hashPassword,
        progress: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (error) {
      if (error instanceof SeedConflict) throw new CliError(error.message, EXIT_CONFLICT);
      throw error;
    }
    if (values['with-documents']) {
      // Encrypted with the configured FILES_ENC_KEY into UPLOAD_DIRECTORY, exactly like an upload.
      const { documentFiles } = createServices({ config, db, clock: systemClock, hasher: argon2Hasher, logger: cliLogger });
      const documents = await seedDocuments(db, documentFiles, new Date());
      process.stderr.write(`[seed] documents chiffrés ajoutés : ${documents.added}, déjà présents : ${documents.present}\n`);
    }
    return seeded;
  });
  process.stderr.write(
    `[seed] terminé en ${(report.durationMs / 1000).toFixed(1)} s` +
      (scale > 0 ? ` ; unités ajoutées : ${report.unitsAdded.length}, déjà présentes : ${report.unitsPresent.length}` : '') +
      ` ; ${report.hashes} mot(s) de passe distinct(s) haché(s)\n`,
  );
  process.stdout.write(`${accountsSummary(report, scale)}\n`);
});
