/**
 * `seed:demo --with-documents` (docs/operations.md §5): one small encrypted PDF per 50
 * interventions (the first of each run of 50, by id, so the demo interventions get one), stored
 * exactly as an upload is: through the document store's checks and cipher, then a row.
 * Idempotent: an intervention that already has its report (by name) is skipped.
 */
import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DocumentFileStore } from '../modules/documents/file-store.js';
import { DocumentsRepository } from '../modules/documents/repository.js';

const EVERY = 50;
const MAX_MB = 1;

export const seedDocumentName = (interventionId: number): string => `rapport-intervention-${interventionId}.pdf`;

/** A one-page PDF that a viewer opens: the intervention's title as text, offsets computed. */
export function reportPdf(title: string, interventionId: number): Buffer {
  const text = `Rapport d'intervention #${interventionId} - ${title}`.replace(/[()\\]/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  const stream = `BT /F1 14 Tf 50 780 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export async function seedDocuments(db: Kysely<Database>, files: DocumentFileStore, now: Date): Promise<{ added: number; present: number }> {
  const targets = await db
    .selectFrom('interventions as i')
    .leftJoin('techniciens as t', 't.id', 'i.technicien_id')
    .select(['i.id', 'i.titre', 't.user_id'])
    .where(sql<boolean>`(i.id - 1) % ${sql.lit(EVERY)} = 0`)
    .orderBy('i.id')
    .execute();
  const repository = new DocumentsRepository(db);
  let added = 0;
  let present = 0;
  for (const target of targets) {
    const filename = seedDocumentName(target.id);
    const existing = await db.selectFrom('documents').select('id').where('intervention_id', '=', target.id).where('nom_fichier', '=', filename).executeTakeFirst();
    if (existing) {
      present += 1;
      continue;
    }
    const staged = await files.stage(Readable.from([reportPdf(target.titre, target.id)]), { extension: 'pdf', maxBytes: MAX_MB * 1024 * 1024, maxMb: MAX_MB });
    await files.commit(staged);
    try {
      await repository.insert({ ...staged, interventionId: target.id, filename, description: 'Rapport de démonstration', uploadedById: target.user_id ?? null, dateUpload: now });
    } catch (error) {
      await files.remove(staged.storageKey);
      throw error;
    }
    added += 1;
  }
  return { added, present };
}
