/**
 * `npm run worker`: the job workers without the HTTP server, for deployments that separate them
 * (docs/operations.md §6). Same configuration, database and services as `npm start`; the HTTP
 * nodes then run with ENABLE_SCHEDULER=false. SIGTERM or SIGINT: the workers stop after their
 * active jobs, then the pool (and the embedded server) close; exit 0, or 1 past
 * SHUTDOWN_TIMEOUT_SECONDS or on a second signal.
 */
import { ConfigError, loadConfigFromEnvironment } from './config/index.js';
import { createJobRunner, jobStopTimeoutMs } from './jobs/index.js';
import { createLogDestination, createLogger } from './logger.js';
import { checkPassword } from './modules/auth/password-policy.js';
import { openRuntime } from './runtime.js';

async function main(): Promise<void> {
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

  let stop: ((reason: string, code: number) => Promise<void>) | null = null;
  const runtime = await openRuntime(config, { logger, embedded: { onGiveUp: () => void (stop ? stop('postgres-embarqué', 1) : process.exit(1)) } });
  const runner = createJobRunner(runtime);
  let stopping = false;
  stop = async (reason, code) => {
    if (stopping) {
      logger.error({ reason }, 'arrêt forcé');
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason }, 'arrêt du worker en cours');
    const deadline = setTimeout(() => {
      logger.error('délai d’arrêt dépassé');
      logger.flush();
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    deadline.unref();
    try {
      await runner.stop(jobStopTimeoutMs(config.shutdownTimeoutSeconds));
    } finally {
      await runtime.close();
    }
    logger.info('worker arrêté');
    logger.flush();
    process.exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal, 0));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'exception non interceptée');
    void stop('uncaughtException', 1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'promesse rejetée non gérée');
    void stop('unhandledRejection', 1);
  });
  try {
    await runner.start();
  } catch (error) {
    await runtime.close();
    throw error;
  }
  logger.info({ scheduler: true }, 'worker démarré (sans serveur HTTP)');
}

main().catch((error: unknown) => {
  process.stderr.write(`Échec du démarrage du worker : ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
