/**
 * The generated first admin (docs/operations.md §4): in development, with no user and no
 * ADMIN_PASSWORD, a real server process creates `admin` with a random password shown once on the
 * terminal and written to DATA_DIR/first-admin-password.txt (0600), never to the logs; the password
 * opens a session that can only change it; the file goes at the next start once it is changed.
 * Concurrent first starts create one admin.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { createServices } from '../../../src/container.js';
import { createStore } from '../../../src/db/store.js';
import { systemClock } from '../../../src/lib/clock.js';
import { AuditRepository } from '../../../src/modules/audit/repository.js';
import { argon2Hasher } from '../../../src/modules/auth/password-hash.js';
import { PASSWORD_CHANGE_REQUIRED } from '../../../src/modules/auth/authenticator.js';
import { PasswordService } from '../../../src/modules/auth/password-service.js';
import { FirstAdminService, GENERATED_ADMIN_EMAIL } from '../../../src/modules/users/bootstrap.js';
import { firstAdminPasswordPath } from '../../../src/modules/users/first-admin-file.js';
import { UsersRepository } from '../../../src/modules/users/repository.js';
import { makeTempDir, testConfig, useScratch } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/database.js';
import { startServerProcess } from '../../helpers/server-process.js';

const scratch = useScratch();

async function post(url: string, body: Record<string, string>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function get(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

test('development, no user, no ADMIN_*: the server creates admin with a password shown once, usable only to change it', async () => {
  const env = { ENVIRONMENT: 'development', DATABASE_URL: scratch.database.connectionString, DATA_DIR: scratch.dataDir, LOG_FILE: 'logs/app.log' };
  const server = await startServerProcess(env);
  let password: string;
  try {
    const { stdout, stderr } = server.output();
    const shown = /mot de passe provisoire : (\S+)/.exec(stderr);
    assert.ok(shown, `banner on stderr:\n${stderr}`);
    password = shown[1]!;
    assert.match(stderr, /Premier administrateur créé/);
    assert.match(stderr, new RegExp(`e-mail +: ${GENERATED_ADMIN_EMAIL}`));
    assert.ok(!stdout.includes(password), 'not in the log lines on stdout');

    const file = firstAdminPasswordPath(scratch.dataDir);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.match(await fs.readFile(file, 'utf8'), new RegExp(`mot_de_passe=${password.replace(/-/g, '\\-')}\\n`));
    const logDir = path.join(scratch.dataDir, 'logs');
    const logs = await Promise.all((await fs.readdir(logDir)).map((name) => fs.readFile(path.join(logDir, name), 'utf8')));
    assert.match(logs.join(''), /mot de passe provisoire/, 'the creation is logged to LOG_FILE');
    assert.ok(!logs.join('').includes(password), 'the password never reaches LOG_FILE');

    const login = await post(`${server.baseUrl}/auth/login`, { username: 'admin', password });
    assert.equal(login.status, 200);
    const token = login.body.access_token as string;
    const refused = await get(`${server.baseUrl}/users/`, token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.message, PASSWORD_CHANGE_REQUIRED);
    assert.equal((await get(`${server.baseUrl}/auth/me`, token)).status, 200, '/auth/me stays open');

    const changed = await post(`${server.baseUrl}/auth/change-password`, { current_password: password, new_password: 'Bureau#Choisi-2026' }, token);
    assert.equal(changed.status, 200);
    assert.equal((await get(`${server.baseUrl}/users/`, changed.body.access_token as string)).status, 200, 'everything open once changed');
  } finally {
    assert.equal(await server.stop(), 0);
  }

  const again = await startServerProcess(env);
  try {
    await assert.rejects(fs.access(firstAdminPasswordPath(scratch.dataDir)), 'file removed once the password changed');
    assert.doesNotMatch(again.output().stderr, /mot de passe provisoire/, 'shown once');
  } finally {
    await again.stop();
  }
  const users = await scratch.database.db.selectFrom('users').select(['username', 'email', 'role', 'must_change_password']).execute();
  assert.deepEqual(users, [{ username: 'admin', email: GENERATED_ADMIN_EMAIL, role: 'admin', must_change_password: false }]);
});

test('concurrent first starts generate one admin, announced once; its file stays until the password changes', async () => {
  const other = await createTestDatabase();
  const otherDir = await makeTempDir();
  try {
    const config = testConfig({ DATABASE_URL: other.connectionString, DATA_DIR: otherDir });
    const logger = pino({ level: 'silent' });
    const { audit } = createServices({ config, db: other.db, clock: systemClock, hasher: argon2Hasher, logger });
    const banners: string[] = [];
    // Two nodes: each its own service, both on one scratch.database (the advisory lock decides).
    const node = () =>
      new FirstAdminService({
        store: createStore(other.db, (x) => ({ users: new UsersRepository(x), audit: new AuditRepository(x) })),
        passwords: new PasswordService({ audit, hasher: argon2Hasher, minLength: config.auth.passwordMinLength }),
        clock: systemClock,
        admin: config.admin,
        logger,
        generated: { dataDir: otherDir, announce: (banner) => banners.push(banner) },
      });
    await Promise.all([node().ensure(), node().ensure()]);
    const users = await other.db.selectFrom('users').select(['username', 'must_change_password']).execute();
    assert.deepEqual(users, [{ username: 'admin', must_change_password: true }]);
    assert.equal(banners.length, 1);

    await node().ensure();
    assert.equal(banners.length, 1, 'a later start announces nothing');
    assert.equal((await fs.stat(firstAdminPasswordPath(otherDir))).mode & 0o777, 0o600, 'file kept while the password is unchanged');
  } finally {
    await other.drop();
    await fs.rm(otherDir, { recursive: true, force: true });
  }
});
