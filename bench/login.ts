/**
 * `npm run bench:login`: login throughput, and whether argon2 starves other requests. The app runs
 * as a child process on a temporary embedded PostgreSQL (rate limiting off, warn-level logs);
 * autocannon drives it from this process. Three phases, each a warm-up then a measured window:
 *
 *   baseline  GET /api/v1/auth/me alone (a cheap authenticated read: JWT verify + one DB read)
 *   login     POST /api/v1/auth/token alone, one client per account, valid credentials
 *   mixed     both at once (two autocannon instances in parallel), measured over the same window
 *
 *   npm run bench:login                          5 s warm-up + 20 s measured per phase
 *   npm run bench:login -- --quick               2 s warm-up + 5 s measured (smoke run)
 *   npm run bench:login -- --threadpool 4,32     the three phases once per app UV_THREADPOOL_SIZE
 *
 * Options: --warmup <s>, --duration <s>, --reader-connections <n> (10), --login-clients <n> (20),
 * --threadpool <n[,n…]> (the app's UV_THREADPOOL_SIZE; default this environment's, else libuv's 4).
 * Environment: DB_POOL_MAX (default 10).
 *
 * Users are created directly in the database before the app starts (one per login client, plus the
 * reader). Successful logins never lock an account; every login must answer 2xx (exit code 1
 * otherwise). Prints a table and writes perf/results/bench-login-<timestamp>.json.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createKysely, createPool } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createStore } from '../src/db/store.js';
import { SYSTEM_ACTOR } from '../src/lib/actor.js';
import { systemClock } from '../src/lib/clock.js';
import { AuditRepository } from '../src/modules/audit/repository.js';
import { AuditService } from '../src/modules/audit/service.js';
import { argon2Hasher } from '../src/modules/auth/password-hash.js';
import { PasswordService } from '../src/modules/auth/password-service.js';
import { AuthRepository } from '../src/modules/auth/repository.js';
import { UsersRepository } from '../src/modules/users/repository.js';
import { UsersService } from '../src/modules/users/service.js';
import {
  distinctFreePorts,
  environmentInfo,
  formatNumber,
  formatTable,
  loadAverage,
  logger,
  measure,
  measureConcurrently,
  processCpuSeconds,
  progress,
  ratio,
  readNumber,
  round,
  runBench,
  startApp,
  stopChild,
  withBenchEnvironment,
  writeResults,
  UsageError,
  type BenchEnvironment,
  type Load,
  type LoadResult,
} from './lib.js';

const LIBUV_DEFAULT_THREADPOOL = 4;
const PASSWORD = 'BenchPass#2026x';
const TOKEN_PATH = '/api/v1/auth/token';
const ME_PATH = '/api/v1/auth/me';

// ---------------------------------------------------------------------------------------------
// Settings.

interface Settings {
  quick: boolean;
  warmupS: number;
  durationS: number;
  readerConnections: number;
  loginClients: number;
  poolMax: number;
  /** The app's UV_THREADPOOL_SIZE, one run of the three phases each. */
  threadpools: number[];
}

const USAGE = `usage: npm run bench:login -- [--quick] [--warmup <s>] [--duration <s>] [--reader-connections <n>] [--login-clients <n>] [--threadpool <n[,n…]>]
  --quick                   2 s warm-up + 5 s measured per phase (smoke run)
  --warmup <s>              warm-up seconds per phase (default 5; 0 = none)
  --duration <s>            measured seconds per phase (default 20)
  --reader-connections <n>  connections of the GET /auth/me reader (default 10)
  --login-clients <n>       connections hammering POST /auth/token, one account each (default 20)
  --threadpool <n[,n…]>     the app's UV_THREADPOOL_SIZE, the three phases once per value
                            (default: UV_THREADPOOL_SIZE of this environment, else libuv's ${LIBUV_DEFAULT_THREADPOOL})
`;

