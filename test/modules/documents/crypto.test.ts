/**
 * The file format aes256gcm-stream-v1, the envelope keys and legacy Fernet (docs/security.md §8),
 * without a database: every way a stored file can be damaged is an integrity failure.
 */
import assert from 'node:assert/strict';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { fernetDecrypt, fernetEncrypt } from '../../../src/modules/documents/crypto/fernet.js';
import { FileKeyring, keyIdOf, KeyUnavailableError, masterKey } from '../../../src/modules/documents/crypto/keyring.js';
import { CHUNK_SIZE, DecryptStream, EncryptStream, encryptedSize, HEADER_LENGTH, IntegrityError, TAG_LENGTH } from '../../../src/modules/documents/crypto/stream-format.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const vectors = JSON.parse(fs.readFileSync(path.join(fixtures, 'fernet-spec-vectors.json'), 'utf8'));
const legacy = JSON.parse(fs.readFileSync(path.join(fixtures, 'legacy-fernet.json'), 'utf8'));

async function encrypt(plain: Buffer, dek: Buffer): Promise<{ file: Buffer; digest: { size: number; sha256: string } }> {
  const cipher = new EncryptStream(dek);
  const file = await buffer(Readable.from([plain]).pipe(cipher));
  return { file, digest: cipher.digest };
}

function decrypt(file: Buffer, dek: Buffer, expected: { size: number; sha256: string } | null = null): Promise<Buffer> {
  // Fed in odd-sized pieces, as a disk read would.
  const pieces: Buffer[] = [];
  for (let at = 0; at < file.length; at += 7777) pieces.push(file.subarray(at, at + 7777));
  return buffer(Readable.from(pieces).pipe(new DecryptStream(dek, expected)));
}

const record = CHUNK_SIZE + TAG_LENGTH;

describe('aes256gcm-stream-v1', () => {
  const dek = randomBytes(32);

  it('round-trips sizes around the chunk boundaries, and measures the plaintext', async () => {
    for (const size of [1, 100, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 5]) {
      const plain = randomBytes(size);
      const { file, digest } = await encrypt(plain, dek);
      assert.equal(file.length, encryptedSize(size), `size ${size}`);
      assert.deepEqual(digest, { size, sha256: createHash('sha256').update(plain).digest('hex') });
      assert.ok((await decrypt(file, dek, digest)).equals(plain), `size ${size}`);
    }
  });

  it('writes the header of the specification', async () => {
    const { file } = await encrypt(Buffer.from('x'), dek);
    assert.equal(file.subarray(0, 7).toString('ascii'), 'MIFENC1');
    assert.equal(file[7], 1);
    assert.equal(file.readUInt32BE(8), 65536);
    assert.equal(HEADER_LENGTH, 19);
  });

  it('refuses an empty plaintext (the last chunk holds 1 to 65536 bytes)', async () => {
    await assert.rejects(encrypt(Buffer.alloc(0), dek));
  });

  describe('every damage is an IntegrityError', async () => {
    const plain = randomBytes(3 * CHUNK_SIZE + 10);
    const { file, digest } = await encrypt(plain, dek);
    const damaged: Record<string, Buffer> = {
      'one flipped byte in a chunk': Buffer.from(file).fill(file[HEADER_LENGTH + 5]! ^ 1, HEADER_LENGTH + 5, HEADER_LENGTH + 6),
      'a flipped byte in the header (the AAD)': Buffer.from(file).fill(file[14]! ^ 0x80, 14, 15),
      'truncated at a chunk boundary (no final chunk)': file.subarray(0, HEADER_LENGTH + 2 * record),
      'truncated inside the last chunk': file.subarray(0, file.length - 3),
      'trailing bytes': Buffer.concat([file, Buffer.from('x')]),
      'a whole extra record after the final one': Buffer.concat([file, file.subarray(HEADER_LENGTH, HEADER_LENGTH + record)]),
      'two chunks swapped': Buffer.concat([
        file.subarray(0, HEADER_LENGTH),
        file.subarray(HEADER_LENGTH + record, HEADER_LENGTH + 2 * record),
        file.subarray(HEADER_LENGTH, HEADER_LENGTH + record),
        file.subarray(HEADER_LENGTH + 2 * record),
      ]),
      'bad magic': Buffer.concat([Buffer.from('MIFENC2'), file.subarray(7)]),
      'header only': file.subarray(0, HEADER_LENGTH),
      'shorter than a header': file.subarray(0, 10),
    };
    for (const [name, bytes] of Object.entries(damaged)) {
      it(name, async () => {
        await assert.rejects(decrypt(bytes, dek, digest), IntegrityError);
      });
    }
    it('a wrong data key', async () => {
      await assert.rejects(decrypt(file, randomBytes(32), digest), IntegrityError);
    });
    it('a record whose size or SHA-256 differs from the file', async () => {
      await assert.rejects(decrypt(file, dek, { ...digest, sha256: '0'.repeat(64) }), IntegrityError);
      await assert.rejects(decrypt(file, dek, { ...digest, size: digest.size + 1 }), IntegrityError);
    });
    it('no plaintext of a damaged chunk is released', async () => {
      const broken = damaged['two chunks swapped']!;
      const received: Buffer[] = [];
      const stream = Readable.from([broken]).pipe(new DecryptStream(dek, digest));
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) received.push(chunk as Buffer);
        })(),
        IntegrityError,
      );
      assert.equal(Buffer.concat(received).length, 0);
    });
  });
});

