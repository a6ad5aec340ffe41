/**
 * `npm run keys:rotate-files` (docs/security.md §8 "Rotation"): re-wraps every data key that is not
 * under FILES_ENC_KEY, in batches, one transaction each (rows locked, skipping those another run
 * holds), so the command is idempotent and resumable. No file is touched, except with
 * `reencryptLegacy`: Fernet files are then converted to `aes256gcm-stream-v1`, each into a new file
 * under a new storage key, so that the row switches in one update and the old file goes after.
 */
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import { SYSTEM_ACTOR } from '../../lib/actor.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow } from '../audit/service.js';
import { FileUnavailableError, type DocumentFileStore } from './file-store.js';
import type { DocumentsRepository } from './repository.js';

export interface KeyRotationDependencies {
  store: Store<{ documents: DocumentsRepository; audit: AuditRepository }>;
  files: DocumentFileStore;
  logger: Logger;
}

export interface KeyReport {
  currentKeyId: string;
  /** Envelope rows wrapped by another configured key. */
  underOldKeys: number;
  /** Legacy Fernet rows (converted only with `reencryptLegacy`). */
  legacy: number;
  /** Rows whose key_id no configured key has: unreadable until the key is configured again. */
  unknownKey: number;
}

export interface RotationResult {
  rewrapped: number;
  converted: number;
  failed: number;
}

export class DocumentKeyRotation {
  constructor(private readonly deps: KeyRotationDependencies) {}

  async report(): Promise<KeyReport> {
    const { keyring } = this.deps.files;
    const known = new Set(keyring.ids());
    const report: KeyReport = { currentKeyId: keyring.current.id, underOldKeys: 0, legacy: 0, unknownKey: 0 };
    for (const row of await this.deps.store.repos.documents.countByKey()) {
      if (!known.has(row.key_id)) report.unknownKey += row.total;
      else if (row.encryption === 'fernet') report.legacy += row.total;
      else if (row.key_id !== keyring.current.id) report.underOldKeys += row.total;
    }
    return report;
  }

  async rotate(options: { reencryptLegacy: boolean; batchSize: number; onBatch?: (done: RotationResult) => void }): Promise<RotationResult> {
    const result: RotationResult = { rewrapped: 0, converted: 0, failed: 0 };
    const { keyring } = this.deps.files;
    const failedIds: number[] = [];
    for (;;) {
      const batch = await this.deps.store.transaction(async (repos) => {
        const rows = (await repos.documents.lockRotationBatch(keyring.current.id, keyring.ids(), options.reencryptLegacy, options.batchSize + failedIds.length)).filter(
          (row) => !failedIds.includes(row.id),
        );
        const removals: string[] = [];
        for (const row of rows) {
          try {
            if (row.encryption === 'fernet') {
              const staged = await this.deps.files.reencryptLegacy(row);
              await this.deps.files.commit(staged);
              await repos.documents.convertLegacy(row.id, staged);
              removals.push(row.storage_key);
              result.converted += 1;
            } else {
              const dek = this.deps.files.unwrap(row);
              await repos.documents.rewrap(row.id, keyring.current.id, keyring.wrap(dek, row.storage_key));
              result.rewrapped += 1;
            }
          } catch (error) {
            if (!(error instanceof FileUnavailableError)) throw error;
            failedIds.push(row.id);
            result.failed += 1;
            this.deps.logger.error({ document_id: row.id, reason: error.reason }, 'document key rotation: row skipped');
          }
        }
        return { count: rows.length, removals };
      });
      // The old Fernet files, once their rows point at the new ones (a leftover is swept as an orphan).
      for (const storageKey of batch.removals) await this.deps.files.remove(storageKey).catch(() => undefined);
      options.onBatch?.(result);
      if (batch.count === 0) break;
    }
    await this.deps.store.repos.audit.insert(auditRow(SYSTEM_ACTOR, { eventType: 'system.keys.rotated', outcome: 'success', resourceType: 'documents', details: { ...result, key_id: keyring.current.id } }));
    return result;
  }
}
