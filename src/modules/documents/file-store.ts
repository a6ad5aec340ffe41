/**
 * The document files on disk (docs/security.md §8): `<UPLOAD_DIRECTORY>/<2 hex>/<storage_key>`,
 * names made here from a random UUID, never from user input. An upload is encrypted into a
 * temporary file beside its target (`.<storage_key>.tmp`), fsynced, and renamed only once the
 * caller has decided to keep it; anything that fails removes the temporary file. A write error
 * (disk full, quota, I/O) is a 507. The purge job removes what a crash may leave (operations.md §6).
 * Shared by the service, the rotation command and the purge job.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../lib/errors.js';
import { fernetDecrypt } from './crypto/fernet.js';
import { FileKeyring, newDataKey } from './crypto/keyring.js';
import { DecryptStream, EncryptStream, encryptedSize, FORMAT } from './crypto/stream-format.js';
import { DOCUMENT_MESSAGES } from './policy.js';
import { UploadGate } from './upload-gate.js';

/** Legacy Fernet files are read whole; beyond this they are refused (docs/security.md §8). */
const FERNET_MAX_BYTES = 100 * 1024 * 1024;
const TEMP_SUFFIX = '.tmp';
const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a stored row needs to find and open its file. */
export interface StoredFile {
  storage_key: string;
  encryption: string;
  key_id: string;
  wrapped_key: Buffer | null;
  taille_octets: number;
  sha256: string;
}

/** An encrypted upload in its temporary file, not yet kept. */
export interface StagedFile {
  storageKey: string;
  keyId: string;
  wrappedKey: Buffer;
  size: number;
  sha256: string;
  mimeType: string;
  tempPath: string;
}

/** A file that is missing, damaged or unreadable with the configured keys. */
export class FileUnavailableError extends Error {
  constructor(
    readonly reason: 'missing' | 'integrity' | 'key',
    message: string,
  ) {
    super(message);
    this.name = 'FileUnavailableError';
  }
}

/** Errors of the file system while writing (they carry `syscall`), as opposed to a refused upload. */
function isWriteFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** The 507 of a failed write; the file system's error stays attached for the log. */
function storageFailure(error: unknown): AppError {
  return Object.assign(new AppError(507, DOCUMENT_MESSAGES.storageFull), { cause: error });
}

export interface PurgeResult {
  temporary: number;
  orphans: number;
}

export class DocumentFileStore {
  constructor(
    readonly directory: string,
    readonly keyring: FileKeyring,
  ) {}

  pathOf(storageKey: string): string {
    if (!STORAGE_KEY.test(storageKey)) throw new Error('invalid storage key');
    return path.join(this.directory, storageKey.slice(0, 2), storageKey);
  }

  /**
   * Streams `source` through the upload checks and the cipher into a temporary file, then fsyncs
   * it. The caller keeps it (`commit`) or drops it (`discard`); on failure nothing is left.
   */
  async stage(source: Readable, upload: { extension: string; maxBytes: number; maxMb: number }): Promise<StagedFile> {
    const gate = new UploadGate(upload.extension, upload.maxBytes, upload.maxMb);
    const staged = await this.writeEncrypted(source, gate);
    return { ...staged, mimeType: gate.mimeType };
  }

  /**
   * A legacy Fernet file converted to this format, as a new staged file under a new storage key
   * (rotation `--reencrypt-legacy`): the row moves to it in one update, then the old file is removed.
   */
  async reencryptLegacy(file: StoredFile): Promise<Omit<StagedFile, 'mimeType'>> {
    const filePath = this.pathOf(file.storage_key);
    const stat = await fs.stat(filePath).catch(() => {
      throw new FileUnavailableError('missing', 'file missing');
    });
    return this.writeEncrypted(Readable.from([await this.openFernet(filePath, stat.size, file)]), null);
  }

