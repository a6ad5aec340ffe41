/**
 * The composition root (docs/architecture.md "Composition"): every repository and service is built
 * here, once, from the core dependencies. The HTTP app, the background jobs and the operator
 * commands all take their services from `createServices`, so they run the same business code.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from './config/types.js';
import type { Database } from './db/schema.js';
import { createStore } from './db/store.js';
import type { Clock } from './lib/clock.js';
import { AuditRepository } from './modules/audit/repository.js';
import { AuditService } from './modules/audit/service.js';
import { Authenticator } from './modules/auth/authenticator.js';
import type { PasswordHasher } from './modules/auth/password-hash.js';
import { findPrincipal } from './modules/auth/repository.js';
import { DashboardRepository } from './modules/dashboard/repository.js';
import { DashboardService } from './modules/dashboard/service.js';
import { InterventionPartiesRepository } from './modules/interventions/parties-repository.js';
import { InterventionsRepository } from './modules/interventions/repository.js';
import { InterventionsService } from './modules/interventions/service.js';
import { NotificationsRepository } from './modules/notifications/repository.js';
import { NotificationsService } from './modules/notifications/service.js';

export interface CoreDependencies {
  config: AppConfig;
  db: Kysely<Database>;
  clock: Clock;
  hasher: PasswordHasher;
  logger: Logger;
}

export function createServices(deps: CoreDependencies) {
  const { config, db, clock } = deps;
  const audit = new AuditService(createStore(db, (x) => ({ audit: new AuditRepository(x) })));
  const authenticator = new Authenticator({ config, clock, principals: { findPrincipal: (userId, sessionId) => findPrincipal(db, userId, sessionId) } });
  const dashboard = new DashboardService({ store: createStore(db, (x) => ({ dashboard: new DashboardRepository(x) })), clock, timeZone: config.appTimezone });
  const interventions = new InterventionsService({
    store: createStore(db, (x) => ({ interventions: new InterventionsRepository(x), parties: new InterventionPartiesRepository(x), notifications: new NotificationsRepository(x) })),
    audit,
    clock,
  });
  const notifications = new NotificationsService({ store: createStore(db, (x) => ({ notifications: new NotificationsRepository(x), audit: new AuditRepository(x) })), audit, clock });
  return { audit, authenticator, dashboard, interventions, notifications };
}

export type Services = ReturnType<typeof createServices>;
