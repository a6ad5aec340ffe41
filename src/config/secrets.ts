/**
 * Development and test keys (docs/security.md §11): when SECRET_KEY or FILES_ENC_KEY is missing outside
 * production, a key is generated once and kept in DATA_DIR, so that sessions and uploaded files
 * survive a restart. Production never generates anything: there a missing key is a config error.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateFilesKey, generateSecretKey } from './keys.js';

type EnvVars = Record<string, string | undefined>;

interface KeySpec {
  variable: 'SECRET_KEY' | 'FILES_ENC_KEY';
  file: string;
  generate: () => string;
}

const KEYS: readonly KeySpec[] = [
  { variable: 'SECRET_KEY', file: 'secret.key', generate: generateSecretKey },
  { variable: 'FILES_ENC_KEY', file: 'files.key', generate: generateFilesKey },
];

/** How long a reader waits for a racing process that created the file but has not written it yet. */
const READ_RETRIES = 40;
const READ_RETRY_DELAY_MS = 25;

/**
 * Outside production, fills in a missing SECRET_KEY / FILES_ENC_KEY from `<dataDir>/secret.key` /
 * `<dataDir>/files.key`, creating the file (mode 0600, exclusive create) the first time.
 * Returns a copy of `env`; the input is not modified. An unknown ENVIRONMENT is left to `loadConfig`
 * to report, so nothing is written for it.
 */
export async function ensureDevelopmentSecrets(
  env: EnvVars,
  options: { dataDir: string },
): Promise<{ env: EnvVars; warnings: string[] }> {
  const result: EnvVars = { ...env };
  const warnings: string[] = [];
  const environment = (env.ENVIRONMENT ?? '').trim().toLowerCase() || 'development';
  if (environment !== 'development' && environment !== 'test') return { env: result, warnings };

  const missing = KEYS.filter((key) => (env[key.variable] ?? '').trim() === '');
  if (missing.length === 0) return { env: result, warnings };

  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  for (const key of missing) {
    const file = path.join(options.dataDir, key.file);
    const { value, created } = await readOrCreateKeyFile(file, key.generate);
    result[key.variable] = value;
    if (created) {
      warnings.push(`${key.variable} is not set: generated a development key and kept it in ${file} (never use this in production)`);
    } else if (await isGroupOrWorldAccessible(file)) {
      warnings.push(`${key.variable}: ${file} is readable by other users; restrict it with chmod 600`);
    }
  }
  return { env: result, warnings };
}

async function readOrCreateKeyFile(file: string, generate: () => string): Promise<{ value: string; created: boolean }> {
  const value = generate();
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: await readKeyFile(file), created: false };
  }
  try {
    await handle.chmod(0o600); // whatever the umask
    await handle.writeFile(`${value}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { value, created: true };
}

/** Reads an existing key file; waits briefly when it is still empty (another process just created it). */
async function readKeyFile(file: string): Promise<string> {
  for (let attempt = 0; attempt < READ_RETRIES; attempt += 1) {
    const value = (await fs.readFile(file, 'utf8')).trim();
    if (value !== '') return value;
    await new Promise((resolve) => setTimeout(resolve, READ_RETRY_DELAY_MS));
  }
  throw new Error(`${file} is empty; delete it so that a new key is generated`);
}

async function isGroupOrWorldAccessible(file: string): Promise<boolean> {
  if (process.platform === 'win32') return false;
  const stat = await fs.stat(file);
  return (stat.mode & 0o077) !== 0;
}
