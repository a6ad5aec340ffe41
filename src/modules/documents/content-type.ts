/**
 * The upload type allowlist (docs/security.md §8 "Type allowlist"), decided from the first bytes of
 * the content; the client's Content-Type is ignored. The extension must be in the list and agree
 * with what the content is. Pure functions over the head of the file.
 */

/** How much of the head the detection reads: ZIP entries are looked for in it. */
export const SNIFF_BYTES = 64 * 1024;
const TEXT_SNIFF_BYTES = 8 * 1024;

const OOXML: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};
const ODF: Record<string, string> = {
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};
const HEIC_BRANDS = new Set(['heic', 'heix', 'mif1', 'msf1']);

/** Every extension accepted, lower-case, without the dot. */
export const ALLOWED_EXTENSIONS = ['pdf', 'jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'heif', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'txt', 'csv'] as const;

const startsWith = (head: Buffer, bytes: number[] | string, at = 0): boolean => {
  const expected = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return head.length >= at + expected.length && head.subarray(at, at + expected.length).equals(expected);
};

/** The ZIP local file headers found in the head: entry name and, for stored entries, their bytes. */
function zipEntries(head: Buffer): { name: string; offset: number; data: Buffer | null }[] {
  const entries: { name: string; offset: number; data: Buffer | null }[] = [];
  let at = head.indexOf('PK\x03\x04', 0, 'latin1');
  while (at >= 0 && at + 30 <= head.length) {
    const method = head.readUInt16LE(at + 8);
    const compressed = head.readUInt32LE(at + 18);
    const nameLength = head.readUInt16LE(at + 26);
    const extraLength = head.readUInt16LE(at + 28);
    const start = at + 30 + nameLength + extraLength;
    const name = head.subarray(at + 30, Math.min(head.length, at + 30 + nameLength)).toString('utf8');
    const data = method === 0 && start + compressed <= head.length ? head.subarray(start, start + compressed) : null;
    entries.push({ name, offset: at, data });
    at = head.indexOf('PK\x03\x04', at + 4, 'latin1');
  }
  return entries;
}

function isUtf8Text(head: Buffer): boolean {
  const sample = head.subarray(0, TEXT_SNIFF_BYTES);
  if (sample.includes(0)) return false;
  try {
    // `stream: true`: a character cut at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function heicBrandOk(head: Buffer): boolean {
  if (!startsWith(head, 'ftyp', 4)) return false;
  const boxSize = Math.min(head.readUInt32BE(0), head.length);
  const brands = [head.subarray(8, 12).toString('latin1')];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(head.subarray(at, at + 4).toString('latin1'));
  return brands.some((brand) => HEIC_BRANDS.has(brand));
}

/**
 * The MIME type to store for a file named with `extension` whose content starts with `head`, or
 * null when the extension is not allowed or the content is not what the extension says.
 */
export function detectMimeType(extension: string, head: Buffer): string | null {
  switch (extension) {
    case 'pdf':
      return startsWith(head, '%PDF-') ? 'application/pdf' : null;
    case 'jpg':
    case 'jpeg':
      return startsWith(head, [0xff, 0xd8, 0xff]) ? 'image/jpeg' : null;
    case 'png':
      return startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ? 'image/png' : null;
    case 'gif':
      return startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a') ? 'image/gif' : null;
    case 'webp':
      return startsWith(head, 'RIFF') && startsWith(head, 'WEBP', 8) ? 'image/webp' : null;
    case 'heic':
    case 'heif':
      return heicBrandOk(head) ? 'image/heic' : null;
    case 'docx':
    case 'xlsx':
    case 'pptx':
      return startsWith(head, 'PK\x03\x04') && zipEntries(head).some((entry) => entry.name === '[Content_Types].xml') ? OOXML[extension]! : null;
    case 'odt':
    case 'ods': {
      const first = startsWith(head, 'PK\x03\x04') ? zipEntries(head)[0] : undefined;
      return first?.name === 'mimetype' && first.data?.toString('latin1') === ODF[extension] ? ODF[extension]! : null;
    }
    case 'txt':
      return isUtf8Text(head) ? 'text/plain' : null;
    case 'csv':
      return isUtf8Text(head) ? 'text/csv' : null;
    default:
      return null;
  }
}
