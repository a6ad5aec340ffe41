/**
 * Build step after `tsc`: tsc emits only JavaScript, so the runtime data files the compiled code
 * reads (e.g. src/modules/auth/data/common-passwords.txt, located with `new URL(..., import.meta.url)`)
 * are copied here to the same relative place under dist/: every file in a `src/**\/data/` directory
 * goes to `dist/src/**\/data/`. TypeScript sources found in those directories are left to tsc.
 *
 * Usage: node scripts/copy-assets.mjs   (from any working directory)
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const sourceRoot = path.join(root, 'src');
const targetRoot = path.join(root, 'dist', 'src');
const SKIPPED = /\.(?:ts|mts|cts|tsx)$/;

let copied = 0;

function copyDataDirectory(directory) {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const source = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      copyDataDirectory(source);
    } else if (entry.isFile() && !SKIPPED.test(entry.name)) {
      const target = path.join(targetRoot, path.relative(sourceRoot, source));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(source, target);
      copied++;
    }
  }
}

function walk(directory) {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(directory, entry.name);
    if (entry.name === 'data') copyDataDirectory(full);
    else walk(full);
  }
}

walk(sourceRoot);
console.log(`copy-assets: ${copied} file(s) copied from src/**/data/ to dist/src/`);
