/**
 * Request and response schemas of /clients (docs/api.md §4.10, docs/domain.md §3 clients). Lengths
 * are the column limits; the service trims strings and checks them again (input.ts: an empty
 * optional string becomes NULL). A ClientsRepository row is the ClientOut as it is. Nullable
 * inputs use a JSON-schema type list (`["string", "null"]`) rather than `anyOf`, so that Ajv's
 * type coercion never turns an explicit null into `""` or `0`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { NIVEAU_SERVICE_VALUES, TYPE_CLIENT_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, QueryBoolean, StringEnum } from '../../lib/listing.js';
import { IdParam, OrNull, Timestamp } from '../../lib/schemas.js';

// --- shared input helpers (also used by the contract schemas) ------------------------------------

/** A string or null, at most `maxLength` characters when given. */
export function NullableText(maxLength?: number, description?: string) {
  return Type.Unsafe<string | null>({
    type: ['string', 'null'],
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(description ? { description } : {}),
  });
}

/** An integer or null within [minimum, maximum]. */
export function NullableInteger(minimum: number, maximum: number, description?: string) {
  return Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum, maximum, ...(description ? { description } : {}) });
}

/** A number or null within [minimum, maximum]. */
export function NullableNumber(minimum: number, maximum: number, description?: string) {
  return Type.Unsafe<number | null>({ type: ['number', 'null'], minimum, maximum, ...(description ? { description } : {}) });
}

export const NullableBoolean = Type.Unsafe<boolean | null>({ type: ['boolean', 'null'] });

/** One of `values`, or null (null = the column default on creation). */
export function NullableEnum<const T extends readonly string[]>(values: T) {
  return Type.Unsafe<T[number] | null>({ type: ['string', 'null'], enum: [...values, null], description: `Valeurs : ${values.join(', ')}` });
}

// --- output --------------------------------------------------------------------------------------

const NullableString = OrNull(Type.String());

export const ClientOutSchema = Type.Object(
  {
    id: Type.Integer(),
    nom_entreprise: Type.String(),
    nom_commercial: NullableString,
    type_client: StringEnum(TYPE_CLIENT_VALUES),
    secteur_activite: NullableString,
    ice: NullableString,
    numero_tva: NullableString,
    nom_contact: Type.String(),
    prenom_contact: NullableString,
    fonction_contact: NullableString,
    email: Type.String(),
    telephone: NullableString,
    telephone_mobile: NullableString,
    adresse_ligne1: NullableString,
    adresse_ligne2: NullableString,
    code_postal: NullableString,
    ville: NullableString,
    region: NullableString,
    pays: Type.String(),
    niveau_service: StringEnum(NIVEAU_SERVICE_VALUES),
    is_active: Type.Boolean(),
    notes: NullableString,
    date_creation: Timestamp,
    date_modification: Timestamp,
  },
  { $id: 'ClientOut' },
);
export type ClientOut = Static<typeof ClientOutSchema>;

// --- input ---------------------------------------------------------------------------------------

/** Column limits of docs/domain.md §3 (characters). */
export const CLIENT_LIMITS = {
  nom_entreprise: 255,
  nom_commercial: 255,
  secteur_activite: 100,
  ice: 15,
  numero_tva: 50,
  nom_contact: 100,
  prenom_contact: 100,
  fonction_contact: 100,
  email: 255,
  telephone: 20,
  telephone_mobile: 20,
  adresse_ligne1: 255,
  adresse_ligne2: 255,
  code_postal: 10,
  ville: 100,
  region: 100,
  pays: 100,
} as const;

/**
 * Every writable column; all optional here, the service checks the required ones (so that a
 * missing and a blank required field give the same 422). `ice` has no maxLength here: any wrong
 * ICE gets the message "ICE invalide (15 chiffres attendus)" from the service.
 */
const clientInputProperties = {
  nom_entreprise: Type.Optional(NullableText(CLIENT_LIMITS.nom_entreprise, 'Obligatoire ; unique sans tenir compte de la casse')),
  nom_commercial: Type.Optional(NullableText(CLIENT_LIMITS.nom_commercial)),
  type_client: Type.Optional(NullableEnum(TYPE_CLIENT_VALUES)),
  secteur_activite: Type.Optional(NullableText(CLIENT_LIMITS.secteur_activite)),
  ice: Type.Optional(NullableText(64, 'Identifiant commun de l’entreprise : exactement 15 chiffres ; unique')),
  numero_tva: Type.Optional(NullableText(CLIENT_LIMITS.numero_tva)),
  nom_contact: Type.Optional(NullableText(CLIENT_LIMITS.nom_contact, 'Obligatoire')),
  prenom_contact: Type.Optional(NullableText(CLIENT_LIMITS.prenom_contact)),
  fonction_contact: Type.Optional(NullableText(CLIENT_LIMITS.fonction_contact)),
  email: Type.Optional(NullableText(CLIENT_LIMITS.email, 'Obligatoire ; stockée en minuscules')),
  telephone: Type.Optional(NullableText(CLIENT_LIMITS.telephone)),
  telephone_mobile: Type.Optional(NullableText(CLIENT_LIMITS.telephone_mobile)),
  adresse_ligne1: Type.Optional(NullableText(CLIENT_LIMITS.adresse_ligne1)),
  adresse_ligne2: Type.Optional(NullableText(CLIENT_LIMITS.adresse_ligne2)),
  code_postal: Type.Optional(NullableText(CLIENT_LIMITS.code_postal)),
  ville: Type.Optional(NullableText(CLIENT_LIMITS.ville)),
  region: Type.Optional(NullableText(CLIENT_LIMITS.region)),
  pays: Type.Optional(NullableText(CLIENT_LIMITS.pays, 'Défaut : Maroc')),
  niveau_service: Type.Optional(NullableEnum(NIVEAU_SERVICE_VALUES)),
  is_active: Type.Optional(NullableBoolean),
  notes: Type.Optional(NullableText()),
};

export const ClientCreateSchema = Type.Object(
  {
    ...clientInputProperties,
    nom_entreprise: NullableText(CLIENT_LIMITS.nom_entreprise, 'Obligatoire ; unique sans tenir compte de la casse'),
    nom_contact: NullableText(CLIENT_LIMITS.nom_contact, 'Obligatoire'),
    email: NullableText(CLIENT_LIMITS.email, 'Obligatoire ; stockée en minuscules'),
  },
  { additionalProperties: false },
);
export type ClientCreateBody = Static<typeof ClientCreateSchema>;

/** PATCH: any column; absent = unchanged, null on an optional column = cleared. */
export const ClientPatchSchema = Type.Object(clientInputProperties, { additionalProperties: false });
export type ClientPatchBody = Static<typeof ClientPatchSchema>;

export const ClientIdParamsSchema = Type.Object({ client_id: IdParam });

export const CLIENT_SORT_FIELDS = ['id', 'nom_entreprise'] as const;

export const ClientListQuerySchema = Type.Object({
  is_active: Type.Optional(QueryBoolean),
  type_client: Type.Optional(EnumListQuery(TYPE_CLIENT_VALUES)),
  ville: Type.Optional(Type.String({ maxLength: CLIENT_LIMITS.ville, description: 'Ville exacte, sans tenir compte de la casse' })),
  q: Type.Optional(Type.String({ maxLength: 255, description: 'Recherche (nom de l’entreprise, nom commercial, ICE), insensible à la casse' })),
  // Not paginated by the legacy service: default limit 500 (docs/api.md §1).
  ...paginationQuery({ defaultLimit: 500, sortFields: CLIENT_SORT_FIELDS, defaultSort: 'id' }),
});
