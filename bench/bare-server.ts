/**
 * The baseline of `npm run bench` (operations.md §15): plain Fastify 5 and one `pg` pool serving
 * the benchmarked endpoints with the same SQL and the same JSON bodies as the app, and nothing
 * else: no plugins, no hooks, no validation, no response schemas, no auth, no logging.
 *
 *   node --import tsx bench/bare-server.ts --port 8001 --database-url postgres://…
 *
 * Arguments win over the environment (PORT, DATABASE_URL, DB_POOL_MAX, PROJECT_NAME).
 * Endpoints added to bench/run.ts must be added here too.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'database-url': { type: 'string' },
    'pool-max': { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.PORT ?? 8001);
const host = values.host ?? '127.0.0.1';
const connectionString = values['database-url'] ?? process.env.DATABASE_URL;
const poolMax = Number(values['pool-max'] ?? process.env.DB_POOL_MAX ?? 10);
// The app's default PROJECT_NAME, so that both servers send bodies of the same size.
const service = process.env.PROJECT_NAME ?? 'ERP Interventions';

if (!connectionString || !Number.isInteger(port) || !Number.isInteger(poolMax) || poolMax < 1) {
  process.stderr.write('usage: bare-server.ts --port <port> --database-url <postgres://…> [--pool-max <n>]\n');
  process.exit(2);
}

// Same pool settings as src/db/database.ts createPool (the session options cost nothing per request).
const pool = new pg.Pool({
  connectionString,
  max: poolMax,
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30_000,
  options: '-c statement_timeout=15000 -c TimeZone=UTC',
});
pool.on('error', () => {
  // an idle client lost its server: the pool replaces it
});

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

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await app.close();
    await pool.end();
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
