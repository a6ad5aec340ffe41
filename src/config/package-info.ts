/**
 * What the configuration reads besides the environment: the version in package.json and the
 * placeholder values of `.env.example`, found next to each other at the package root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

export interface PackageInfo {
  version: string;
  /** Values of `.env.example`, refused as SECRET_KEY in production. */
  exampleValues: Set<string>;
  exampleFilesKey: string | null;
}

const PACKAGE_NAME = 'mif-erp';
const BUILT_IN_PLACEHOLDERS = ['insecure-test-secret-key', 'changeme', 'change-me', 'secret', 'your-secret-key'];
let modulePackageInfo: PackageInfo | null | undefined;

/** Walks up from `start` to the directory whose package.json is named mif-erp. */
function findPackageRoot(start: string): { root: string; version: string } | null {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === PACKAGE_NAME) return { root: dir, version: typeof manifest.version === 'string' ? manifest.version : '0.0.0' };
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) return null;
  }
}

function readPackageInfo(start: string): PackageInfo | null {
  const found = findPackageRoot(start);
  if (found === null) return null;
  let text = '';
  try {
    text = fs.readFileSync(path.join(found.root, '.env.example'), 'utf8');
  } catch {
    // no .env.example: only the built-in placeholders apply
  }
  const example = parseDotenv(text);
  // Commented-out assignments (`# VAR=value`) are example values too.
  const commented = parseDotenv(text.replace(/^#[ \t]*(?=[A-Z][A-Z0-9_]*=)/gm, ''));
  const values = [...Object.values(example), ...Object.values(commented)].map((value) => value.trim()).filter((value) => value !== '');
  return {
    version: found.version,
    exampleValues: new Set(values),
    exampleFilesKey: example.FILES_ENC_KEY?.trim() || null,
  };
}

/** Located from this module (works from `src/` and from `dist/src/`), else from the working directory. */
export function packageInfo(cwd: string): PackageInfo {
  if (modulePackageInfo === undefined) {
    modulePackageInfo = readPackageInfo(path.dirname(fileURLToPath(import.meta.url)));
  }
  return modulePackageInfo ?? readPackageInfo(cwd) ?? { version: '0.0.0', exampleValues: new Set(), exampleFilesKey: null };
}

export function isPlaceholder(value: string, info: PackageInfo): boolean {
  return info.exampleValues.has(value) || BUILT_IN_PLACEHOLDERS.includes(value.toLowerCase());
}
