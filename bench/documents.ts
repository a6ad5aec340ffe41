/**
 * `npm run bench:documents` (docs/operations.md §15, issue "Memory and speed"): throughput of the
 * encrypted upload and download of a 20 MB file, next to a bare Node `crypto` AES-256-GCM stream
 * on the same machine (the ceiling: encrypt to a file + fsync, and read + decrypt), and the app's
 * RSS while 10 clients upload 20 MB files at once. The app runs as a child process on a temporary
 * embedded PostgreSQL with the demo data; its RSS is read from /proc.
 *
 *   npm run bench:documents                    3 rounds per measurement, 10 concurrent uploads
 *   npm run bench:documents -- --rounds 1 --clients 4 --size-mb 5   (smoke run)
 *
 * Targets: upload and download ≥ 50 % of the bare stream; RSS growth < 64 MB during the concurrent
 * uploads. Prints a table, writes perf/results/bench-documents-<timestamp>.json, and exits 1 when a
 * target is missed or a transfer fails.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { distinctFreePorts, environmentInfo, formatNumber, formatTable, loadAverage, progress, readNumber, round, rssMb, runBench, seedDemo, startApp, withBenchEnvironment, writeResults } from './lib.js';

interface Settings {
  rounds: number;
  clients: number;
  sizeBytes: number;
}

const USAGE = `usage: npm run bench:documents -- [--rounds <n>] [--clients <n>] [--size-mb <n>]
  --rounds <n>    repetitions of each throughput measurement, the median is kept (default 3)
  --clients <n>   concurrent uploads of the memory measurement (default 10)
  --size-mb <n>   file size in MB of 10^6 bytes (default 20)
`;

function readSettings(argv: string[]): Settings | null {
  const { values } = parseArgs({ args: argv, options: { rounds: { type: 'string' }, clients: { type: 'string' }, 'size-mb': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) return null;
  return {
    rounds: readNumber('--rounds', values.rounds, 3, 1),
    clients: readNumber('--clients', values.clients, 10, 1),
    sizeBytes: readNumber('--size-mb', values['size-mb'], 20, 1) * 1_000_000,
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mbPerSecond = (bytes: number, ms: number): number => bytes / 1_000_000 / (ms / 1000);

/** A PDF-headed file of `size` bytes (random content: nothing for the cipher to profit from). */
function sampleFile(size: number): Buffer {
  const file = randomBytes(size);
  file.write('%PDF-1.7\n', 0, 'latin1');
  return file;
}

/** The ceiling: the same cipher and chunking in a bare Node stream, to a file with fsync, and back. */
async function bareStream(file: Buffer, dir: string): Promise<{ encryptMs: number; decryptMs: number }> {
  const key = randomBytes(32);
  const target = path.join(dir, 'bare.bin');
  const chunks = (data: Buffer) => Readable.from((function* () {
    for (let at = 0; at < data.length; at += 65536) yield data.subarray(at, at + 65536);
  })());
  let started = performance.now();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  await pipeline(chunks(file), cipher, createWriteStream(target));
  const handle = await fs.open(target, 'r+');
  await handle.sync();
  await handle.close();
  const encryptMs = performance.now() - started;
  const tag = cipher.getAuthTag();
  started = performance.now();
  const decipher = createDecipheriv('aes-256-gcm', key, iv).setAuthTag(tag);
  const hash = createHash('sha256');
  await pipeline(createReadStream(target), decipher, new Writable({ write: (chunk, _e, done) => (hash.update(chunk), done()) }));
  const decryptMs = performance.now() - started;
  await fs.rm(target);
  return { encryptMs, decryptMs };
}

function multipartUpload(base: string, token: string, interventionId: number, file: Buffer): Promise<{ ms: number; status: number; body: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}/api/v1/documents/?intervention_id=${interventionId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + file.length + tail.length) },
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.write(head);
    // Sent in 64 KiB writes, as a browser would stream it.
    for (let at = 0; at < file.length; at += 65536) request.write(file.subarray(at, at + 65536));
    request.end(tail);
  });
}

