/**
 * `maintenance.purge` (docs/operations.md §6), daily: sessions revoked or expired more than 30 days
 * ago (with their tokens), login attempts past LOGIN_ATTEMPTS_RETENTION_DAYS, lockouts idle for 24 h
 * and unlocked, audit rows past AUDIT_RETENTION_DAYS, sent e-mails after 30 days and failed ones
 * after 90; then the upload files, through the documents module (temporary files after 1 h, files
 * without a row after 24 h).
 */
import type { Clock } from '../../lib/clock.js';
import type { PurgeCounts, PurgeRepository } from './repository.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SESSION_RETENTION_DAYS = 30;
const LOCKOUT_IDLE_MS = 24 * HOUR_MS;
const OUTBOX_SENT_RETENTION_DAYS = 30;
const OUTBOX_FAILED_RETENTION_DAYS = 90;
/** The documents module's sweep of the upload directory (its file ages are its own rules). */
export interface UploadSweeper {
  purgeFiles(): Promise<{ temporary: number; orphans: number }>;
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
    const files = this.deps.uploadSweeper ? await this.deps.uploadSweeper.purgeFiles() : { temporary: 0, orphans: 0 };
    return { ...counts, orphan_files: files.orphans, temporary_files: files.temporary };
  }
}
