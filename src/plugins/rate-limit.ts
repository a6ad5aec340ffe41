/**
 * Rate limiting (docs/security.md §4), with @fastify/rate-limit's stores and counting.
 *
 * - Global bucket: RATE_LIMIT_PER_MINUTE per client IP per fixed one-minute window, applied by a
 *   root onRequest hook, so unknown routes (scanners) count too.
 * - Auth bucket: AUTH_RATE_LIMIT_PER_MINUTE per IP shared by /auth/token, /auth/login and
 *   /auth/refresh, in addition to the global bucket: those routes declare
 *   `onRequest: [app.authRateLimit]` (a no-op when rate limiting is disabled).
 * - Exempt: health, readiness, liveness and metrics routes, and OPTIONS (CORS preflights).
 * - Client IP: `request.ip`, which follows TRUST_PROXY (Fastify's `trustProxy`, set in app.ts).
 *   IPv4-mapped IPv6 addresses count as their IPv4 address, and IPv6 clients are grouped by /64
 *   (@fastify/rate-limit's default key), since one host usually owns a whole /64.
 * - Store: Redis (REDIS_URL, keys `mif-erp:rl:global:<ip>` and `mif-erp:rl:auth:<ip>`) shared by
 *   every node, else in process. When Redis fails the limiter lets the request through (fails open)
 *   and logs an error; the readiness route reports `checks.redis: unhealthy` (see `app.redis`).
 * - A 429 goes through the error handler (`AppError` → the envelope of docs/api.md §2) with `Retry-After`;
 *   it is logged and audited (`security.rate_limited`) at most once per IP per minute, and always
 *   counted in rate_limit_rejections_total (docs/operations.md §9).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { AppError } from '../lib/errors.js';
import { requestOrigin } from './auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook of the auth bucket, for the route options of /auth/token, /auth/login and
     * /auth/refresh: `onRequest: [app.authRateLimit]`. A no-op when rate limiting is disabled.
     */
    authRateLimit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** The rate-limit store's Redis client; null without REDIS_URL or with rate limiting disabled. */
    redis: Redis | null;
  }
}

export const RATE_LIMIT_NAMESPACE = 'mif-erp:rl:';
const WINDOW_MS = 60_000;
/** How long readiness waits for PING, and the limiter for any Redis command (docs/operations.md §8). */
export const REDIS_TIMEOUT_MS = 1000;
/** A Redis outage is logged once, then at most once per interval while it lasts. */
const REDIS_ERROR_LOG_INTERVAL_MS = 10_000;
/** Bound of the in-process counters (LRU) and of the audit memo. */
const MAX_TRACKED_CLIENTS = 10_000;

/** `/health*`, `/live`, `/ready`, `/metrics`, at the root and under /api/v1 (route patterns, no query). */
const EXEMPT_ROUTE = /^(?:\/api\/v1)?\/(?:health(?:\/.*)?|live|ready|metrics)\/?$/;

export type RateLimitBucket = 'global' | 'auth';

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** Whether requests to this route pattern are never counted (health, readiness, liveness, metrics). */
export function isRateLimitExemptRoute(url: string): boolean {
  return EXEMPT_ROUTE.test(url);
}

export function isRateLimitExempt(request: FastifyRequest): boolean {
  if (request.method === 'OPTIONS') return true;
  const route = request.routeOptions.url; // undefined on the not-found handler: counted
  return route !== undefined && isRateLimitExemptRoute(route);
}

export function rateLimitMessage(seconds: number): string {
  return `Trop de requêtes. Réessayez dans ${seconds} secondes.`;
}

export function createRedisClient(url: string): Redis {
  return new Redis(url, {
    // Fail fast instead of queueing while disconnected: the limiter must fail open at once, and
    // readiness must see the outage.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_TIMEOUT_MS,
    connectTimeout: 5000,
    // Reconnects forever, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    // The limiter's Lua replies and PING are plain arrays/strings: RESP2 works with every Redis server.
    protocol: 2,
  });
}

function waitUntilReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.once('ready', onReady);
  });
}

/** One @fastify/rate-limit instance per bucket, each in its own scope with its own key namespace. */
async function createBucketLimiter(app: FastifyInstance, bucket: RateLimitBucket, max: number, redis: Redis | null): Promise<Limiter> {
  let limiter: Limiter | undefined;
  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false, // the hooks below decide which requests are counted
      max,
      timeWindow: WINDOW_MS,
      cache: MAX_TRACKED_CLIENTS,
      ...(redis ? { redis, nameSpace: `${RATE_LIMIT_NAMESPACE}${bucket}:` } : {}),
      // Store errors reach the hook, which lets the request through and logs them (fail open).
      // `skipOnError: true` would fail open too, but swallow the error without any trace.
      skipOnError: false,
    });
    limiter = scope.createRateLimit();
  });
  if (!limiter) throw new Error('rate limiter not created');
  return limiter;
}

