import { test } from 'node:test';
import { createTestApp } from './helpers/app.js';
test('openapi', async () => {
  const t = await createTestApp();
  const r = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  const doc = r.json();
  console.log('STATUS', r.statusCode);
  const p = doc.paths['/api/v1/interventions/{intervention_id}/statut'];
  console.log(JSON.stringify(p.patch.requestBody).slice(0, 600));
  console.log(JSON.stringify(p.patch.parameters).slice(0, 600));
  console.log(Object.keys(doc.paths).filter((k) => k.includes('interv')));
  console.log(JSON.stringify(doc.components?.schemas ? Object.keys(doc.components.schemas) : null));
  await t.close();
});
