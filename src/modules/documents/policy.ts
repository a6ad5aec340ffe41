/**
 * Pure rules of documents (docs/api.md §4.8, docs/security.md §5 and §8): messages, the stored
 * name of an upload, the download headers' file name, and who may upload or delete. Reading
 * follows the intervention's scope (interventions/policy.ts).
 */
import type { Actor } from '../../lib/actor.js';
import type { StatutIntervention } from '../../db/schema.js';

export const DOCUMENT_MESSAGES = {
  notFound: 'Document non trouvé',
  interventionNotFound: 'Intervention cible introuvable',
  interventionClosed: 'Intervention archivée ou annulée : ajout de documents impossible',
  fileMissing: 'Fichier manquant',
  extensionRequired: 'Le fichier doit avoir une extension valide',
  typeRefused: 'Type de fichier non autorisé',
  empty: 'Le fichier est vide',
  secondFile: 'Un seul fichier par requête',
  notMultipart: 'Type de contenu non supporté : envoyez le fichier en multipart/form-data',
  badSignedLink: 'Lien de téléchargement invalide ou expiré',
  storageFull: 'Espace de stockage insuffisant : le document n’a pas été enregistré',
  deleted: 'Document supprimé',
  uploadRefused: "Ajout de documents réservé aux rôles admin, responsable et au technicien affecté",
  deleteRefused: "Suppression réservée aux rôles admin, responsable et à l'auteur de l'envoi",
} as const;

export function tooLargeMessage(maxMb: number): string {
  return `Fichier trop volumineux (maximum ${maxMb} Mo)`;
}

/** Statuses in which an intervention takes no new document. */
const CLOSED_STATUSES: readonly StatutIntervention[] = ['archivee', 'annulee'];

export function acceptsDocuments(statut: StatutIntervention): boolean {
  return !CLOSED_STATUSES.includes(statut);
}

type Caller = Pick<Actor, 'role' | 'userId' | 'technicienId'>;

/** Upload: admin and responsable anywhere; a technician on the interventions assigned to them. */
export function canUpload(caller: Caller, intervention: { technicien_id: number | null }): boolean {
  if (caller.role === 'admin' || caller.role === 'responsable' || caller.role === 'system') return true;
  return caller.role === 'technicien' && caller.technicienId !== null && intervention.technicien_id === caller.technicienId;
}

/** Delete (of a document the caller can see): admin and responsable; a technician their own uploads. */
export function canDelete(caller: Caller, document: { uploaded_by_id: number | null }): boolean {
  if (caller.role === 'admin' || caller.role === 'responsable' || caller.role === 'system') return true;
  return caller.role === 'technicien' && caller.userId !== null && document.uploaded_by_id === caller.userId;
}

const MAX_NAME_BYTES = 255;
// Control characters (C0, DEL, C1), quotes and the characters Windows refuses in names.
const REFUSED_CHARACTERS = /[\p{Cc}"'<>:|?*]/gu;
const EXTENSION = /^[a-z0-9]{1,10}$/;

export interface UploadName {
  /** The stored `filename`. */
  filename: string;
  /** Lower-case, without the dot. */
  extension: string;
}

/**
 * The stored name of an upload (docs/security.md §8 "Names"): the last path component (after `/`
 * and `\`), NFC, without control characters, quotes and `<>:|?*`, whitespace collapsed, at most
 * 255 bytes with the extension kept; `document.<ext>` when nothing else is left. null when the
 * name has no extension (the route's 400).
 */
export function uploadName(clientName: string): UploadName | null {
  const last = clientName.split(/[/\\]/).pop() ?? '';
  const cleaned = last.normalize('NFC').replace(REFUSED_CHARACTERS, '').replace(/\s+/gu, ' ').trim();
  const dot = cleaned.lastIndexOf('.');
  if (dot < 0) return null;
  const extension = cleaned.slice(dot + 1).toLowerCase();
  if (!EXTENSION.test(extension)) return null;
  let stem = [...cleaned.slice(0, dot).trim()];
  const suffix = `.${cleaned.slice(dot + 1)}`;
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + suffix) > MAX_NAME_BYTES) stem.pop();
  const base = stem.join('').trim();
  return { filename: base === '' ? `document.${extension}` : base + suffix, extension };
}

/** RFC 5987 attr-char: what may stay unencoded in `filename*`. */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `Content-Disposition` of a download (RFC 6266): an ASCII fallback for old clients (accents
 * dropped, other non-ASCII characters replaced by `_`) and the exact UTF-8 name in `filename*`.
 * `inline` only for a preview in a frame (download-headers.ts); the name is kept for "Save as".
 */
export function contentDisposition(filename: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = filename
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${percentEncode(filename)}`;
}
