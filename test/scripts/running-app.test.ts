/**
 * Operator commands next to a running app (docs/operations.md §1, §3): the app runs on an embedded
 * cluster in a temporary DATA_DIR; seed:demo, user:create and migrate run as child processes on the
 * same DATA_DIR, connect to the app's server and exit 0, and what they write is served by the app.
 * Once the app has stopped, a command starts the server itself and stops it at the end.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/app.js';
import { clusterLockPath } from '../../src/db/embedded.js';
import { isProcessAlive } from '../../src/db/embedded-supervisor.js';
import { openRuntime } from '../../src/runtime.js';
import { makeTempDir, testConfig } from '../helpers/app.js';
import { runScript } from '../helpers/cli.js';

const ADMIN = { username: 'admin', email: 'chef@exemple.test', password: 'Bureau#Atelier-2026' };
const ATTACHED = /PostgreSQL embarqué déjà démarré \(processus \d+, port \d+\)/;

let dataDir: string;
let app: App | null = null;
let baseUrl: string;

function config() {
  return testConfig({ DATA_DIR: dataDir, DATABASE_URL: undefined, ADMIN_USERNAME: ADMIN.username, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
}

async function startApp(): Promise<App> {
  const started = await buildApp(await openRuntime(config(), { logger: pino({ level: 'silent' }) }));
  await started.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(started.server.address() as AddressInfo).port}/api/v1`;
  return started;
}

/** The status of a login through the app's HTTP listener. */
async function loginStatus(username: string, password: string): Promise<number> {
  const response = await fetch(`${baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return response.status;
}

before(async () => {
  dataDir = await makeTempDir();
  app = await startApp();
});
after(async () => {
  await app?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('seed:demo while the app runs: exit 0 on the app’s server, the ADMIN_* admin kept as the demo admin', async () => {
  const result = await runScript('seed-demo.ts', [], { dataDir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, ATTACHED);
  assert.match(result.stdout, /chef@exemple\.test \/ admin — son propre mot de passe \(ADMIN_PASSWORD.*\[administrateur existant conservé à la place de admin@mif-maroc\.com\]/);
  assert.doesNotMatch(result.stdout, /ChefPass123!/, 'the demo admin password is not offered for an account that does not have it');

  assert.equal(await loginStatus(ADMIN.username, ADMIN.password), 200, 'ADMIN_* login unchanged');
  assert.equal(await loginStatus('responsable', 'RespPass123!'), 200);
  assert.equal(await loginStatus('ahmed', 'TechPass123!'), 200);
  assert.equal(await loginStatus('contact.abc', 'ClientPass123!'), 200);
  const admins = await app!.database.db.selectFrom('users').select('email').where('role', '=', 'admin').execute();
  assert.deepEqual(admins, [{ email: ADMIN.email }], 'no second admin');
  const interventions = await app!.database.db.selectFrom('interventions').select('titre').execute();
  assert.equal(interventions.length, 3);
});

test('user:create while the app runs: exit 0, and the new user logs in through the app', async () => {
  const args = ['--role', 'responsable', '--email', 'nadia@exemple.test', '--username', 'nadia', '--full-name', 'Nadia R', '--password-stdin'];
  const result = await runScript('user-create.ts', args, { dataDir, stdin: 'Planning#Bureau-2026\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, ATTACHED);
  assert.equal(await loginStatus('nadia', 'Planning#Bureau-2026'), 200);
});

test('migrate while the app runs: exit 0 on the app’s server', async () => {
  const result = await runScript('migrate.ts', ['up'], { dataDir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, ATTACHED);
});

test('once the app has stopped, a command starts the embedded server itself and stops it at the end', async () => {
  await app!.close();
  app = null;
  const args = ['--role', 'technicien', '--email', 'omar@exemple.test', '--username', 'omar', '--full-name', 'Omar T', '--password-stdin'];
  const result = await runScript('user-create.ts', args, { dataDir, stdin: 'Atelier#Garage-2026\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, ATTACHED);
  await assert.rejects(fs.access(clusterLockPath(path.join(dataDir, 'postgres'))), 'lock released');
  const postmasterPid = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => null);
  assert.ok(postmasterPid === null || !isProcessAlive(Number.parseInt(postmasterPid, 10)), 'postmaster stopped');

  app = await startApp();
  assert.equal(await loginStatus('omar', 'Atelier#Garage-2026'), 200);
});
