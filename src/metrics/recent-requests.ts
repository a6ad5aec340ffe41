/**
 * The last minutes of HTTP requests, for the application figures of /health/detailed
 * (docs/operations.md §8): a fixed ring of (time, duration, 5xx) samples, so that recording costs
 * three array writes and the p95 is exact over the window. Under heavy traffic the ring holds fewer
 * than WINDOW_MS of requests: the window is then the last CAPACITY requests.
 */
export const RECENT_WINDOW_MS = 5 * 60_000;
const CAPACITY = 10_000;

export interface RecentFigures {
  window_seconds: number;
  requests: number;
  server_errors: number;
  /** Share of 5xx answers, 0 to 1 (0 without requests). */
  error_rate_5xx: number;
  /** null without requests. */
  p95_response_ms: number | null;
}

export class RecentRequests {
  private readonly at = new Float64Array(CAPACITY);
  private readonly durationMs = new Float64Array(CAPACITY);
  private readonly failed = new Uint8Array(CAPACITY);
  private next = 0;
  private size = 0;

  constructor(private readonly now: () => number) {}

  record(durationMs: number, statusCode: number): void {
    const slot = this.next;
    this.at[slot] = this.now();
    this.durationMs[slot] = durationMs;
    this.failed[slot] = statusCode >= 500 ? 1 : 0;
    this.next = (slot + 1) % CAPACITY;
    if (this.size < CAPACITY) this.size++;
  }

  figures(): RecentFigures {
    const since = this.now() - RECENT_WINDOW_MS;
    const durations: number[] = [];
    let serverErrors = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.at[i]! < since) continue;
      durations.push(this.durationMs[i]!);
      serverErrors += this.failed[i]!;
    }
    durations.sort((a, b) => a - b);
    const requests = durations.length;
    const p95 = requests === 0 ? null : durations[Math.min(requests - 1, Math.ceil(requests * 0.95) - 1)]!;
    return {
      window_seconds: RECENT_WINDOW_MS / 1000,
      requests,
      server_errors: serverErrors,
      error_rate_5xx: requests === 0 ? 0 : serverErrors / requests,
      p95_response_ms: p95 === null ? null : Math.round(p95 * 10) / 10,
    };
  }
}