  private async writeEncrypted(source: Readable, gate: UploadGate | null): Promise<Omit<StagedFile, 'mimeType'>> {
    const storageKey = randomUUID();
    const finalPath = this.pathOf(storageKey);
    const tempPath = path.join(path.dirname(finalPath), `.${storageKey}${TEMP_SUFFIX}`);
    const dek = newDataKey();
    const cipher = new EncryptStream(dek);
    try {
      await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
      // Opened before the pipeline: a stream that opens lazily can create the file after a refused
      // upload's clean-up below has run, leaving a temporary file behind.
      const sink = (await fs.open(tempPath, 'wx', 0o600)).createWriteStream();
      await (gate ? pipeline(source, gate, cipher, sink) : pipeline(source, cipher, sink));
      const handle = await fs.open(tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await fs.rm(tempPath, { force: true }).catch(() => undefined);
      if (isWriteFailure(error)) throw storageFailure(error);
      throw error;
    }
    const { size, sha256 } = cipher.digest;
    return { storageKey, keyId: this.keyring.current.id, wrappedKey: this.keyring.wrap(dek, storageKey), size, sha256, tempPath };
  }

  /** Renames a staged file to its final name (then it is the row's to keep or remove). */
  async commit(staged: Pick<StagedFile, 'storageKey' | 'tempPath'>): Promise<void> {
    const finalPath = this.pathOf(staged.storageKey);
    try {
      await fs.rename(staged.tempPath, finalPath);
      await this.syncDirectory(path.dirname(finalPath));
    } catch (error) {
      await this.discard(staged);
      throw storageFailure(error);
    }
  }

  async discard(staged: Pick<StagedFile, 'tempPath'>): Promise<void> {
    await fs.rm(staged.tempPath, { force: true }).catch(() => undefined);
  }

  /** Whether a document's file is there; an invalid key or an unreadable directory counts as missing. */
  async exists(storageKey: string): Promise<boolean> {
    try {
      return (await fs.stat(this.pathOf(storageKey))).isFile();
    } catch {
      return false;
    }
  }

  /** Removes a document's file; a file already gone is not an error. */
  async remove(storageKey: string): Promise<void> {
    await fs.rm(this.pathOf(storageKey), { force: true });
  }

  /**
   * The plaintext of a stored file, checked as it streams (every chunk tag, then size and SHA-256).
   * What can be checked before the first byte is: the file exists, its length fits the format, the
   * key is configured and the wrapped key opens. Later damage makes the stream fail (IntegrityError).
   */
  async open(file: StoredFile): Promise<Readable> {
    const filePath = this.pathOf(file.storage_key);
    const stat = await fs.stat(filePath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new FileUnavailableError('missing', 'file missing');
      throw error;
    });
    if (file.encryption !== FORMAT) return Readable.from([await this.openFernet(filePath, stat.size, file)]);
    if (stat.size !== encryptedSize(file.taille_octets)) throw new FileUnavailableError('integrity', 'file length does not match the record');
    const dek = this.unwrap(file);
    const plain = new DecryptStream(dek, { size: file.taille_octets, sha256: file.sha256 });
    const encrypted = createReadStream(filePath);
    encrypted.on('error', (error) => plain.destroy(error));
    return encrypted.pipe(plain);
  }

  /** The data key of a row, unwrapped with the key its `key_id` names. */
  unwrap(file: Pick<StoredFile, 'wrapped_key' | 'key_id' | 'storage_key'>): Buffer {
    try {
      return this.keyring.unwrap(file.wrapped_key ?? Buffer.alloc(0), file.key_id, file.storage_key);
    } catch (error) {
      throw new FileUnavailableError('key', (error as Error).message);
    }
  }

  private async openFernet(filePath: string, length: number, file: StoredFile): Promise<Buffer> {
    if (length > FERNET_MAX_BYTES) throw new FileUnavailableError('integrity', 'legacy file over 100 MB');
    let plain: Buffer;
    try {
      plain = fernetDecrypt(await fs.readFile(filePath), this.keyring.all().map((key) => key.raw));
    } catch (error) {
      throw new FileUnavailableError('integrity', (error as Error).message);
    }
    if (plain.length !== file.taille_octets) throw new FileUnavailableError('integrity', 'legacy file size differs from the record');
    return plain;
  }

  /**
   * The sweep of docs/operations.md §6: temporary files older than `tempAgeMs`, and files whose
   * storage key has no row (`known` answers which of a batch have one) older than `orphanAgeMs`.
   */
  async purge(options: { now: Date; tempAgeMs: number; orphanAgeMs: number; known: (storageKeys: string[]) => Promise<Set<string>> }): Promise<PurgeResult> {
    const result: PurgeResult = { temporary: 0, orphans: 0 };
    const shards = await fs.readdir(this.directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const shard of shards) {
      if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
      const dir = path.join(this.directory, shard.name);
      const candidates: string[] = [];
      for (const name of await fs.readdir(dir)) {
        const stat = await fs.stat(path.join(dir, name)).catch(() => null);
        if (!stat?.isFile()) continue;
        const age = options.now.getTime() - stat.mtimeMs;
        if (name.endsWith(TEMP_SUFFIX)) {
          if (age > options.tempAgeMs && (await this.unlink(path.join(dir, name)))) result.temporary += 1;
        } else if (STORAGE_KEY.test(name) && age > options.orphanAgeMs) {
          candidates.push(name);
        }
      }
      if (candidates.length === 0) continue;
      const known = await options.known(candidates);
      for (const name of candidates) {
        if (!known.has(name) && (await this.unlink(path.join(dir, name)))) result.orphans += 1;
      }
    }
    return result;
  }

  private async unlink(file: string): Promise<boolean> {
    try {
      await fs.unlink(file);
      return true;
    } catch {
      return false;
    }
  }

  /** Makes a rename durable; some file systems cannot fsync a directory, which is then skipped. */
  private async syncDirectory(dir: string): Promise<void> {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync().catch(() => undefined);
    } finally {
      await handle.close();
    }
  }
}

