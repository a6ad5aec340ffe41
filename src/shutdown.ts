/**
 * Graceful shutdown (docs/operations.md §11): readiness goes 503, the listener closes, in-flight requests
 * finish (with `Connection: close`), then the pool and the embedded server are closed by the app's
 * onClose hooks. Past the deadline, or on a second signal, connections are destroyed and we exit 1.
 */
import type { Logger } from 'pino';
import type { App } from './app.js';

export interface ShutdownOptions {
  app: App;
  logger: Logger;
  timeoutSeconds: number;
  exit: (code: number) => void;
}

export function createShutdown({ app, logger, timeoutSeconds, exit }: ShutdownOptions) {
  let started = false;
  let exited = false;
  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    logger.flush();
    exit(code);
  };

  const forceExit = (reason: string) => {
    logger.error({ reason }, 'arrêt forcé');
    app.server.closeAllConnections();
    exitOnce(1);
  };

  return async function shutdown(reason: string, exitCode = 0): Promise<void> {
    if (started) {
      forceExit(`second signal (${reason})`);
      return;
    }
    started = true;
    logger.info({ reason }, 'arrêt en cours');
    app.lifecycle.shuttingDown = true;
    const deadline = setTimeout(() => forceExit('délai d’arrêt dépassé'), timeoutSeconds * 1000);
    deadline.unref();
    try {
      await app.close();
      clearTimeout(deadline);
      logger.info('arrêt terminé');
      exitOnce(exitCode);
    } catch (error) {
      clearTimeout(deadline);
      logger.error({ err: error }, 'échec de l’arrêt');
      exitOnce(1);
    }
  };
}
