/**
 * The HTTP side of the list contract (docs/api.md §1 "Lists"): enum filters given as a repeated
 * parameter or a comma list, and `X-Total-Count` from a service's `{ rows, total }`.
 */
import type { FastifyReply, preValidationAsyncHookHandler } from 'fastify';
import type { Page } from '../db/paging.js';

/** Sets `X-Total-Count` and returns the rows, for a list route's handler. */
export function sendPage<T>(reply: FastifyReply, page: Page<T>): T[] {
  reply.header('X-Total-Count', String(page.total));
  return page.rows;
}

/**
 * preValidation hook: splits comma lists of the named query parameters into arrays, so that
 * `role=admin,client` and `role=admin&role=client` validate the same way.
 */
export function splitCommaLists(...names: string[]): preValidationAsyncHookHandler {
  return async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (!query) return;
    for (const name of names) {
      const value = query[name];
      if (value === undefined) continue;
      const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
      query[name] = parts;
    }
  };
}
