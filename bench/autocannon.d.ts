/**
 * Minimal typings for the part of autocannon 8's programmatic API that the benchmarks use
 * (`@types/autocannon` only covers 7.x). Checked against node_modules/autocannon/lib/run.js
 * and lib/aggregateResult.js.
 */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Seconds before a request counts as a timeout (and an error). */
      timeout?: number;
      title?: string;
      /** Called once per connection, before its first request (lib/httpClient.js). */
      setupClient?: (client: Client) => void;
    }

    /** One connection (lib/httpClient.js); its requests keep the body set here until changed. */
    interface Client {
      setHeaders(headers: Record<string, string>): void;
      setBody(body: string | Buffer): void;
      setHeadersAndBody(headers: Record<string, string>, body: string | Buffer): void;
    }

    /** Summary of an HDR histogram, as produced by hdr-histogram-percentiles-obj. */
    interface HistogramSummary {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p0_001: number;
      p0_01: number;
      p0_1: number;
      p1: number;
      p2_5: number;
      p10: number;
      p25: number;
      p50: number;
      p75: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
      p99_99: number;
      p99_999: number;
    }

    interface Result {
      title?: string;
      url: string;
      connections: number;
      pipelining: number;
      /** Seconds actually run. */
      duration: number;
      samples: number;
      start: Date;
      finish: Date;
      /** Connection errors and timeouts. */
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      /** Milliseconds (integer HDR buckets). */
      latency: HistogramSummary & { totalCount: number };
      /** Requests per second, one sample per second. */
      requests: HistogramSummary & { sent: number };
      /** Bytes per second. */
      throughput: HistogramSummary;
    }

    interface Instance extends PromiseLike<Result> {
      /** Every completed response; `responseTime` is in milliseconds (hrtime, sub-millisecond). */
      on(event: 'response', listener: (client: Client, statusCode: number, resBytes: number, responseTime: number) => void): this;
      on(event: 'reqError', listener: (error: Error) => void): this;
      on(event: 'done', listener: (result: Result) => void): this;
      on(event: 'start' | 'tick', listener: () => void): this;
      catch(onRejected: (reason: unknown) => void): Promise<unknown>;
      /** Ends the run at the next sample tick; the promise then resolves with what was measured. */
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
