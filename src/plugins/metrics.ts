/**
 * The HTTP metrics of docs/operations.md §9: http_requests_total, http_request_duration_seconds and
 * http_requests_in_progress, labelled by method and route template (`/api/v1/interventions/{id}`),
 * `unmatched` for the not-found handler: never the raw URL. Registered before the rate limiter and
 * authentication, so that their refusals are counted too. The label children are cached per route,
 * so a request costs a few map lookups. A request whose client leaves before the response has
 * finished is not counted in http_requests_total (Fastify runs no onResponse for it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Counter, Gauge, Histogram } from 'prom-client';

export const UNMATCHED_ENDPOINT = 'unmatched';

/** `/api/v1/interventions/:id` → `/api/v1/interventions/{id}` (the OpenAPI form). */
export function endpointLabel(routeUrl: string | undefined): string {
  return routeUrl === undefined ? UNMATCHED_ENDPOINT : routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The metric children of this request's route, found once at onRequest. */
    metricsRoute: RouteChildren | null;
  }
}

type RouteChildren = { inProgress: Gauge.Internal<'method' | 'endpoint'>; duration: Histogram.Internal<'method' | 'endpoint'>; endpoint: string };

export default fp(
  async function metricsPlugin(app: FastifyInstance) {
    const { http } = app.services.metrics;
    const routes = new Map<string, RouteChildren>();
    const answered = new Map<string, Counter.Internal>();

    const childrenOf = (request: FastifyRequest): RouteChildren => {
      const key = `${request.method} ${request.routeOptions.url ?? ''}`;
      let children = routes.get(key);
      if (!children) {
        const endpoint = endpointLabel(request.routeOptions.url);
        children = { inProgress: http.inProgress.labels(request.method, endpoint), duration: http.duration.labels(request.method, endpoint), endpoint };
        routes.set(key, children);
      }
      return children;
    };

    // Callback hooks, not async ones: no promise per request on the hot path.
    app.decorateRequest('metricsRoute', null);
    app.addHook('onRequest', (request, reply, done) => {
      const children = childrenOf(request);
      request.metricsRoute = children;
      children.inProgress.inc();
      // 'close' comes for every response, finished or aborted; onResponse does not run for an abort.
      reply.raw.once('close', () => children.inProgress.dec());
      done();
    });

    app.addHook('onResponse', (request, reply, done) => {
      const children = request.metricsRoute ?? childrenOf(request);
      const status = reply.statusCode;
      const key = `${request.method} ${children.endpoint} ${status}`;
      let counter = answered.get(key);
      if (!counter) {
        counter = http.requests.labels(request.method, children.endpoint, String(status));
        answered.set(key, counter);
      }
      counter.inc();
      children.duration.observe(reply.elapsedTime / 1000);
      http.recent.record(reply.elapsedTime, status);
      done();
    });
  },
  { name: 'metrics' },
);
