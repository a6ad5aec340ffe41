/**
 * `npm run bench` (docs/operations.md §15): the app against a bare Fastify + `pg` server, both as child
 * processes on one temporary embedded PostgreSQL, driven in turn by autocannon from this process.
 *
 *   npm run bench                      10 s warm-up + 30 s measured per endpoint and server
 *   npm run bench -- --quick           2 s warm-up + 5 s measured (smoke run)
 *   npm run bench -- --warmup 5 --duration 20 --connections 100
 *   npm run bench -- --scale 200 --data-dir /tmp/mif-bench-200   seeded cluster kept between runs
 *
 * Environment: BENCH_WARMUP_S, BENCH_DURATION_S, BENCH_CONNECTIONS, BENCH_SLICES (flags win; --quick
 * wins over the environment), DB_POOL_MAX (given to both servers, default 10), BENCH_CPU_PROF=<dir>
 * (both servers under `node --cpu-prof`, bench/lib.ts).
 *
 * The measured window of each endpoint is cut into --slices (6) slices taken bare, app, app, bare…
 * so that the load of a shared machine, which drifts, weighs on both servers alike.
 *
 * For each endpoint and server it reports req/s (autocannon's mean of per-second samples), p50, p95
 * and p99 computed from the latency of every response of the measured window (not autocannon's HDR
 * summary, which has no p95), connection errors/timeouts and non-2xx answers, and the ratios
 * app/bare. It prints a table and writes perf/results/bench-<timestamp>.json.
 *
 * Data: `seed:demo --scale N` (default 1; 5,000 interventions per unit) runs as a child process
 * before the servers start; it is idempotent, so with --data-dir only the missing units are written.
 * The tables are then vacuumed if the seed did not (an interrupted seed), and EXPLAIN (ANALYZE,
 * BUFFERS) of the list (page and count) and dashboard statements goes to the results and a summary
 * to stdout. The app is called as the demo admin (bearer token from POST /auth/token).
 * Targets (docs/operations.md §15), as ratios in the same run on every endpoint: req/s app/bare >= 0.75
 * and p99 app/bare <= 1.5; and the app's RSS after the run < 250 MB (issue 11). Exit 1 on a non-2xx
 * answer only: a missed target is reported, since the ratios depend on the machine's load.
 *
 * The machinery (servers, PostgreSQL, Ctrl-C, measurement, report) is in bench/lib.ts.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import { createPool } from '../src/db/database.js';
import type { Database } from '../src/db/schema.js';
import { dashboardScope } from '../src/modules/dashboard/policy.js';
import { dashboardQuery } from '../src/modules/dashboard/repository.js';
import { INTERVENTION_SORT, InterventionsRepository, type InterventionFilters } from '../src/modules/interventions/repository.js';
import { parseSort } from '../src/lib/listing.js';
import { presentUnits } from '../src/seed/scale/write.js';
import {
  distinctFreePorts,
  environmentInfo,
  formatNumber,
  formatTable,
  loadAverage,
  logger,
  round,
  seedDemo,
  measureInterleaved,
  progress,
  ratio,
  readNumber,
  rssMb,
  runBench,
  startApp,
  startChild,
  waitForHealthy,
  withBenchEnvironment,
  writeResults,
  type Measurement,
  type WarmupSummary,
} from './lib.js';

// ---------------------------------------------------------------------------------------------
// What is measured. Every endpoint is requested with the same path on both servers; the bare
// server (bench/bare-server.ts) must serve it with the same SQL and the same JSON body.

type ServerKind = 'bare' | 'app';
const SERVERS: readonly ServerKind[] = ['bare', 'app'];

/** Data that endpoints need, prepared once both servers are up (see prepareContext). */
interface BenchContext {
  /** Bearer token of the demo admin for the app. */
  appToken: string | null;
  /** An existing intervention (the middle of the id range). */
  interventionId: number;
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

const REQ_RATIO_TARGET = 0.75;
const P99_RATIO_TARGET = 1.5;
const RSS_TARGET_MB = 250;

const ENDPOINTS: readonly Endpoint[] = [
  { name: 'list first page', method: 'GET', path: '/api/v1/interventions/?limit=50', auth: 'bearer' },
  { name: 'list deep page', method: 'GET', path: '/api/v1/interventions/?limit=50&offset=5000', auth: 'bearer' },
  { name: 'list filtered page', method: 'GET', path: '/api/v1/interventions/?statut=ouverte,affectee&limit=50', auth: 'bearer' },
  { name: 'intervention', method: 'GET', path: (c) => `/api/v1/interventions/${c.interventionId}`, auth: 'bearer' },
  { name: 'dashboard stats', method: 'GET', path: '/api/v1/dashboard/stats', auth: 'bearer' },
];

const ADMIN_EMAIL = 'admin@mif-maroc.com';
const ADMIN_PASSWORD = 'ChefPass123!';

/** Logs the demo admin in (POST /auth/token) and picks an existing intervention id. */
async function prepareContext(appUrl: string, databaseUrl: string): Promise<BenchContext> {
  const response = await fetch(`${appUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`login of ${ADMIN_EMAIL}: expected 200, got ${response.status}: ${text.slice(0, 300)}`);
  const appToken = (JSON.parse(text) as { access_token: string }).access_token;
  const interventionId = await withDb(databaseUrl, async (db) => {
    const { rows } = await sql<{ id: number }>`SELECT id FROM interventions WHERE id >= (SELECT (min(id) + max(id)) / 2 FROM interventions) ORDER BY id LIMIT 1`.execute(db);
    if (rows.length === 0) throw new Error('no intervention in the database: did the seed run?');
    return rows[0]!.id;
  });
  return { appToken, interventionId };
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
// Database: a Kysely on the app's pool settings, the vacuum an interrupted seed skipped, EXPLAIN.

/** Runs `body` with a Kysely on the app's pool (type parsers, UTC); `onQuery` sees every compiled statement. */
async function withDb<T>(databaseUrl: string, body: (db: Kysely<Database>) => Promise<T>, onQuery?: (query: CompiledQuery) => void): Promise<T> {
  const pool = createPool(databaseUrl, { poolMax: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 0 }, logger);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: onQuery ? (event) => onQuery(event.query) : undefined });
  try {
    return await body(db);
  } finally {
    await db.destroy();
  }
}

/** The tables the benchmarked statements read (historiques and notifications, the largest, are not read). */
const BENCHMARKED_TABLES = ['interventions', 'intervention_status_counts', 'techniciens', 'users', 'equipements', 'clients'];

/**
 * seed:demo ends with VACUUM (ANALYZE); an interrupted seed (or a re-run that added nothing after
 * one) leaves rows inserted since the last vacuum: no visibility map for index-only scans, stale
 * statistics. Vacuums the tables the benchmark reads when interventions has more than 1 % of such rows.
 */
async function vacuumIfNeeded(databaseUrl: string): Promise<{ vacuumed: boolean; seconds: number; interventions: number; scaleUnits: number }> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await sql<{ live: string; ins: string }>`
      SELECT n_live_tup AS live, n_ins_since_vacuum AS ins FROM pg_stat_user_tables WHERE relname = 'interventions'`.execute(db);
    const live = Number(rows[0]?.live ?? 0);
    const inserted = Number(rows[0]?.ins ?? 0);
    const started = Date.now();
    let vacuumed = false;
    if (inserted > Math.max(1000, live / 100)) {
      progress(`VACUUM (ANALYZE) ${BENCHMARKED_TABLES.join(', ')} (${inserted.toLocaleString('en-US')} interventions inserted since the last vacuum)`);
      await sql.raw(`VACUUM (ANALYZE) ${BENCHMARKED_TABLES.join(', ')}`).execute(db);
      vacuumed = true;
    }
    const counts = await sql<{ interventions: string }>`SELECT count(*) AS interventions FROM interventions`.execute(db);
    const scaleUnits = (await presentUnits(db)).size;
    return { vacuumed, seconds: round((Date.now() - started) / 1000, 1), interventions: Number(counts.rows[0]!.interventions), scaleUnits };
  });
}

interface ExplainResult {
  name: string;
  sql: string;
  parameters: unknown[];
  /** EXPLAIN (ANALYZE, BUFFERS) text. */
  plan: string[];
  executionMs: number | null;
  planningMs: number | null;
  /** Scan nodes (and the index each uses), for the summary. */
  scans: string[];
}

function summarisePlan(name: string, query: CompiledQuery, plan: string[]): ExplainResult {
  const time = (label: string) => {
    const line = plan.find((l) => l.trim().startsWith(label));
    const match = line ? /([\d.]+) ms/.exec(line) : null;
    return match ? Number(match[1]) : null;
  };
  const scans = plan
    .filter((line) => /Scan|Sort Method|Limit|Aggregate/.test(line) && !/^\s*(Planning|Execution)/.test(line))
    .map((line) => line.replace(/^\s*->\s*/, '').replace(/\s+/g, ' ').replace(/\(cost=[^)]*\)\s*/, '').trim());
  return { name, sql: query.sql, parameters: [...query.parameters], plan, executionMs: time('Execution Time'), planningMs: time('Planning Time'), scans };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements behind the list endpoints (page and count, as the
 * admin: full scope) and the dashboard, captured from the app's own query builders (the Kysely log
 * sees the compiled SQL and parameters), each run once for real first so that the plan is warm.
 */
async function explainQueries(databaseUrl: string, timeZone: string): Promise<ExplainResult[]> {
  const captured: CompiledQuery[] = [];
  return withDb(
    databaseUrl,
    async (db) => {
      const results: ExplainResult[] = [];
      const explain = async (name: string, query: CompiledQuery, setup?: string) => {
        const plan = await db.transaction().execute(async (trx) => {
          if (setup) await sql.raw(setup).execute(trx);
          const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...query, sql: `EXPLAIN (ANALYZE, BUFFERS) ${query.sql}` } as CompiledQuery<{ 'QUERY PLAN': string }>);
          return rows.map((row) => row['QUERY PLAN']);
        });
        results.push(summarisePlan(name, query, plan));
      };
      const now = new Date();
      const sort = parseSort(undefined, INTERVENTION_SORT);
      const interventions = new InterventionsRepository(db);
      const cases: { label: string; filters: InterventionFilters; offset: number }[] = [
        { label: 'first page', filters: {}, offset: 0 },
        { label: 'deep page (offset 5000)', filters: {}, offset: 5000 },
        { label: 'filtered page (statut ouverte,affectee)', filters: { statuts: ['ouverte', 'affectee'] }, offset: 0 },
      ];
      for (const c of cases) {
        captured.length = 0;
        await interventions.pageRows({ kind: 'all' }, c.filters, now, { limit: 50, offset: c.offset, sort });
        await explain(`list ${c.label}: page`, captured[0]!);
      }
      for (const [label, filters] of [['unfiltered', {}], ['statut ouverte,affectee', { statuts: ['ouverte', 'affectee'] }]] as const) {
        captured.length = 0;
        await interventions.count({ kind: 'all' }, filters as InterventionFilters, now);
        await explain(`list count ${label} (intervention_status_counts)`, captured[0]!);
      }
      // The counters stand in for this count: what the filtered count would cost without them.
      captured.length = 0;
      await interventions.count({ kind: 'client', clientId: -1 }, {}, now);
      const scanCount = captured[0]!;
      await explain('count without the counters: SELECT count(*) WHERE statut IN (ouverte, affectee)', {
        ...scanCount,
        sql: `SELECT count(*) AS total FROM interventions AS i WHERE i.statut IN ('ouverte', 'affectee')`,
        parameters: [],
      } as CompiledQuery);
      const dashboard = dashboardQuery(dashboardScope({ role: 'admin', clientId: null, technicienId: null }), now, timeZone).compile(db);
      await db.transaction().execute(async (trx) => {
        await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
        await trx.executeQuery(dashboard);
      });
      await explain('dashboard (admin, SET LOCAL max_parallel_workers_per_gather = 0)', dashboard, 'SET LOCAL max_parallel_workers_per_gather = 0');
      return results;
    },
    (query) => captured.push(query),
  );
}

function renderExplain(results: ExplainResult[]): string {
  const out = ['EXPLAIN (ANALYZE, BUFFERS) summary (full plans in the results file):'];
  for (const r of results) {
    out.push(`  ${r.name}: execution ${formatNumber(r.executionMs, 3)} ms, planning ${formatNumber(r.planningMs, 3)} ms`);
    for (const scan of r.scans) out.push(`      ${scan}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Settings.

interface Settings {
  warmupS: number;
  durationS: number;
  connections: number;
  /** The measured window of each server in that many slices, taken in turn (bench/lib.ts measureInterleaved). */
  slices: number;
  poolMax: number;
  quick: boolean;
  /** seed:demo --scale (units of 5,000 interventions). */
  scale: number;
  /** Persistent directory of the embedded cluster, or null for a temporary one. */
  dataDir: string | null;
  /** The endpoints measured: those whose name contains this text (--only), or all of them. */
  endpoints: readonly Endpoint[];
}

const USAGE = `usage: npm run bench -- [--quick] [--warmup <s>] [--duration <s>] [--connections <n>]
  --quick            2 s warm-up + 5 s measured (smoke run)
  --warmup <s>       warm-up seconds per endpoint and server (BENCH_WARMUP_S, default 10; 0 = none)
  --duration <s>     measured seconds per endpoint and server (BENCH_DURATION_S, default 30)
  --connections <n>  concurrent connections (BENCH_CONNECTIONS, default 50)
  --slices <n>       measured window cut into n slices, bare and app in turn, ABBA order (BENCH_SLICES,
                     default 6: 5 s each; 1 = bare then app in one block each; --quick: 1)
  --scale <n>        seed:demo --scale before the run (default 1; 5,000 interventions per unit)
  --data-dir <dir>   keep the embedded cluster in <dir> and reuse it (only missing units are seeded)
  --only <text>      measure only the endpoints whose name contains <text> (e.g. --only intervention)
`;

function readSettings(argv: string[], env: NodeJS.ProcessEnv): Settings | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      slices: { type: 'string' },
      scale: { type: 'string' },
      'data-dir': { type: 'string' },
      only: { type: 'string' },
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
    slices: readNumber('--slices', values.slices ?? (quick ? '1' : env.BENCH_SLICES), 6, 1),
    poolMax: readNumber('DB_POOL_MAX', env.DB_POOL_MAX, 10, 1),
    scale: readNumber('--scale', values.scale, 1, 0),
    dataDir: values['data-dir'] ?? null,
    endpoints: selectEndpoints(values.only),
  };
}

function selectEndpoints(only: string | undefined): readonly Endpoint[] {
  if (only === undefined) return ENDPOINTS;
  const selected = ENDPOINTS.filter((endpoint) => endpoint.name.includes(only));
  if (selected.length === 0) throw new Error(`--only ${only}: no endpoint is named so (${ENDPOINTS.map((e) => e.name).join(', ')})`);
  return selected;
}

// ---------------------------------------------------------------------------------------------
// Measurement.

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
async function checkEquivalence(endpoints: readonly Endpoint[], bases: Record<ServerKind, string>, context: BenchContext): Promise<void> {
  for (const endpoint of endpoints) {
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
  /** The targets of docs/operations.md §15 for this endpoint. */
  targets: TargetCheck[];
}

interface TargetCheck {
  name: string;
  value: number | null;
  limit: string;
  met: boolean | null;
}

function checkTargets(ratios: EndpointReport['ratios']): TargetCheck[] {
  return [
    { name: 'req/s app/bare', value: ratios.reqPerSec, limit: `>= ${REQ_RATIO_TARGET}`, met: ratios.reqPerSec === null ? null : ratios.reqPerSec >= REQ_RATIO_TARGET },
    { name: 'p99 app/bare', value: ratios.p99, limit: `<= ${P99_RATIO_TARGET}`, met: ratios.p99 === null ? null : ratios.p99 <= P99_RATIO_TARGET },
  ];
}

/** The API process's memory once every endpoint has been measured (VmRSS), and its peak (VmHWM). */
interface MemoryReport {
  rssMb: number | null;
  peakRssMb: number | null;
  met: boolean | null;
}

function appMemory(pid: number | undefined): MemoryReport {
  const read = (field: 'VmRSS' | 'VmHWM') => {
    const value = pid === undefined ? NaN : rssMb(pid, field);
    return Number.isFinite(value) ? round(value, 1) : null;
  };
  const rss = read('VmRSS');
  return { rssMb: rss, peakRssMb: read('VmHWM'), met: rss === null ? null : rss < RSS_TARGET_MB };
}

const verdict = (met: boolean | null) => (met === null ? 'n/a' : met ? 'ok' : 'MISSED');

function renderTable(reports: EndpointReport[], settings: Settings, data: DataInfo, memory: MemoryReport): string {
  const headers = ['endpoint', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx', 'responses', 'CPU ms/resp'];
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
        formatNumber(m.serverCpuMsPerResponse ?? null, 3),
      ];
    });
    const r = report.ratios;
    const cpu = ratio(report.servers.app.serverCpuMsPerResponse ?? null, report.servers.bare.serverCpuMsPerResponse ?? null);
    rows.push(['', 'app/bare', `${formatNumber(r.reqPerSec, 2)}x`, `${formatNumber(r.p50, 2)}x`, `${formatNumber(r.p95, 2)}x`, `${formatNumber(r.p99, 2)}x`, '', '', '', `${formatNumber(cpu, 2)}x`]);
    return rows;
  });
  const out = [
    `Benchmark: ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s measured per endpoint and server (${settings.slices} slice${settings.slices > 1 ? 's, bare and app in turn' : ''}), DB pool ${settings.poolMax}`,
    `Data: seed:demo --scale ${settings.scale} (${data.scaleUnits} scale units present), ${data.interventions.toLocaleString('en-US')} interventions${settings.dataDir ? `, cluster in ${settings.dataDir}` : ''}; app called as ${ADMIN_EMAIL} (full scope)`,
    `Load average (1/5/15 min): ${data.loadAtStart.join(' ')} at start of the measurements, ${data.loadAtEnd.join(' ')} at the end; ${data.cores} CPU cores shared by autocannon, both servers and PostgreSQL`,
    'req/s = autocannon mean of per-second samples; p50/p95/p99 = nearest rank over every response of the measured window; errors = connection errors + timeouts;',
    'CPU ms/resp = user + system CPU of the server process (not PostgreSQL) over the measured window, per response',
    '',
    ...formatTable(headers, groups, 2),
  ];
  out.push(`Targets (docs/operations.md §15, every endpoint): req/s app/bare >= ${REQ_RATIO_TARGET}, p99 app/bare <= ${P99_RATIO_TARGET}; app RSS after the run < ${RSS_TARGET_MB} MB`);
  const width = Math.max(...reports.map((r) => r.name.length));
  for (const report of reports) {
    const parts = report.targets.map((t) => `${t.name} ${formatNumber(t.value, 2)} ${t.limit}: ${verdict(t.met)}`);
    out.push(`  ${report.name.padEnd(width)}  ${parts.join('; ')}`);
  }
  out.push(`  app RSS after the run ${formatNumber(memory.rssMb, 1)} MB (peak ${formatNumber(memory.peakRssMb, 1)} MB) < ${RSS_TARGET_MB}: ${verdict(memory.met)}`);
  return out.join('\n');
}

