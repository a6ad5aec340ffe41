/**
 * Download, signed links, lists and deletion (docs/api.md §4.8, docs/security.md §8): same bytes
 * out as in, RFC 6266 names, integrity failures aborting the transfer, links bound to one active
 * user and a lifetime, and the scope of §5.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { useTestApp } from '../../helpers/app.js';
import { FakeClock } from '../../helpers/auth.js';
import { assertError, call } from '../../helpers/http.js';
import { listenLocally } from '../../helpers/raw-http.js';
import { buildWorld, pdfBytes, PNG_BYTES, sha256, upload, type DocumentsWorld } from './support.js';

const clock = new FakeClock(Date.now());
let w: DocumentsWorld;
let port: number;
const t = useTestApp({ clock }, async (app) => {
  w = await buildWorld(app);
  port = await listenLocally(app.app);
});

async function uploaded(as = w.t1, interventionId = w.i1, file = { filename: 'Compte rendu été.pdf', content: pdfBytes(150_000) }) {
  const response = await upload(t(), as, interventionId, file);
  assert.equal(response.statusCode, 201, response.body);
  return { doc: response.json() as { id: number; path: string; sha256: string }, content: file.content };
}

async function storedPath(id: number): Promise<string> {
  const row = await t().db.selectFrom('documents').select('storage_key').where('id', '=', id).executeTakeFirstOrThrow();
  return path.join(t().config.files.uploadDirectory, row.storage_key.slice(0, 2), row.storage_key);
}

const audits = (eventType: string, resourceId: number) =>
  t().db.selectFrom('audit_events').selectAll().where('event_type', '=', eventType).where('resource_id', '=', String(resourceId)).execute();

/** A GET over a real socket: status, headers, the bytes received and whether the transfer was cut. */
function fetchRaw(pathAndQuery: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathAndQuery }, (response) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('aborted', () => (aborted = true));
      response.on('error', () => (aborted = true));
      response.on('close', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), aborted: aborted || !response.complete }));
    });
    request.on('error', reject);
  });
}

describe('download', () => {
  it('upload then download gives the same SHA-256, with Content-Type, Content-Length and RFC 6266 Content-Disposition', async () => {
    const { doc, content } = await uploaded();
    const response = await call(t(), 'GET', `/api/v1/documents/${doc.id}/download`, { as: w.responsable });
    assert.equal(response.statusCode, 200);
    assert.equal(sha256(response.rawPayload), sha256(content));
    assert.equal(response.headers['content-type'], 'application/pdf');
    assert.equal(response.headers['content-length'], String(content.length));
    assert.equal(response.headers['content-disposition'], `attachment; filename="Compte rendu ete.pdf"; filename*=UTF-8''Compte%20rendu%20%C3%A9t%C3%A9.pdf`);
    assert.equal((await audits('doc.downloaded', doc.id)).length, 1);
  });

  it('the headers let this origin and the front ends of CORS_ALLOW_ORIGINS frame or embed it, and nobody else', async () => {
    const { doc } = await uploaded(w.t1, w.i1, { filename: 'photo.png', content: PNG_BYTES });
    const response = await call(t(), 'GET', doc.path);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cross-origin-resource-policy'], 'cross-origin');
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /^default-src 'none'; sandbox; frame-ancestors /);
    assert.deepEqual(csp.split('frame-ancestors ')[1]!.split(' '), ["'self'", ...t().config.corsAllowOrigins]);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.match(String(response.headers.vary), /Sec-Fetch-Dest/);
  });

  it('inline only when the browser loads it into a frame (Sec-Fetch-Dest), attachment for a navigation, a link or fetch', async () => {
    const { doc } = await uploaded();
    const disposition = async (dest?: string) => (await call(t(), 'GET', doc.path, { headers: dest === undefined ? {} : { 'sec-fetch-dest': dest } })).headers['content-disposition'];
    assert.match(String(await disposition('iframe')), /^inline; filename="Compte rendu ete.pdf"; filename\*=UTF-8''/);
    for (const dest of [undefined, 'document', 'empty', 'image']) assert.match(String(await disposition(dest)), /^attachment; /, String(dest));
  });

  it('the path of a list entry opened without a bearer header → 200, also by a plain browser request on a socket', async () => {
    const { doc, content } = await uploaded();
    const list = await call(t(), 'GET', `/api/v1/documents/?intervention_id=${w.i1}`, { as: w.client1 });
    const entry = (list.json() as { id: number; path: string }[]).find((d) => d.id === doc.id)!;
    assert.ok(entry.path.startsWith('/'));
    const response = await fetchRaw(entry.path);
    assert.equal(response.status, 200);
    assert.equal(sha256(response.body), sha256(content));
  });

  it('one flipped byte of the stored file → the transfer is aborted and doc.integrity_failed is audited', async () => {
    const { doc, content } = await uploaded(w.t1, w.i1, { filename: 'long.pdf', content: pdfBytes(5 * 65536) });
    const file = await storedPath(doc.id);
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01; // in the last chunk: the headers and the first chunks go out
    await fs.writeFile(file, bytes);
    const response = await fetchRaw(doc.path);
    assert.equal(response.status, 200);
    assert.equal(response.aborted, true);
    assert.ok(response.body.length < content.length, `received ${response.body.length} of ${content.length}`);
    await waitFor(async () => (await audits('doc.integrity_failed', doc.id)).length === 1);
  });

  it('a missing file → 500 and doc.integrity_failed; a truncated file → 500 before any byte', async () => {
    const missing = await uploaded();
    await fs.rm(await storedPath(missing.doc.id));
    assertError(await call(t(), 'GET', missing.doc.path), 500, 'Une erreur interne est survenue.');
    const [event] = await audits('doc.integrity_failed', missing.doc.id);
    assert.deepEqual(event?.details, { reason: 'missing' });

    const truncated = await uploaded();
    const file = await storedPath(truncated.doc.id);
    await fs.truncate(file, (await fs.stat(file)).size - 16);
    assertError(await call(t(), 'GET', truncated.doc.path), 500, 'Une erreur interne est survenue.');
    assert.equal((await audits('doc.integrity_failed', truncated.doc.id)).length, 1);
  });
});

