/**
 * The checks an upload passes while it streams (docs/security.md §8): the size cap, cut as soon as
 * it is passed (413); the type, decided from the first bytes and the extension (415); an empty
 * file (422). Only the head (64 KiB) is held back, until the type is known.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../lib/errors.js';
import { detectMimeType, SNIFF_BYTES } from './content-type.js';
import { DOCUMENT_MESSAGES, tooLargeMessage } from './policy.js';

/** Why an upload was refused while streaming: the audit's `doc.rejected` reason. */
export type RejectionReason = 'too_large' | 'type' | 'empty';

export class UploadRejected extends AppError {
  constructor(
    readonly reason: RejectionReason,
    status: 413 | 415 | 422,
    message: string,
  ) {
    super(status, message);
  }
}

export class UploadGate extends Transform {
  private head: Buffer[] = [];
  private headLength = 0;
  private received = 0;
  private detected: string | null = null;

  constructor(
    private readonly extension: string,
    private readonly maxBytes: number,
    private readonly maxMb: number,
  ) {
    super();
  }

  /** The MIME type detected from the content; known once the stream has ended. */
  get mimeType(): string {
    if (!this.detected) throw new Error('UploadGate: type read before detection');
    return this.detected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) return done(new UploadRejected('too_large', 413, tooLargeMessage(this.maxMb)));
    if (this.detected) return done(null, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < SNIFF_BYTES) return done();
    done(this.release());
  }

  override _flush(done: TransformCallback): void {
    if (this.received === 0) return done(new UploadRejected('empty', 422, DOCUMENT_MESSAGES.empty));
    done(this.detected ? null : this.release());
  }

  private release(): Error | null {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.detected = detectMimeType(this.extension, head);
    if (!this.detected) return new UploadRejected('type', 415, DOCUMENT_MESSAGES.typeRefused);
    this.push(head);
    return null;
  }
}