interface DataInfo {
  interventions: number;
  scaleUnits: number;
  loadAtStart: number[];
  loadAtEnd: number[];
  cores: number;
}

// ---------------------------------------------------------------------------------------------

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  return withBenchEnvironment(
    async (environment) => {
      const { databaseUrl } = environment;
      const seedStarted = Date.now();
      await seedDemo(environment, settings.scale);
      const seedSeconds = round((Date.now() - seedStarted) / 1000, 1);
      const database = await vacuumIfNeeded(databaseUrl);
      progress(`${database.interventions.toLocaleString('en-US')} interventions (${database.scaleUnits} scale units)`);
      const timeZone = process.env.APP_TIMEZONE ?? 'Africa/Casablanca';
      progress('EXPLAIN (ANALYZE, BUFFERS) of the list and dashboard statements');
      const explains = await explainQueries(databaseUrl, timeZone);
      process.stdout.write(`\n${renderExplain(explains)}\n`);

      const [appPort, barePort] = (await distinctFreePorts(2)) as [number, number];
      const bases: Record<ServerKind, string> = { app: `http://127.0.0.1:${appPort}`, bare: `http://127.0.0.1:${barePort}` };

      const app = await startApp(environment, { name: 'app', port: appPort, poolMax: settings.poolMax });

      progress(`starting the bare server on ${bases.bare}`);
      const bare = startChild('bare', 'bench/bare-server.ts', process.env, [
        '--database-url', databaseUrl,
        '--port', String(barePort),
        '--pool-max', String(settings.poolMax),
        '--time-zone', timeZone,
      ]);
      await waitForHealthy(bare, `${bases.bare}/api/v1/health`);

      const context = await prepareContext(bases.app, databaseUrl);
      await checkEquivalence(settings.endpoints, bases, context);

      const pids: Record<ServerKind, number | undefined> = { app: app.child.process.pid, bare: bare.process.pid };
      const loadAtMeasureStart = loadAverage();
      const reports: EndpointReport[] = [];
      for (const endpoint of settings.endpoints) {
        const pathAndQuery = endpointPath(endpoint, context);
        const loads = SERVERS.map((server) => ({
          label: `${server} ${endpoint.method} ${pathAndQuery}`,
          options: { url: bases[server] + pathAndQuery, method: 'GET' as const, headers: requestHeaders(endpoint, server, context), connections: settings.connections, timeout: 10 },
          serverPid: pids[server],
        }));
        const results = await measureInterleaved(loads, settings, settings.slices);
        const servers = {} as EndpointReport['servers'];
        SERVERS.forEach((server, index) => (servers[server] = { ...results[index]!.measured, warmup: results[index]!.warmup }));
        const { app: a, bare: b } = servers;
        const ratios = {
          reqPerSec: ratio(a.reqPerSec, b.reqPerSec),
          p50: ratio(a.latencyMs.p50, b.latencyMs.p50),
          p95: ratio(a.latencyMs.p95, b.latencyMs.p95),
          p99: ratio(a.latencyMs.p99, b.latencyMs.p99),
        };
        reports.push({ name: endpoint.name, method: endpoint.method, path: pathAndQuery, auth: endpoint.auth, servers, ratios, targets: checkTargets(ratios) });
      }
      const loadAtEnd = loadAverage();
      const memory = appMemory(app.child.process.pid);

      const data: DataInfo = { interventions: database.interventions, scaleUnits: database.scaleUnits, loadAtStart: loadAtMeasureStart, loadAtEnd, cores: os.availableParallelism() };
      const table = renderTable(reports, settings, data, memory);
      process.stdout.write(`\n${table}\n\n`);

      const document = {
        spec: `docs/operations.md §15; targets on every endpoint: req/s app/bare >= ${REQ_RATIO_TARGET}, p99 app/bare <= ${P99_RATIO_TARGET}; app RSS after the run < ${RSS_TARGET_MB} MB`,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        settings,
        environment: { ...(await environmentInfo(databaseUrl, loadAtStart)), loadAverageMeasured: { atStart: loadAtMeasureStart, atEnd: loadAtEnd } },
        data: { ...database, seedSeconds, interventionId: context.interventionId, caller: ADMIN_EMAIL },
        method: {
          reqPerSec: 'autocannon requests.mean: mean of the per-second request counts of the measured window (with slices: their duration-weighted mean)',
          slices: 'the measured window of each server cut into settings.slices slices, bare and app in turn in ABBA order, after one warm-up each',
          latency: 'milliseconds, nearest-rank percentiles over the hrtime latency of every response of the measured window (all status codes)',
          autocannonLatencyMs: 'autocannon HDR summary, integer milliseconds; it has p97.5 but no p95; with slices, the worst slice',
          errors: 'connection errors, timeouts included; non2xx counted apart',
          serverCpuMsPerResponse: 'user + system CPU time of the server process (from /proc, PostgreSQL not included) over the measured slices, divided by the responses',
          ratios: 'app / bare',
          bare: 'bench/bare-server.ts: the app repositories query builders and row mapping, no auth/validation/hooks/response schemas',
        },
        endpoints: reports,
        appMemory: memory,
        explain: explains,
      };
      const file = await writeResults('bench', startedAt, document);
      process.stdout.write(`Results written to ${file}\n`);
      const failures = reports.reduce((sum, r) => sum + r.servers.app.non2xx + r.servers.bare.non2xx, 0);
      if (failures > 0) {
        process.stderr.write(`[bench] ${failures} non-2xx answers: the figures do not measure what they claim\n`);
        return 1;
      }
      return 0;
    },
    { dataDir: settings.dataDir },
  );
}

runBench({ usage: USAGE, readSettings, run });
