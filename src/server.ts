/**
 * Process entry point: configuration, app, listener, signals.
 */
import { buildApp } from './app.js';
import { configureProcess } from './process-start.js';
import { openRuntime } from './runtime.js';
import { createShutdown } from './shutdown.js';

async function main(): Promise<void> {
  const { config, logger } = await configureProcess();

  // The embedded server died and could not be restarted: stop cleanly and exit 1 for the supervisor
  // of this process (systemd, the orchestrator) to act (docs/operations.md §3).
  let shutdown: ((reason: string, exitCode?: number) => Promise<void>) | null = null;
  const embedded = { onGiveUp: () => void (shutdown ? shutdown('postgres-embarqué', 1) : process.exit(1)) };
  const app = await buildApp(await openRuntime(config, { logger, embedded }));
  shutdown = createShutdown({
    app,
    logger,
    timeoutSeconds: config.shutdownTimeoutSeconds,
    exit: (code) => process.exit(code),
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(signal));
  }
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'exception non interceptée');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'promesse rejetée non gérée');
    void shutdown('unhandledRejection', 1);
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // Stops the embedded server too, so a failed start leaves nothing running.
    await app.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Échec du démarrage : ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
