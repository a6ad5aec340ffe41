/**
 * Documents (docs/api.md §4.8, docs/security.md §8): upload streamed through the checks and the
 * cipher, lists scoped through the intervention, downloads by bearer token or signed link, and
 * deletion. Out-of-scope records answer 404 and are audited `rbac.denied`.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { mapConstraintViolation } from '../../db/constraints.js';
import { emptyPage, mapPage, type ListRequest, type Page } from '../../db/paging.js';
import type { Store } from '../../db/store.js';
import { SYSTEM_ACTOR, type Actor, type RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { DocumentMetrics } from '../../metrics/registry.js';
import { parseSort } from '../../lib/listing.js';
import type { AuditRepository } from '../audit/repository.js';
import { auditRow, outOfScope, roleDenied, type AuditService } from '../audit/service.js';
import { inScope, interventionScope, scopeMatchesAnything } from '../interventions/policy.js';
import { FileUnavailableError, type DocumentFileStore, type PurgeResult, type StagedFile, type StoredFile } from './file-store.js';
import { acceptsDocuments, canDelete, canUpload, DOCUMENT_MESSAGES, uploadName } from './policy.js';
import { DOCUMENT_CONSTRAINT_ERRORS, DOCUMENT_SORT, type DocumentFilters, type DocumentsRepository, type InterventionTarget } from './repository.js';
import { toDocumentOut, type DocumentOut, type DocumentOutRow } from './schemas.js';
import type { DownloadSigner, SignedQuery } from './signed-link.js';
import { UploadRejected } from './upload-gate.js';

export interface DocumentsDependencies {
  store: Store<{ documents: DocumentsRepository; audit: AuditRepository }>;
  files: DocumentFileStore;
  signer: DownloadSigner;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  uploadMaxMb: number;
  /** The documents_* counters of docs/operations.md §9. */
  metrics: DocumentMetrics;
}

/** One part of a multipart upload, as the route reads it. */
export type UploadPart = { kind: 'field'; name: string; value: string } | { kind: 'file'; name: string; filename: string; stream: Readable };

/** A download ready to stream; `failed` is called when the stream breaks after the headers. */
export interface Download {
  stream: Readable;
  mime: string;
  size: number;
  /** The stored name, for Content-Disposition. */
  filename: string;
  failed(error: Error): Promise<void>;
}

const DESCRIPTION_MAX = 500;
/** Rows whose file is checked at once by `missingFiles`. */
const FILE_CHECK_BATCH = 500;

/** The `reason` label of documents_rejected_total (docs/operations.md §9): size, type or empty. */
const REJECTION_LABELS: Record<string, 'size' | 'type' | 'empty'> = { too_large: 'size', type: 'type', extension: 'type', empty: 'empty' };
const HOUR_MS = 3_600_000;

export class DocumentsService {
  constructor(private readonly deps: DocumentsDependencies) {}

  // --- upload -------------------------------------------------------------------------------------

  /**
   * POST /documents/: the target is checked as soon as it is known (from the query string, or a
   * form field before the file), so that a refused caller's file is not stored; a target given
   * after the file is checked before the file is kept. Any refusal leaves no file and no row.
   */
  async upload(actor: Actor, queryInterventionId: number | undefined, parts: AsyncIterable<UploadPart>): Promise<DocumentOut> {
    let target = queryInterventionId === undefined ? null : await this.uploadTarget(actor, queryInterventionId);
    let interventionId = queryInterventionId;
    let description: string | null = null;
    let staged: (StagedFile & { filename: string }) | null = null;
    try {
      for await (const part of parts) {
        if (part.kind === 'field') {
          if (part.name === 'description') description = readDescription(part.value);
          if (part.name === 'intervention_id' && interventionId === undefined) {
            interventionId = readInterventionId(part.value);
            target = await this.uploadTarget(actor, interventionId);
          }
          continue;
        }
        if (part.name !== 'file' || staged) {
          part.stream.resume();
          throw AppError.validation([{ loc: ['body', part.name], msg: DOCUMENT_MESSAGES.secondFile, type: 'value' }], DOCUMENT_MESSAGES.secondFile);
        }
        const name = uploadName(part.filename);
        if (!name) {
          part.stream.resume();
          await this.reject(actor, 'extension', interventionId);
          throw AppError.badRequest(DOCUMENT_MESSAGES.extensionRequired);
        }
        const maxBytes = this.deps.uploadMaxMb * 1024 * 1024;
        staged = { ...(await this.deps.files.stage(part.stream, { extension: name.extension, maxBytes, maxMb: this.deps.uploadMaxMb })), filename: name.filename };
      }
      if (!staged) throw AppError.validation([{ loc: ['body', 'file'], msg: DOCUMENT_MESSAGES.fileMissing, type: 'missing' }], DOCUMENT_MESSAGES.fileMissing);
      if (interventionId === undefined) throw AppError.validation([{ loc: ['query', 'intervention_id'], msg: 'Champ obligatoire', type: 'missing' }]);
      target ??= await this.uploadTarget(actor, interventionId);
      const kept = await this.keep(actor, target, staged, description);
      this.deps.metrics.uploaded.labels(staged.mimeType).inc();
      this.deps.metrics.uploadedBytes.inc(staged.size);
      return kept;
    } catch (error) {
      if (staged) await this.deps.files.discard(staged);
      if (error instanceof UploadRejected) await this.reject(actor, error.reason, interventionId);
      if (error instanceof AppError && error.status === 507) this.deps.logger.error({ err: (error as { cause?: unknown }).cause }, 'document storage failed');
      throw error;
    }
  }

