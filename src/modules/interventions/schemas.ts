/**
 * Request and response schemas of the intervention routes (docs/api.md §3, §4.5), and the mapping
 * of a row to InterventionOut.
 *
 * Nullable inputs use a JSON-schema type list (`["integer", "null"]`) rather than `anyOf`: the
 * app's Ajv coerces types, and inside an `anyOf` it would turn `null` into `""` or `0` before the
 * null branch is tried. With a type list, a value that already has one of the types is kept as is.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { PRIORITE_VALUES, STATUT_INTERVENTION_VALUES, TYPE_INTERVENTION_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, QueryBoolean, QueryTimestamp, StringEnum } from '../../lib/listing.js';
import { NullableEnum, Timestamp } from '../../lib/schemas.js';
import { hidesCosts, isOverdue, type InterventionPrincipal } from './policy.js';
import type { InterventionOutRow } from './repository.js';

// --- building blocks -----------------------------------------------------------------------------

type JsonType = 'string' | 'integer' | 'number' | 'boolean';
type JsonValue<T extends JsonType> = T extends 'string' ? string : T extends 'boolean' ? boolean : number;

/** `type: [t, "null"]`: null is kept as null, other values are coerced to `t` only when needed. */
function Nullable<T extends JsonType>(type: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<JsonValue<T> | null>({ type: [type, 'null'], ...options });
}

/**
 * An optional JSON body: the object, or null. A type list again, so that a wrong field gives one
 * issue (with `anyOf`, the null branch would add a second, body-level one).
 */
export function NullableBody<T extends TObject>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ type: ['object', 'null'], properties: schema.properties, ...(schema.required ? { required: schema.required } : {}) });
}

const MAX_INT = 2_147_483_647;
/** numeric(12,2) */
const MAX_MONEY = 9_999_999_999.99;

const TIMESTAMP_PATTERN = QueryTimestamp.pattern;

export const StatutSchema = StringEnum(STATUT_INTERVENTION_VALUES);
export const PrioriteSchema = StringEnum(PRIORITE_VALUES);
export const TypeInterventionSchema = StringEnum(TYPE_INTERVENTION_VALUES);

const Titre = Type.String({ maxLength: 255, description: 'Titre (1 à 255 caractères après suppression des espaces)' });
const Description = Nullable('string', { maxLength: 100_000 });
const LongText = Nullable('string', { maxLength: 100_000 });
const DateInput = Nullable('string', { maxLength: 64, pattern: TIMESTAMP_PATTERN, description: 'Date ISO-8601 (sans décalage = UTC)' });
const Minutes = Nullable('integer', { minimum: 0, maximum: MAX_INT, description: 'Minutes' });
const Money = Nullable('number', { minimum: 0, maximum: MAX_MONEY, description: 'Montant en MAD' });
const Id = Type.Integer({ minimum: 1, maximum: MAX_INT });
const NullableId = Nullable('integer', { minimum: 1, maximum: MAX_INT });
const Remarque = Type.String({ maxLength: 1000 });

// --- output --------------------------------------------------------------------------------------

const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableText = Type.Union([Type.String(), Type.Null()]);

/** InterventionOut (docs/api.md §3). `cout_estime` and `cout_reel` are absent for a client. */
export const InterventionOutSchema = Type.Object(
  {
    id: Type.Integer(),
    titre: Type.String(),
    description: NullableText,
    type: TypeInterventionSchema,
    statut: StatutSchema,
    priorite: PrioriteSchema,
    urgence: Type.Boolean(),
    date_limite: NullableTimestamp,
    date_creation: Timestamp,
    date_cloture: NullableTimestamp,
    technicien_id: NullableInteger,
    equipement_id: Type.Integer(),
    date_affectation: NullableTimestamp,
    date_debut_travaux: NullableTimestamp,
    date_fin_travaux: NullableTimestamp,
    date_archivage: NullableTimestamp,
    duree_estimee: NullableInteger,
    duree_reelle: NullableInteger,
    cout_estime: Type.Optional(NullableNumber),
    cout_reel: Type.Optional(NullableNumber),
    rapport_intervention: NullableText,
    travaux_realises: NullableText,
    recommandations: NullableText,
    created_by_id: NullableInteger,
    client_id: NullableInteger,
    contrat_id: NullableInteger,
    planning_id: NullableInteger,
    en_retard: Type.Boolean(),
    technicien_nom: NullableText,
    equipement_nom: NullableText,
    updated_at: Timestamp,
  },
  { $id: 'InterventionOut' },
);
export type InterventionOut = Static<typeof InterventionOutSchema>;

