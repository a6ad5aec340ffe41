import { Type, type Static } from '@sinclair/typebox';
import { paginationQuery } from '../../lib/listing.js';
import { IdParam, Timestamp } from '../../lib/schemas.js';

export const DocumentOutSchema = Type.Object(
  {
    id: Type.Integer(),
    filename: Type.String(),
    path: Type.String({ description: 'Lien de téléchargement signé, relatif (commence par /), valable DOWNLOAD_URL_TTL_SECONDS pour cet utilisateur' }),
    date_upload: Timestamp,
    intervention_id: Type.Integer(),
    mime: Type.String(),
    size: Type.Integer(),
    sha256: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    uploaded_by: Type.Union([Type.String(), Type.Null()]),
    uploaded_by_id: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'DocumentOut' },
);
export type DocumentOut = Static<typeof DocumentOutSchema>;

/** A row of the repository's output columns. */
export interface DocumentOutRow {
  id: number;
  nom_fichier: string;
  description: string | null;
  mime_type: string;
  taille_octets: number;
  sha256: string;
  date_upload: Date;
  intervention_id: number;
  uploaded_by_id: number | null;
  uploaded_by: string | null;
}

export function toDocumentOut(row: DocumentOutRow, path: string): DocumentOut {
  return {
    id: row.id,
    filename: row.nom_fichier,
    path,
    date_upload: row.date_upload,
    intervention_id: row.intervention_id,
    mime: row.mime_type,
    size: row.taille_octets,
    sha256: row.sha256,
    description: row.description,
    uploaded_by: row.uploaded_by,
    uploaded_by_id: row.uploaded_by_id,
  };
}

export const DocumentIdParamsSchema = Type.Object({ document_id: IdParam });
export const InterventionIdParamsSchema = Type.Object({ intervention_id: IdParam });

/** `intervention_id` in the query string (legacy) or as a form field. */
export const UploadQuerySchema = Type.Object({ intervention_id: Type.Optional(IdParam) });

/**
 * The multipart body, for the OpenAPI document. The route reads it as a stream, not parsed before
 * validation (the validator sees `{}`); the service answers 422 "Fichier manquant" without a file.
 */
export const UploadBodySchema = Type.Object({
  file: Type.Optional(Type.Unsafe<never>({ type: 'string', format: 'binary', description: 'Le fichier : obligatoire, une seule partie fichier' })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  intervention_id: Type.Optional(Type.Integer({ minimum: 1, description: 'À défaut du paramètre de requête' })),
});

export const DownloadQuerySchema = Type.Object({
  uid: Type.Optional(IdParam),
  exp: Type.Optional(Type.Integer({ minimum: 0 })),
  sig: Type.Optional(Type.String({ maxLength: 100 })),
});

export const DOCUMENT_SORT_FIELDS = ['id', 'date_upload'] as const;

export const DocumentListQuerySchema = Type.Object({
  intervention_id: Type.Optional(IdParam),
  mime: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: 'Un ou plusieurs types MIME (paramètre répété ou liste séparée par des virgules)' })),
  ...paginationQuery({ defaultLimit: 500, sortFields: DOCUMENT_SORT_FIELDS, defaultSort: '-date_upload' }),
});

export const DetailResponseSchema = Type.Object({ detail: Type.String() });
