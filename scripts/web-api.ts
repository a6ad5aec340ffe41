/** `npm run web:api`: regenerates web/src/api/schema.d.ts from the server's OpenAPI document. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { WEB_API_TYPES, renderApiTypes, repoRoot, serverOpenApiDocument } from './lib/web-api-types.js';

await fs.mkdir(path.dirname(WEB_API_TYPES), { recursive: true });
await fs.writeFile(WEB_API_TYPES, await renderApiTypes(await serverOpenApiDocument()));
process.stdout.write(`web:api: wrote ${path.relative(repoRoot, WEB_API_TYPES)}\n`);
