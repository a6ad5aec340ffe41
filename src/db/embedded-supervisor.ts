/**
 * Supervision of the embedded postmaster (docs/operations.md §3 "When the database goes away"): if
 * it dies while the app runs, it is started again on the same cluster (PostgreSQL replays its WAL:
 * crash recovery), and the pool reconnects by itself. After the last attempt of the back-off fails,
 * `onGiveUp` is called and the owner of the process exits non-zero.
 */
import type { Logger } from 'pino';

const BACK_OFF_MS = [250, 1000, 2000, 4000, 8000];
const MAX_DELAY_MS = 15_000;

/** The delay before each of `attempts` restarts (EMBEDDED_PG_RESTART_ATTEMPTS; 6 → about 30 s in all). */
export function restartDelays(attempts: number): number[] {
  return Array.from({ length: attempts }, (_, index) => BACK_OFF_MS[index] ?? MAX_DELAY_MS);
}
/** How often the postmaster's PID is checked: a crash is seen within this delay. */
export const DEFAULT_CHECK_INTERVAL_MS = 200;

export interface SupervisorOptions {
  pid: number;
  /** Starts the postmaster again and returns its new PID. */
  restart(): Promise<number>;
  logger: Logger;
  restartDelaysMs: readonly number[];
  checkIntervalMs?: number;
  /** Called once when every attempt failed; the server stays down. */
  onGiveUp(error: Error): void;
}

export interface Supervisor {
  /** The current postmaster's PID. */
  readonly pid: number;
  /** True from the crash until a restart succeeds (or for good after giving up). */
  readonly down: boolean;
  /** Stops watching (a deliberate stop is not a crash), after any restart in progress has settled. */
  stop(): Promise<void>;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function supervisePostmaster(options: SupervisorOptions): Supervisor {
  const delays = options.restartDelaysMs;
  const { logger } = options;
  let pid = options.pid;
  let down = false;
  let stopped = false;

  async function recover(): Promise<void> {
    down = true;
    const crashedAt = Date.now();
    logger.error({ pid }, 'le serveur PostgreSQL embarqué s’est arrêté de façon inattendue : redémarrage');
    let lastError: unknown = null;
    for (const [attempt, delay] of delays.entries()) {
      await sleep(delay);
      if (stopped) return;
      try {
        pid = await options.restart();
        down = false;
        logger.warn({ pid, attempt: attempt + 1, outage_ms: Date.now() - crashedAt }, 'PostgreSQL embarqué redémarré');
        return;
      } catch (error) {
        lastError = error;
        logger.warn({ err: error, attempt: attempt + 1 }, 'échec du redémarrage de PostgreSQL embarqué');
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    options.onGiveUp(
      new Error(`Le serveur PostgreSQL embarqué n’a pas pu être redémarré après ${delays.length} tentative${delays.length > 1 ? 's' : ''} : ${reason}`),
    );
  }

  let recovery: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (stopped || recovery !== null || isProcessAlive(pid)) return;
    recovery = recover().finally(() => {
      recovery = null;
      // Gave up: the timer stops, the owner exits.
      if (down) clearInterval(timer);
    });
  }, options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
  timer.unref();

  return {
    get pid() {
      return pid;
    },
    get down() {
      return down;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await recovery;
    },
  };
}
