/**
 * Request bodies (docs/api.md §1): JSON everywhere, forms on the routes that register
 * `formBodyParsers`, any other content type 415. Lenient JSON: an empty body with
 * `Content-Type: application/json` means "no body" (the legacy front end sends that on
 * PATCH/DELETE). Prototype keys and deep nesting are refused (docs/security.md §10).
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';

export const JSON_BODY_LIMIT = 1024 * 1024;
export const FORM_BODY_LIMIT = 64 * 1024;
/** JSON is UTF-8 (RFC 8259 §8.1): another declared charset would be decoded wrongly. */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8']);
const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function findForbiddenKey(value: unknown, path: (string | number)[], depth: number): (string | number)[] | null {
  if (depth > MAX_DEPTH) throw AppError.validation([{ loc: ['body', ...path], msg: `Imbrication trop profonde (maximum ${MAX_DEPTH} niveaux)`, type: 'value' }]);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return [...path, key];
      const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key], depth + 1);
      if (found) return found;
    }
  }
  return null;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    // JSON.parse makes `__proto__` an own data property (no pollution); it is then refused by name.
    parsed = JSON.parse(text);
  } catch {
    throw AppError.validation([{ loc: ['body'], msg: 'JSON invalide', type: 'json_invalid' }]);
  }
  const forbidden = findForbiddenKey(parsed, [], 0);
  if (forbidden) {
    throw AppError.validation([{ loc: ['body', ...forbidden], msg: 'Clé interdite', type: 'forbidden_key' }]);
  }
  return parsed;
}

function declaredCharset(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '');
  return match ? (match[1] ?? '').toLowerCase() : null;
}

export default fp(
  async function bodyParsersPlugin(app: FastifyInstance) {
    // Fastify parses text/plain by default; no route takes text, so it is a 415 like any other type.
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT },
      (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
        try {
          const charset = declaredCharset(request.headers['content-type']);
          if (charset !== null && !UTF8_CHARSETS.has(charset)) throw new AppError(415);
          done(null, parseJsonBody(body));
        } catch (error) {
          done(error as Error);
        }
      },
    );
  },
  { name: 'body-parsers' },
);

/** The fields of a multipart form; a malformed one (no boundary, truncated) is a 400, never a 500. */
async function readMultipartFields(request: FastifyRequest): Promise<Record<string, string | string[]>> {
  const fields: Record<string, string | string[]> = {};
  try {
    for await (const part of request.parts()) {
      // A file part never gets here: `files: 0` makes it a 413.
      if (part.type !== 'field') continue;
      const value = String(part.value);
      const previous = fields[part.fieldname];
      fields[part.fieldname] = previous === undefined ? value : [previous, value].flat();
    }
  } catch (error) {
    if ((error as FastifyError).statusCode === 413) throw new AppError(413);
    throw AppError.badRequest('Formulaire multipart invalide');
  }
  return fields;
}

/**
 * Login forms (docs/api.md §4.1, §5 rule 4): urlencoded and multipart (fields only) besides JSON,
 * for the routes of the plugin that registers this one (encapsulated there).
 */
export const formBodyParsers = fp(
  async function formBodyParsers(app: FastifyInstance) {
    await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
    await app.register(multipart, { limits: { files: 0, fields: 10, fieldSize: 4096, parts: 10 } });
    app.addHook('preValidation', async (request) => {
      if (request.isMultipart()) request.body = await readMultipartFields(request);
    });
  },
  { name: 'form-body-parsers' },
);
