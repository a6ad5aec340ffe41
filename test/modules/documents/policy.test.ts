/** Pure rules of documents: stored names, download file names, the type allowlist, permissions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectMimeType } from '../../../src/modules/documents/content-type.js';
import { dispositionFor, downloadCsp } from '../../../src/modules/documents/download-headers.js';
import { canDelete, canUpload, contentDisposition, uploadName } from '../../../src/modules/documents/policy.js';

/** A ZIP local file header for one stored entry. */
function zipEntry(name: string, data = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(30);
  head.write('PK\x03\x04', 0, 'latin1');
  head.writeUInt16LE(0, 8); // stored
  head.writeUInt32LE(data.length, 18);
  head.writeUInt32LE(data.length, 22);
  head.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([head, Buffer.from(name), data]);
}

describe('uploadName', () => {
  it('keeps the last path component, after / and \\', () => {
    assert.equal(uploadName('..\\..\\x.pdf')?.filename, 'x.pdf');
    assert.equal(uploadName('a/../../b.pdf')?.filename, 'b.pdf');
    assert.equal(uploadName('/etc/passwd.txt')?.filename, 'passwd.txt');
  });
  it('removes controls, quotes and <>:|?*, collapses whitespace, NFC', () => {
    assert.equal(uploadName('  rap"port\u0000 <final>:|?*  \t été\n.PDF')?.filename, 'rapport final été.PDF');
    assert.equal(uploadName('e\u0301te\u0301.pdf')?.filename, 'été.pdf');
    assert.equal(uploadName('x.PDF')?.extension, 'pdf');
  });
  it('an empty name becomes document.<ext>', () => {
    assert.equal(uploadName('<>.png')?.filename, 'document.png');
    assert.equal(uploadName('.pdf')?.filename, 'document.pdf');
  });
  it('no extension → null (the 400)', () => {
    for (const name of ['rapport', 'rapport.', '', 'dir.d/rapport']) assert.equal(uploadName(name), null, name);
  });
  it('at most 255 bytes, extension kept, never a cut character', () => {
    const name = uploadName(`${'é'.repeat(300)}.pdf`)!;
    assert.ok(Buffer.byteLength(name.filename) <= 255);
    assert.ok(name.filename.endsWith('é.pdf'));
    assert.equal(name.filename, name.filename.normalize('NFC'));
  });
});

describe('contentDisposition (RFC 6266)', () => {
  it('ASCII fallback and the exact UTF-8 name', () => {
    assert.equal(contentDisposition('Rapport été (1).pdf'), `attachment; filename="Rapport ete (1).pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9%20%281%29.pdf`);
    assert.equal(contentDisposition('日本.txt'), `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`);
    assert.equal(contentDisposition('Rapport été.pdf', 'inline'), `inline; filename="Rapport ete.pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9.pdf`);
  });
});

describe('download headers (docs/security.md "Headers of a download")', () => {
  it('frame-ancestors: this origin and the exact CORS origins, never * or null; sandbox kept', () => {
    assert.equal(downloadCsp(['https://erp.example.com', '*', 'null', 'http://localhost:3000']), "default-src 'none'; sandbox; frame-ancestors 'self' https://erp.example.com http://localhost:3000");
    assert.equal(downloadCsp([]), "default-src 'none'; sandbox; frame-ancestors 'self'");
  });

  it('inline for the destinations of a frame only', () => {
    for (const dest of ['iframe', 'frame', 'embed', 'object']) assert.equal(dispositionFor(dest), 'inline', dest);
    for (const dest of [undefined, 'document', 'image', 'empty', ['iframe', 'iframe'], 'IFRAME']) assert.equal(dispositionFor(dest), 'attachment', String(dest));
  });
});

describe('detectMimeType', () => {
  const pdf = Buffer.from('%PDF-1.7\n...');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  it('accepts each allowed type with its own extension', () => {
    assert.equal(detectMimeType('pdf', pdf), 'application/pdf');
    assert.equal(detectMimeType('png', png), 'image/png');
    assert.equal(detectMimeType('jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(detectMimeType('gif', Buffer.from('GIF89a....')), 'image/gif');
    assert.equal(detectMimeType('webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1')), 'image/webp');
    assert.equal(detectMimeType('heic', Buffer.from('\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00heic', 'latin1')), 'image/heic');
    assert.equal(
      detectMimeType('docx', Buffer.concat([zipEntry('_rels/.rels'), zipEntry('[Content_Types].xml')])),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    assert.equal(detectMimeType('odt', zipEntry('mimetype', Buffer.from('application/vnd.oasis.opendocument.text'))), 'application/vnd.oasis.opendocument.text');
    assert.equal(detectMimeType('csv', Buffer.from('a;b\nété;2\n')), 'text/csv');
  });
  it('refuses a mismatch, unknown extensions and look-alikes', () => {
    assert.equal(detectMimeType('pdf', png), null);
    assert.equal(detectMimeType('pdf', Buffer.from('<html><body>%PDF-</body></html>')), null);
    assert.equal(detectMimeType('exe', Buffer.from('MZ\x90\x00')), null);
    assert.equal(detectMimeType('svg', Buffer.from('<svg/>')), null);
    assert.equal(detectMimeType('docx', zipEntry('word/document.xml')), null, 'a plain ZIP is not OOXML');
    assert.equal(detectMimeType('ods', zipEntry('mimetype', Buffer.from('application/vnd.oasis.opendocument.text'))), null, 'odt content named .ods');
    assert.equal(detectMimeType('txt', Buffer.from('abc\u0000def')), null);
    assert.equal(detectMimeType('txt', Buffer.from([0x61, 0xff, 0xfe, 0x62])), null);
    assert.equal(detectMimeType('heic', Buffer.from('\x00\x00\x00\x10ftypisom\x00\x00\x00\x00', 'latin1')), null);
  });
  it('a UTF-8 character cut at the 8 KiB sample edge is still text', () => {
    const text = Buffer.concat([Buffer.alloc(8191, 'a'), Buffer.from('é')]);
    assert.equal(detectMimeType('txt', text), 'text/plain');
  });
});

describe('who may upload and delete', () => {
  const tech = { role: 'technicien' as const, userId: 7, technicienId: 3 };
  it('upload: managers anywhere, a technician on their assigned work, never a client', () => {
    assert.equal(canUpload({ role: 'responsable', userId: 1, technicienId: null }, { technicien_id: null }), true);
    assert.equal(canUpload(tech, { technicien_id: 3 }), true);
    assert.equal(canUpload(tech, { technicien_id: 4 }), false);
    assert.equal(canUpload({ role: 'client', userId: 9, technicienId: null }, { technicien_id: null }), false);
  });
  it('delete: managers, and a technician their own uploads', () => {
    assert.equal(canDelete({ role: 'admin', userId: 1, technicienId: null }, { uploaded_by_id: 5 }), true);
    assert.equal(canDelete(tech, { uploaded_by_id: 7 }), true);
    assert.equal(canDelete(tech, { uploaded_by_id: 5 }), false);
    assert.equal(canDelete({ role: 'client', userId: 9, technicienId: null }, { uploaded_by_id: 9 }), false);
  });
});
