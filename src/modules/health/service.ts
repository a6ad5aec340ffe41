/**
 * Health, liveness and readiness (docs/operations.md §8). Readiness probes the database
 * (`SELECT 1` within 2 s) and, when one is configured, Redis (`PING` within 1 s). The Redis client
 * and the app's lifecycle belong to the HTTP layer (the rate-limit plugin creates the client), so the
 * route passes them in on each call.
 */
import type { Clock } from '../../lib/clock.js';
import type { CheckStatus, Health, Readiness } from './schemas.js';

/** Something that answers a ping: the database probe, the Redis client. */
export interface Pingable {
  ping(): Promise<unknown>;
}

export interface HealthDependencies {
  /** The HealthRepository on the pool. */
  database: Pingable;
  clock: Clock;
  /** PROJECT_NAME, the `service` of every answer. */
  serviceName: string;
}

/** What readiness needs from the running app besides the database. */
export interface ReadinessState {
  /** The rate-limit store's Redis client; null when none is configured. */
  redis: Pingable | null;
  /** Startup (migrations included) is over. */
  started: boolean;
  shuttingDown: boolean;
}

const DATABASE_CHECK_TIMEOUT_MS = 2000;
const REDIS_CHECK_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** healthy when `target` answers within `ms`; the error itself is never shown. */
async function check(target: Pingable, ms: number): Promise<CheckStatus> {
  try {
    await withTimeout(target.ping(), ms);
    return 'healthy';
  } catch {
    return 'unhealthy';
  }
}

export class HealthService {
  constructor(private readonly deps: HealthDependencies) {}

  /** GET /health: the HTTP server answers. */
  health(): Health {
    return this.answer('ok');
  }

  /** GET /health/live: the event loop answers; never looks at dependencies. */
  live(): Health {
    return this.answer('alive');
  }

  /** GET /health/ready: ready when the database answers, Redis is not down, startup is over and no shutdown has begun. */
  async readiness(state: ReadinessState): Promise<Readiness> {
    const [database, redis] = await Promise.all([
      check(this.deps.database, DATABASE_CHECK_TIMEOUT_MS),
      state.redis === null ? ('not_configured' as const) : check(state.redis, REDIS_CHECK_TIMEOUT_MS),
    ]);
    const migrations = state.started ? 'healthy' : 'pending';
    const ready = database === 'healthy' && redis !== 'unhealthy' && migrations === 'healthy' && !state.shuttingDown;
    return { ...this.answer(ready ? 'ready' : 'not_ready'), checks: { database, redis, migrations } };
  }

  private answer<S extends string>(status: S) {
    return { status, timestamp: this.deps.clock.now().toISOString(), service: this.deps.serviceName };
  }
}