  /** The intervention of an upload: 404 unknown or out of scope (audited), 403 role, 409 closed. */
  private async uploadTarget(actor: Actor, interventionId: number): Promise<InterventionTarget> {
    const target = await this.deps.store.repos.documents.findIntervention(interventionId);
    if (!target) throw AppError.notFound(DOCUMENT_MESSAGES.interventionNotFound);
    await this.deps.audit.requireInScope(actor, inScope(interventionScope(actor), target), () =>
      outOfScope(DOCUMENT_MESSAGES.interventionNotFound, 'intervention', interventionId, { action: 'document_upload' }),
    );
    if (!canUpload(actor, target)) throw await this.deps.audit.deny(actor, roleDenied(DOCUMENT_MESSAGES.uploadRefused, 'intervention', interventionId));
    if (!acceptsDocuments(target.statut)) throw AppError.conflict(DOCUMENT_MESSAGES.interventionClosed);
    return target;
  }

  /** Rename, then the row and its audit in one transaction; the file goes if the row does not come. */
  private async keep(actor: Actor, target: InterventionTarget, staged: StagedFile & { filename: string }, description: string | null): Promise<DocumentOut> {
    await this.deps.files.commit(staged);
    try {
      const id = await this.deps.store.transaction(async (repos) => {
        const documentId = await repos.documents.insert({
          interventionId: target.id,
          filename: staged.filename,
          description,
          storageKey: staged.storageKey,
          mimeType: staged.mimeType,
          size: staged.size,
          sha256: staged.sha256,
          keyId: staged.keyId,
          wrappedKey: staged.wrappedKey,
          uploadedById: actor.userId,
          dateUpload: this.deps.clock.now(),
        });
        await repos.audit.insert(
          auditRow(actor, { eventType: 'doc.uploaded', outcome: 'success', resourceType: 'document', resourceId: documentId, details: { intervention_id: target.id, mime: staged.mimeType, size: staged.size } }),
        );
        return documentId;
      });
      return await this.get(actor, id);
    } catch (error) {
      await this.deps.files.remove(staged.storageKey);
      throw mapConstraintViolation(error, DOCUMENT_CONSTRAINT_ERRORS);
    }
  }

  private async reject(actor: Actor, reason: string, interventionId: number | undefined): Promise<void> {
    const label = REJECTION_LABELS[reason];
    if (label) this.deps.metrics.rejected.labels(label).inc();
    await this.deps.audit.record(actor, { eventType: 'doc.rejected', outcome: 'failure', resourceType: 'intervention', resourceId: interventionId ?? null, details: { reason } });
  }

  // --- reads --------------------------------------------------------------------------------------

  /** One document as the caller sees it (404 when missing or out of scope, audited). */
  async get(actor: Actor, id: number): Promise<DocumentOut> {
    const row = await this.findInScope(actor, id, 'read');
    return this.out(actor, row);
  }

  async list(actor: Actor, filters: DocumentFilters, page: ListRequest): Promise<Page<DocumentOut>> {
    const scope = interventionScope(actor);
    if (!scopeMatchesAnything(scope)) return emptyPage();
    const rows = await this.deps.store.repos.documents.page(scope, filters, { limit: page.limit, offset: page.offset, sort: parseSort(page.sort, DOCUMENT_SORT) });
    return mapPage(rows, (row) => this.out(actor, row));
  }

  /** GET /documents/{intervention_id} (legacy): `[]` when the intervention is unknown or out of scope. */
  async listOfIntervention(actor: Actor, interventionId: number): Promise<Page<DocumentOut>> {
    const target = await this.deps.store.repos.documents.findIntervention(interventionId);
    if (!target || !inScope(interventionScope(actor), target)) return emptyPage();
    return this.list(actor, { interventionId }, { limit: 500, offset: 0 });
  }

  private out(actor: Actor, row: DocumentOutRow): DocumentOut {
    // The system lists nothing over HTTP; its links (uid 0) would never verify.
    return toDocumentOut(row, this.deps.signer.path(row.id, actor.userId ?? 0, this.deps.clock.now()));
  }

  private async findInScope(actor: Actor, id: number, action: string) {
    const row = await this.deps.store.repos.documents.find(id);
    if (!row) throw AppError.notFound(DOCUMENT_MESSAGES.notFound);
    await this.deps.audit.requireInScope(actor, inScope(interventionScope(actor), row), () => outOfScope(DOCUMENT_MESSAGES.notFound, 'document', id, { action }));
    return row;
  }

  // --- download -----------------------------------------------------------------------------------