export default fp(
  async function rateLimitPlugin(app: FastifyInstance) {
    const { enabled, perMinute, authPerMinute, redisUrl } = app.config.rateLimit;
    if (!enabled) {
      app.decorate('redis', null);
      app.decorate('authRateLimit', async () => undefined);
      return;
    }

    let lastRedisErrorLog = 0;
    const logRedisError = (error: unknown): void => {
      const now = Date.now();
      if (now - lastRedisErrorLog < REDIS_ERROR_LOG_INTERVAL_MS) return;
      lastRedisErrorLog = now;
      app.log.error({ err: error }, 'Redis injoignable : la limitation de débit laisse passer les requêtes');
    };

    let redis: Redis | null = null;
    if (redisUrl !== null) {
      const client = createRedisClient(redisUrl);
      redis = client;
      client.on('error', logRedisError);
      client.on('ready', () => {
        if (lastRedisErrorLog !== 0) app.log.info('Redis de nouveau joignable : limitation de débit partagée rétablie');
        lastRedisErrorLog = 0;
      });
      app.addHook('onClose', async () => {
        try {
          if (client.status === 'ready') await client.quit();
        } catch {
          // closing anyway
        } finally {
          client.disconnect();
        }
      });
      // Counting is only shared once connected: give the connection a moment at start, but start
      // anyway (failing open) when Redis is down.
      if (!(await waitUntilReady(client, REDIS_TIMEOUT_MS))) {
        app.log.error('Redis injoignable au démarrage : la limitation de débit laisse passer les requêtes');
      }
    }
    app.decorate('redis', redis);

    const globalLimiter = await createBucketLimiter(app, 'global', perMinute, redis);
    const authLimiter = await createBucketLimiter(app, 'auth', authPerMinute, redis);

    // In-process memo of the IPs audited in the last minute (per node: with several nodes an IP may be
    // audited once per node per minute). Insertion order is expiry order, so pruning stops early.
    const auditedUntil = new Map<string, number>();
    const firstDenialThisMinute = (ip: string): boolean => {
      const now = Date.now();
      for (const [key, until] of auditedUntil) {
        if (until > now && auditedUntil.size <= MAX_TRACKED_CLIENTS) break;
        auditedUntil.delete(key);
      }
      if ((auditedUntil.get(ip) ?? 0) > now) return false;
      auditedUntil.delete(ip);
      auditedUntil.set(ip, now + WINDOW_MS);
      return true;
    };

    async function deny(request: FastifyRequest, bucket: RateLimitBucket, retryAfter: number): Promise<never> {
      app.services.metrics.rateLimitRejections.labels(bucket).inc();
      if (firstDenialThisMinute(request.ip)) {
        request.log.warn({ ip: request.ip, bucket, retry_after: retryAfter }, 'limite de débit atteinte');
        try {
          await app.services.audit.record(requestOrigin(request), { eventType: 'security.rate_limited', outcome: 'denied', details: { bucket } });
        } catch (error) {
          request.log.error({ err: error }, 'audit security.rate_limited non écrit');
        }
      } else {
        request.log.debug({ ip: request.ip, bucket }, 'limite de débit atteinte');
      }
      throw new AppError(429, rateLimitMessage(retryAfter), { headers: { 'Retry-After': String(retryAfter) } });
    }

    async function enforce(limiter: Limiter, bucket: RateLimitBucket, request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (isRateLimitExempt(request)) return;
      let outcome: Awaited<ReturnType<Limiter>>;
      try {
        outcome = await limiter(request);
      } catch (error) {
        logRedisError(error);
        return; // fail open
      }
      if (outcome.isAllowed) return;
      const reset = Math.max(1, outcome.ttlInSeconds);
      // Global and auth buckets both apply to the auth routes: the headers describe the bucket that
      // refuses the request, else the one closer to exhaustion.
      const shown = reply.getHeader('X-RateLimit-Remaining');
      if (outcome.isExceeded || shown === undefined || outcome.remaining < Number(shown)) {
        reply.header('X-RateLimit-Limit', String(outcome.max));
        reply.header('X-RateLimit-Remaining', String(outcome.remaining));
        reply.header('X-RateLimit-Reset', String(reset));
      }
      if (outcome.isExceeded) await deny(request, bucket, reset);
    }

    app.addHook('onRequest', async (request, reply) => enforce(globalLimiter, 'global', request, reply));
    app.decorate('authRateLimit', async (request: FastifyRequest, reply: FastifyReply) => enforce(authLimiter, 'auth', request, reply));
  },
  { name: 'rate-limit', dependencies: ['errors'] },
);
