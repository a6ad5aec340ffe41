/**
 * Seeds a persistent benchmark cluster without measuring anything, so that a long seed can run
 * ahead of `npm run bench -- --data-dir <dir>`:
 *
 *   node --import tsx bench/seed-cluster.ts --data-dir /tmp/mif-bench-1000 --scale 1000
 *
 * Same layout as bench/run.ts --data-dir (<dir>/pg holds the connection file, <dir>/pg/postgres
 * the cluster); seed:demo is idempotent, so an interrupted seed resumes where it stopped.
 */
import { parseArgs } from 'node:util';
import { readNumber, runBench, seedDemo, UsageError, withBenchEnvironment } from './lib.js';

const USAGE = 'usage: node --import tsx bench/seed-cluster.ts --data-dir <dir> [--scale N]\n';

runBench({
  usage: USAGE,
  readSettings: (argv) => {
    const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, scale: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
    if (values.help) return null;
    if (!values['data-dir']) throw new UsageError('--data-dir is required');
    return { dataDir: values['data-dir'], scale: readNumber('--scale', values.scale, 1, 0) };
  },
  run: async (settings) =>
    withBenchEnvironment(async (environment) => {
      await seedDemo(environment, settings.scale);
      return 0;
    }, { dataDir: settings.dataDir }),
});
