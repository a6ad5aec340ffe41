/**
 * `src/server.ts` as a real child process (what `npm start` runs), for what only a process shows:
 * its exit code, its signals, its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findFreePort } from '../../src/db/embedded.js';
import { TEST_FILES_ENC_KEY, TEST_SECRET_KEY } from './app.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      ENVIRONMENT: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      SECRET_KEY: TEST_SECRET_KEY,
      FILES_ENC_KEY: TEST_FILES_ENC_KEY,
      LOG_LEVEL: 'info',
      ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${output}`);
    const live = await fetch(`${baseUrl}/live`).then((response) => response.status, () => 0);
    if (live === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not live after ${timeoutMs} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, baseUrl, output: () => output, exited };
}
