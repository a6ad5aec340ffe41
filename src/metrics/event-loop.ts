/**
 * Event-loop delay for /health/detailed (docs/operations.md §8): perf_hooks' sampler, read per
 * minute. The figure is the larger of the p99 of the last full minute and of the current one, so
 * that it reflects the last one to two minutes rather than a spike at start-up, and is not empty
 * just after a rotation. Kept apart from prom-client's `nodejs_eventloop_lag_*`, which resets at
 * each scrape.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const WINDOW_MS = 60_000;
/** Sampling period of the delay monitor, in milliseconds. */
const RESOLUTION_MS = 20;

/** The sampler records the time between its ticks: the lag is what exceeds the period. */
const lagMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);

export class EventLoopLag {
  private readonly monitor: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastMinuteP99Ns = 0;
  private readonly rotation: NodeJS.Timeout;

  constructor() {
    this.monitor.enable();
    this.rotation = setInterval(() => this.rotate(), WINDOW_MS);
    this.rotation.unref();
  }

  /** p99 of the delay over the last one to two minutes, in milliseconds (0 before the first sample). */
  p99Ms(): number {
    const current = this.monitor.count > 0 ? this.monitor.percentile(99) : 0;
    return lagMs(Math.max(current, this.lastMinuteP99Ns));
  }

  close(): void {
    clearInterval(this.rotation);
    this.monitor.disable();
  }

  private rotate(): void {
    this.lastMinuteP99Ns = this.monitor.count > 0 ? this.monitor.percentile(99) : 0;
    this.monitor.reset();
  }
}
