/**
 * The composition root (docs/architecture.md "Composition"): every repository and service is built
 * here, once, from the core dependencies. The HTTP app, the background jobs and the operator
 * commands all take their services from `createServices`, so they run the same business code.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from './config/types.js';
import type { Database } from './db/schema.js';
import { createStore, type Executor } from './db/store.js';
import type { Clock } from './lib/clock.js';
import { createMetrics } from './metrics/registry.js';
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
import { FileKeyring } from './modules/documents/crypto/keyring.js';
import { DocumentFileStore } from './modules/documents/file-store.js';
import { DocumentKeyRotation } from './modules/documents/key-rotation.js';
import { DocumentsRepository } from './modules/documents/repository.js';
import { DocumentsService } from './modules/documents/service.js';
import { DownloadSigner } from './modules/documents/signed-link.js';
import { EmailComposer } from './modules/email/composer.js';
import { EmailDeliveryService } from './modules/email/delivery-service.js';
import { EmailOutboxRepository } from './modules/email/outbox-repository.js';
import { createMailTransport } from './modules/email/transport.js';
import { EquipementsRepository } from './modules/equipements/repository.js';
import { EquipementsService } from './modules/equipements/service.js';
import { HealthRepository } from './modules/health/repository.js';
import { DetailedHealthService } from './modules/health/detailed-service.js';
import { HealthService } from './modules/health/service.js';
import { InterventionPartiesRepository } from './modules/interventions/parties-repository.js';
import { InterventionsRepository } from './modules/interventions/repository.js';
import { OverdueRepository } from './modules/interventions/overdue-repository.js';
import { OverdueService } from './modules/interventions/overdue-service.js';
import { InterventionsService } from './modules/interventions/service.js';
import { PurgeRepository } from './modules/maintenance/repository.js';
import { PurgeService } from './modules/maintenance/service.js';
import { NotificationsRepository } from './modules/notifications/repository.js';
import { NotificationsService } from './modules/notifications/service.js';
import { PlanningGenerationRepository } from './modules/planning/generation-repository.js';
import { PlanningGenerationService } from './modules/planning/generation-service.js';
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
import { JobRunsRepository } from './jobs/runs-repository.js';

export interface CoreDependencies {
  config: AppConfig;
  db: Kysely<Database>;
  clock: Clock;
  hasher: PasswordHasher;
  logger: Logger;
  /** The pool's connection counts (a pg.Pool), read by the metrics at scrape time; absent, they read 0. */
  pool?: { totalCount: number; idleCount: number; waitingCount: number };
}

