import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useScratch } from '../helpers/app.js';
import { runScript } from '../helpers/cli.js';

const scratch = useScratch();

function userCreate(args: string[], stdin: string) {
  return runScript('user-create.ts', args, { databaseUrl: scratch.database.connectionString, dataDir: scratch.dataDir, stdin });
}

const base = ['--role', 'responsable', '--email', 'Resp@Exemple.test', '--username', 'resp', '--full-name', 'Rachid Resp', '--password-stdin'];

test('user:create reads the password from stdin, hashes it and exits 0', async () => {
  const result = await userCreate(base, 'Gestion#Pass-2026\n');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Utilisateur créé \(id \d+, rôle responsable\)/);
  const user = await scratch.database.db.selectFrom('users').selectAll().where('username', '=', 'resp').executeTakeFirstOrThrow();
  assert.equal(user.email, 'resp@exemple.test');
  assert.equal(user.role, 'responsable');
  assert.match(user.hashed_password, /^\$argon2id\$/);
  assert.ok(!result.stdout.includes('Gestion#Pass-2026') && !result.stderr.includes('Gestion#Pass-2026'), 'password never echoed');
});

test('user:create exits 2 on a duplicate e-mail (case-insensitive) and 1 on invalid input', async () => {
  const duplicate = await userCreate(['--role', 'admin', '--email', 'RESP@exemple.test', '--username', 'other', '--full-name', 'X', '--password-stdin'], 'Other#Pass-2026');
  assert.equal(duplicate.code, 2);
  assert.match(duplicate.stderr, /Email déjà utilisé\./);

  const invalid = await userCreate(['--role', 'chef', '--email', 'not-an-email', '--username', 'x2', '--full-name', 'X', '--password-stdin'], 'Other#Pass-2026');
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /Rôle invalide/);
  assert.match(invalid.stderr, /Adresse e-mail invalide/);

  const count = await scratch.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 1);
});