/** The row as `role` reads it at `now`: `en_retard` computed, the costs hidden from a client. */
export function toInterventionOut(row: InterventionOutRow, now: Date, role: InterventionPrincipal['role']): InterventionOut {
  const out: InterventionOut = {
    id: row.id,
    titre: row.titre,
    description: row.description,
    type: row.type_intervention,
    statut: row.statut,
    priorite: row.priorite,
    urgence: row.urgence,
    date_limite: row.date_limite,
    date_creation: row.date_creation,
    date_cloture: row.date_cloture,
    technicien_id: row.technicien_id,
    equipement_id: row.equipement_id,
    date_affectation: row.date_affectation,
    date_debut_travaux: row.date_debut_travaux,
    date_fin_travaux: row.date_fin_travaux,
    date_archivage: row.date_archivage,
    duree_estimee: row.duree_estimee,
    duree_reelle: row.duree_reelle,
    cout_estime: row.cout_estime,
    cout_reel: row.cout_reel,
    rapport_intervention: row.rapport_intervention,
    travaux_realises: row.travaux_realises,
    recommandations: row.recommandations,
    created_by_id: row.created_by_id,
    client_id: row.client_id,
    contrat_id: row.contrat_id,
    planning_id: row.planning_id,
    en_retard: isOverdue(row, now),
    technicien_nom: row.technicien_nom,
    equipement_nom: row.equipement_nom,
    updated_at: row.updated_at,
  };
  if (hidesCosts(role)) {
    delete out.cout_estime;
    delete out.cout_reel;
  }
  return out;
}

/** HistoriqueOut (docs/api.md §3); `user_nom` is null for the system (scheduler). */
export const HistoriqueOutSchema = Type.Object(
  {
    id: Type.Integer(),
    intervention_id: Type.Integer(),
    statut_precedent: Type.Union([StatutSchema, Type.Null()]),
    statut: StatutSchema,
    remarque: NullableText,
    user_id: NullableInteger,
    user_nom: NullableText,
    horodatage: Timestamp,
  },
  { $id: 'HistoriqueOut' },
);
export type HistoriqueOut = Static<typeof HistoriqueOutSchema>;

// --- inputs --------------------------------------------------------------------------------------

export const InterventionIdParamsSchema = Type.Object({ intervention_id: Id });

/**
 * POST /interventions/. `type` is required (`type_intervention` is copied to it before validation,
 * src/http/aliases.ts), as in the legacy contract; a client's request gets `corrective` whatever it sends.
 */
export const InterventionCreateSchema = Type.Object({
  titre: Titre,
  description: Type.Optional(Description),
  type: NullableEnum(TYPE_INTERVENTION_VALUES),
  type_intervention: Type.Optional(NullableEnum(TYPE_INTERVENTION_VALUES, 'Alias de `type`')),
  statut: Type.Optional(NullableEnum(STATUT_INTERVENTION_VALUES, "'ouverte' ou 'affectee' (défaut selon le technicien)")),
  priorite: Type.Optional(NullableEnum(PRIORITE_VALUES)),
  urgence: Type.Optional(Nullable('boolean')),
  date_limite: Type.Optional(DateInput),
  technicien_id: Type.Optional(NullableId),
  equipement_id: Id,
});
export type InterventionCreateBody = Static<typeof InterventionCreateSchema>;

