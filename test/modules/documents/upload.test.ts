/**
 * POST /documents/ (docs/api.md §4.8, docs/security.md §8 "Tested by"): limits, types, names,
 * encryption at rest, scope; on the real file system and database. Every refusal leaves no file
 * and no row.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { assertError, call } from '../../helpers/http.js';
import { buildWorld, filesUnder, multipart, pdfBytes, PNG_BYTES, sha256, upload, type DocumentsWorld } from './support.js';

let w: DocumentsWorld;
const t = useTestApp({ env: { UPLOAD_MAX_MB: '20' } }, async (app) => {
  w = await buildWorld(app);
});
const uploadDir = () => t().config.files.uploadDirectory;
const rowCount = async () => Number((await t().db.selectFrom('documents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const auditCount = async (eventType: string) =>
  Number((await t().db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('event_type', '=', eventType).executeTakeFirstOrThrow()).n);

/** Runs a refused upload and checks that nothing was kept. */
async function refusedLeavesNothing(work: () => Promise<unknown>): Promise<void> {
  const rowsBefore = await rowCount();
  const filesBefore = await filesUnder(uploadDir());
  await work();
  assert.equal(await rowCount(), rowsBefore, 'no row');
  assert.deepEqual(await filesUnder(uploadDir()), filesBefore, 'no file, not even a temporary one');
}

describe('upload limits', () => {
  it('20 MB + 1 byte → 413 "Fichier trop volumineux (maximum 20 Mo)", nothing on disk, no row, doc.rejected', async () => {
    const rejected = await auditCount('doc.rejected');
    await refusedLeavesNothing(async () => {
      const response = await upload(t(), w.responsable, w.i1, { filename: 'gros.pdf', content: pdfBytes(20 * 1024 * 1024 + 1) });
      assertError(response, 413, 'Fichier trop volumineux (maximum 20 Mo)');
    });
    assert.equal(await auditCount('doc.rejected'), rejected + 1);
  });

  it('exactly 20 MB is accepted, and stored encrypted with the same SHA-256', async () => {
    const content = pdfBytes(20 * 1024 * 1024);
    const response = await upload(t(), w.responsable, w.i1, { filename: 'limite.pdf', content });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().size, content.length);
    assert.equal(response.json().sha256, sha256(content));
  });

  it('an empty file → 422 "Le fichier est vide"', async () => {
    await refusedLeavesNothing(async () => assertError(await upload(t(), w.responsable, w.i1, { filename: 'vide.pdf', content: Buffer.alloc(0) }), 422, 'Le fichier est vide'));
  });

  it('a second file part → 422, and the first file is not kept', async () => {
    await refusedLeavesNothing(async () => {
      const response = await upload(t(), w.responsable, w.i1, { filename: 'a.pdf', content: pdfBytes() }, [{ name: 'file', filename: 'b.pdf', content: pdfBytes() }]);
      assertError(response, 422, 'Un seul fichier par requête');
    });
  });

  it('no file part → 422 "Fichier manquant"; JSON instead of multipart → 415', async () => {
    const body = multipart([{ name: 'description', value: 'sans fichier' }]);
    const response = await t().app.inject({ method: 'POST', url: `/api/v1/documents/?intervention_id=${w.i1}`, headers: { ...body.headers, authorization: `Bearer ${w.responsable.access_token}` }, payload: body.payload });
    assertError(response, 422, 'Fichier manquant');
    const json = await call(t(), 'POST', `/api/v1/documents/?intervention_id=${w.i1}`, { as: w.responsable, payload: { file: 'x' } });
    assert.equal(json.statusCode, 415, json.body);
  });

  it('a name without an extension → 400 "Le fichier doit avoir une extension valide"', async () => {
    await refusedLeavesNothing(async () => assertError(await upload(t(), w.responsable, w.i1, { filename: 'rapport', content: pdfBytes() }), 400, 'Le fichier doit avoir une extension valide'));
  });
});

describe('type allowlist (415 "Type de fichier non autorisé")', () => {
  const cases: Record<string, { filename: string; content: Buffer }> = {
    'PNG bytes named .pdf': { filename: 'photo.pdf', content: PNG_BYTES },
    'HTML named .pdf': { filename: 'page.pdf', content: Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>') },
    'evil.exe': { filename: 'evil.exe', content: Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1') },
    'SVG': { filename: 'logo.svg', content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') },
    'a ZIP named .docx without [Content_Types].xml': { filename: 'x.docx', content: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60)]) },
  };
  for (const [name, file] of Object.entries(cases)) {
    it(name, async () => {
      await refusedLeavesNothing(async () => assertError(await upload(t(), w.responsable, w.i1, file), 415, 'Type de fichier non autorisé'));
    });
  }
  it('the client Content-Type is ignored: PNG bytes named .png sent as application/pdf → image/png', async () => {
    const body = multipart([{ name: 'file', filename: 'photo.png', content: PNG_BYTES, type: 'application/pdf' }]);
    const response = await t().app.inject({ method: 'POST', url: `/api/v1/documents/?intervention_id=${w.i1}`, headers: { ...body.headers, authorization: `Bearer ${w.t1.access_token}` }, payload: body.payload });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().mime, 'image/png');
  });
});

