/**
 * Cross-cutting HTTP behaviour: request id echo, response time, no caching, one log line per request.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import pino from 'pino';
import { REDACTED_QUERY_PARAMS } from '../logger.js';

export function redactPath(url: string): string {
  const [path, query] = url.split('?', 2) as [string, string | undefined];
  if (!query) return path;
  const kept = new URLSearchParams(query);
  for (const name of [...kept.keys()]) if (REDACTED_QUERY_PARAMS.has(name.toLowerCase())) kept.delete(name);
  const rest = kept.toString();
  return rest ? `${path}?${rest}` : path;
}

/** Whether `log` writes lines of `level` (pino's numeric order; `silent` writes none). */
function writes(log: FastifyBaseLogger, level: 'info' | 'error'): boolean {
  return (pino.levels.values[log.level] ?? Number.POSITIVE_INFINITY) <= pino.levels.values[level]!;
}

/**
 * Headers of docs/api.md §1 decided when the response is sent; also used for the router's errors,
 * which run no hook. Once the shutdown has begun, the client is told not to reuse the connection
 * (docs/operations.md §11): checked here, at send time, not when the request arrived.
 */
export function setResponseHeaders(app: FastifyInstance, reply: FastifyReply): void {
  reply.header('X-Response-Time', `${reply.elapsedTime.toFixed(1)}ms`);
  if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
  if (app.lifecycle.shuttingDown) reply.header('Connection', 'close');
}

export default fp(
  async function httpPlugin(app: FastifyInstance) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('X-Request-ID', request.id);
    });

    app.addHook('onSend', async (_request, reply, payload) => {
      setResponseHeaders(app, reply);
      return payload;
    });

    app.addHook('onResponse', async (request, reply) => {
      // Below LOG_LEVEL (the benchmark runs at warn), the line is not even built (docs/operations.md §15).
      if (!writes(request.log, reply.statusCode >= 500 ? 'error' : 'info')) return;
      const line = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        path: redactPath(request.url),
        status_code: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        user_id: (request as { user?: { id: number } }).user?.id ?? null,
        ip: request.ip,
        user_agent: request.headers['user-agent'] ?? null,
      };
      if (reply.statusCode >= 500) request.log.error(line, 'requête terminée');
      else request.log.info(line, 'requête terminée');
    });
  },
  { name: 'http' },
);
