/**
 * Runs an operator script (`scripts/<name>.ts`, or a `.sh` through bash) as the operator would: a child process with a test
 * configuration pointing at a test database.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_FILES_ENC_KEY, TEST_SECRET_KEY } from './app.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(
  script: string,
  args: string[],
  /** Without `databaseUrl`, the script runs in embedded mode on `dataDir`'s cluster. */
  options: { databaseUrl?: string; dataDir: string; env?: Record<string, string>; stdin?: string },
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const command = script.endsWith('.sh') ? ['bash', `scripts/${script}`] : [process.execPath, '--import', 'tsx', `scripts/${script}`];
    const child = spawn(command[0]!, [...command.slice(1), ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        ENVIRONMENT: 'test',
        ...(options.databaseUrl === undefined ? {} : { DATABASE_URL: options.databaseUrl }),
        DATA_DIR: options.dataDir,
        SECRET_KEY: TEST_SECRET_KEY,
        FILES_ENC_KEY: TEST_FILES_ENC_KEY,
        // Under `npm run test:coverage`, c8 collects the script's coverage too.
        ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}),
        ...options.env,
      },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}
