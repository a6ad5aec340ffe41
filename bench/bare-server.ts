/**
 * The baseline of `npm run bench` (docs/operations.md §15): plain Fastify 5 and one `pg` pool serving
 * the benchmarked endpoints with the same SQL and the same JSON bodies as the app, and nothing
 * else: no plugins, no hooks, no validation, no response schemas, no auth, no logging.
 *
 *   node --import tsx bench/bare-server.ts --port 8001 --database-url postgres://…
 *
 * Everything comes from the arguments: the baseline reads no environment, like the app outside src/config.
 * The service name is the app's default PROJECT_NAME, so that both servers send bodies of the same size.
 * Endpoints added to bench/run.ts must be added here too.
 *
 * The data endpoints run the app's own SQL: the repositories (InterventionsRepository's page and
 * findOut, DashboardRepository.loadCounts through the dashboard service's shaping) and the app's
 * row-to-JSON mapping (toInterventionOut), on a pool
 * built by the app's createPool (same type parsers, same session options). They answer as the
 * admin would (full scope, costs shown); only the query parameters the benchmark uses are read
 * (limit, offset, statut, sort), without validation.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pino from 'pino';
import { createKysely, createPool } from '../src/db/database.js';
import type { StatutIntervention } from '../src/db/schema.js';
import { parseSort } from '../src/lib/listing.js';
import { createStore } from '../src/db/store.js';
import { systemClock } from '../src/lib/clock.js';
import { DashboardRepository } from '../src/modules/dashboard/repository.js';
import { DashboardService } from '../src/modules/dashboard/service.js';
import { interventionScope } from '../src/modules/interventions/policy.js';
import { INTERVENTION_SORT, InterventionsRepository, type InterventionFilters } from '../src/modules/interventions/repository.js';
import { toInterventionOut } from '../src/modules/interventions/schemas.js';
import { mapPage } from '../src/db/paging.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'database-url': { type: 'string' },
    'pool-max': { type: 'string' },
    'time-zone': { type: 'string' },
  },
});

const port = Number(values.port ?? 8001);
const host = values.host ?? '127.0.0.1';
const connectionString = values['database-url'];
const poolMax = Number(values['pool-max'] ?? 10);
const service = 'ERP Interventions';

if (!connectionString || !Number.isInteger(port) || !Number.isInteger(poolMax) || poolMax < 1) {
  process.stderr.write('usage: bare-server.ts --port <port> --database-url <postgres://…> [--pool-max <n>] [--time-zone <IANA zone>]\n');
  process.exit(2);
}

// The app's pool (src/db/database.ts): same type parsers, statement_timeout (DB_STATEMENT_TIMEOUT_MS default) and TimeZone.
const pool = createPool(connectionString, { poolMax, connectTimeoutMs: 5000, statementTimeoutMs: 15_000 }, pino({ level: 'silent' }));
const db = createKysely(pool);
const timeZone = values['time-zone'] ?? 'Africa/Casablanca';
// The benchmark's app caller is the demo admin: full scope, costs visible.
const ADMIN = { userId: null, role: 'admin', technicienId: null, clientId: null } as const;
const ADMIN_SCOPE = interventionScope(ADMIN);
const interventions = new InterventionsRepository(db);

const app = Fastify({ logger: false });
const now = () => new Date().toISOString();

app.get('/api/v1/health', async () => ({ status: 'ok', timestamp: now(), service }));

app.get('/api/v1/health/ready', async (_request, reply) => {
  let database: 'healthy' | 'unhealthy' = 'healthy';
  try {
    await pool.query('SELECT 1');
  } catch {
    database = 'unhealthy';
  }
  const ready = database === 'healthy';
  return reply.code(ready ? 200 : 503).send({
    status: ready ? 'ready' : 'not_ready',
    timestamp: now(),
    service,
    checks: { database, redis: 'not_configured', migrations: 'healthy' },
  });
});

interface ListQuery {
  limit?: string;
  offset?: string;
  statut?: string | string[];
  sort?: string;
}

// Same SQL as GET /interventions/ (InterventionsService.list): the count and the page in parallel.
app.get('/api/v1/interventions/', async (request, reply) => {
  const query = request.query as ListQuery;
  const statuts = [query.statut ?? []].flat().flatMap((value) => value.split(',')).filter((value) => value !== '') as StatutIntervention[];
  const filters: InterventionFilters = statuts.length > 0 ? { statuts } : {};
  const page = { limit: Number(query.limit ?? 500), offset: Number(query.offset ?? 0), sort: parseSort(query.sort, INTERVENTION_SORT) };
  const now = new Date();
  const { rows, total } = mapPage(await interventions.page(ADMIN_SCOPE, filters, now, page), (row) => toInterventionOut(row, now, ADMIN.role));
  reply.header('X-Total-Count', String(total));
  return rows;
});

app.get('/api/v1/interventions/:id', async (request, reply) => {
  const row = await interventions.findOut(Number((request.params as { id: string }).id));
  if (!row) return reply.code(404).send({ detail: 'not found' });
  return toInterventionOut(row, new Date(), ADMIN.role);
});

const dashboard = new DashboardService({ store: createStore(db, (x) => ({ dashboard: new DashboardRepository(x) })), clock: systemClock, timeZone });
app.get('/api/v1/dashboard/stats', async () => dashboard.stats({ role: 'admin', clientId: null, technicienId: null }));

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await app.close();
    await db.destroy();
  } finally {
    process.exit(0);
  }
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void close());

try {
  await app.listen({ host, port });
} catch (error) {
  process.stderr.write(`bare server: ${error instanceof Error ? error.message : String(error)}\n`);
  await pool.end().catch(() => undefined);
  process.exit(1);
}
