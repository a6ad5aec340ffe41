/**
 * The first steps shared by the process entry points (`src/server.ts`, `src/worker.ts`): the
 * configuration from the environment (a refused one is listed on stderr, exit 1), then the logger,
 * with the configuration's warnings logged.
 */
import type { Logger } from 'pino';
import { ConfigError, loadConfigFromEnvironment, type AppConfig } from './config/index.js';
import { createLogDestination, createLogger } from './logger.js';
import { checkPassword } from './modules/auth/password-policy.js';

export async function configureProcess(): Promise<{ config: AppConfig; logger: Logger }> {
  let loaded;
  try {
    loaded = await loadConfigFromEnvironment({ cwd: process.cwd(), passwordPolicy: checkPassword });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration refusée :\n${error.problems.map((p) => `- ${p}`).join('\n')}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings } = loaded;
  const logger = createLogger(config, await createLogDestination(config));
  for (const warning of warnings) logger.warn(warning);
  return { config, logger };
}
