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
import { AttemptGuard } from './modules/auth/attempt-guard.js';
import { Authenticator } from './modules/auth/authenticator.js';
import { MfaRepository } from './modules/auth/mfa-repository.js';
import { MfaSecrets } from './modules/auth/mfa-secrets.js';
import { MfaService } from './modules/auth/mfa-service.js';
import type { PasswordHasher } from './modules/auth/password-hash.js';
import { PasswordService } from './modules/auth/password-service.js';
import { AuthRepository } from './modules/auth/repository.js';
import { AuthService } from './modules/auth/service.js';
import { ContratsRepository } from './modules/clients/contrats-repository.js';
import { ContratsService } from './modules/clients/contrats-service.js';
import { ClientsRepository } from './modules/clients/repository.js';
import { ClientsService } from './modules/clients/service.js';
import { DashboardRepository } from './modules/dashboard/repository.js';
import { DashboardService } from './modules/dashboard/service.js';
import { EquipementsRepository } from './modules/equipements/repository.js';
import { EquipementsService } from './modules/equipements/service.js';
import { HealthRepository } from './modules/health/repository.js';
import { HealthService } from './modules/health/service.js';
import { InterventionPartiesRepository } from './modules/interventions/parties-repository.js';
import { InterventionsRepository } from './modules/interventions/repository.js';
import { InterventionsService } from './modules/interventions/service.js';
import { NotificationsRepository } from './modules/notifications/repository.js';
import { NotificationsService } from './modules/notifications/service.js';
import { PlanningRepository } from './modules/planning/repository.js';
import { PlanningService } from './modules/planning/service.js';
import { CompetencesRepository } from './modules/techniciens/competences-repository.js';
import { CompetencesService } from './modules/techniciens/competences-service.js';
import { TechniciensRepository } from './modules/techniciens/repository.js';
import { TechniciensService } from './modules/techniciens/service.js';
import { FirstAdminService } from './modules/users/bootstrap.js';
import { ProfileService } from './modules/users/profile-service.js';
import { UsersRepository } from './modules/users/repository.js';
import { UsersService } from './modules/users/service.js';

export interface CoreDependencies {
  config: AppConfig;
  db: Kysely<Database>;
  clock: Clock;
  hasher: PasswordHasher;
  logger: Logger;
}

export function createServices(deps: CoreDependencies) {
  const { config, db, clock, hasher, logger } = deps;
  const audit = new AuditService(createStore(db, (x) => ({ audit: new AuditRepository(x) })));
  const dashboard = new DashboardService({ store: createStore(db, (x) => ({ dashboard: new DashboardRepository(x) })), clock, timeZone: config.appTimezone });

  const passwords = new PasswordService({ audit, hasher, minLength: config.auth.passwordMinLength });
  const authStore = createStore(db, (x) => ({ auth: new AuthRepository(x), audit: new AuditRepository(x), mfa: new MfaRepository(x) }));
  const authenticator = new Authenticator({ settings: config.auth, clock, principals: authStore.repos.auth });
  const guard = new AttemptGuard({ store: authStore, settings: config.auth });
  const auth = new AuthService({ store: authStore, audit, guard, passwords, hasher, clock, logger, settings: config.auth });
  const mfa = new MfaService({ store: authStore, guard, auth, hasher, secrets: new MfaSecrets(config.auth.secretKey), clock });
  const usersStore = createStore(db, (x) => ({ users: new UsersRepository(x), auth: new AuthRepository(x), audit: new AuditRepository(x) }));
  const users = new UsersService({ store: usersStore, passwords, clock });
  const profile = new ProfileService({ store: usersStore, auth, clock });
  // Development only (docs/operations.md §4): without ADMIN_PASSWORD, a generated one, shown on stderr.
  const generated = config.environment === 'development' ? { dataDir: config.dataDir, announce: (banner: string) => void process.stderr.write(banner) } : null;
  const firstAdmin = new FirstAdminService({ store: usersStore, passwords, clock, admin: config.admin, logger, generated });
  const clientsStore = createStore(db, (x) => ({ clients: new ClientsRepository(x), contrats: new ContratsRepository(x), audit: new AuditRepository(x) }));
  const clients = new ClientsService({ store: clientsStore, audit, clock });
  const contrats = new ContratsService({ store: clientsStore, audit, clock, timeZone: config.appTimezone });
  const health = new HealthService({ database: new HealthRepository(db), clock, serviceName: config.projectName });
  const planning = new PlanningService({
    store: createStore(db, (x) => ({ plannings: new PlanningRepository(x), audit: new AuditRepository(x) })),
    clock,
    timeZone: config.appTimezone,
  });
  const equipements = new EquipementsService({
    store: createStore(db, (x) => ({ equipements: new EquipementsRepository(x), audit: new AuditRepository(x) })),
    audit,
    clock,
  });
  const techniciensStore = createStore(db, (x) => ({ techniciens: new TechniciensRepository(x), competences: new CompetencesRepository(x), audit: new AuditRepository(x) }));
  const techniciens = new TechniciensService({ store: techniciensStore, clock });
  const competences = new CompetencesService({ store: techniciensStore, clock });
  const interventions = new InterventionsService({
    store: createStore(db, (x) => ({ interventions: new InterventionsRepository(x), parties: new InterventionPartiesRepository(x), notifications: new NotificationsRepository(x) })),
    audit,
    clock,
  });
  const notifications = new NotificationsService({ store: createStore(db, (x) => ({ notifications: new NotificationsRepository(x), audit: new AuditRepository(x) })), audit, clock });
  return { audit, authenticator, mfa, dashboard, clients, contrats, health, planning, equipements, techniciens, competences, auth, users, profile, firstAdmin, interventions, notifications };
}

export type Services = ReturnType<typeof createServices>;