function readSettings(argv: string[], env: NodeJS.ProcessEnv): Settings | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      'reader-connections': { type: 'string' },
      'login-clients': { type: 'string' },
      threadpool: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick === true;
  const inherited = readNumber('UV_THREADPOOL_SIZE', env.UV_THREADPOOL_SIZE, LIBUV_DEFAULT_THREADPOOL, 1);
  const threadpools =
    values.threadpool === undefined ? [inherited] : values.threadpool.split(',').map((raw) => readNumber('--threadpool', raw, NaN, 1));
  if (threadpools.some((size) => !Number.isInteger(size))) throw new UsageError(`--threadpool: a comma-separated list of integers, got ${JSON.stringify(values.threadpool)}`);
  if (threadpools.some((size) => size > 1024)) throw new UsageError('--threadpool: libuv caps UV_THREADPOOL_SIZE at 1024');
  return {
    quick,
    warmupS: readNumber('--warmup', values.warmup ?? (quick ? '2' : undefined), 5, 0),
    durationS: readNumber('--duration', values.duration ?? (quick ? '5' : undefined), 20, 1),
    readerConnections: readNumber('--reader-connections', values['reader-connections'], 10, 1),
    loginClients: readNumber('--login-clients', values['login-clients'], 20, 1),
    poolMax: readNumber('DB_POOL_MAX', env.DB_POOL_MAX, 10, 1),
    threadpools,
  };
}

// ---------------------------------------------------------------------------------------------
// Accounts.

interface Account {
  id: number;
  username: string;
  email: string;
}

/** The reader and one account per login client, created before the app starts (migrations first). */
async function createAccounts(databaseUrl: string, loginClients: number): Promise<{ reader: Account; loginUsers: Account[] }> {
  const pool = createPool(databaseUrl, { poolMax: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 }, logger);
  const db = createKysely(pool);
  try {
    await migrateToLatest(db, logger);
    // The users service alone: the bench has no configuration of its own before the app starts.
    const audit = new AuditService(createStore(db, (x) => ({ audit: new AuditRepository(x) })));
    const users = new UsersService({
      store: createStore(db, (x) => ({ users: new UsersRepository(x), auth: new AuthRepository(x), audit: new AuditRepository(x) })),
      passwords: new PasswordService({ audit, hasher: argon2Hasher, minLength: 8 }),
      clock: systemClock,
    });
    const create = async (username: string, role: string): Promise<Account> => {
      const email = `${username}@example.com`;
      const { id } = await users.create(SYSTEM_ACTOR, { username, email, fullName: `Bench ${username}`, role, password: PASSWORD });
      return { id, username, email };
    };
    const reader = await create('bench-reader', 'responsable');
    const loginUsers: Account[] = [];
    for (let i = 1; i <= loginClients; i++) loginUsers.push(await create(`bench-login-${String(i).padStart(2, '0')}`, 'technicien'));
    return { reader, loginUsers };
  } finally {
    await db.destroy();
  }
}

/** Successful /auth/token logins per login account since `since`, from the app's own log of attempts. */
async function loginsPerUser(databaseUrl: string, users: Account[], since: Date): Promise<{ min: number; max: number; total: number }> {
  const pool = createPool(databaseUrl, { poolMax: 1, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 }, logger);
  const db = createKysely(pool);
  try {
    const rows = await db
      .selectFrom('login_attempts')
      .select(['user_id', (eb) => eb.fn.countAll<number>().as('count')])
      .where('success', '=', true)
      .where('endpoint', '=', 'token')
      .where('created_at', '>=', since)
      .where(
        'user_id',
        'in',
        users.map((user) => user.id),
      )
      .groupBy('user_id')
      .execute();
    const counts = users.map((user) => Number(rows.find((row) => row.user_id === user.id)?.count ?? 0));
    return { min: Math.min(...counts), max: Math.max(...counts), total: counts.reduce((sum, count) => sum + count, 0) };
  } finally {
    await db.destroy();
  }
}

