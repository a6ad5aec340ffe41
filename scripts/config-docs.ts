/**
 * `npm run config:docs`: writes `.env.example` and docs/configuration.md from the variable table
 * (src/config/variables.ts). Run it after changing the table; test/config/docs.test.ts fails until then.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { renderConfigurationDoc, renderEnvExample } from '../src/config/docs.js';

const root = path.resolve(import.meta.dirname, '..');

await fs.writeFile(path.join(root, '.env.example'), renderEnvExample());
await fs.writeFile(path.join(root, 'docs', 'configuration.md'), renderConfigurationDoc());
process.stdout.write('config:docs: wrote .env.example and docs/configuration.md\n');
