/**
 * The typed API client: openapi-fetch over the paths of schema.d.ts (generated from the server's
 * OpenAPI document by `npm run web:api`). Its fetch adds the in-memory access token and, on a 401,
 * refreshes the session once and replays the request.
 */
import createClient from 'openapi-fetch';
import { currentAccessToken, refreshSession, requireMfaEnrolment, requirePasswordChange } from '../auth/session';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** The start of the 403 message of an account that must change its password (src/modules/auth/authenticator.ts). */
const PASSWORD_CHANGE_REQUIRED = 'Changement de mot de passe obligatoire';
/** The start of the 403 message of a role that must enrol a second factor (src/modules/auth/mfa-policy.ts). */
const MFA_ENROLMENT_REQUIRED = 'Double authentification obligatoire';

function withToken(request: Request): Request {
  const token = currentAccessToken();
  const headers = new Headers(request.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

async function authFetch(input: Request): Promise<Response> {
  const replay = input.clone();
  let response = await fetch(withToken(input));
  if (response.status === 401 && (await refreshSession())) response = await fetch(withToken(replay));
  if (response.status === 403) {
    const message = await apiErrorOf(response.clone());
    if (message.message.startsWith(PASSWORD_CHANGE_REQUIRED)) requirePasswordChange();
    if (message.message.startsWith(MFA_ENROLMENT_REQUIRED)) requireMfaEnrolment();
  }
  return response;
}

export const api = createClient<paths>({ baseUrl: '', fetch: authFetch });

export interface FieldIssue {
  loc: (string | number)[];
  msg: string;
}

/** An API error as the screens show it: the French message, and the field issues of a 422. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }

  /** Field name → message, for the form fields (the last segment of `loc`). */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const issue of this.issues) {
      const field = issue.loc[issue.loc.length - 1];
      if (field !== undefined && errors[String(field)] === undefined) errors[String(field)] = issue.msg;
    }
    return errors;
  }
}

/** The field errors of a mutation's error, for its form (none unless it is an ApiError with issues). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors() : {};
}

async function apiErrorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { message?: string; details?: unknown } };
    const details = Array.isArray(body.error?.details) ? (body.error.details as FieldIssue[]) : [];
    return new ApiError(body.error?.message ?? `Erreur ${response.status}`, response.status, details);
  } catch {
    return new ApiError(`Erreur ${response.status} du serveur`, response.status);
  }
}

/** The data of an openapi-fetch answer, or its error thrown as an ApiError (for TanStack Query). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const body = error as { error?: { message?: string; details?: unknown } } | undefined;
    const details = Array.isArray(body?.error?.details) ? (body.error.details as FieldIssue[]) : [];
    throw new ApiError(body?.error?.message ?? `Erreur ${response.status} du serveur`, response.status, details);
  }
  return data as T;
}

/** A list page and the server's X-Total-Count. */
export async function unwrapPage<T>(call: Promise<{ data?: T[]; error?: unknown; response: Response }>): Promise<{ rows: T[]; total: number }> {
  const answer = await call;
  const rows = await unwrap(Promise.resolve(answer));
  return { rows, total: Number(answer.response.headers.get('X-Total-Count') ?? rows.length) };
}
