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
 * The machinery (servers, PostgreSQL, Ctrl-C, measurement, report) is in bench/lib.ts.
 */
import { parseArgs } from 'node:util';
import {
  distinctFreePorts,
  environmentInfo,
  formatNumber,
  formatTable,
  loadAverage,
  measure,
  progress,
  ratio,
  readNumber,
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
  const out = [
    `Benchmark: ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s measured per endpoint and server, DB pool ${settings.poolMax}`,
    'req/s = autocannon mean of per-second samples; p50/p95/p99 = nearest rank over every response of the measured window; errors = connection errors + timeouts',
    '',
    ...formatTable(headers, groups, 2),
  ];
  out.push('Reference target (operations.md §15, informative): app p99 <= 3 x bare p99');
  for (const report of reports) {
    const p99 = report.ratios.p99;
    out.push(`  ${report.name.padEnd(Math.max(...reports.map((r) => r.name.length)))}  ${formatNumber(p99, 2)}x  ${p99 === null ? 'n/a' : p99 <= 3 ? 'ok' : 'ABOVE TARGET'}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  return withBenchEnvironment(async (environment) => {
    const { databaseUrl } = environment;
    const [appPort, barePort] = (await distinctFreePorts(2)) as [number, number];
    const bases: Record<ServerKind, string> = { app: `http://127.0.0.1:${appPort}`, bare: `http://127.0.0.1:${barePort}` };

    await startApp(environment, { name: 'app', port: appPort, poolMax: settings.poolMax });

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
        const { warmup, measured } = await measure(
          {
            label: `${server} ${endpoint.method} ${pathAndQuery}`,
            options: { url: bases[server] + pathAndQuery, method: 'GET', headers: requestHeaders(endpoint, server, context), connections: settings.connections, timeout: 10 },
          },
          settings,
        );
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

    const document = {
      spec: 'operations.md §15',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings,
      environment: await environmentInfo(databaseUrl, loadAtStart),
      method: {
        reqPerSec: 'autocannon requests.mean: mean of the per-second request counts of the measured window',
        latency: 'milliseconds, nearest-rank percentiles over the hrtime latency of every response of the measured window (all status codes)',
        autocannonLatencyMs: 'autocannon HDR summary, integer milliseconds; it has p97.5 but no p95',
        errors: 'connection errors, timeouts included; non2xx counted apart',
        ratios: 'app / bare',
      },
      endpoints: reports,
    };
    const file = await writeResults('bench', startedAt, document);
    process.stdout.write(`Results written to ${file}\n`);
    return 0;
  });
}

runBench({ usage: USAGE, readSettings, run });
