/**
 * Speed of the web application (scripts/lib/web-measure.ts) on the real server and database: the
 * first page's JavaScript within its 250 KB gzip budget (a size: deterministic), and the list of 50
 * rows rendered on a cold load. Its time is reported, not asserted: speed is measured by
 * `npm run web:measure` on an idle machine (docs/architecture.md "Web application"), since a timed
 * test on a shared runner fails for the machine's load, not the code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatFigures, measureWebApp } from '../../scripts/lib/web-measure.js';
import { seedUser, type TestUser } from '../helpers/auth.js';
import { insertEquipement, insertIntervention } from '../helpers/fixtures.js';
import { startWebServer, type WebServer } from './browser.js';

const FIRST_PAGE_BUDGET_BYTES = 250 * 1024;

let server: WebServer;
let user: TestUser;

before(async () => {
  server = await startWebServer();
  const { t } = server;
  user = await seedUser(t, 'responsable');
  const equipementId = await insertEquipement(t.db, { nom: 'Ligne d’embouteillage 2' });
  for (let n = 1; n <= 60; n++) await insertIntervention(t.db, equipementId, { titre: `Contrôle périodique n° ${n}` });
});

after(async () => {
  await server?.close();
});

describe('web application speed', () => {
  it('first page JavaScript ≤ 250 KB gzip; the 50-row list rendered on a cold load (time reported)', async (context) => {
    const figures = await measureWebApp(server.baseUrl, { username: user.username, password: user.password });
    context.diagnostic(formatFigures(figures));
    assert.ok(figures.firstPageScripts >= 1);
    assert.ok(figures.firstPageJsGzipBytes <= FIRST_PAGE_BUDGET_BYTES, `${figures.firstPageJsGzipBytes} bytes`);
    assert.equal(figures.listRows, 50);
    assert.ok(figures.listInteractiveMs > 0);
  });
});
