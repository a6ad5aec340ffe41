/**
 * Builds the Fastify application on a runtime (src/runtime.ts): the HTTP layer only. The app owns
 * the runtime it is given and closes it when it closes. Tests build it too.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { AppConfig } from './config/types.js';
import type { Services } from './container.js';
import type { DatabaseRuntime } from './db/database.js';
import type { Clock } from './lib/clock.js';
import { ErrorEnvelopeSchema } from './lib/schemas.js';
import type { Runtime } from './runtime.js';
import { createJobRunner, jobStopTimeoutMs, type JobRunner, type JobRunnerSettings } from './jobs/index.js';
import auditRoutes from './modules/audit/routes.js';
import authRoutes from './modules/auth/routes.js';
import mfaRoutes from './modules/auth/mfa-routes.js';
import clientsRoutes from './modules/clients/routes.js';
import dashboardRoutes from './modules/dashboard/routes.js';
import documentsRoutes from './modules/documents/routes.js';
import equipementsRoutes from './modules/equipements/routes.js';
import interventionsRoutes from './modules/interventions/routes.js';
import notificationsRoutes from './modules/notifications/routes.js';
import planningRoutes from './modules/planning/routes.js';
import techniciensRoutes from './modules/techniciens/routes.js';
import healthRoutes from './modules/health/routes.js';
import rootRoutes from './modules/meta/routes.js';
import type { PasswordHasher } from './modules/auth/password-hash.js';
import usersRoutes from './modules/users/routes.js';
import authPlugin from './plugins/auth.js';
import bodyParsersPlugin, { JSON_BODY_LIMIT } from './plugins/body-parsers.js';
import corsPlugin from './plugins/cors.js';
import errorsPlugin from './plugins/errors.js';
import httpPlugin from './plugins/http.js';
import metricsPlugin from './plugins/metrics.js';
import noNulPlugin from './plugins/no-nul.js';
import openapiPlugin, { optionalBodies } from './plugins/openapi.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import securityHeadersPlugin from './plugins/security-headers.js';
import webAppPlugin, { defaultWebRoot } from './plugins/web-app.js';
import { handleClientError, sendFrameworkError } from './plugins/server-errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
    services: Services;
    database: DatabaseRuntime;
    lifecycle: { started: boolean; shuttingDown: boolean };
    clock: Clock;
    hasher: PasswordHasher;
    /** This node's job runner; null when ENABLE_SCHEDULER is false. */
    jobs: JobRunner | null;
  }
}

export type App = FastifyInstance;

export interface BuildOptions {
  /** Extra routes, registered under /api/v1 like the real ones (tests use it for slow or failing routes). */
  extraRoutes?: FastifyPluginAsync;
  /** The built web application (src/plugins/web-app.ts); by default dist/web, null for none. */
  webRoot?: string | null;
  /** pg-boss timings and schedules of the job runner started when ENABLE_SCHEDULER is true (tests shorten them). */
  jobs?: JobRunnerSettings;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The v1 routes; mounted at /api/v1 and, for LEGACY_ROOT_ROUTES, again at the root. */
function v1Routes(options: BuildOptions): FastifyPluginAsync {
  return async (app) => {
    await app.register(healthRoutes);
    await app.register(authRoutes);
    await app.register(mfaRoutes);
    await app.register(usersRoutes);
    await app.register(auditRoutes);
    for (const routes of [clientsRoutes, equipementsRoutes, techniciensRoutes, interventionsRoutes, planningRoutes, notificationsRoutes, dashboardRoutes, documentsRoutes]) {
      await app.register(routes);
    }
    if (options.extraRoutes) await app.register(options.extraRoutes);
  };
}

/** Root copies are served but kept out of the OpenAPI document, which lists /api/v1 only. */
function hiddenFromDocs(plugin: FastifyPluginAsync): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await app.register(plugin);
  };
}

export async function buildApp(runtime: Runtime, options: BuildOptions = {}): Promise<App> {
  const { config, logger } = runtime;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One log line per request is written by the http plugin, with the fields of docs/operations.md §10.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    // During a shutdown, a request that still arrives on an open connection is served, with
    // `Connection: close` (plugins/http.ts), rather than answered Fastify's 503 outside the envelope.
    return503OnClosing: false,
    // Plugins start in milliseconds; the default 10 s is too tight on a loaded 2-core machine.
    pluginTimeout: 30_000,
    forceCloseConnections: 'idle',
    // Slow clients (docs/operations.md §11.1). Node checks the headers and request timeouts every
    // `connectionsCheckingInterval` (30 s by default, which would stretch a 10 s limit to 40 s).
    requestTimeout: config.httpServer.requestTimeoutMs,
    keepAliveTimeout: config.httpServer.keepAliveTimeoutMs,
    http: { headersTimeout: config.httpServer.headersTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: handleClientError,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: true, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('services', runtime.services);
  app.decorate('lifecycle', { started: false, shuttingDown: false });
  app.decorate('clock', runtime.clock);
  app.decorate('hasher', runtime.hasher);
  app.decorate('database', runtime.database);
  // The job workers of this node (docs/operations.md §6); they stop, after their active jobs, before the pool closes (§11).
  const jobs = config.jobs.enableScheduler ? createJobRunner(runtime, options.jobs) : null;
  app.decorate('jobs', jobs);
  app.addHook('onClose', async () => {
    try {
      await jobs?.stop(jobStopTimeoutMs(config.shutdownTimeoutSeconds));
    } finally {
      await runtime.close();
    }
  });
  // Whoever closes the app (the shutdown of src/shutdown.ts, a failed start, a test), readiness turns
  // 503 and every response sent from now on says `Connection: close` (docs/operations.md §11).
  app.addHook('preClose', async () => {
    app.lifecycle.shuttingDown = true;
  });

  app.addSchema(ErrorEnvelopeSchema);
  await app.register(errorsPlugin);
  await app.register(bodyParsersPlugin);
  await app.register(httpPlugin);
  await app.register(metricsPlugin);
  await app.register(corsPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(rateLimitPlugin);
  await app.register(webAppPlugin, { root: options.webRoot === undefined ? defaultWebRoot() : options.webRoot });
  await app.register(authPlugin);
  await app.register(noNulPlugin);
  await app.register(openapiPlugin);

  if (config.docsEnabled) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: config.projectName, version: config.version, description: 'API v1 de la GMAO MIF Maroc' },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } } },
          },
        },
      },
      transformObject: optionalBodies,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  await app.register(v1Routes(options), { prefix: '/api/v1' });
  await app.register(hiddenFromDocs(config.legacyRootRoutes ? v1Routes(options) : healthRoutes));
  await app.register(hiddenFromDocs(rootRoutes));

  await app.ready();
  try {
    await jobs?.start();
  } catch (error) {
    await app.close();
    throw error;
  }
  app.lifecycle.started = true;
  return app;
}