describe('signed links', () => {
  it('an expired link → 401 "Lien de téléchargement invalide ou expiré"', async () => {
    const { doc } = await uploaded();
    clock.advance((t().config.files.downloadUrlTtlSeconds + 1) * 1000);
    try {
      assertError(await call(t(), 'GET', doc.path), 401, 'Lien de téléchargement invalide ou expiré');
    } finally {
      clock.advance(-(t().config.files.downloadUrlTtlSeconds + 1) * 1000);
    }
  });

  it('a tampered sig, exp, uid or document id → 401; no signature → 401', async () => {
    const { doc } = await uploaded();
    const url = new URL(doc.path, 'http://x');
    const sig = url.searchParams.get('sig')!;
    const variants = [
      { sig: (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1) },
      { exp: String(Number(url.searchParams.get('exp')) + 60) },
      { uid: String(w.client1UserId) },
      { sig: '' },
    ];
    for (const change of variants) {
      const copy = new URL(url);
      for (const [key, value] of Object.entries(change)) copy.searchParams.set(key, value);
      assertError(await call(t(), 'GET', copy.pathname + copy.search), 401, 'Lien de téléchargement invalide ou expiré');
    }
    const other = await uploaded();
    assertError(await call(t(), 'GET', `/api/v1/documents/${other.doc.id}/download${url.search}`), 401, 'Lien de téléchargement invalide ou expiré');
    assertError(await call(t(), 'GET', `/api/v1/documents/${doc.id}/download`), 401, 'Lien de téléchargement invalide ou expiré');
  });

  it("a deactivated user's link → 401", async () => {
    const { doc } = await uploaded();
    const list = await call(t(), 'GET', `/api/v1/documents/?intervention_id=${w.i1}`, { as: w.client1 });
    const link = (list.json() as { id: number; path: string }[]).find((d) => d.id === doc.id)!.path;
    assert.equal((await call(t(), 'GET', link)).statusCode, 200);
    await t().db.updateTable('users').set({ is_active: false }).where('id', '=', w.client1UserId).execute();
    try {
      assertError(await call(t(), 'GET', link), 401, 'Lien de téléchargement invalide ou expiré');
    } finally {
      await t().db.updateTable('users').set({ is_active: true }).where('id', '=', w.client1UserId).execute();
    }
  });

  it('a link of a technician since unassigned from the intervention → 404', async () => {
    const { doc } = await uploaded(w.t1, w.i1);
    const tech = await t().db.selectFrom('interventions').select('technicien_id').where('id', '=', w.i1).executeTakeFirstOrThrow();
    const other = await t().db.selectFrom('interventions').select('technicien_id').where('id', '=', w.i2).executeTakeFirstOrThrow();
    await t().db.updateTable('interventions').set({ technicien_id: other.technicien_id }).where('id', '=', w.i1).execute();
    try {
      assertError(await call(t(), 'GET', doc.path), 404, 'Document non trouvé');
    } finally {
      await t().db.updateTable('interventions').set({ technicien_id: tech.technicien_id }).where('id', '=', w.i1).execute();
    }
  });
});

