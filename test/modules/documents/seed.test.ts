/** `npm run seed:demo -- --with-documents` (docs/operations.md §5): real encrypted PDFs, idempotent. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createTestApp, useScratch } from '../../helpers/app.js';
import { login } from '../../helpers/auth.js';
import { call } from '../../helpers/http.js';
import { runScript } from '../../helpers/cli.js';
import { sha256 } from './support.js';

const scratch = useScratch();

describe('seed:demo --with-documents', () => {
  it('stores one encrypted PDF per 50 interventions, downloadable, and adds nothing the second time', async () => {
    const uploads = path.join(scratch.dataDir, 'uploads');
    const run = () => runScript('seed-demo.ts', ['--with-documents'], { databaseUrl: scratch.database.connectionString, dataDir: scratch.dataDir, env: { UPLOAD_DIRECTORY: uploads } });
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /documents chiffrés ajoutés : 1, déjà présents : 0/);
    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /documents chiffrés ajoutés : 0, déjà présents : 1/);

    const t = await createTestApp({ database: scratch.database, env: { UPLOAD_DIRECTORY: uploads } });
    try {
      const [row] = await t.db.selectFrom('documents').selectAll().execute();
      assert.ok(row);
      const stored = await fs.readFile(path.join(uploads, row.storage_key.slice(0, 2), row.storage_key));
      assert.equal(stored.indexOf('%PDF'), -1);
      const tokens = await login(t, { email: 'admin@mif-maroc.com', password: 'ChefPass123!' });
      const download = await call(t, 'GET', `/api/v1/documents/${row.id}/download`, { as: tokens });
      assert.equal(download.statusCode, 200, download.body);
      assert.ok(download.rawPayload.subarray(0, 5).equals(Buffer.from('%PDF-')));
      assert.ok(download.rawPayload.includes(Buffer.from('%%EOF')));
      assert.equal(sha256(download.rawPayload), row.sha256);
    } finally {
      await t.close();
    }
  });
});
