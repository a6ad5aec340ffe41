/**
 * The browser session (docs/security.md "Browser sessions"): the access token lives in this module's
 * memory only; the refresh token is an HttpOnly cookie the page never sees. Every auth call sends
 * `X-Session-Cookie: 1`, which asks the server for the cookie and is its CSRF guard.
 * A refresh rotates the cookie, and presenting a consumed one revokes the session, so refreshes are
 * serialised: one in flight per tab, and one at a time across tabs (Web Locks).
 */
const AUTH = '/api/v1/auth';
export const SESSION_HEADERS = { 'X-Session-Cookie': '1', 'Content-Type': 'application/json' };
/** Refresh when this share of the access token's life has passed. */
const REFRESH_AT = 0.8;
/**
 * Whether this browser was signed in: the cookie is HttpOnly, so the page keeps this hint (no secret)
 * to skip a refresh bound to fail, and the 4xx it would log, on a first visit or after a logout.
 */
const SIGNED_IN_HINT = 'mif-erp.session';

function setHint(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_HINT, '1');
    else localStorage.removeItem(SIGNED_IN_HINT);
  } catch {
    // storage disabled: every load then tries the refresh
  }
}

function hasHint(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_HINT) === '1';
  } catch {
    return true;
  }
}

/** mustEnrolMfa: MFA_REQUIRED_ROLES obliges this user to enrol a second factor first (docs/security.md §3a). */
export type SessionState = { status: 'unknown' } | { status: 'signed-out' } | { status: 'signed-in'; mustChangePassword: boolean; mustEnrolMfa: boolean };

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

let accessToken: string | null = null;
let state: SessionState = { status: 'unknown' };
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  listeners.forEach((listener) => listener());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function sessionState(): SessionState {
  return state;
}

export function currentAccessToken(): string | null {
  return accessToken;
}

let tokenListener: (() => void) | null = null;

/**
 * Called once, when the page's first access token arrives and before React renders the signed-in
 * screens (a store update renders synchronously): the page load's data requests leave at once.
 */
export function onFirstAccessToken(listener: () => void): void {
  tokenListener = listener;
}

function accept(answer: TokenAnswer): void {
  accessToken = answer.access_token;
  const listener = tokenListener;
  tokenListener = null;
  listener?.();
  setHint(true);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(5, answer.expires_in * REFRESH_AT) * 1000);
  if (state.status !== 'signed-in') setState({ status: 'signed-in', mustChangePassword: false, mustEnrolMfa: false });
}

function forget(): void {
  accessToken = null;
  setHint(false);
  clearTimeout(refreshTimer);
  setState({ status: 'signed-out' });
}

/** Thrown by login with the API's own French message (bad credentials, lockout, policy). */
export class SessionError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function postAuth(route: string, body: unknown, token?: string | null): Promise<Response> {
  return fetch(`${AUTH}/${route}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: token ? { ...SESSION_HEADERS, Authorization: `Bearer ${token}` } : SESSION_HEADERS,
    body: JSON.stringify(body ?? {}),
  });
}

export async function errorMessage(response: Response): Promise<string> {
  try {
    const answer = (await response.json()) as { error?: { message?: string } };
    if (answer.error?.message) return answer.error.message;
  } catch {
    // not the error envelope (a proxy's page): the generic text below
  }
  return response.status === 429 ? 'Trop de tentatives : réessayez dans quelques instants' : 'Le serveur ne répond pas correctement, réessayez.';
}

/** A right password on an account with a second factor: the login goes on with its single-use token. */
export class MfaRequired extends Error {
  constructor(
    message: string,
    readonly mfaToken: string,
  ) {
    super(message);
  }
}

export async function login(identifier: string, password: string): Promise<void> {
  const response = await postAuth('login', { username: identifier, password });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string; details?: { mfa_required?: boolean; mfa_token?: string } } } | null;
    const details = body?.error?.details;
    if (response.status === 401 && details?.mfa_required && details.mfa_token) throw new MfaRequired(body?.error?.message ?? '', details.mfa_token);
    throw new SessionError(body?.error?.message ?? (await errorMessage(response)), response.status);
  }
  accept((await response.json()) as TokenAnswer);
}

/** The second step of a login: a TOTP code or a recovery code, with the token of the first step. */
export async function verifyMfa(mfaToken: string, otp: string): Promise<void> {
  const response = await postAuth('mfa/verify', { mfa_token: mfaToken, otp });
  if (!response.ok) throw new SessionError(await errorMessage(response), response.status);
  accept((await response.json()) as TokenAnswer);
}

async function rotate(): Promise<boolean> {
  try {
    const response = await postAuth('refresh', {});
    if (!response.ok) {
      forget();
      return false;
    }
    accept((await response.json()) as TokenAnswer);
    return true;
  } catch {
    // Network down: keep the session state; the next call retries.
    return accessToken !== null;
  }
}

/** At page load: the session of the cookie, if this browser was signed in. */
export function resumeSession(): Promise<boolean> {
  if (!hasHint()) {
    forget();
    return Promise.resolve(false);
  }
  return refreshSession();
}

/** Rotates the cookie for a new access token; false when the session is over. */
export function refreshSession(): Promise<boolean> {
  if (inFlight) return inFlight;
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const run = locks ? async () => locks.request('mif-erp-refresh', async () => rotate()) : rotate;
  const pending = run().finally(() => (inFlight = null));
  inFlight = pending;
  return pending;
}

/** Server-side logout (the access token is refused at once), then the page forgets it. */
export async function logout(everywhere = false): Promise<void> {
  const token = accessToken;
  try {
    // Read to the end: a navigation right after would otherwise abort the response.
    await (await postAuth(everywhere ? 'logout-all' : 'logout', {}, token)).text();
  } finally {
    forget();
  }
}

export function requirePasswordChange(): void {
  if (state.status === 'signed-in' && !state.mustChangePassword) setState({ ...state, mustChangePassword: true });
}

/** Set from the 403 of a role that must enrol; cleared once the factor is confirmed. */
export function requireMfaEnrolment(required = true): void {
  if (state.status === 'signed-in' && state.mustEnrolMfa !== required) setState({ ...state, mustEnrolMfa: required });
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const response = await postAuth('change-password', { current_password: currentPassword, new_password: newPassword }, accessToken);
  if (!response.ok) throw new SessionError(await errorMessage(response), response.status);
  accept((await response.json()) as TokenAnswer);
  if (state.status === 'signed-in') setState({ ...state, mustChangePassword: false });
}
