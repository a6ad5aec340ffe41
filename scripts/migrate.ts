/**
 * npm run migrate        — applies the pending migrations
 * npm run migrate:down   — undoes the latest migration (`-- --all` undoes every one)
 */
import { migrateDown, migrateToLatest } from '../src/db/migrate.js';
import { CliError, cliLogger, loadCliConfig, runCli, withDatabase } from './lib/cli.js';

runCli(async () => {
  const [direction, ...flags] = process.argv.slice(2);
  if (direction !== 'up' && direction !== 'down') throw new CliError('Usage : migrate.ts up|down [--all]');
  const config = await loadCliConfig();
  await withDatabase(config, async ({ db }) => {
    if (direction === 'up') await migrateToLatest(db, cliLogger.child({}, { level: 'info' }));
    else await migrateDown(db, cliLogger.child({}, { level: 'info' }), { all: flags.includes('--all') });
  });
});
