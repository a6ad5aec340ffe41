/**
 * The generated first admin's credentials (docs/operations.md §4): a file under DATA_DIR readable by
 * its owner only, kept until the password is changed, and the banner shown once on the terminal.
 * Neither goes through the logger, so the password never reaches LOG_FILE.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export const FIRST_ADMIN_PASSWORD_FILE = 'first-admin-password.txt';

export interface GeneratedAdmin {
  username: string;
  email: string;
  password: string;
}

export function firstAdminPasswordPath(dataDir: string): string {
  return path.join(dataDir, FIRST_ADMIN_PASSWORD_FILE);
}

export async function writeFirstAdminPasswordFile(dataDir: string, admin: GeneratedAdmin): Promise<string> {
  const file = firstAdminPasswordPath(dataDir);
  const body = [
    '# Premier administrateur, créé au premier démarrage (ENVIRONMENT=development, aucun ADMIN_PASSWORD).',
    '# Mot de passe provisoire : il doit être changé à la première connexion ; ce fichier est supprimé au',
    '# démarrage suivant le changement.',
    `identifiant=${admin.username}`,
    `email=${admin.email}`,
    `mot_de_passe=${admin.password}`,
    '',
  ].join('\n');
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(file, body, { mode: 0o600 });
  // `mode` only applies to a new file: a leftover one is narrowed too.
  await fs.chmod(file, 0o600);
  return file;
}

/** Removes the file; true when there was one. */
export async function removeFirstAdminPasswordFile(dataDir: string): Promise<boolean> {
  const file = firstAdminPasswordPath(dataDir);
  try {
    await fs.unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export function firstAdminBanner(admin: GeneratedAdmin, file: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    '  Premier administrateur créé (développement, aucun ADMIN_PASSWORD défini)',
    `    identifiant : ${admin.username}`,
    `    e-mail      : ${admin.email}`,
    `    mot de passe provisoire : ${admin.password}`,
    '  Il doit être changé à la première connexion (POST /api/v1/auth/change-password).',
    `  Aussi enregistré dans ${file} (lisible par vous seul).`,
    rule,
    '',
    '',
  ].join('\n');
}
