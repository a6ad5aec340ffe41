/**
 * The `application` part of /health/detailed (docs/operations.md §8), read from the metrics
 * registry: totals since start from http_requests_total, mean and p95 from
 * http_request_duration_seconds (the p95 interpolated inside its bucket, as Prometheus'
 * histogram_quantile does), and the same figures, exact, over the last minutes.
 */
import type { HttpMetrics } from './registry.js';
import type { RecentFigures } from './recent-requests.js';

export interface ApplicationFigures {
  requests_total: number;
  server_errors_total: number;
  error_rate_5xx: number;
  /** Since start; null before the first request. */
  mean_response_ms: number | null;
  /** Since start, estimated from the histogram's buckets; null before the first request. */
  p95_response_ms: number | null;
  recent: RecentFigures;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** The q-quantile of cumulative bucket counts (upper bound → count), linearly interpolated. */
export function bucketQuantile(q: number, buckets: [number, number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // Above the last finite bound there is nothing to interpolate to: its bound is the answer.
      if (!Number.isFinite(bound)) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(count - lowerCount, 1);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

export async function applicationFigures(http: HttpMetrics): Promise<ApplicationFigures> {
  const [requests, duration] = await Promise.all([http.requests.get(), http.duration.get()]);
  let total = 0;
  let serverErrors = 0;
  for (const { value, labels } of requests.values) {
    total += value;
    if (Number(labels.status_code) >= 500) serverErrors += value;
  }
  let sum = 0;
  let count = 0;
  const cumulative = new Map<number, number>();
  for (const { metricName, value, labels } of duration.values) {
    if (metricName === 'http_request_duration_seconds_sum') sum += value;
    else if (metricName === 'http_request_duration_seconds_count') count += value;
    else {
      const { le } = labels as { le?: string | number };
      const bound = le === '+Inf' ? Infinity : Number(le);
      cumulative.set(bound, (cumulative.get(bound) ?? 0) + value);
    }
  }
  const p95Seconds = bucketQuantile(0.95, [...cumulative.entries()].sort((a, b) => a[0] - b[0]));
  return {
    requests_total: total,
    server_errors_total: serverErrors,
    error_rate_5xx: total === 0 ? 0 : serverErrors / total,
    mean_response_ms: count === 0 ? null : round1((sum / count) * 1000),
    p95_response_ms: p95Seconds === null ? null : round1(p95Seconds * 1000),
    recent: http.recent.figures(),
  };
}
