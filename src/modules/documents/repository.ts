/**
 * documents: one row per stored file (docs/domain.md "documents"). Reads join the intervention,
 * whose technician and company give the scope (docs/security.md §5), and the uploader's name.
 * Also the statements of the key rotation and of the orphan-file sweep.
 */
import { sql } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type PageOptions } from '../../db/paging.js';
import type { Role, StatutIntervention } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import type { SortSpec } from '../../lib/listing.js';
import type { InterventionScope } from '../interventions/policy.js';
import { DOCUMENT_MESSAGES } from './policy.js';

export const DOCUMENT_SORT: SortSpec = {
  fields: { id: 'd.id', date_upload: 'd.date_upload' },
  defaultSort: '-date_upload',
  idColumn: 'd.id',
};

/** The intervention deleted between the service's check and the insert. */
export const DOCUMENT_CONSTRAINT_ERRORS: ConstraintErrors = {
  documents_intervention_id_fkey: () => AppError.notFound(DOCUMENT_MESSAGES.interventionNotFound),
};

export interface DocumentFilters {
  interventionId?: number;
  mimes?: string[];
}

export interface NewDocument {
  interventionId: number;
  filename: string;
  description: string | null;
  storageKey: string;
  mimeType: string;
  size: number;
  sha256: string;
  keyId: string;
  wrappedKey: Buffer;
  uploadedById: number | null;
  dateUpload: Date;
}

/** What the scope checks of an intervention need. */
export interface InterventionTarget {
  id: number;
  statut: StatutIntervention;
  technicien_id: number | null;
  client_id: number | null;
}

/** The user a signed link was issued to, as the database says now. */
export interface LinkHolder {
  id: number;
  role: Role;
  is_active: boolean;
  client_id: number | null;
  technicien_id: number | null;
}

const OUT_COLUMNS = [
  'd.id',
  'd.nom_fichier',
  'd.description',
  'd.mime_type',
  'd.taille_octets',
  'd.sha256',
  'd.date_upload',
  'd.intervention_id',
  'd.uploaded_by_id',
  'u.full_name as uploaded_by',
] as const;

const FILE_COLUMNS = ['d.storage_key', 'd.encryption', 'd.key_id', 'd.wrapped_key', 'd.taille_octets', 'd.sha256'] as const;
const SCOPE_COLUMNS = ['i.technicien_id', 'i.client_id'] as const;

export class DocumentsRepository {
  constructor(private readonly db: Executor) {}

  async findIntervention(id: number): Promise<InterventionTarget | undefined> {
    return this.db.selectFrom('interventions').select(['id', 'statut', 'technicien_id', 'client_id']).where('id', '=', id).executeTakeFirst();
  }

  async insert(document: NewDocument): Promise<number> {
    const row = await this.db
      .insertInto('documents')
      .values({
        intervention_id: document.interventionId,
        nom_fichier: document.filename,
        description: document.description,
        storage_key: document.storageKey,
        mime_type: document.mimeType,
        taille_octets: document.size,
        sha256: document.sha256,
        encryption: 'aes256gcm-stream-v1',
        key_id: document.keyId,
        wrapped_key: document.wrappedKey,
        uploaded_by_id: document.uploadedById,
        date_upload: document.dateUpload,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** A document with its output columns, its intervention's scope columns and its file. */
  async find(id: number) {
    return this.selectOut().select([...SCOPE_COLUMNS, ...FILE_COLUMNS]).where('d.id', '=', id).executeTakeFirst();
  }

  async page(scope: InterventionScope, filters: DocumentFilters, page: PageOptions) {
    let q = this.selectOut();
    if (scope.kind === 'technicien') q = q.where('i.technicien_id', '=', scope.technicienId ?? -1);
    if (scope.kind === 'client') q = q.where('i.client_id', '=', scope.clientId ?? -1);
    if (filters.interventionId !== undefined) q = q.where('d.intervention_id', '=', filters.interventionId);
    if (filters.mimes && filters.mimes.length > 0) q = q.where('d.mime_type', 'in', filters.mimes);
    return selectPage(q, page);
  }

  async delete(id: number) {
    return this.db.deleteFrom('documents').where('id', '=', id).returning(['id', 'storage_key', 'intervention_id', 'nom_fichier']).executeTakeFirst();
  }

  async findLinkHolder(userId: number): Promise<LinkHolder | undefined> {
    return this.db
      .selectFrom('users as u')
      .leftJoin('techniciens as t', 't.user_id', 'u.id')
      .select(['u.id', 'u.role', 'u.is_active', 'u.client_id', 't.id as technicien_id'])
      .where('u.id', '=', userId)
      .executeTakeFirst();
  }

  /** The next `limit` rows' storage keys, by id (the missing-file count of /health/detailed). */
  storageKeysAfter(afterId: number, limit: number): Promise<{ id: number; storage_key: string }[]> {
    return this.db.selectFrom('documents').select(['id', 'storage_key']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }

  /** Which of these storage keys have a row (the orphan sweep). */
  async knownStorageKeys(storageKeys: string[]): Promise<Set<string>> {
    if (storageKeys.length === 0) return new Set();
    const rows = await this.db.selectFrom('documents').select('storage_key').where('storage_key', 'in', storageKeys).execute();
    return new Set(rows.map((row) => row.storage_key));
  }

  // --- key rotation -----------------------------------------------------------------------------

  /** Rows by key_id and encryption: what the rotation and the health check report. */
  async countByKey(): Promise<{ key_id: string; encryption: string; total: number }[]> {
    const rows = await this.db
      .selectFrom('documents')
      .select(['key_id', 'encryption', sql<string>`count(*)`.as('total')])
      .groupBy(['key_id', 'encryption'])
      .execute();
    return rows.map((row) => ({ key_id: row.key_id, encryption: row.encryption, total: Number(row.total) }));
  }

  /**
   * The next rows to rotate, locked, skipping rows another rotation holds: envelope rows wrapped
   * by another key than `currentKeyId` among `readableKeyIds`, and (with `legacy`) Fernet rows.
   */
  async lockRotationBatch(currentKeyId: string, readableKeyIds: string[], legacy: boolean, limit: number) {
    return this.db
      .selectFrom('documents as d')
      .select(['d.id', ...FILE_COLUMNS])
      .where((eb) => {
        const envelope = eb.and([eb('d.encryption', '=', 'aes256gcm-stream-v1'), eb('d.key_id', '<>', currentKeyId), eb('d.key_id', 'in', readableKeyIds)]);
        return legacy ? eb.or([envelope, eb('d.encryption', '=', 'fernet')]) : envelope;
      })
      .orderBy('d.id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  async rewrap(id: number, keyId: string, wrappedKey: Buffer): Promise<void> {
    await this.db.updateTable('documents').set({ key_id: keyId, wrapped_key: wrappedKey }).where('id', '=', id).execute();
  }

  /** A legacy row moved to its re-encrypted file (a new storage key). */
  async convertLegacy(id: number, file: { storageKey: string; keyId: string; wrappedKey: Buffer }): Promise<void> {
    await this.db
      .updateTable('documents')
      .set({ storage_key: file.storageKey, encryption: 'aes256gcm-stream-v1', key_id: file.keyId, wrapped_key: file.wrappedKey })
      .where('id', '=', id)
      .where('encryption', '=', 'fernet')
      .execute();
  }

  private selectOut() {
    return this.db
      .selectFrom('documents as d')
      .innerJoin('interventions as i', 'i.id', 'd.intervention_id')
      .leftJoin('users as u', 'u.id', 'd.uploaded_by_id')
      .select(OUT_COLUMNS);
  }
}