describe('names and storage', () => {
  it('traversal names are stored as their last component, nothing is created outside the upload directory', async () => {
    const parent = path.dirname(uploadDir());
    const outsideBefore = (await fs.readdir(parent)).sort();
    for (const [given, stored] of [['..\\..\\x.pdf', 'x.pdf'], ['a/../../b.pdf', 'b.pdf']] as const) {
      const response = await upload(t(), w.responsable, w.i1, { filename: given, content: pdfBytes() });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().filename, stored);
    }
    assert.deepEqual((await fs.readdir(parent)).sort(), outsideBefore);
    for (const file of await filesUnder(uploadDir())) assert.match(file, /^[0-9a-f]{2}\/[0-9a-f-]{36}$/);
  });

  it('the bytes on disk contain neither the plaintext nor %PDF; the row holds a wrapped key and the current key_id', async () => {
    const content = Buffer.concat([pdfBytes(100), Buffer.from(' MARQUEUR-EN-CLAIR-0123456789 '), pdfBytes(70_000)]);
    const response = await upload(t(), w.responsable, w.i1, { filename: 'secret.pdf', content });
    assert.equal(response.statusCode, 201, response.body);
    const row = await t().db.selectFrom('documents').selectAll().where('id', '=', response.json().id).executeTakeFirstOrThrow();
    const stored = await fs.readFile(path.join(uploadDir(), row.storage_key.slice(0, 2), row.storage_key));
    assert.equal(stored.indexOf('%PDF'), -1);
    assert.equal(stored.indexOf('MARQUEUR-EN-CLAIR'), -1);
    assert.equal(stored.subarray(0, 7).toString(), 'MIFENC1');
    assert.equal(row.encryption, 'aes256gcm-stream-v1');
    assert.equal(row.key_id, (await t().services.documentKeys.report()).currentKeyId);
    assert.equal(row.wrapped_key?.length, 60);
    assert.equal(row.sha256, sha256(content));
    assert.equal(row.mime_type, 'application/pdf');
  });

  it('the legacy alias /documents/upload, intervention_id as a form field, a description', async () => {
    const response = await upload(t(), w.t1, null, { filename: 'photo.png', content: PNG_BYTES }, [{ name: 'intervention_id', value: String(w.i1) }, { name: 'description', value: '  Photo avant  ' }], '/documents/upload');
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.equal(body.intervention_id, w.i1);
    assert.equal(body.description, 'Photo avant');
    assert.equal(body.uploaded_by_id, w.t1UserId);
    assert.match(body.path, new RegExp(`^/api/v1/documents/${body.id}/download\\?uid=${w.t1UserId}&exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    assert.ok((await auditCount('doc.uploaded')) > 0);
  });
});

describe('who may upload where', () => {
  it('T1 on C2 work → 404 "Intervention cible introuvable" + rbac.denied, nothing stored', async () => {
    const denied = await auditCount('rbac.denied');
    await refusedLeavesNothing(async () => assertError(await upload(t(), w.t1, w.i2, { filename: 'x.pdf', content: pdfBytes() }), 404, 'Intervention cible introuvable'));
    assert.equal(await auditCount('rbac.denied'), denied + 1);
  });
  it('an unknown intervention → 404; a client → 403', async () => {
    assertError(await upload(t(), w.responsable, 999_999, { filename: 'x.pdf', content: pdfBytes() }), 404, 'Intervention cible introuvable');
    assert.equal((await upload(t(), w.client1, w.i1, { filename: 'x.pdf', content: pdfBytes() })).statusCode, 403);
  });
  it('archived or cancelled → 409, also when the target comes as a form field after the file', async () => {
    const message = 'Intervention archivée ou annulée : ajout de documents impossible';
    await refusedLeavesNothing(async () => {
      assertError(await upload(t(), w.responsable, w.archived, { filename: 'x.pdf', content: pdfBytes() }), 409, message);
      assertError(await upload(t(), w.responsable, w.cancelled, { filename: 'x.pdf', content: pdfBytes() }), 409, message);
      assertError(await upload(t(), w.responsable, null, { filename: 'x.pdf', content: pdfBytes() }, [{ name: 'intervention_id', value: String(w.archived) }]), 409, message);
    });
  });
  it('no intervention at all → 422', async () => {
    await refusedLeavesNothing(async () => assert.equal((await upload(t(), w.responsable, null, { filename: 'x.pdf', content: pdfBytes() })).statusCode, 422));
  });
});
