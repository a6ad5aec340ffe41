/**
 * First admin (docs/operations.md §4): created at start from ADMIN_* when the users table is empty,
 * or, in development without ADMIN_PASSWORD, with a generated password to change at first login.
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
import { firstAdminBanner, removeFirstAdminPasswordFile, writeFirstAdminPasswordFile } from './first-admin-file.js';
import type { UsersRepository } from './repository.js';

/** The generated admin's e-mail when ADMIN_EMAIL is unset (a reserved domain, RFC 2606). */
export const GENERATED_ADMIN_EMAIL = 'admin@example.com';

export interface FirstAdminDependencies {
  store: Store<{ users: UsersRepository; audit: AuditRepository }>;
  passwords: PasswordService;
  clock: Clock;
  /** ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_USERNAME, ADMIN_FULL_NAME. */
  admin: AppConfig['admin'];
  logger: Logger;
  /** Development only: where the generated password is written, and the terminal it is shown on once. */
  generated: { dataDir: string; announce: (banner: string) => void } | null;
}

const IGNORED = 'Des utilisateurs existent déjà : ADMIN_EMAIL / ADMIN_PASSWORD ignorés';

interface NewAdmin {
  username: string;
  fullName: string;
  email: string;
  password: string;
  mustChangePassword: boolean;
}

export class FirstAdminService {
  constructor(private readonly deps: FirstAdminDependencies) {}

  /** Creates the first admin when no user exists; nodes starting together create one. */
  async ensure(): Promise<void> {
    const { store, logger, generated } = this.deps;
    const { email, password, username, fullName } = this.deps.admin;
    if (!email || !password) {
      if ((await store.repos.users.count()) > 0) {
        if (generated) await this.forgetChangedPassword(generated.dataDir);
        return;
      }
      if (generated) {
        await this.createGenerated(generated);
        return;
      }
      logger.warn(
        'Aucun utilisateur : définissez ADMIN_EMAIL et ADMIN_PASSWORD, ou lancez `npm run user:create -- --role admin --email <e> --username <u> --full-name <n>`',
      );
      return;
    }
    if ((await store.repos.users.count()) > 0) {
      logger.info(IGNORED);
      return;
    }
    // A failure stops the start with the rule messages (docs/operations.md §4).
    this.deps.passwords.assertPolicy(password, { username, email, userId: null });
    const created = await this.create({ username, fullName, email, password, mustChangePassword: false });
    if (created === null) logger.info(IGNORED);
    else logger.info({ user_id: created, username }, 'Premier administrateur créé');
  }

  private async createGenerated(generated: NonNullable<FirstAdminDependencies['generated']>): Promise<void> {
    const { username, fullName } = this.deps.admin;
    const email = this.deps.admin.email ?? GENERATED_ADMIN_EMAIL;
    const password = this.deps.passwords.generate({ username, email, userId: null });
    const created = await this.create({ username, fullName, email, password, mustChangePassword: true });
    if (created === null) return; // another node created the first user meanwhile
    const file = await writeFirstAdminPasswordFile(generated.dataDir, { username, email, password });
    generated.announce(firstAdminBanner({ username, email, password }, file));
    // The password is on the terminal and in the file only, never in a log line (LOG_FILE).
    this.deps.logger.warn({ user_id: created, username, file }, 'Premier administrateur créé avec un mot de passe provisoire, à changer à la première connexion');
  }

  /** The generated password's file outlives its use: removed once no account still has to change it. */
  private async forgetChangedPassword(dataDir: string): Promise<void> {
    if (await this.deps.store.repos.users.anyPendingPasswordChange()) return;
    if (await removeFirstAdminPasswordFile(dataDir)) this.deps.logger.info('Mot de passe provisoire changé : fichier du premier administrateur supprimé');
  }

  /** Under the advisory lock, users re-counted: the id of the new admin, or null when one already exists. */
  private async create(admin: NewAdmin): Promise<number | null> {
    const hashedPassword = await this.deps.passwords.hash(admin.password);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (repos) => {
      await repos.users.lockForBootstrap();
      if ((await repos.users.count()) > 0) return null;
      const { username, fullName, email, mustChangePassword } = admin;
      const id = await repos.users.insert({ username, fullName, email, hashedPassword, role: 'admin', mustChangePassword, now });
      await repos.audit.insert(
        auditRow(SYSTEM_ACTOR, { eventType: 'system.bootstrap_admin', outcome: 'success', resourceType: 'user', resourceId: id, details: { username, generated_password: mustChangePassword } }),
      );
      return id;
    });
  }
}
