import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CRITICITE_VALUES, STATUT_EQUIPEMENT_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, StringEnum } from '../../lib/listing.js';
import { IdParam, Nullable, NullableEnum, Timestamp } from '../../lib/schemas.js';
import { formatFrequenceEntretien } from './frequency.js';
import type { EquipementRecord } from './repository.js';

/** numeric(12,2). */
const MONEY_MAX = 9_999_999_999.99;

const Id = IdParam;

/** An optional input field that may also be null. */
function OptionalNullable<T extends TSchema>(schema: T, description?: string) {
  return Type.Optional(Nullable(schema, description));
}

/** An optional enum input that may also be null. */
function OptionalNullableEnum<const T extends readonly string[]>(values: T, description: string) {
  return Type.Optional(NullableEnum(values, description));
}

export const StatutEquipementSchema = StringEnum(STATUT_EQUIPEMENT_VALUES);
export const CriticiteSchema = StringEnum(CRITICITE_VALUES);

// --- output --------------------------------------------------------------------------------------

export const EquipementOutSchema = Type.Object(
  {
    id: Type.Integer(),
    nom: Type.String(),
    type: Type.String(),
    localisation: Type.String(),
    frequence_entretien: Type.Union([Type.String(), Type.Null()], { description: "Nombre de jours entre deux entretiens, en chaîne (\"30\")" }),
    numero_serie: Type.Union([Type.String(), Type.Null()]),
    code_interne: Type.Union([Type.String(), Type.Null()]),
    marque: Type.Union([Type.String(), Type.Null()]),
    modele: Type.Union([Type.String(), Type.Null()]),
    batiment: Type.Union([Type.String(), Type.Null()]),
    etage: Type.Union([Type.String(), Type.Null()]),
    zone: Type.Union([Type.String(), Type.Null()]),
    statut: StatutEquipementSchema,
    criticite: CriticiteSchema,
    description: Type.Union([Type.String(), Type.Null()]),
    date_mise_en_service: Type.Union([Timestamp, Type.Null()]),
    date_fin_garantie: Type.Union([Timestamp, Type.Null()]),
    cout_acquisition: Type.Union([Type.Number(), Type.Null()]),
    client_id: Type.Union([Type.Integer(), Type.Null()]),
    contrat_id: Type.Union([Type.Integer(), Type.Null()]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'EquipementOut' },
);
export type EquipementOut = Static<typeof EquipementOutSchema>;

export function toEquipementOut(row: EquipementRecord): EquipementOut {
  return {
    id: row.id,
    nom: row.nom,
    type: row.type_equipement,
    localisation: row.localisation,
    frequence_entretien: formatFrequenceEntretien(row.frequence_entretien_jours),
    numero_serie: row.numero_serie,
    code_interne: row.code_interne,
    marque: row.marque,
    modele: row.modele,
    batiment: row.batiment,
    etage: row.etage,
    zone: row.zone,
    statut: row.statut,
    criticite: row.criticite,
    description: row.description,
    date_mise_en_service: row.date_mise_en_service,
    date_fin_garantie: row.date_fin_garantie,
    cout_acquisition: row.cout_acquisition === null ? null : Number(row.cout_acquisition),
    client_id: row.client_id,
    contrat_id: row.contrat_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export const EquipementDeletedSchema = Type.Object({ detail: Type.String() });

// --- input ---------------------------------------------------------------------------------------
// Limits of docs/domain.md §3 (equipements). Strings are trimmed by the service; an optional string
// that is empty after trimming is stored as NULL.

const inputProperties = {
  nom: OptionalNullable(Type.String({ maxLength: 255 }), 'Unique, insensible à la casse'),
  type: OptionalNullable(Type.String({ maxLength: 100 }), 'Type d’équipement (texte libre). Alias : type_equipement ; `type` l’emporte si les deux sont donnés'),
  type_equipement: OptionalNullable(Type.String({ maxLength: 100 }), 'Alias de `type`'),
  localisation: OptionalNullable(Type.String({ maxLength: 255 })),
  // The string branch comes first (and carries the null): a number reaches the service as its
  // string form, so that `true` is not coerced into 1 nor `null` into 0; the service parses it.
  frequence_entretien: Type.Optional(
    Type.Union([Type.Unsafe<string | null>({ type: 'string', maxLength: 50, nullable: true }), Type.Integer()], {
      description:
        'Nombre de jours (1–3650, entier ou chaîne de chiffres) ou libellé : journalier/daily, hebdomadaire/weekly, bimensuel(le), mensuel(le)/monthly, trimestriel(le)/quarterly, semestriel(le)/semiannual, annuel(le)/yearly. Chaîne vide = aucune',
    }),
  ),
  numero_serie: OptionalNullable(Type.String({ maxLength: 100 }), 'Unique'),
  code_interne: OptionalNullable(Type.String({ maxLength: 50 }), 'Unique'),
  marque: OptionalNullable(Type.String({ maxLength: 100 })),
  modele: OptionalNullable(Type.String({ maxLength: 100 })),
  batiment: OptionalNullable(Type.String({ maxLength: 100 })),
  etage: OptionalNullable(Type.String({ maxLength: 20 })),
  zone: OptionalNullable(Type.String({ maxLength: 100 })),
  statut: OptionalNullableEnum(STATUT_EQUIPEMENT_VALUES, 'Défaut : operationnel'),
  criticite: OptionalNullableEnum(CRITICITE_VALUES, 'Défaut : standard'),
  description: OptionalNullable(Type.String()),
  date_mise_en_service: OptionalNullable(Type.String({ maxLength: 64 }), 'Date ISO-8601 (sans décalage = UTC)'),
  date_fin_garantie: OptionalNullable(Type.String({ maxLength: 64 }), 'Date ISO-8601 (sans décalage = UTC)'),
  cout_acquisition: OptionalNullable(Type.Number({ minimum: 0, maximum: MONEY_MAX }), 'MAD, ≥ 0'),
  client_id: OptionalNullable(Id, 'Client propriétaire (null = équipement de MIF)'),
  contrat_id: OptionalNullable(Id, 'Contrat ; doit appartenir au client (par défaut, le client du contrat)'),
};

/**
 * POST /equipements/: `nom`, `type` and `localisation` are required (`type_equipement` is copied to
 * `type` before validation, src/http/aliases.ts); the service still refuses null and blank values.
 */
const mandatory = Type.Required(Type.Pick(Type.Object(inputProperties), ['nom', 'type', 'localisation']));
export const EquipementCreateSchema = Type.Object({ ...inputProperties, ...mandatory.properties }, {
  description: 'nom, type (ou type_equipement) et localisation sont obligatoires',
});
export type EquipementCreateBody = Static<typeof EquipementCreateSchema>;

/** PATCH: any create field; absent = unchanged; null clears an optional field and keeps a mandatory one. */
export const EquipementPatchSchema = Type.Object(inputProperties, {
  description: 'Mise à jour partielle : un champ absent est conservé ; null efface un champ facultatif et conserve un champ obligatoire',
});

/**
 * The request bodies: the object, or no body at all (an empty JSON body arrives as null). Declared
 * `nullable` rather than `anyOf [object, null]`, so that a 422 lists only the fields at fault.
 */
export const EquipementCreateBodySchema = Type.Unsafe<EquipementCreateBody | null>({ ...EquipementCreateSchema, nullable: true });
export const EquipementPatchBodySchema = Type.Unsafe<Static<typeof EquipementPatchSchema> | null>({ ...EquipementPatchSchema, nullable: true });

export const EquipementIdParamsSchema = Type.Object({ equipement_id: Id });

export const EQUIPEMENT_SORT_FIELDS = ['id', 'nom', 'statut', 'criticite', 'created_at'] as const;

export const EquipementListQuerySchema = Type.Object({
  statut: Type.Optional(EnumListQuery(STATUT_EQUIPEMENT_VALUES)),
  criticite: Type.Optional(EnumListQuery(CRITICITE_VALUES)),
  type: Type.Optional(Type.String({ maxLength: 100, description: 'Type exact, insensible à la casse' })),
  client_id: Type.Optional(Id),
  contrat_id: Type.Optional(Id),
  localisation: Type.Optional(Type.String({ maxLength: 255, description: 'Sous-chaîne de la localisation, insensible à la casse' })),
  q: Type.Optional(Type.String({ maxLength: 255, description: 'Recherche (nom, numéro de série, code interne), insensible à la casse' })),
  // The legacy service paginated equipment: default limit 50 (docs/api.md §1).
  ...paginationQuery({ defaultLimit: 50, sortFields: EQUIPEMENT_SORT_FIELDS, defaultSort: 'id' }),
});
export type EquipementListQuery = Static<typeof EquipementListQuerySchema>;
