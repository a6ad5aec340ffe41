/**
 * Errors raised before any route runs, in the envelope of docs/api.md §2 like every other one:
 * the router's (bad percent-encoding, a path parameter over `maxParamLength`) through Fastify's
 * `frameworkErrors`, and Node's HTTP parser's (headers too large, malformed request, slow client)
 * through `clientErrorHandler`, written on the raw socket (docs/operations.md §11.1).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, envelope } from '../lib/errors.js';
import { sendError, toAppError } from './errors.js';
import { setResponseHeaders } from './http.js';
import { setSecurityHeaders } from './security-headers.js';

/**
 * The router's errors. Fastify calls this on a bare context, without the app's hooks, so the
 * headers every response carries (docs/api.md §1, docs/security.md §7) are set here.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError = toAppError(error);
  request.log.info({ method: request.method, path: request.url.split('?', 1)[0], status_code: appError.status, code: error.code }, 'requête refusée par le routeur');
  reply.header('X-Request-ID', request.id);
  setResponseHeaders(request.server, reply);
  setSecurityHeaders(reply, request.url, request.server.config);
  void sendError(reply, request, appError);
}

/** What Node's parser reports (`error.code`) → the answer; anything else is a malformed request. */
function clientErrorOf(code: string | undefined): AppError {
  if (code === 'HPE_HEADER_OVERFLOW') return new AppError(431);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AppError(408);
  return AppError.badRequest('Requête HTTP invalide');
}

/** The whole HTTP/1.1 answer of a client error: the socket is closed after it, as it says. */
export function rawErrorResponse(error: AppError, traceId: string): string {
  const body = JSON.stringify(envelope(error, traceId));
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    `X-Request-ID: ${traceId}`,
    '',
    body,
  ].join('\r\n');
}

/**
 * Node's 'clientError': the request could not be read. Answers only when nothing of a response was
 * written on the socket yet (Node's own rule, so that no half-sent response is corrupted); the
 * socket is closed in every case.
 */
export function handleClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !response?.headersSent) {
    const appError = clientErrorOf(error.code);
    const traceId = randomUUID();
    this.log.info({ code: error.code, status_code: appError.status, request_id: traceId }, 'requête refusée par le serveur HTTP');
    socket.write(rawErrorResponse(appError, traceId));
    socket.destroySoon();
    return;
  }
  socket.destroy();
}
