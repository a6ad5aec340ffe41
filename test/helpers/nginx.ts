/**
 * Debian's nginx running the shipped site file (deploy/nginx/mif-erp.conf + security.conf) in a
 * private prefix: only the listen addresses, the certificate, the include path and the upstream
 * servers are replaced, each replacement required to match exactly once so that a change of the
 * shipped files breaks the test instead of silently testing something else.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../src/db/embedded.js';

export const NGINX_BIN = '/usr/sbin/nginx';
const deployDir = path.resolve(import.meta.dirname, '../../deploy/nginx');

export function hasNginx(): boolean {
  return existsSync(NGINX_BIN);
}

export interface Nginx {
  /** https://127.0.0.1:port, the public TLS listener. */
  publicUrl: string;
  /** http://127.0.0.1:port, the plain listener that redirects to HTTPS. */
  redirectUrl: string;
  /** http://127.0.0.1:port, the internal listener (metrics, detailed health). */
  internalUrl: string;
  configDir: string;
  /** `nginx -t` on the configuration: its exit status and output. */
  checkConfig(): { status: number | null; output: string };
  stop(): Promise<void>;
}

function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  const count = typeof search === 'string' ? text.split(search).length - 1 : [...text.matchAll(new RegExp(search.source, `${search.flags}g`))].length;
  if (count !== 1) throw new Error(`deploy/nginx/mif-erp.conf: expected one ${String(search)}, found ${count}`);
  return text.replace(search, replacement);
}

async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  return { cert, key };
}

export async function startNginx(upstreamPorts: number[]): Promise<Nginx> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mif-erp-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await fs.mkdir(path.join(dir, sub), { mode: 0o777 });
  const { cert, key } = await selfSignedCertificate(dir);
  const [publicPort, redirectPort, internalPort] = [await findFreePort(), await findFreePort(), await findFreePort()];

  let site = await fs.readFile(path.join(deployDir, 'mif-erp.conf'), 'utf8');
  site = replaceOnce(site, 'include /etc/nginx/snippets/mif-erp-security.conf;', `include ${path.join(deployDir, 'security.conf')};`);
  site = replaceOnce(site, /^ {4}listen 80;$/m, `    listen 127.0.0.1:${redirectPort};`);
  site = replaceOnce(site, /^ {4}listen \[::\]:80;\n/m, '');
  site = replaceOnce(site, /^ {4}listen 443 ssl http2;$/m, `    listen 127.0.0.1:${publicPort} ssl http2;`);
  site = replaceOnce(site, /^ {4}listen \[::\]:443 ssl http2;\n/m, '');
  site = replaceOnce(site, /^ {4}listen 127\.0\.0\.1:8081;$/m, `    listen 127.0.0.1:${internalPort};`);
  site = replaceOnce(site, /ssl_certificate \S+;/, `ssl_certificate ${cert};`);
  site = replaceOnce(site, /ssl_certificate_key \S+;/, `ssl_certificate_key ${key};`);
  site = replaceOnce(
    site,
    /^ {4}server 127\.0\.0\.1:8000 (.*);$/m,
    upstreamPorts.map((port) => `    server 127.0.0.1:${port} $1;`).join('\n'),
  );
  await fs.writeFile(path.join(dir, 'mif-erp.conf'), site);
  const runsAsRoot = os.userInfo().uid === 0;
  await fs.writeFile(
    path.join(dir, 'nginx.conf'),
    [
      runsAsRoot ? 'user root;' : '',
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 512; }',
      'http {',
      '  access_log off;',
      '  default_type application/octet-stream;',
      ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((sub) => `  ${sub === 'body' ? 'client_body' : sub}_temp_path ${dir}/${sub};`),
      `  include ${dir}/mif-erp.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  const checkConfig = () => {
    const run = spawnSync(NGINX_BIN, [...args, '-t'], { encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };
  const check = checkConfig();
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.output}`);

  const child: ChildProcess = spawn(NGINX_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const publicUrl = `https://127.0.0.1:${publicPort}`;
  const deadline = Date.now() + 10_000;
  while (!(await request(`${publicUrl}/.env`).then(() => true, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    publicUrl,
    redirectUrl: `http://127.0.0.1:${redirectPort}`,
    internalUrl: `http://127.0.0.1:${internalPort}`,
    configDir: dir,
    checkConfig,
    async stop() {
      child.kill('SIGQUIT');
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The client's source address (loopback aliases 127.x.y.z), so that per-IP limits are per test. */
  localAddress?: string;
}

/** One HTTP(S) request on its own connection; the self-signed test certificate is accepted. */
export function request(url: string, options: RequestOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: options.method ?? 'GET',
        headers: { connection: 'close', ...options.headers },
        localAddress: options.localAddress,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
