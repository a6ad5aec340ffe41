/**
 * Shared plumbing of the operator commands: configuration, database, password input, exit codes
 * (0 success, 1 validation error, 2 conflict).
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError, loadConfigFromEnvironment } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { createKysely, createPool, openDatabase, type DatabaseRuntime } from '../../src/db/database.js';
import { findRunningEmbedded } from '../../src/db/embedded-attach.js';
import { AppError } from '../../src/lib/errors.js';
import { checkPassword } from '../../src/modules/auth/password-policy.js';

export const EXIT_VALIDATION = 1;
export const EXIT_CONFLICT = 2;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_VALIDATION) {
    super(message);
  }
}

export const cliLogger = pino({ level: 'warn' }, pino.destination(2));

export async function loadCliConfig(): Promise<AppConfig> {
  try {
    const { config } = await loadConfigFromEnvironment({ cwd: process.cwd(), passwordPolicy: checkPassword });
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`Configuration refusée :\n${error.problems.join('\n')}`);
    throw error;
  }
}

/** Long enough for an app's first start (initdb, then the server's start-up) on a slow machine. */
const RUNNING_SERVER_WAIT_MS = 30_000;

/**
 * The database of the configuration. In embedded mode, the server of the running app when there is
 * one (docs/operations.md §1); otherwise the command starts the embedded server and stops it at the end.
 */
async function openCliDatabase(config: AppConfig): Promise<DatabaseRuntime> {
  if (config.database.external) return openDatabase(config, cliLogger);
  const running = await findRunningEmbedded({
    dataDir: config.dataDir,
    clusterDir: config.database.embeddedDataDir,
    connectTimeoutMs: config.database.connectTimeoutMs,
    waitMs: RUNNING_SERVER_WAIT_MS,
  });
  if (!running) return openDatabase(config, cliLogger);
  process.stderr.write(`PostgreSQL embarqué déjà démarré (processus ${running.ownerPid}, port ${running.port}) : connexion à ce serveur.\n`);
  const pool = createPool(running.connectionString, config.database, cliLogger);
  const db = createKysely(pool);
  return { db, pool, embedded: null, close: () => db.destroy() };
}

export async function withDatabase<T>(config: AppConfig, work: (runtime: DatabaseRuntime) => Promise<T>): Promise<T> {
  const runtime = await openCliDatabase(config);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Reads the whole of stdin (for `--password-stdin`), without the final newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal without echoing it. */
export async function promptPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('Pas de terminal : utilisez --password-stdin');
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => rl.question(question, resolve));
    muted = true;
    const password = await answer;
    process.stderr.write('\n');
    return password;
  } finally {
    rl.close();
  }
}

/** Runs a command and turns its failures into the documented exit codes. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof CliError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(error.exitCode);
      }
      if (error instanceof AppError) {
        const details = Array.isArray(error.details) ? error.details.map((d: { loc?: unknown[]; msg?: string } | string) => (typeof d === 'string' ? d : `${(d.loc ?? []).slice(1).join('.')} : ${d.msg}`)) : [];
        process.stderr.write([error.message, ...details].join('\n') + '\n');
        process.exit(error.status === 409 ? EXIT_CONFLICT : EXIT_VALIDATION);
      }
      process.stderr.write(`Erreur : ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT_VALIDATION);
    },
  );
}
