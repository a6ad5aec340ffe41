/**
 * Shared pieces of the documents suites: multipart bodies built by hand (so that a test controls
 * every byte, names and part order included), sample files of each type, and the world of
 * docs/security.md §5 (two companies, a technician on each one's work).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestApp } from '../../helpers/app.js';
import { login, seedUser, type Tokens } from '../../helpers/auth.js';
import { insertClient, insertEquipement, insertIntervention, insertTechnicien } from '../../helpers/fixtures.js';

export type Part = { name: string; value: string } | { name: string; filename: string; content: Buffer; type?: string };

export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----mif${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('content' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`, 'utf8'));
      chunks.push(part.content, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`, 'utf8'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A PDF of about `size` bytes (a valid header, then filler text), different on every call. */
export function pdfBytes(size = 2048): Buffer {
  const head = Buffer.from(`%PDF-1.4\n% ${randomBytes(8).toString('hex')}\n`);
  const filler = Buffer.alloc(Math.max(0, size - head.length), 'Rapport intervention MIF. ');
  return Buffer.concat([head, filler]).subarray(0, Math.max(size, head.length));
}

export const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Every file under a directory (relative paths), for "nothing left on disk" assertions. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

export interface DocumentsWorld {
  admin: Tokens;
  responsable: Tokens;
  t1: Tokens;
  t2: Tokens;
  client1: Tokens;
  t1UserId: number;
  client1UserId: number;
  /** C1's intervention, assigned to T1. */
  i1: number;
  /** C2's intervention, assigned to T2. */
  i2: number;
  archived: number;
  cancelled: number;
}

export async function buildWorld(t: TestApp): Promise<DocumentsWorld> {
  const c1 = await insertClient(t.db);
  const c2 = await insertClient(t.db);
  const e1 = await insertEquipement(t.db, { client_id: c1 });
  const e2 = await insertEquipement(t.db, { client_id: c2 });
  const [admin, responsable, t1, t2, client1] = await Promise.all([
    seedUser(t, 'admin'),
    seedUser(t, 'responsable'),
    seedUser(t, 'technicien'),
    seedUser(t, 'technicien'),
    seedUser(t, 'client', { clientId: c1 }),
  ]);
  const tech1 = await insertTechnicien(t.db, t1.id);
  const tech2 = await insertTechnicien(t.db, t2.id);
  const i1 = await insertIntervention(t.db, e1, { client_id: c1, technicien_id: tech1, statut: 'en_cours' });
  const i2 = await insertIntervention(t.db, e2, { client_id: c2, technicien_id: tech2, statut: 'en_cours' });
  const archived = await insertIntervention(t.db, e1, { client_id: c1, technicien_id: tech1, statut: 'archivee' });
  const cancelled = await insertIntervention(t.db, e1, { client_id: c1, statut: 'annulee' });
  return {
    admin: await login(t, admin),
    responsable: await login(t, responsable),
    t1: await login(t, t1),
    t2: await login(t, t2),
    client1: await login(t, client1),
    t1UserId: t1.id,
    client1UserId: client1.id,
    i1,
    i2,
    archived,
    cancelled,
  };
}

/** POST /api/v1/documents/?intervention_id=… with one file part. */
export function upload(t: TestApp, as: Tokens | null, interventionId: number | null, file: { filename: string; content: Buffer }, extra: Part[] = [], url = '/api/v1/documents/') {
  const body = multipart([{ name: 'file', ...file }, ...extra]);
  return t.app.inject({
    method: 'POST',
    url: interventionId === null ? url : `${url}?intervention_id=${interventionId}`,
    headers: { ...body.headers, ...(as ? { authorization: `Bearer ${as.access_token}` } : {}) },
    payload: body.payload,
  });
}