describe('envelope keys', () => {
  const current = randomBytes(32).toString('base64url');
  const old = randomBytes(32).toString('base64url');

  it('key_id and KEK follow the specification', () => {
    const raw = Buffer.from(current, 'base64url');
    const expectedId = createHash('sha256').update('mif-erp/key-id/v1').update(raw).digest('hex').slice(0, 16);
    assert.equal(keyIdOf(raw), expectedId);
    const key = masterKey(`${current}=`); // with padding, the legacy Fernet format
    assert.equal(key.id, expectedId);
    assert.ok(key.kek.equals(Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), 'mif-erp/files/kek/v1', 32))));
  });

  it('wraps under the current key and unwraps under any configured one, bound to the storage key', () => {
    const before = new FileKeyring(old);
    const dek = randomBytes(32);
    const wrapped = before.wrap(dek, '0b8f6a43-5d7e-4c1a-9f55-6c1a6e2e2b11');
    assert.equal(wrapped.length, 12 + 32 + 16);
    const after = new FileKeyring(current, [old]);
    assert.ok(after.unwrap(wrapped, before.current.id, '0b8f6a43-5d7e-4c1a-9f55-6c1a6e2e2b11').equals(dek));
    assert.throws(() => after.unwrap(wrapped, before.current.id, '1b8f6a43-5d7e-4c1a-9f55-6c1a6e2e2b11'), KeyUnavailableError);
    assert.throws(() => new FileKeyring(current).unwrap(wrapped, before.current.id, '0b8f6a43-5d7e-4c1a-9f55-6c1a6e2e2b11'), KeyUnavailableError);
  });
});

describe('legacy Fernet', () => {
  const at = (iso: string) => new Date(iso);
  const keyOf = (secret: string) => Buffer.from(secret, 'base64url');

  it('generate: the spec token, byte for byte', () => {
    for (const v of vectors.generate) {
      assert.equal(fernetEncrypt(keyOf(v.secret), Buffer.from(v.src), { iv: Buffer.from(v.iv), now: at(v.now) }), v.token);
    }
  });

  it('verify: the spec tokens decrypt', () => {
    for (const v of vectors.verify) {
      assert.equal(fernetDecrypt(v.token, [keyOf(v.secret)], { ttlSeconds: v.ttl_sec, now: at(v.now) }).toString(), v.src);
    }
  });

  for (const v of vectors.invalid) {
    it(`invalid: ${v.desc}`, () => {
      assert.throws(() => fernetDecrypt(v.token, [keyOf(v.secret)], { ttlSeconds: v.ttl_sec, now: at(v.now) }));
    });
  }

  it("a token written by Python's cryptography decrypts, with the key first or among old keys", () => {
    const expected = Buffer.from(legacy.plaintext_base64, 'base64');
    const key = keyOf(legacy.key);
    assert.ok(fernetDecrypt(legacy.token, [key]).equals(expected));
    assert.ok(fernetDecrypt(Buffer.from(legacy.token), [randomBytes(32), key]).equals(expected));
    assert.throws(() => fernetDecrypt(legacy.token, [randomBytes(32)]), /incorrect mac/);
  });
});
