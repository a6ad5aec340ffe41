/**
 * First admin (docs/operations.md §4): created at start from ADMIN_* when the users table is empty.
 * The runtime calls it once the services are built, before anything serves requests.
 */
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/types.js';
import type { Store } from '../../db/store.js';
import { SYSTEM_ACTOR } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import type { PasswordService } from '../auth/password-service.js';
import type { UsersRepository } from './repository.js';

export interface FirstAdminDependencies {
  store: Store<{ users: UsersRepository; audit: AuditRepository }>;
  passwords: PasswordService;
  clock: Clock;
  /** ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_USERNAME, ADMIN_FULL_NAME. */
  admin: AppConfig['admin'];
  logger: Logger;
}

const IGNORED = 'Des utilisateurs existent déjà : ADMIN_EMAIL / ADMIN_PASSWORD ignorés';

export class FirstAdminService {
  constructor(private readonly deps: FirstAdminDependencies) {}

  /** Creates the admin of ADMIN_* when no user exists; nodes starting together create one. */
  async ensure(): Promise<void> {
    const { store, logger } = this.deps;
    const { email, password, username, fullName } = this.deps.admin;
    if (!email || !password) {
      if ((await store.repos.users.count()) === 0) {
        logger.warn(
          'Aucun utilisateur : définissez ADMIN_EMAIL et ADMIN_PASSWORD, ou lancez `npm run user:create -- --role admin --email <e> --username <u> --full-name <n>`',
        );
      }
      return;
    }
    if ((await store.repos.users.count()) > 0) {
      logger.info(IGNORED);
      return;
    }
    // A failure stops the start with the rule messages (docs/operations.md §4).
    this.deps.passwords.assertPolicy(password, { username, email, userId: null });
    const hashedPassword = await this.deps.passwords.hash(password);
    const now = this.deps.clock.now();
    const created = await store.transaction(async (repos) => {
      await repos.users.lockForBootstrap();
      if ((await repos.users.count()) > 0) return null;
      const id = await repos.users.insert({ username, fullName, email, hashedPassword, role: 'admin', now });
      await repos.audit.insert(auditRow(SYSTEM_ACTOR, { eventType: 'system.bootstrap_admin', outcome: 'success', resourceType: 'user', resourceId: id, details: { username } }));
      return id;
    });
    if (created === null) logger.info(IGNORED);
    else logger.info({ user_id: created, username }, 'Premier administrateur créé');
  }
}
