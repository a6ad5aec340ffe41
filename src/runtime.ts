/**
 * What a process runs on (docs/architecture.md "Runtime"): the database (the embedded server when
 * none is configured), migrated, the first admin created, and the services built once. `npm start`
 * hands it to the HTTP app; a job worker or an operator command can use it without HTTP.
 */
import type { Logger } from 'pino';
import type { AppConfig } from './config/types.js';
import { createServices, type CoreDependencies, type Services } from './container.js';
import { openDatabase, type DatabaseRuntime, type EmbeddedSupervision } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger } from './logger.js';
import { argon2Hasher, type PasswordHasher } from './modules/auth/password-hash.js';

export interface Runtime extends CoreDependencies {
  database: DatabaseRuntime;
  services: Services;
  /** Closes the pool, then stops the embedded server; idempotent. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Time source (tests move it instead of sleeping). */
  clock?: Clock;
  /** Password hasher (tests wrap it to count calls). */
  hasher?: PasswordHasher;
  /** Supervision of the embedded server: restart back-off, and what to do when it cannot be restarted. */
  embedded?: EmbeddedSupervision;
}

/** Documents whose key is not configured cannot be read: said at start (docs/security.md §8 "Rotation"). */
async function reportUnreadableDocuments(services: Services, logger: Logger): Promise<void> {
  const { unknownKey: unknown } = await services.documentKeys.report();
  if (unknown > 0) logger.error({ documents: unknown }, 'documents wrapped by a key that is neither FILES_ENC_KEY nor in FILES_ENC_OLD_KEYS: they cannot be downloaded');
}

export async function openRuntime(config: AppConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config);
  const database = await openDatabase(config, logger, options.embedded);
  const core: CoreDependencies = { config, db: database.db, clock: options.clock ?? systemClock, hasher: options.hasher ?? argon2Hasher, logger, pool: database.pool };
  let services: Services;
  try {
    await migrateToLatest(database.db, logger);
    services = createServices(core);
    await services.firstAdmin.ensure();
    await reportUnreadableDocuments(services, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    ...core,
    database,
    services,
    close: async () => {
      services.emailDelivery.close();
      services.metrics.close();
      await database.close();
    },
  };
}
