/**
 * Who acts, and from where: the one caller type every service receives (docs/architecture.md
 * "Actor"). The auth plugin builds it for an authenticated request; jobs and CLIs use SYSTEM_ACTOR.
 * The role and scope fields come from the database on every request, never from the token.
 */
import type { Role } from '../db/schema.js';

/** Where a request comes from: enough for sessions, login attempts and audit rows before anyone is known. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface Actor extends RequestOrigin {
  /** null for the system (scheduler, CLI). */
  userId: number | null;
  /** `system`: background work, no scope restriction. */
  role: Role | 'system';
  clientId: number | null;
  technicienId: number | null;
  /** The session of the access token; null for the system. */
  sessionId: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({
  userId: null,
  role: 'system',
  clientId: null,
  technicienId: null,
  sessionId: null,
  ip: null,
  userAgent: null,
  requestId: null,
});
