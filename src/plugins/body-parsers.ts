/**
 * Lenient JSON: an empty body with `Content-Type: application/json` means "no body" (the legacy
 * front end sends that on PATCH/DELETE). Prototype keys and deep nesting are refused (docs/security.md §10).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';

export const JSON_BODY_LIMIT = 1024 * 1024;
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

export default fp(
  async function bodyParsersPlugin(app: FastifyInstance) {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT },
      (_request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
        try {
          done(null, parseJsonBody(body));
        } catch (error) {
          done(error as Error);
        }
      },
    );
  },
  { name: 'body-parsers' },
);
