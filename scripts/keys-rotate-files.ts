/**
 * npm run keys:rotate-files [-- --reencrypt-legacy --batch-size N]   (docs/security.md §8 "Rotation")
 *
 * After FILES_ENC_KEY is set to a new key and the previous ones are listed in FILES_ENC_OLD_KEYS:
 * re-wraps every document data key that is not under FILES_ENC_KEY, in batches of one transaction
 * each (idempotent, resumable after an interruption), touching no file. With --reencrypt-legacy,
 * legacy Fernet files are also converted. Prints the rows still under old keys: an old key may be
 * removed from FILES_ENC_OLD_KEYS once that number is 0. Exit 1 when a row could not be rotated.
 */
import { parseArgs } from 'node:util';
import { createServices } from '../src/container.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { systemClock } from '../src/lib/clock.js';
import { argon2Hasher } from '../src/modules/auth/password-hash.js';
import type { KeyReport } from '../src/modules/documents/key-rotation.js';
import { CliError, cliLogger, loadCliConfig, runCli, withDatabase } from './lib/cli.js';

const USAGE = 'Usage : npm run keys:rotate-files [-- --reencrypt-legacy --batch-size N]';

function describe(report: KeyReport): string {
  return [
    `Clé courante (key_id) : ${report.currentKeyId}`,
    `Documents encore sous d'anciennes clés : ${report.underOldKeys}`,
    `Documents Fernet hérités : ${report.legacy}${report.legacy > 0 ? ' (convertis avec --reencrypt-legacy)' : ''}`,
    `Documents dont la clé n'est pas configurée : ${report.unknownKey}`,
  ].join('\n');
}

runCli(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: { 'reencrypt-legacy': { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '100' }, help: { type: 'boolean', short: 'h', default: false } },
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
  if (!/^\d{1,5}$/.test(values['batch-size']) || Number(values['batch-size']) < 1) throw new CliError(`--batch-size doit être un entier entre 1 et 99999\n${USAGE}`);
  const config = await loadCliConfig();
  const failed = await withDatabase(config, async ({ db }) => {
    await migrateToLatest(db, cliLogger);
    const { documentKeys } = createServices({ config, db, clock: systemClock, hasher: argon2Hasher, logger: cliLogger });
    const before = await documentKeys.report();
    if (before.unknownKey > 0) {
      process.stderr.write(`Attention : ${before.unknownKey} document(s) ont une clé absente de FILES_ENC_KEY et FILES_ENC_OLD_KEYS ; ils restent illisibles et ne sont pas traités.\n`);
    }
    const result = await documentKeys.rotate({
      reencryptLegacy: values['reencrypt-legacy'],
      batchSize: Number(values['batch-size']),
      onBatch: (done) => process.stderr.write(`[rotation] clés ré-enveloppées : ${done.rewrapped}, fichiers Fernet convertis : ${done.converted}, échecs : ${done.failed}\n`),
    });
    process.stdout.write(`${describe(await documentKeys.report())}\n`);
    return result.failed;
  });
  if (failed > 0) throw new CliError(`${failed} document(s) n'ont pas pu être traités (fichier absent ou endommagé) : voir le journal.`);
});
