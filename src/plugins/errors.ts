/**
 * One mapping from any error to the envelope of docs/api.md §2, plus 404/405 for unknown routes.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { AppError, envelope, type ErrorStatus, type ValidationIssue } from '../lib/errors.js';
import { isDatabaseUnavailable } from '../db/database.js';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** 22021 invalid byte sequence (NUL), 22P02 invalid text representation, 22003 numeric out of range, 22007/22008 bad datetime. */
const INPUT_SQLSTATES = new Set(['22021', '22P02', '22003', '22007', '22008']);
/** Statuses of Fastify and plugin errors kept as they are, with the generic message of the status. */
const PASSED_THROUGH_STATUSES = new Set([404, 408, 413, 414, 415, 431]);

interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const LOCATIONS: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function describeIssue(issue: AjvIssue): Pick<ValidationIssue, 'msg' | 'type'> {
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return { type: 'missing', msg: 'Champ obligatoire' };
    case 'type':
      return { type: 'type', msg: `Type invalide : ${typeLabel(String(p.type))} attendu` };
    case 'enum':
      // A nullable enum lists null among its values; the message names the real values only.
      return { type: 'enum', msg: `Valeur non autorisée. Valeurs acceptées : ${(p.allowedValues as unknown[]).filter((v) => v !== null).join(', ')}` };
    case 'const':
      return { type: 'enum', msg: `Valeur non autorisée. Valeur acceptée : ${String(p.allowedValue)}` };
    case 'format':
      return { type: 'format', msg: `Format invalide (${String(p.format)})` };
    case 'pattern':
      return { type: 'format', msg: 'Format invalide' };
    case 'minLength':
      return { type: 'too_short', msg: `Doit contenir au moins ${String(p.limit)} caractère(s)` };
    case 'maxLength':
      return { type: 'too_long', msg: `Ne doit pas dépasser ${String(p.limit)} caractères` };
    case 'minItems':
      return { type: 'too_short', msg: `Doit contenir au moins ${String(p.limit)} élément(s)` };
    case 'maxItems':
      return { type: 'too_long', msg: `Ne doit pas contenir plus de ${String(p.limit)} éléments` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { type: 'range', msg: `Doit être ${String(p.comparison)} ${String(p.limit)}` };
    default:
      return { type: 'value', msg: 'Valeur invalide' };
  }
}

function typeLabel(type: string): string {
  const labels: Record<string, string> = {
    integer: 'entier',
    number: 'nombre',
    string: 'chaîne',
    boolean: 'booléen',
    object: 'objet',
    array: 'tableau',
    null: 'null',
  };
  return type
    .split(',')
    .map((t) => labels[t] ?? t)
    .join(' ou ');
}

/** Turns Fastify/Ajv validation errors into the `details` array of a 422. */
export function validationIssues(error: FastifyError): ValidationIssue[] {
  const location = LOCATIONS[error.validationContext ?? 'body'] ?? 'body';
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const raw of (error.validation ?? []) as unknown as AjvIssue[]) {
    // anyOf/oneOf wrappers repeat their branches' errors: keep the first issue per field.
    if (raw.keyword === 'anyOf' || raw.keyword === 'oneOf') continue;
    const path = raw.instancePath
      .split('/')
      .filter(Boolean)
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')));
    if (raw.keyword === 'required') path.push(String(raw.params.missingProperty));
    const key = path.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ loc: [location, ...path], ...describeIssue(raw) });
  }
  return issues;
}

/** Maps anything thrown by a route, a hook or Fastify itself to an AppError. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError?.validation) return AppError.validation(validationIssues(fastifyError));
  if (isDatabaseUnavailable(error)) return AppError.unavailable();
  // Input the schemas let through but PostgreSQL refuses (a NUL character, an out-of-range number):
  // the client's fault, so a 422, never a 500.
  const sqlState = (error as { code?: unknown })?.code;
  if (typeof sqlState === 'string' && INPUT_SQLSTATES.has(sqlState)) {
    return AppError.validation([{ loc: ['body'], msg: 'Valeur refusée par la base de données (caractère ou nombre invalide)', type: 'value' }]);
  }
  if (fastifyError?.code === 'FST_ERR_BAD_URL') return AppError.badRequest('URL invalide');
  const status = fastifyError?.statusCode;
  if (status === 503) return AppError.unavailable();
  if (status !== undefined && PASSED_THROUGH_STATUSES.has(status)) return new AppError(status as ErrorStatus);
  // Any other 4xx of Fastify or a plugin (400, multipart's 406…): the request is at fault, with Fastify's
  // English text replaced by the generic one (docs/api.md §2).
  if (status !== undefined && status >= 400 && status < 500) return AppError.badRequest('Requête invalide');
  return new AppError(500);
}

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    // A router mirroring the app's routes, to tell a 405 (path known, method not) from a 404.
    const knownRoutes = FindMyWay({ ignoreTrailingSlash: true });
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (!HTTP_METHODS.includes(method as (typeof HTTP_METHODS)[number])) continue;
        try {
          knownRoutes.on(method as (typeof HTTP_METHODS)[number], route.url, () => undefined);
        } catch {
          // Already known (the same path registered twice, e.g. `/x` and `/x/`).
        }
      }
    });

    app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const appError = toAppError(error);
      if (appError.status >= 500) {
        request.log.error({ err: error }, appError.status === 503 ? 'service indisponible' : 'erreur interne');
      }
      return sendError(reply, request, appError);
    });

    app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = HTTP_METHODS.filter((method) => method !== request.method && knownRoutes.find(method, path) !== null);
      if (allowed.length > 0) {
        return sendError(reply.header('Allow', allowed.join(', ')), request, new AppError(405));
      }
      return sendError(reply, request, new AppError(404));
    });
  },
  { name: 'errors' },
);

export function sendError(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(envelope(error, request.id));
}