/** PATCH /interventions/{id}: absent = unchanged; null clears a nullable field (`technicien_id: null` unassigns). */
export const InterventionPatchSchema = Type.Object({
  titre: Type.Optional(Nullable('string', { maxLength: 255 })),
  description: Type.Optional(Description),
  type: Type.Optional(NullableEnum(TYPE_INTERVENTION_VALUES)),
  type_intervention: Type.Optional(NullableEnum(TYPE_INTERVENTION_VALUES, 'Alias de `type`')),
  priorite: Type.Optional(NullableEnum(PRIORITE_VALUES)),
  urgence: Type.Optional(Nullable('boolean')),
  date_limite: Type.Optional(DateInput),
  technicien_id: Type.Optional(NullableId),
  equipement_id: Type.Optional(NullableId),
  duree_estimee: Type.Optional(Minutes),
  duree_reelle: Type.Optional(Minutes),
  cout_estime: Type.Optional(Money),
  cout_reel: Type.Optional(Money),
  rapport_intervention: Type.Optional(LongText),
  travaux_realises: Type.Optional(LongText),
  recommandations: Type.Optional(LongText),
  remarque: Type.Optional(Nullable('string', { maxLength: 1000 })),
  /** Refused (422): the status changes through PATCH /interventions/{id}/statut. */
  statut: Type.Optional(Type.Unknown({ description: 'Interdit : utiliser PATCH /interventions/{id}/statut' })),
});
export type InterventionPatchBody = Static<typeof InterventionPatchSchema>;

/** PATCH /interventions/{id}/statut, legacy form: everything in the query string. */
export const StatusChangeQuerySchema = Type.Object({
  statut: Type.Optional(StatutSchema),
  remarque: Type.Optional(Remarque),
  technicien_id: Type.Optional(Id),
});

/** PATCH /interventions/{id}/statut, JSON form; the closure fields are used when the target is `cloturee`. */
export const StatusChangeBodySchema = Type.Object({
  statut: Type.Optional(StatutSchema),
  remarque: Type.Optional(Nullable('string', { maxLength: 1000 })),
  technicien_id: Type.Optional(NullableId),
  rapport_intervention: Type.Optional(LongText),
  travaux_realises: Type.Optional(LongText),
  recommandations: Type.Optional(LongText),
  duree_reelle: Type.Optional(Minutes),
});
export type StatusChangeBody = Static<typeof StatusChangeBodySchema>;

// --- lists ---------------------------------------------------------------------------------------

export const INTERVENTION_SORT_FIELDS = ['id', 'date_creation', 'date_limite', 'priorite', 'statut', 'updated_at'] as const;
export const INTERVENTION_DEFAULT_SORT = '-date_creation';

/** Enum filters that accept a repeated parameter or a comma list. */
export const INTERVENTION_ENUM_FILTERS = ['statut', 'priorite', 'type'] as const;

function listQueryProperties(technicienIdMinimum: number) {
  return {
    statut: Type.Optional(EnumListQuery(STATUT_INTERVENTION_VALUES)),
    priorite: Type.Optional(EnumListQuery(PRIORITE_VALUES)),
    type: Type.Optional(EnumListQuery(TYPE_INTERVENTION_VALUES)),
    urgence: Type.Optional(QueryBoolean),
    technicien_id: Type.Optional(Type.Integer({ minimum: technicienIdMinimum, maximum: MAX_INT, description: technicienIdMinimum === 0 ? '0 = pas de filtre (héritage)' : undefined })),
    equipement_id: Type.Optional(Id),
    client_id: Type.Optional(Id),
    contrat_id: Type.Optional(Id),
    planning_id: Type.Optional(Id),
    en_retard: Type.Optional(QueryBoolean),
    date_creation_min: Type.Optional(QueryTimestamp),
    date_creation_max: Type.Optional(QueryTimestamp),
    date_limite_max: Type.Optional(QueryTimestamp),
    q: Type.Optional(Type.String({ maxLength: 255, description: 'Recherche dans le titre et la description, insensible à la casse' })),
    ...paginationQuery({ defaultLimit: 500, sortFields: INTERVENTION_SORT_FIELDS, defaultSort: INTERVENTION_DEFAULT_SORT }),
  };
}

export const InterventionListQuerySchema = Type.Object(listQueryProperties(1));
/** GET /filters/interventions: the same filters; the legacy `technicien_id=0` means "no filter". */
export const LegacyFiltersQuerySchema = Type.Object(listQueryProperties(0));
export type InterventionListQuery = Static<typeof InterventionListQuerySchema>;

export const HISTORIQUE_SORT_FIELDS = ['horodatage', 'id'] as const;
export const HistoriqueQuerySchema = Type.Object({
  ...paginationQuery({ defaultLimit: 500, sortFields: HISTORIQUE_SORT_FIELDS, defaultSort: 'horodatage' }),
});