async function logIn(base: string, email: string): Promise<string> {
  const response = await fetch(base + TOKEN_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`login of ${email}: expected 200, got ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/**
 * Waits until the requests that autocannon abandoned at the end of a phase are done: the app keeps
 * serving them, and the next phase would pay for them. libuv's queue is FIFO, so one more login
 * finishes after every argon2 job already queued.
 */
async function settle(base: string, email: string, token: string): Promise<void> {
  await logIn(base, email);
  const response = await fetch(base + ME_PATH, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
}

// ---------------------------------------------------------------------------------------------
// One run of the three phases against an app started with a given thread-pool size.

interface PhaseResult extends LoadResult {
  /** CPU cores the app process used over the measured window (user + system time / wall time). */
  appCpuCores: number | null;
}

interface ThreadpoolRun {
  threadpoolSize: number;
  baseline: { reader: PhaseResult };
  login: { login: PhaseResult };
  mixed: { login: PhaseResult; reader: PhaseResult };
  /** reader p99 mixed / baseline (and p50, p95). */
  readerSlowdown: { p50: number | null; p95: number | null; p99: number | null };
  /** login throughput mixed / alone. */
  loginThroughputRatio: number | null;
  /** Successful logins per account over the login and mixed phases (each account is one client). */
  loginsPerUser: { min: number; max: number; total: number };
}

async function runPhases(environment: BenchEnvironment, settings: Settings, accounts: { reader: Account; loginUsers: Account[] }, threadpoolSize: number): Promise<ThreadpoolRun> {
  const [port] = (await distinctFreePorts(1)) as [number];
  const name = `app-uv${threadpoolSize}`;
  const { child, base } = await startApp(environment, { name, port, poolMax: settings.poolMax, env: { UV_THREADPOOL_SIZE: String(threadpoolSize) } });
  try {
    // Every account logs in once (the credentials work, argon2 and the JIT are warm), the reader keeps its token.
    await Promise.all(accounts.loginUsers.map((user) => logIn(base, user.email)));
    const token = await logIn(base, accounts.reader.email);
    const check = await fetch(base + ME_PATH, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (check.status !== 200) throw new Error(`GET ${ME_PATH}: expected 200, got ${check.status}: ${(await check.text()).slice(0, 300)}`);
    await check.arrayBuffer();

    const reader: Load = {
      label: `uv${threadpoolSize} reader GET ${ME_PATH}`,
      options: { url: base + ME_PATH, method: 'GET', headers: { authorization: `Bearer ${token}` }, connections: settings.readerConnections, timeout: 10 },
    };
    const bodies = accounts.loginUsers.map((user) => JSON.stringify({ email: user.email, password: PASSWORD }));
    let nextClient = 0;
    const login: Load = {
      label: `uv${threadpoolSize} login POST ${TOKEN_PATH}`,
      options: {
        url: base + TOKEN_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[0]!,
        connections: settings.loginClients,
        timeout: 10,
        // One account per connection: the connections of one run take consecutive accounts, round robin.
        setupClient: (client) => client.setBody(bodies[nextClient++ % bodies.length]!),
      },
    };

    // Set by cpuWindow at the end of each measured window.
    const cpu: { cores: number | null } = { cores: null };
    const cpuWindow = () => {
      const cpuStart = processCpuSeconds(child.process.pid);
      const wallStart = process.hrtime.bigint();
      return () => {
        const cpuEnd = processCpuSeconds(child.process.pid);
        const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
        cpu.cores = cpuStart === null || cpuEnd === null ? null : round((cpuEnd - cpuStart) / wallS, 2);
      };
    };
    const timing = settings;

    const baselineReader = await measure(reader, timing, cpuWindow);
    const baseline = { reader: { ...baselineReader, appCpuCores: cpu.cores } };
    await settle(base, accounts.reader.email, token);

    const loginsSince = new Date();
    const loginAlone = await measure(login, timing, cpuWindow);
    const loginPhase = { login: { ...loginAlone, appCpuCores: cpu.cores } };
    await settle(base, accounts.reader.email, token);

    const [mixedLogin, mixedReader] = (await measureConcurrently([login, reader], timing, cpuWindow)) as [LoadResult, LoadResult];
    const mixed = { login: { ...mixedLogin, appCpuCores: cpu.cores }, reader: { ...mixedReader, appCpuCores: cpu.cores } };
    await settle(base, accounts.reader.email, token);

    const alone = baseline.reader.measured.latencyMs;
    const loaded = mixed.reader.measured.latencyMs;
    return {
      threadpoolSize,
      baseline,
      login: loginPhase,
      mixed,
      readerSlowdown: { p50: ratio(loaded.p50, alone.p50), p95: ratio(loaded.p95, alone.p95), p99: ratio(loaded.p99, alone.p99) },
      loginThroughputRatio: ratio(mixed.login.measured.reqPerSec, loginPhase.login.measured.reqPerSec),
      loginsPerUser: await loginsPerUser(environment.databaseUrl, accounts.loginUsers, loginsSince),
    };
  } finally {
    await stopChild(child);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

/** The app never sets UV_THREADPOOL_SIZE: without it in its environment, it runs with libuv's 4. */
function threadpoolLabel(size: number): string {
  return size === LIBUV_DEFAULT_THREADPOOL ? `${size} (default)` : String(size);
}

function renderTable(runs: ThreadpoolRun[], settings: Settings, context: { cores: number; loadAtStart: number[]; loadAtEnd: number[] }): string {
  const headers = ['UV pool', 'phase', 'load', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx', 'responses', 'app CPU'];
  const row = (pool: string, phase: string, load: string, connections: number, result: PhaseResult) => {
    const m = result.measured;
    return [
      pool,
      phase,
      load,
      String(connections),
      formatNumber(m.reqPerSec, 1),
      formatNumber(m.latencyMs.p50, 2),
      formatNumber(m.latencyMs.p95, 2),
      formatNumber(m.latencyMs.p99, 2),
      String(m.errors),
      String(m.non2xx),
      m.responses.toLocaleString('en-US'),
      result.appCpuCores === null ? 'n/a' : `${formatNumber(result.appCpuCores, 2)}`,
    ];
  };
  const me = `GET ${ME_PATH}`;
  const token = `POST ${TOKEN_PATH}`;
  const groups = runs.map((run) => [
    row(threadpoolLabel(run.threadpoolSize), 'baseline', me, settings.readerConnections, run.baseline.reader),
    row('', 'login', token, settings.loginClients, run.login.login),
    row('', 'mixed', token, settings.loginClients, run.mixed.login),
    row('', '', me, settings.readerConnections, run.mixed.reader),
    ['', '', 'reader mixed/baseline', '', '', `${formatNumber(run.readerSlowdown.p50, 2)}x`, `${formatNumber(run.readerSlowdown.p95, 2)}x`, `${formatNumber(run.readerSlowdown.p99, 2)}x`, '', '', '', ''],
    ['', '', 'logins mixed/alone', '', `${formatNumber(run.loginThroughputRatio, 2)}x`, '', '', '', '', '', '', ''],
  ]);
  const out = [
    `Login benchmark: ${settings.loginClients} login clients (one account each), reader ${settings.readerConnections} connections; ${settings.warmupS} s warm-up + ${settings.durationS} s measured per phase; DB pool ${settings.poolMax}`,
    `Machine: ${context.cores} CPU cores (os.availableParallelism), load average ${context.loadAtStart.join(' ')} at start, ${context.loadAtEnd.join(' ')} at end; autocannon runs in the bench process, on the same cores`,
    `App: UV_THREADPOOL_SIZE ${runs.map((run) => threadpoolLabel(run.threadpoolSize)).join(', ')}; argon2id (m=19456 KiB, t=2, p=1) and jose's HS256 (WebCrypto) both run on that pool`,
    'req/s = autocannon mean of per-second samples (login rows: logins/s); p50/p95/p99 = nearest rank over every response of the measured window;',
    'errors = connection errors + timeouts; app CPU = cores used by the app process over the measured window (/proc)',
    '',
    ...formatTable(headers, groups, 3),
  ];
  for (const run of runs) {
    const non2xx = run.login.login.measured.non2xx + run.mixed.login.measured.non2xx;
    out.push(
      `UV pool ${run.threadpoolSize}: reader p99 ${formatNumber(run.baseline.reader.measured.latencyMs.p99, 2)} ms alone -> ${formatNumber(run.mixed.reader.measured.latencyMs.p99, 2)} ms under login load (${formatNumber(run.readerSlowdown.p99, 2)}x); ` +
        `login non-2xx ${non2xx} (${non2xx === 0 ? 'ok' : 'MUST BE 0'}); successful logins per account ${run.loginsPerUser.min}-${run.loginsPerUser.max}`,
    );
  }
  return out.join('\n');
}

