/**
 * `maintenance.purge` (docs/operations.md §6), daily: sessions revoked or expired more than 30 days
 * ago (with their tokens), login attempts past LOGIN_ATTEMPTS_RETENTION_DAYS, lockouts idle for 24 h
 * and unlocked, audit rows past AUDIT_RETENTION_DAYS, sent e-mails after 30 days and failed ones
 * after 90; then the upload files, through the documents module's sweeper.
 */
import type { Clock } from '../../lib/clock.js';
import type { PurgeCounts, PurgeRepository } from './repository.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SESSION_RETENTION_DAYS = 30;
const LOCKOUT_IDLE_MS = 24 * HOUR_MS;
const OUTBOX_SENT_RETENTION_DAYS = 30;
const OUTBOX_FAILED_RETENTION_DAYS = 90;
/** Upload files with no document row are removed after this long (an upload in progress has none yet). */
export const ORPHAN_UPLOAD_AGE_MS = 24 * HOUR_MS;
/** Temporary upload files (an interrupted upload) are removed after this long. */
export const TEMPORARY_UPLOAD_AGE_MS = HOUR_MS;

/**
 * The hook the documents module fills (src/modules/documents, its file store): the purge calls it
 * with the cut-off instants and reports the counts. Until it is wired in src/container.ts
 * (`uploadSweeper`), the purge leaves upload files alone.
 */
export interface UploadSweeper {
  /** Deletes the files of the upload directory that no document row names, last modified before `olderThan`. */
  removeOrphanFiles(olderThan: Date): Promise<number>;
  /** Deletes the temporary files of interrupted uploads last modified before `olderThan`. */
  removeTemporaryFiles(olderThan: Date): Promise<number>;
}

export interface PurgeDependencies {
  purge: PurgeRepository;
  clock: Clock;
  retention: { auditDays: number; loginAttemptsDays: number };
  uploadSweeper: UploadSweeper | null;
}

export type PurgeSummary = PurgeCounts & { orphan_files: number; temporary_files: number };

export class PurgeService {
  constructor(private readonly deps: PurgeDependencies) {}

  async run(): Promise<PurgeSummary> {
    const now = this.deps.clock.now();
    const before = (ms: number) => new Date(now.getTime() - ms);
    const counts = await this.deps.purge.purge({
      sessions: before(SESSION_RETENTION_DAYS * DAY_MS),
      loginAttempts: before(this.deps.retention.loginAttemptsDays * DAY_MS),
      lockoutsIdle: before(LOCKOUT_IDLE_MS),
      audit: before(this.deps.retention.auditDays * DAY_MS),
      outboxSent: before(OUTBOX_SENT_RETENTION_DAYS * DAY_MS),
      outboxFailed: before(OUTBOX_FAILED_RETENTION_DAYS * DAY_MS),
      now,
    });
    const sweeper = this.deps.uploadSweeper;
    return {
      ...counts,
      orphan_files: sweeper ? await sweeper.removeOrphanFiles(before(ORPHAN_UPLOAD_AGE_MS)) : 0,
      temporary_files: sweeper ? await sweeper.removeTemporaryFiles(before(TEMPORARY_UPLOAD_AGE_MS)) : 0,
    };
  }
}
