/**
 * npm run user:create -- --role <role> --email <e> --username <u> --full-name <n> [--client-id <id>] [--password-stdin]
 * The password comes from a prompt without echo, or from stdin; never from argv.
 */
import { parseArgs } from 'node:util';
import { createServices } from '../src/container.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { SYSTEM_ACTOR } from '../src/lib/actor.js';
import { systemClock } from '../src/lib/clock.js';
import { argon2Hasher } from '../src/modules/auth/password-hash.js';
import { CliError, cliLogger, loadCliConfig, promptPassword, readStdin, runCli, withDatabase } from './lib/cli.js';

runCli(async () => {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      email: { type: 'string' },
      username: { type: 'string' },
      'full-name': { type: 'string' },
      'client-id': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const missing = ['role', 'email', 'username', 'full-name'].filter((name) => !values[name as keyof typeof values]);
  if (missing.length > 0) throw new CliError(`Options manquantes : ${missing.map((m) => `--${m}`).join(', ')}`);
  const clientId = values['client-id'] === undefined ? null : Number(values['client-id']);
  if (clientId !== null && !(Number.isInteger(clientId) && clientId > 0)) throw new CliError('--client-id doit être un entier positif');

  const password = values['password-stdin'] ? await readStdin() : await promptPassword('Mot de passe : ');
  const config = await loadCliConfig();
  const id = await withDatabase(config, async ({ db }) => {
    await migrateToLatest(db, cliLogger);
    const { users } = createServices({ config, db, clock: systemClock, hasher: argon2Hasher, logger: cliLogger });
    const user = await users.create(SYSTEM_ACTOR, { role: values.role!, email: values.email!, username: values.username!, fullName: values['full-name']!, password, clientId });
    return user.id;
  });
  process.stdout.write(`Utilisateur créé (id ${id}, rôle ${values.role})\n`);
});
