/**
 * First admin (operations.md §4): created at start from ADMIN_* when the users table is empty.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/types.js';
import type { Database } from '../../db/schema.js';
import { insertAuditEvent } from '../audit/repository.js';
import { hashPassword } from '../auth/password-hash.js';
import { assertPasswordPolicy } from '../auth/password-policy.js';
import { countUsers, insertUser, lockForBootstrap } from './repository.js';

export async function bootstrapFirstAdmin(db: Kysely<Database>, config: AppConfig, logger: Logger): Promise<void> {
  const { email, password, username, fullName } = config.admin;
  if (!email || !password) {
    if ((await countUsers(db)) === 0) {
      logger.warn(
        'Aucun utilisateur : définissez ADMIN_EMAIL et ADMIN_PASSWORD, ou lancez `npm run user:create -- --role admin --email <e> --username <u> --full-name <n>`',
      );
    }
    return;
  }
  if ((await countUsers(db)) > 0) {
    logger.info('Des utilisateurs existent déjà : ADMIN_EMAIL / ADMIN_PASSWORD ignorés');
    return;
  }
  // A failure stops the start with the rule messages (operations.md §4).
  assertPasswordPolicy(password, { username, email }, { minLength: config.auth.passwordMinLength });
  const hashedPassword = await hashPassword(password);
  const created = await db.transaction().execute(async (trx) => {
    await lockForBootstrap(trx);
    if ((await countUsers(trx)) > 0) return null;
    const id = await insertUser(trx, { username, fullName, email, hashedPassword, role: 'admin' });
    await insertAuditEvent(trx, {
      eventType: 'system.bootstrap_admin',
      outcome: 'success',
      resourceType: 'user',
      resourceId: String(id),
      details: { username },
    });
    return id;
  });
  if (created === null) logger.info('Des utilisateurs existent déjà : ADMIN_EMAIL / ADMIN_PASSWORD ignorés');
  else logger.info({ user_id: created, username }, 'Premier administrateur créé');
}
