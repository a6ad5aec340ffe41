/**
 * The file format `aes256gcm-stream-v1` (docs/security.md §8): a 19-byte header (ASCII `MIFENC1`,
 * version 0x01, chunk size uint32 BE, 7-byte random nonce prefix), then the plaintext in chunks of
 * the chunk size, each AES-256-GCM ciphertext ‖ 16-byte tag, with nonce = prefix ‖ chunk index
 * (uint32 BE) ‖ final flag and AAD = the header. The final flag makes a truncation at a chunk
 * boundary fail, the index makes a reordering fail, and nothing may follow the final chunk.
 *
 * Both directions are Transform streams that hold at most two chunks, so a file of any size goes
 * through in constant memory. The encrypting side also measures the plaintext (size, SHA-256);
 * the decrypting side checks the size and SHA-256 stored in the row at the end.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const FORMAT = 'aes256gcm-stream-v1';
const MAGIC = Buffer.from('MIFENC1', 'ascii');
const VERSION = 0x01;
export const CHUNK_SIZE = 65536;
export const HEADER_LENGTH = 19;
const PREFIX_LENGTH = 7;
export const TAG_LENGTH = 16;

/** Any departure from the format or a failed tag or checksum: the file cannot be trusted. */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

function header(prefix: Buffer): Buffer {
  const head = Buffer.alloc(HEADER_LENGTH);
  MAGIC.copy(head, 0);
  head[7] = VERSION;
  head.writeUInt32BE(CHUNK_SIZE, 8);
  prefix.copy(head, 12);
  return head;
}

function chunkNonce(prefix: Buffer, index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, PREFIX_LENGTH);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/** Bytes received but not yet processed; taking a run copies only what crosses buffer boundaries. */
class ByteQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    if (buffer.length === 0) return;
    this.parts.push(buffer);
    this.length += buffer.length;
  }

  take(count: number): Buffer {
    const first = this.parts[0]!;
    let out: Buffer;
    if (first.length >= count) {
      out = first.subarray(0, count);
      if (first.length === count) this.parts.shift();
      else this.parts[0] = first.subarray(count);
    } else {
      out = Buffer.allocUnsafe(count);
      let filled = 0;
      while (filled < count) {
        const part = this.parts[0]!;
        const used = Math.min(part.length, count - filled);
        part.copy(out, filled, 0, used);
        filled += used;
        if (used === part.length) this.parts.shift();
        else this.parts[0] = part.subarray(used);
      }
    }
    this.length -= count;
    return out;
  }
}

/** What the encrypting stream measured of the plaintext, once it has finished. */
export interface PlaintextDigest {
  size: number;
  sha256: string;
}

export class EncryptStream extends Transform {
  private readonly queue = new ByteQueue();
  private readonly prefix = randomBytes(PREFIX_LENGTH);
  private readonly head = header(this.prefix);
  private readonly hash: Hash = createHash('sha256');
  private index = 0;
  private size = 0;
  private digestValue: PlaintextDigest | null = null;

  constructor(private readonly dek: Buffer) {
    super();
    this.push(this.head);
  }

  /** Size and SHA-256 of the plaintext; available after the stream has ended. */
  get digest(): PlaintextDigest {
    if (!this.digestValue) throw new Error('EncryptStream: digest read before the end');
    return this.digestValue;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.queue.push(chunk);
    // A full chunk is sealed only once a later byte proves it is not the last one.
    while (this.queue.length > CHUNK_SIZE) this.seal(this.queue.take(CHUNK_SIZE), false);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.queue.length === 0) {
      done(new Error('EncryptStream: an empty plaintext has no final chunk'));
      return;
    }
    this.seal(this.queue.take(this.queue.length), true);
    this.digestValue = { size: this.size, sha256: this.hash.digest('hex') };
    done();
  }

  private seal(plain: Buffer, final: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.dek, chunkNonce(this.prefix, this.index, final));
    cipher.setAAD(this.head);
    this.push(cipher.update(plain));
    this.push(Buffer.concat([cipher.final(), cipher.getAuthTag()]));
    this.index += 1;
  }
}

/** The plaintext of a stored file; fails with IntegrityError on any damage, before the bad chunk is released. */
export class DecryptStream extends Transform {
  private readonly queue = new ByteQueue();
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer | null = null;
  private prefix: Buffer | null = null;
  private index = 0;
  private size = 0;

  constructor(
    private readonly dek: Buffer,
    private readonly expected: PlaintextDigest | null = null,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.queue.push(chunk);
    try {
      if (!this.head) {
        if (this.queue.length < HEADER_LENGTH) return done();
        this.readHeader(this.queue.take(HEADER_LENGTH));
      }
      const record = CHUNK_SIZE + TAG_LENGTH;
      while (this.queue.length > record) this.open(this.queue.take(record), false);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.head) throw new IntegrityError('truncated header');
      if (this.queue.length <= TAG_LENGTH) throw new IntegrityError('missing final chunk');
      this.open(this.queue.take(this.queue.length), true);
      if (this.expected) {
        const sha256 = this.hash.digest('hex');
        if (this.size !== this.expected.size || sha256 !== this.expected.sha256) throw new IntegrityError('plaintext size or SHA-256 differs from the record');
      }
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  private readHeader(head: Buffer): void {
    if (!head.subarray(0, 7).equals(MAGIC) || head[7] !== VERSION || head.readUInt32BE(8) !== CHUNK_SIZE) throw new IntegrityError('bad header');
    this.head = head;
    this.prefix = head.subarray(12, HEADER_LENGTH);
  }

  private open(record: Buffer, final: boolean): void {
    const cut = record.length - TAG_LENGTH;
    const decipher = createDecipheriv('aes-256-gcm', this.dek, chunkNonce(this.prefix!, this.index, final));
    decipher.setAAD(this.head!);
    decipher.setAuthTag(record.subarray(cut));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(record.subarray(0, cut)), decipher.final()]);
    } catch {
      throw new IntegrityError(`chunk ${this.index}: authentication failed`);
    }
    this.hash.update(plain);
    this.size += plain.length;
    this.index += 1;
    this.push(plain);
  }
}

/** Size on disk of a plaintext of `size` bytes (≥ 1) in this format. */
export function encryptedSize(size: number): number {
  return HEADER_LENGTH + size + Math.ceil(size / CHUNK_SIZE) * TAG_LENGTH;
}