function allNon2xx(run: ThreadpoolRun): number {
  return [run.baseline.reader, run.login.login, run.mixed.login, run.mixed.reader].reduce((sum, result) => sum + result.measured.non2xx, 0);
}

// ---------------------------------------------------------------------------------------------

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const cores = os.availableParallelism();
  return withBenchEnvironment(async (environment) => {
    progress(`creating ${settings.loginClients} login accounts and the reader`);
    const accounts = await createAccounts(environment.databaseUrl, settings.loginClients);

    const runs: ThreadpoolRun[] = [];
    for (const size of settings.threadpools) runs.push(await runPhases(environment, settings, accounts, size));

    const loadAtEnd = loadAverage();
    process.stdout.write(`\n${renderTable(runs, settings, { cores, loadAtStart, loadAtEnd })}\n\n`);

    const document = {
      spec: 'Benchmark: login throughput and the p99 of a cheap authenticated read while clients hammer login (argon2 off the event loop)',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings,
      environment: {
        ...(await environmentInfo(environment.databaseUrl, loadAtStart)),
        availableParallelism: cores,
        libuvDefaultThreadpool: LIBUV_DEFAULT_THREADPOOL,
      },
      method: {
        phases: 'per UV_THREADPOOL_SIZE, a fresh app process on the same database: baseline (reader alone), login (login clients alone), mixed (both, two autocannon instances over the same window)',
        login: `POST ${TOKEN_PATH} JSON {email,password}, valid credentials, each connection logs one account in again and again`,
        reader: `GET ${ME_PATH} with one bearer token obtained before the phases`,
        reqPerSec: 'autocannon requests.mean: mean of the per-second request counts of the measured window',
        latency: 'milliseconds, nearest-rank percentiles over the hrtime latency of every response of the measured window (all status codes)',
        autocannonLatencyMs: 'autocannon HDR summary, integer milliseconds; it has p97.5 but no p95',
        errors: 'connection errors, timeouts included; non2xx counted apart',
        appCpuCores: 'user + system CPU seconds of the app process over the measured window / its wall time',
        readerSlowdown: 'reader latency in the mixed phase / in the baseline phase',
      },
      accounts: { reader: accounts.reader.username, loginUsers: accounts.loginUsers.map((user) => user.username) },
      runs,
    };
    const file = await writeResults('bench-login', startedAt, document);
    process.stdout.write(`Results written to ${file}\n`);
    const failures = runs.reduce((sum, r) => sum + allNon2xx(r), 0);
    if (failures > 0) {
      process.stderr.write(`[bench] ${failures} non-2xx answers: the figures do not measure what they claim\n`);
      return 1;
    }
    return 0;
  });
}

runBench({ usage: USAGE, readSettings, run });
