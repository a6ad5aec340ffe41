import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../../src/app.js';
import { openRuntime } from '../../../src/runtime.js';
import { testConfig, useScratch } from '../../helpers/app.js';

const silent = pino({ level: 'silent' });
const scratch = useScratch();

test('ADMIN_* creates exactly one admin even when two nodes start together, then is ignored', async () => {
  const env = {
    DATABASE_URL: scratch.database.connectionString,
    DATA_DIR: scratch.dataDir,
    ADMIN_EMAIL: 'Chef@MIF-Maroc.com',
    ADMIN_PASSWORD: 'Bootstrap#2026x',
    ADMIN_USERNAME: 'chef',
  };
  // Both runtimes start at once, so their first-admin bootstraps race.
  const runtimes = await Promise.all([openRuntime(testConfig(env), { logger: silent }), openRuntime(testConfig(env), { logger: silent })]);
  const [a, b] = await Promise.all([buildApp(runtimes[0]!), buildApp(runtimes[1]!)]);
  await Promise.all([a.close(), b.close()]);

  const users = await scratch.database.db.selectFrom('users').selectAll().execute();
  assert.equal(users.length, 1);
  const admin = users[0]!;
  assert.equal(admin.role, 'admin');
  assert.equal(admin.email, 'chef@mif-maroc.com', 'stored lower-case');
  assert.equal(admin.username, 'chef');
  assert.equal(admin.full_name, 'Administrateur');
  assert.match(admin.hashed_password, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

  const audit = await scratch.database.db.selectFrom('audit_events').selectAll().where('event_type', '=', 'system.bootstrap_admin').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.outcome, 'success');
  assert.equal(audit[0]!.resource_id, String(admin.id));

  const again = await buildApp(await openRuntime(testConfig({ ...env, ADMIN_EMAIL: 'other@mif-maroc.com', ADMIN_USERNAME: 'other' }), { logger: silent }));
  await again.close();
  const count = await scratch.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 1, 'ADMIN_* ignored once a user exists');
});
