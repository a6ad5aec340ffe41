/**
 * Signed download links (docs/security.md §8 "Signed download URLs"): the `path` of a DocumentOut
 * opens the download without a bearer header, for one user and DOWNLOAD_URL_TTL_SECONDS.
 * sig = base64url(HMAC-SHA256(K, `doc:{id}:{uid}:{exp}`)), K = HKDF-SHA256(SECRET_KEY, info
 * `mif-erp/download-url/v1`), compared in constant time. The logger removes `sig` (src/logger.ts).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const INFO = 'mif-erp/download-url/v1';
export const DOWNLOAD_PREFIX = '/api/v1/documents';

export interface SignedQuery {
  uid: number;
  exp: number;
  sig: string;
}

export class DownloadSigner {
  private readonly key: Buffer;

  constructor(
    secretKey: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.alloc(0), INFO, 32));
  }

  private signature(documentId: number, userId: number, exp: number): Buffer {
    return createHmac('sha256', this.key).update(`doc:${documentId}:${userId}:${exp}`).digest();
  }

  /** The relative signed URL of a document for a user, valid from `now` for the TTL. */
  path(documentId: number, userId: number, now: Date): string {
    const exp = Math.floor(now.getTime() / 1000) + this.ttlSeconds;
    const sig = this.signature(documentId, userId, exp).toString('base64url');
    return `${DOWNLOAD_PREFIX}/${documentId}/download?uid=${userId}&exp=${exp}&sig=${sig}`;
  }

  /** Whether the query signs this document for its user and has not expired at `now`. */
  verify(documentId: number, query: SignedQuery, now: Date): boolean {
    if (query.exp < Math.floor(now.getTime() / 1000)) return false;
    const given = Buffer.from(query.sig, 'base64url');
    const expected = this.signature(documentId, query.uid, query.exp);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