export function createServices(deps: CoreDependencies) {
  const { config, db, clock, hasher, logger } = deps;
  // One registry per app instance (docs/operations.md §9); the services count into it.
  const metrics = createMetrics({ service: config.projectName, version: config.version, environment: config.environment, now: () => clock.now().getTime() });
  const auditRepository = (x: Executor) => new AuditRepository(x, metrics.auditEvents);
  const audit = new AuditService(createStore(db, (x) => ({ audit: auditRepository(x) })));
  const dashboard = new DashboardService({ store: createStore(db, (x) => ({ dashboard: new DashboardRepository(x) })), clock, timeZone: config.appTimezone });

  const passwords = new PasswordService({ audit, hasher, minLength: config.auth.passwordMinLength });
  const authStore = createStore(db, (x) => ({ auth: new AuthRepository(x), audit: auditRepository(x), mfa: new MfaRepository(x) }));
  const authenticator = new Authenticator({ settings: config.auth, clock, principals: authStore.repos.auth });
  const guard = new AttemptGuard({ store: authStore, settings: config.auth, lockouts: metrics.auth.lockouts });
  const auth = new AuthService({ store: authStore, audit, guard, passwords, hasher, clock, logger, settings: config.auth, metrics: metrics.auth });
  const mfa = new MfaService({ store: authStore, guard, auth, hasher, secrets: new MfaSecrets(config.auth.secretKey), clock, attempts: metrics.auth.attempts });
  const usersStore = createStore(db, (x) => ({ users: new UsersRepository(x), auth: new AuthRepository(x), audit: auditRepository(x) }));
  const users = new UsersService({ store: usersStore, passwords, clock });
  const profile = new ProfileService({ store: usersStore, auth, clock });
  // Development only (docs/operations.md §4): without ADMIN_PASSWORD, a generated one, shown on stderr.
  const generated = config.environment === 'development' ? { dataDir: config.dataDir, announce: (banner: string) => void process.stderr.write(banner) } : null;
  const firstAdmin = new FirstAdminService({ store: usersStore, passwords, clock, admin: config.admin, logger, generated });
  const clientsStore = createStore(db, (x) => ({ clients: new ClientsRepository(x), contrats: new ContratsRepository(x), audit: auditRepository(x) }));
  const clients = new ClientsService({ store: clientsStore, audit, clock });
  const contrats = new ContratsService({ store: clientsStore, audit, clock, timeZone: config.appTimezone });
  const planning = new PlanningService({
    store: createStore(db, (x) => ({ plannings: new PlanningRepository(x), audit: auditRepository(x) })),
    clock,
    timeZone: config.appTimezone,
  });
  const equipements = new EquipementsService({
    store: createStore(db, (x) => ({ equipements: new EquipementsRepository(x), audit: auditRepository(x) })),
    audit,
    clock,
  });
  const techniciensStore = createStore(db, (x) => ({ techniciens: new TechniciensRepository(x), competences: new CompetencesRepository(x), audit: auditRepository(x) }));
  const techniciens = new TechniciensService({ store: techniciensStore, clock });
  const competences = new CompetencesService({ store: techniciensStore, clock });
  // Every notification repository writes the outbox rows of e-mail notifications in its transaction (docs/operations.md §7).
  const mail = new EmailComposer({ subjectPrefix: config.smtp.subjectPrefix, timeZone: config.appTimezone, publicUrl: config.appPublicUrl }, clock);
  const interventionsStore = createStore(db, (x) => ({
    interventions: new InterventionsRepository(x),
    parties: new InterventionPartiesRepository(x),
    notifications: new NotificationsRepository(x, mail),
  }));
  const interventions = new InterventionsService({ store: interventionsStore, audit, clock, statusChanges: metrics.interventionStatusChanges, authenticator });
  const notifications = new NotificationsService({ store: createStore(db, (x) => ({ notifications: new NotificationsRepository(x, mail), audit: auditRepository(x) })), audit, clock });

  // The jobs (src/jobs/definitions.ts) call these.
  const planningGeneration = new PlanningGenerationService({
    store: createStore(db, (x) => ({ generation: new PlanningGenerationRepository(x), interventions: new InterventionsRepository(x), parties: new InterventionPartiesRepository(x), notifications: new NotificationsRepository(x, mail) })),
    clock,
    logger,
    timeZone: config.appTimezone,
    leadDays: config.jobs.planningLeadDays,
    metrics: metrics.planning,
  });
  const documentFiles = new DocumentFileStore(config.files.uploadDirectory, new FileKeyring(config.files.encKey, config.files.oldKeys));
  const documentsStore = createStore(db, (x) => ({ documents: new DocumentsRepository(x), audit: auditRepository(x) }));
  const documents = new DocumentsService({
    store: documentsStore,
    files: documentFiles,
    signer: new DownloadSigner(config.auth.secretKey, config.files.downloadUrlTtlSeconds),
    audit,
    clock,
    logger,
    uploadMaxMb: config.files.uploadMaxMb,
    metrics: metrics.documents,
  });
  const documentKeys = new DocumentKeyRotation({ store: documentsStore, files: documentFiles, logger });

  const overdue = new OverdueService({
    store: createStore(db, (x) => ({ overdue: new OverdueRepository(x), parties: new InterventionPartiesRepository(x), notifications: new NotificationsRepository(x, mail) })),
    clock,
    timeZone: config.appTimezone,
  });
  const emailDelivery = new EmailDeliveryService({
    store: createStore(db, (x) => ({ outbox: new EmailOutboxRepository(x) })),
    transport: createMailTransport(config.smtp, logger),
    clock,
    logger,
    settings: { fromEmail: config.smtp.fromEmail, fromName: config.smtp.fromName, maxAttempts: config.smtp.maxAttempts },
    outcomes: metrics.emails,
  });
  const purge = new PurgeService({
    purge: new PurgeRepository(db),
    clock,
    retention: { auditDays: config.jobs.auditRetentionDays, loginAttemptsDays: config.jobs.loginAttemptsRetentionDays },
    uploadSweeper: documents,
  });
  const jobRuns = new JobRunsRepository(db);
  const health = new HealthService({ database: new HealthRepository(db), clock, serviceName: config.projectName });
  const healthDetails = new DetailedHealthService({
    health,
    version: config.version,
    schedulerEnabled: config.jobs.enableScheduler,
    jobRuns,
    outbox: emailDelivery,
    paths: { data: config.dataDir, uploads: config.files.uploadDirectory },
    documents: { missingFiles: () => documents.missingFiles(), unknownKey: async () => (await documentKeys.report()).unknownKey },
    metrics,
  });
  const { pool } = deps;
  const interventionCounts = interventionsStore.repos.interventions;
  metrics.readFrom({
    pool: () => ({ total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 }),
    outboxPending: async () => (await emailDelivery.counts()).pending,
    interventionsByStatus: () => interventionCounts.countByStatus(),
  });
  return {
    metrics,
    audit,
    authenticator,
    mfa,
    dashboard,
    clients,
    contrats,
    health,
    healthDetails,
    planning,
    equipements,
    techniciens,
    competences,
    auth,
    users,
    profile,
    firstAdmin,
    interventions,
    notifications,
    planningGeneration,
    overdue,
    emailDelivery,
    purge,
    jobRuns,
    documents,
    documentKeys,
    documentFiles,
  };
}

export type Services = ReturnType<typeof createServices>;
