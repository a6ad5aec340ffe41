/**
 * `.env.example` and docs/configuration.md are generated from the variable table
 * (src/config/variables.ts) by `npm run config:docs`: the checked-in files must be up to date, and
 * the generated text must list every variable with its secrecy and reservation.
 * Run: node --import tsx --test test/config/docs.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { renderConfigurationDoc, renderEnvExample } from '../../src/config/docs.js';
import { loadConfig } from '../../src/config/index.js';
import { CONFIG_VARIABLES, VARIABLES, type Variable } from '../../src/config/variables.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const SPECS = Object.entries(VARIABLES) as [string, Variable][];
/** `# NAME=value` lines become assignments, as the placeholder check of the configuration reads them. */
const uncomment = (text: string): string => text.replace(/^#[ \t]*(?=[A-Z][A-Z0-9_]*=)/gm, '');

describe('generated files are up to date (npm run config:docs)', () => {
  test('.env.example is what the script generates', () => {
    assert.equal(read('.env.example'), renderEnvExample(), '.env.example is stale: run npm run config:docs');
  });

  test('docs/configuration.md is what the script generates', () => {
    assert.equal(read('docs/configuration.md'), renderConfigurationDoc(), 'docs/configuration.md is stale: run npm run config:docs');
  });

  test('package.json registers the generator', () => {
    const manifest = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.equal(manifest.scripts['config:docs'], 'tsx scripts/config-docs.ts');
  });
});

describe('.env.example', () => {
  const example = renderEnvExample();

  test('assigns every variable exactly once, in table order, and nothing else', () => {
    const assigned = uncomment(example).match(/^[A-Z][A-Z0-9_]*(?==)/gm) ?? [];
    assert.deepEqual(assigned, [...CONFIG_VARIABLES]);
  });

  test('only the variables marked active are set; SECRET_KEY and FILES_ENC_KEY hold placeholders', () => {
    const active = parseDotenv(example);
    assert.deepEqual(Object.keys(active), SPECS.filter(([, spec]) => spec.active).map(([name]) => name));
    assert.deepEqual(Object.keys(active).sort(), ['ENVIRONMENT', 'FILES_ENC_KEY', 'SECRET_KEY']);
  });

  test('copied to .env, with or without its commented lines, it loads in development', () => {
    for (const env of [parseDotenv(example), parseDotenv(uncomment(example))]) {
      const { warnings } = loadConfig(env, { cwd: REPO_ROOT, passwordPolicy: checkPassword });
      assert.ok(warnings.some((warning) => warning.startsWith('SECRET_KEY: a placeholder')), 'the placeholder is recognised');
    }
  });

  test('marks secret and reserved variables in their comment', () => {
    const comments = new Map<string, string[]>();
    let pending: string[] = [];
    for (const line of example.split('\n')) {
      const name = /^(?:# )?([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
      if (name !== undefined) comments.set(name, pending);
      pending = name === undefined && line.startsWith('# ') && !line.startsWith('# ---') ? [...pending, line] : [];
    }
    for (const [name, spec] of SPECS) {
      const [first = '', ...rest] = comments.get(name) ?? [];
      assert.ok(first.startsWith(`# ${spec.description} (`), `${name}: ${first}`);
      assert.equal(first.endsWith('; secret).'), spec.secret === true, `${name} secret marking`);
      assert.deepEqual(rest, spec.reserved === undefined ? [] : [`# Reserved, not read yet (${spec.reserved}): parsed and validated only.`], `${name} reserved marking`);
    }
  });
});

describe('docs/configuration.md', () => {
  const doc = renderConfigurationDoc();
  const rows = new Map(
    doc
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => {
        const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
        return [cells[0]!.replaceAll('`', ''), cells] as const;
      }),
  );

  test('has one row per variable', () => {
    assert.deepEqual([...rows.keys()], [...CONFIG_VARIABLES]);
  });

  test('each row shows the type, default, secrecy and reservation of its variable', () => {
    for (const [name, spec] of SPECS) {
      const [, type, defaultCell, description, secret, reserved] = rows.get(name)!;
      assert.equal(type, spec.parser.type.replaceAll('|', '\\|'), name);
      const fallback = spec.parser.fallback;
      assert.equal(defaultCell, spec.defaultText ?? (fallback === null ? 'unset' : `\`${String(fallback)}\``), name);
      assert.ok(description!.startsWith(spec.description), name);
      assert.equal(secret, spec.secret ? 'yes' : '', name);
      assert.equal(reserved, spec.reserved === undefined ? '' : `reserved, not read yet (${spec.reserved})`, name);
    }
  });

  test('production ranges are documented', () => {
    assert.match(rows.get('ACCESS_TOKEN_EXPIRE_MINUTES')![3]!, /5 to 60 in production/);
    assert.match(rows.get('PASSWORD_MIN_LENGTH')![3]!, /at least 8 in production/);
  });
});

describe('variable table', () => {
  test('descriptions are one line, without a final period (the generators add punctuation)', () => {
    for (const [name, spec] of SPECS) {
      assert.ok(spec.description.length > 0 && !/[\n.]$/.test(spec.description) && !spec.description.includes('\n'), name);
    }
  });

  test('production ranges are declared on integer variables only', () => {
    const ranged = SPECS.filter(([, spec]) => spec.production !== undefined);
    assert.deepEqual(ranged.map(([name]) => name), [
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      'REFRESH_TOKEN_EXPIRE_DAYS',
      'PASSWORD_MIN_LENGTH',
      'BRUTE_FORCE_MAX_FAILURES',
      'BRUTE_FORCE_IP_MAX_FAILURES',
      'BRUTE_FORCE_WINDOW_MINUTES',
      'BRUTE_FORCE_LOCK_MINUTES',
      'UPLOAD_MAX_MB',
    ]);
    for (const [name, spec] of ranged) assert.ok(spec.parser.type.startsWith('integer'), name);
  });
});
