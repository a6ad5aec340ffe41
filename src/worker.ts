/**
 * `npm run worker`: the job workers without the HTTP server, for deployments that separate them
 * (docs/operations.md §6). Same configuration, database and services as `npm start`; the HTTP
 * nodes then run with ENABLE_SCHEDULER=false. SIGTERM or SIGINT: the workers stop after their
 * active jobs, then the pool (and the embedded server) close; exit 0, or 1 past
 * SHUTDOWN_TIMEOUT_SECONDS or on a second signal.
 */
import { createJobRunner, jobStopTimeoutMs } from './jobs/index.js';
import { configureProcess } from './process-start.js';
import { openRuntime } from './runtime.js';

async function main(): Promise<void> {
  const { config, logger } = await configureProcess();

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