  /**
   * The caller of a download without a bearer token: the user a valid, unexpired signed link was
   * issued to, still active (401 otherwise). Their role and scope are read now, not when signed.
   */
  async signedLinkActor(documentId: number, query: Partial<SignedQuery>, origin: RequestOrigin): Promise<Actor> {
    const invalid = AppError.unauthorized(DOCUMENT_MESSAGES.badSignedLink);
    if (query.uid === undefined || query.exp === undefined || query.sig === undefined) throw invalid;
    if (!this.deps.signer.verify(documentId, query as SignedQuery, this.deps.clock.now())) throw invalid;
    const holder = await this.deps.store.repos.documents.findLinkHolder(query.uid);
    if (!holder?.is_active) throw invalid;
    return { ...SYSTEM_ACTOR, ...origin, userId: holder.id, role: holder.role, clientId: holder.client_id, technicienId: holder.technicien_id };
  }

  /** Opens a document for download; a missing or unreadable file is a 500, audited `doc.integrity_failed`. */
  async download(actor: Actor, id: number): Promise<Download> {
    const row = await this.findInScope(actor, id, 'download');
    let stream: Readable;
    try {
      stream = await this.deps.files.open(row as StoredFile);
    } catch (error) {
      if (!(error instanceof FileUnavailableError)) throw error;
      await this.integrityFailed(actor, id, error.reason, error.message);
      throw new AppError(500);
    }
    await this.deps.audit.record(actor, { eventType: 'doc.downloaded', outcome: 'success', resourceType: 'document', resourceId: id, details: { intervention_id: row.intervention_id } });
    this.deps.metrics.downloaded.inc();
    this.deps.metrics.downloadedBytes.inc(row.taille_octets);
    return {
      stream,
      mime: row.mime_type,
      size: row.taille_octets,
      filename: row.nom_fichier,
      failed: (error) => this.integrityFailed(actor, id, 'integrity', error.message),
    };
  }

  private async integrityFailed(actor: Actor, id: number, reason: string, message: string): Promise<void> {
    this.deps.metrics.integrityFailures.inc();
    this.deps.logger.error({ document_id: id, reason, error: message }, 'document integrity failure');
    await this.deps.audit.record(actor, { eventType: 'doc.integrity_failed', outcome: 'failure', resourceType: 'document', resourceId: id, details: { reason } });
  }

  // --- delete -------------------------------------------------------------------------------------

  /** DELETE /documents/{id}: the row (and its audit) in one transaction, then the file. */
  async delete(actor: Actor, id: number): Promise<void> {
    const row = await this.findInScope(actor, id, 'delete');
    if (!canDelete(actor, row)) throw await this.deps.audit.deny(actor, roleDenied(DOCUMENT_MESSAGES.deleteRefused, 'document', id));
    const deleted = await this.deps.store.transaction(async (repos) => {
      const gone = await repos.documents.delete(id);
      if (!gone) throw AppError.notFound(DOCUMENT_MESSAGES.notFound);
      await repos.audit.insert(auditRow(actor, { eventType: 'doc.deleted', outcome: 'success', resourceType: 'document', resourceId: id, details: { intervention_id: gone.intervention_id } }));
      return gone;
    });
    // A file that cannot be removed now is an orphan: the daily sweep removes it (purgeFiles).
    await this.deps.files.remove(deleted.storage_key).catch((error: unknown) => this.deps.logger.warn({ err: error, document_id: id }, 'document file not removed'));
  }

  // --- maintenance --------------------------------------------------------------------------------

  /**
   * How many rows have no file under UPLOAD_DIRECTORY (/health/detailed, docs/operations.md §8):
   * every row's file is looked up, a batch at a time, so the cost grows with the number of documents.
   */
  async missingFiles(): Promise<number> {
    let missing = 0;
    let afterId = 0;
    for (;;) {
      const rows = await this.deps.store.repos.documents.storageKeysAfter(afterId, FILE_CHECK_BATCH);
      if (rows.length === 0) return missing;
      const present = await Promise.all(rows.map((row) => this.deps.files.exists(row.storage_key)));
      missing += present.filter((exists) => !exists).length;
      afterId = rows.at(-1)!.id;
    }
  }

  /**
   * The file part of the `maintenance.purge` job (docs/operations.md §6): temporary upload files
   * older than 1 h, and files without a row older than 24 h.
   */
  purgeFiles(): Promise<PurgeResult> {
    const { documents } = this.deps.store.repos;
    return this.deps.files.purge({ now: this.deps.clock.now(), tempAgeMs: HOUR_MS, orphanAgeMs: 24 * HOUR_MS, known: (keys) => documents.knownStorageKeys(keys) });
  }
}

function readDescription(value: string): string | null {
  const text = value.trim();
  if (text.length > DESCRIPTION_MAX) {
    throw AppError.validation([{ loc: ['body', 'description'], msg: `Ne doit pas dépasser ${DESCRIPTION_MAX} caractères`, type: 'too_long' }]);
  }
  return text === '' ? null : text;
}

function readInterventionId(value: string): number {
  const id = /^\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw AppError.validation([{ loc: ['body', 'intervention_id'], msg: 'Type invalide : entier attendu', type: 'type' }]);
  return id;
}