describe('lists, scope and delete', () => {
  it('T1 and the C1 user get 404 on C2 documents (download), lists never show them, legacy list is [] out of scope', async () => {
    const c2 = await uploaded(w.t2, w.i2);
    assertError(await call(t(), 'GET', `/api/v1/documents/${c2.doc.id}/download`, { as: w.t1 }), 404, 'Document non trouvé');
    assertError(await call(t(), 'GET', `/api/v1/documents/${c2.doc.id}/download`, { as: w.client1 }), 404, 'Document non trouvé');
    for (const as of [w.t1, w.client1]) {
      const list = await call(t(), 'GET', '/api/v1/documents/', { as });
      const ids = (list.json() as { id: number; intervention_id: number }[]).map((d) => d.intervention_id);
      assert.ok(!ids.includes(w.i2));
      assert.equal(list.headers['x-total-count'], String(ids.length));
      const legacy = await call(t(), 'GET', `/documents/${w.i2}`, { as });
      assert.equal(legacy.statusCode, 200);
      assert.deepEqual(legacy.json(), []);
    }
    assert.deepEqual((await call(t(), 'GET', '/api/v1/documents/999999', { as: w.admin })).json(), []);
    const mine = await call(t(), 'GET', `/api/v1/documents/${w.i2}`, { as: w.t2 });
    assert.ok((mine.json() as { id: number }[]).some((d) => d.id === c2.doc.id));
  });

  it('filters and sort: mime, -date_upload by default, unknown sort → 422', async () => {
    await uploaded(w.responsable, w.i1, { filename: 'p.png', content: PNG_BYTES });
    const pngs = await call(t(), 'GET', '/api/v1/documents/?mime=image/png', { as: w.admin });
    assert.ok((pngs.json() as { mime: string }[]).every((d) => d.mime === 'image/png'));
    const ordered = (await call(t(), 'GET', '/api/v1/documents/?sort=id', { as: w.admin })).json() as { id: number }[];
    assert.deepEqual(ordered.map((d) => d.id), [...ordered.map((d) => d.id)].sort((a, b) => a - b));
    assert.equal((await call(t(), 'GET', '/api/v1/documents/?sort=taille', { as: w.admin })).statusCode, 422);
  });

  it('delete: a technician their own upload only, a client never; the row and the file go, doc.deleted is audited', async () => {
    const byResponsable = await uploaded(w.responsable, w.i1);
    assert.equal((await call(t(), 'DELETE', `/api/v1/documents/${byResponsable.doc.id}`, { as: w.t1 })).statusCode, 403);
    assert.equal((await call(t(), 'DELETE', `/api/v1/documents/${byResponsable.doc.id}`, { as: w.client1 })).statusCode, 403);
    assertError(await call(t(), 'DELETE', `/api/v1/documents/${byResponsable.doc.id}`, { as: w.t2 }), 404, 'Document non trouvé');
    const own = await uploaded(w.t1, w.i1);
    const file = await storedPath(own.doc.id);
    const response = await call(t(), 'DELETE', `/documents/${own.doc.id}`, { as: w.t1, headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { detail: 'Document supprimé' });
    await assert.rejects(fs.stat(file), { code: 'ENOENT' });
    assert.equal((await audits('doc.deleted', own.doc.id)).length, 1);
    assertError(await call(t(), 'DELETE', `/api/v1/documents/${own.doc.id}`, { as: w.admin }), 404, 'Document non trouvé');
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('condition not met within 2 s');
}
