/**
 * HTTP/1.1 written by hand on a real socket, for what an injected request cannot show: errors
 * raised by Node's parser before Fastify, timeouts, and whether the server keeps or closes the
 * connection after a response.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { App } from '../../src/app.js';
import { ERROR_CODES, type ErrorStatus } from '../../src/lib/errors.js';
import type { ErrorBody } from './http.js';

export interface RawResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** The port of an app listening on 127.0.0.1 (an ephemeral one, `listen({ port: 0 })`). */
export async function listenLocally(app: App): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as net.AddressInfo).port;
}

/** A request's text: `Host` always, `Content-Length` when there is a body. */
export function requestText(method: string, path: string, headers: Record<string, string> = {}, body = ''): string {
  const all = { Host: '127.0.0.1', ...(body === '' ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }), ...headers };
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(all)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n${body}`;
}

function parseResponse(buffer: Buffer): { response: RawResponse; length: number } | null {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine = '', ...lines] = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buffer.length < headEnd + 4 + length) return null;
  const body = buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
  return { response: { status: Number(statusLine.split(' ')[1]), headers, body }, length: headEnd + 4 + length };
}

/** One client connection: write bytes, read responses one by one, watch for the server closing it. */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private wake: () => void = () => undefined;
  /** Resolves when the socket is closed, by either side. */
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    // A reset after the server's answer is a way of closing too; the test looks at what was received.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next complete response; fails if the socket closes or `timeoutMs` passes first. */
  async response(timeoutMs = 5000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.buffer);
      if (parsed) {
        this.buffer = this.buffer.subarray(parsed.length);
        return parsed.response;
      }
      if (this.isClosed) throw new Error(`closed before a complete response: ${JSON.stringify(this.buffer.toString('latin1').slice(0, 200))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no complete response in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Whether the server closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, ms))]);
    return this.isClosed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Sends one request on a new connection and returns its response and the connection. */
export async function exchange(port: number, request: string | Buffer): Promise<{ response: RawResponse; connection: RawConnection }> {
  const connection = await RawConnection.open(port);
  connection.write(request);
  return { response: await connection.response(), connection };
}

/**
 * Asserts the envelope of docs/api.md §2 on a raw response: status, code, message, JSON content
 * type, a Content-Length that matches the body, `trace_id` = `X-Request-ID`.
 */
export function assertRawError(response: RawResponse, status: ErrorStatus, message: string): ErrorBody['error'] {
  assert.equal(response.status, status, response.body);
  assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body));
  const body = JSON.parse(response.body) as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, ERROR_CODES[status]);
  assert.equal(body.error.message, message);
  assert.equal(body.error.trace_id, response.headers['x-request-id']);
  return body.error;
}
