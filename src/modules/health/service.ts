import { sql, type Kysely } from 'kysely';

export type CheckStatus = 'healthy' | 'unhealthy' | 'not_configured';

const DATABASE_CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `SELECT 1` within 2 s (operations.md §8). */
export async function checkDatabase(db: Kysely<any>): Promise<CheckStatus> {
  try {
    await withTimeout(sql`SELECT 1`.execute(db), DATABASE_CHECK_TIMEOUT_MS);
    return 'healthy';
  } catch {
    return 'unhealthy';
  }
}

const REDIS_CHECK_TIMEOUT_MS = 1000;

/** Redis `PING` within 1 s when a client is configured (operations.md §8); `app.redis` comes from the rate-limit plugin. */
export async function checkRedis(redis: { ping(): Promise<unknown> } | null): Promise<CheckStatus> {
  if (redis === null) return 'not_configured';
  try {
    await withTimeout(redis.ping(), REDIS_CHECK_TIMEOUT_MS);
    return 'healthy';
  } catch {
    return 'unhealthy';
  }
}
