/**
 * npm run keys:generate, run as the operator runs it: three `NAME=value` lines whose values have the
 * formats the configuration expects, fresh on every run, and accepted by the production rules.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';
import { makeTempDir } from '../helpers/app.js';
import { runScript } from '../helpers/cli.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const NAMES = ['SECRET_KEY', 'FILES_ENC_KEY', 'METRICS_TOKEN'];

let dataDir: string;
before(async () => {
  dataDir = await makeTempDir();
});
after(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** The script reads no configuration: the database URL is never used. */
async function generate(): Promise<Record<string, string>> {
  const result = await runScript('keys-generate.ts', [], { databaseUrl: 'postgres://unused.invalid/none', dataDir });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.map((line) => line.slice(0, line.indexOf('='))), NAMES, result.stdout);
  for (const line of lines) assert.match(line, /^[A-Z_]+=[A-Za-z0-9_-]+$/, 'no quoting needed in a .env file');
  return parseDotenv(result.stdout);
}

test('keys:generate prints a SECRET_KEY, a FILES_ENC_KEY and a METRICS_TOKEN of the expected formats, fresh each run', async () => {
  const [first, second] = [await generate(), await generate()];
  for (const keys of [first, second]) {
    const secretKey = keys.SECRET_KEY ?? '';
    assert.ok(Buffer.byteLength(secretKey) >= 32, 'SECRET_KEY: at least 32 bytes');
    assert.ok(new Set(secretKey).size >= 10, 'SECRET_KEY: at least 10 distinct characters');
    assert.match(keys.FILES_ENC_KEY ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(keys.FILES_ENC_KEY ?? '', 'base64url').length, 32, 'FILES_ENC_KEY: base64url of 32 bytes');
    assert.ok((keys.METRICS_TOKEN ?? '').length >= 24, 'METRICS_TOKEN: at least 24 characters');
  }
  for (const name of NAMES) assert.notEqual(first[name], second[name], `${name} differs between two runs`);
  assert.deepEqual(await fs.readdir(dataDir), [], 'nothing is written');
});

test('loadConfig with ENVIRONMENT=production accepts the generated values', async () => {
  const keys = await generate();
  const { config, warnings } = loadConfig(
    {
      ENVIRONMENT: 'production',
      CORS_ALLOW_ORIGINS: 'https://erp.mif.example',
      DATABASE_URL: 'postgres://mif_erp:Str0ng-Db-Passw0rd@db.internal:5432/mif_erp?sslmode=require',
      ...keys,
    },
    { cwd: repoRoot, passwordPolicy: checkPassword },
  );
  assert.deepEqual(warnings, []);
  assert.equal(config.auth.secretKey, keys.SECRET_KEY);
  assert.equal(config.files.encKey, keys.FILES_ENC_KEY);
  assert.equal(config.metricsToken, keys.METRICS_TOKEN);
});

test('the .env.example keys are refused with a message naming keys:generate, which is registered', () => {
  const example = parseDotenv(readFileSync(path.join(repoRoot, '.env.example'), 'utf8'));
  let problems: string[] = [];
  try {
    loadConfig({ ...example, ENVIRONMENT: 'production' }, { cwd: repoRoot, passwordPolicy: checkPassword });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    problems = error.problems;
  }
  const named = problems.filter((problem) => problem.includes('npm run keys:generate')).map((problem) => problem.slice(0, problem.indexOf(':')));
  assert.deepEqual(named, ['SECRET_KEY', 'FILES_ENC_KEY']);
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(manifest.scripts['keys:generate'], 'tsx scripts/keys-generate.ts');
});