function download(base: string, pathAndQuery: string): Promise<{ ms: number; status: number; sha256: string; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get(base + pathAndQuery, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      response.on('end', () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0, sha256: hash.digest('hex'), bytes }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  return withBenchEnvironment(async (environment) => {
    await seedDemo(environment, 0);
    const [port] = await distinctFreePorts(1);
    const { child, base } = await startApp(environment, { name: 'app', port: port!, poolMax: 10, env: { UPLOAD_MAX_MB: String(Math.ceil(settings.sizeBytes / 1024 / 1024) + 1) } });
    const login = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@mif-maroc.com', password: 'ChefPass123!' }) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const interventionId = 2; // "Réparation joint pompe centrifuge", en_cours in the demo data
    const file = sampleFile(settings.sizeBytes);
    const expected = createHash('sha256').update(file).digest('hex');
    let failures = 0;

    progress(`bare Node crypto stream, ${settings.rounds} round(s)`);
    const bare = [];
    for (let i = 0; i < settings.rounds; i++) bare.push(await bareStream(file, environment.tmp));

    progress(`app upload and download of ${settings.sizeBytes / 1_000_000} MB, ${settings.rounds} round(s)`);
    const uploads: number[] = [];
    const downloads: number[] = [];
    for (let i = 0; i < settings.rounds; i++) {
      const up = await multipartUpload(base, token, interventionId, file);
      if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${up.body.slice(0, 300)}`);
      uploads.push(up.ms);
      const down = await download(base, (JSON.parse(up.body) as { path: string }).path);
      if (down.status !== 200 || down.sha256 !== expected) failures += 1;
      downloads.push(down.ms);
    }

    progress(`RSS while ${settings.clients} clients upload ${settings.sizeBytes / 1_000_000} MB at once`);
    const pid = child.process.pid!;
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 20);
    const concurrentStarted = performance.now();
    const concurrent = await Promise.all(Array.from({ length: settings.clients }, () => multipartUpload(base, token, interventionId, file)));
    const concurrentMs = performance.now() - concurrentStarted;
    clearInterval(sampler);
    failures += concurrent.filter((result) => result.status !== 201).length;

    const bareEncrypt = mbPerSecond(settings.sizeBytes, median(bare.map((b) => b.encryptMs)));
    const bareDecrypt = mbPerSecond(settings.sizeBytes, median(bare.map((b) => b.decryptMs)));
    const upload = mbPerSecond(settings.sizeBytes, median(uploads));
    const downloadRate = mbPerSecond(settings.sizeBytes, median(downloads));
    const results = {
      sizeBytes: settings.sizeBytes,
      rounds: settings.rounds,
      bare: { encryptMBps: round(bareEncrypt, 1), decryptMBps: round(bareDecrypt, 1) },
      app: { uploadMBps: round(upload, 1), downloadMBps: round(downloadRate, 1) },
      ratios: { upload: round(upload / bareEncrypt, 3), download: round(downloadRate / bareDecrypt, 3) },
      concurrentUploads: { clients: settings.clients, seconds: round(concurrentMs / 1000, 2), aggregateMBps: round(mbPerSecond(settings.sizeBytes * settings.clients, concurrentMs), 1), rssBeforeMB: round(rssBefore, 1), rssPeakMB: round(rssPeak, 1), rssGrowthMB: round(rssPeak - rssBefore, 1) },
      failures,
      targets: { ratioMin: 0.5, rssGrowthMaxMB: 64 },
    };
    const met = results.ratios.upload >= 0.5 && results.ratios.download >= 0.5 && results.concurrentUploads.rssGrowthMB < 64 && failures === 0;
    const table = formatTable(
      ['measure', 'bare crypto MB/s', 'app MB/s', 'app/bare'],
      [
        [
          ['upload (encrypt + fsync)', formatNumber(bareEncrypt, 1), formatNumber(upload, 1), formatNumber(results.ratios.upload, 2)],
          ['download (decrypt + verify)', formatNumber(bareDecrypt, 1), formatNumber(downloadRate, 1), formatNumber(results.ratios.download, 2)],
        ],
      ],
      1,
    );
    process.stdout.write(`${table.join('\n')}\n`);
    process.stdout.write(
      `${settings.clients} concurrent uploads: ${results.concurrentUploads.seconds} s, RSS ${results.concurrentUploads.rssBeforeMB} → ${results.concurrentUploads.rssPeakMB} MB (growth ${results.concurrentUploads.rssGrowthMB} MB)\n`,
    );
    const file_ = await writeResults('bench-documents', startedAt, { ...results, met, environment: await environmentInfo(environment.databaseUrl, loadAtStart) });
    process.stdout.write(`${met ? 'targets met' : 'TARGETS MISSED'}; results in ${file_}\n`);
    return met ? 0 : 1;
  });
}

runBench({ usage: USAGE, readSettings, run });
