/**
 * Request and response schemas of /contrats (docs/api.md §4.10, docs/domain.md §3 contrats).
 * Calendar dates are `YYYY-MM-DD` strings; the service checks that they are real dates and that
 * date_fin ≥ date_debut (input.ts). A ContratsRepository row is the ContratOut as it is.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MODE_FACTURATION_VALUES, STATUT_CONTRAT_VALUES, TYPE_CONTRAT_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, StringEnum } from '../../lib/listing.js';
import { IdParam, OrNull, Timestamp } from '../../lib/schemas.js';
import { NullableBoolean, NullableEnum, NullableInteger, NullableNumber, NullableText } from './schemas.js';

/** numeric(12,2): the largest storable amount. */
export const MAX_MONTANT = 9_999_999_999.99;
/** PostgreSQL integer. */
export const MAX_INT4 = 2_147_483_647;

export const CONTRAT_LIMITS = {
  numero_contrat: 50,
  nom_contrat: 255,
} as const;

// --- output --------------------------------------------------------------------------------------

const NullableString = OrNull(Type.String());
const CalendarDateOut = Type.String({ format: 'date', description: 'AAAA-MM-JJ' });

export const ContratOutSchema = Type.Object(
  {
    id: Type.Integer(),
    numero_contrat: Type.String(),
    nom_contrat: Type.String(),
    description: NullableString,
    type_contrat: StringEnum(TYPE_CONTRAT_VALUES),
    statut: StringEnum(STATUT_CONTRAT_VALUES),
    date_signature: OrNull(CalendarDateOut),
    date_renouvellement: OrNull(CalendarDateOut),
    date_debut: CalendarDateOut,
    date_fin: CalendarDateOut,
    montant_annuel: OrNull(Type.Number()),
    devise: Type.String(),
    mode_facturation: StringEnum(MODE_FACTURATION_VALUES),
    temps_reponse_urgence_h: OrNull(Type.Integer()),
    temps_reponse_normal_h: OrNull(Type.Integer()),
    nb_interventions_incluses: OrNull(Type.Integer()),
    heures_maintenance_incluses: OrNull(Type.Integer()),
    client_id: Type.Integer(),
    is_active: Type.Boolean(),
    date_creation: Timestamp,
    date_modification: Timestamp,
    nb_interventions_utilisees: Type.Integer({ description: 'Interventions non annulées de ce contrat créées entre date_debut et date_fin' }),
  },
  { $id: 'ContratOut' },
);
export type ContratOut = Static<typeof ContratOutSchema>;

// --- input ---------------------------------------------------------------------------------------

/** A calendar date input; checked by the service (a real date, `YYYY-MM-DD`). */
function DateInput(description: string) {
  return NullableText(32, `${description} (AAAA-MM-JJ)`);
}

const contratFields = {
  numero_contrat: NullableText(CONTRAT_LIMITS.numero_contrat, 'Obligatoire ; unique'),
  nom_contrat: NullableText(CONTRAT_LIMITS.nom_contrat, 'Obligatoire'),
  description: NullableText(),
  type_contrat: NullableEnum(TYPE_CONTRAT_VALUES),
  statut: NullableEnum(STATUT_CONTRAT_VALUES),
  date_signature: DateInput('Date de signature'),
  date_renouvellement: DateInput('Date de renouvellement'),
  date_debut: DateInput('Obligatoire'),
  date_fin: DateInput('Obligatoire ; postérieure ou égale à date_debut'),
  montant_annuel: NullableNumber(0, MAX_MONTANT, 'Montant annuel en MAD (2 décimales au plus)'),
  devise: NullableText(16, 'Code ISO 4217 en majuscules ; défaut MAD'),
  mode_facturation: NullableEnum(MODE_FACTURATION_VALUES),
  temps_reponse_urgence_h: NullableInteger(1, 168, 'Heures (1–168)'),
  temps_reponse_normal_h: NullableInteger(1, 720, 'Heures (1–720)'),
  nb_interventions_incluses: NullableInteger(0, MAX_INT4),
  heures_maintenance_incluses: NullableInteger(0, MAX_INT4),
  client_id: NullableInteger(1, MAX_INT4, 'Obligatoire ; le client doit exister'),
  is_active: NullableBoolean,
};

const f = contratFields;

/** Required: numero_contrat, nom_contrat, type_contrat, date_debut, date_fin, client_id (docs/api.md §4.10). */
export const ContratCreateSchema = Type.Object(
  {
    numero_contrat: f.numero_contrat,
    nom_contrat: f.nom_contrat,
    description: Type.Optional(f.description),
    type_contrat: f.type_contrat,
    statut: Type.Optional(f.statut),
    date_signature: Type.Optional(f.date_signature),
    date_renouvellement: Type.Optional(f.date_renouvellement),
    date_debut: f.date_debut,
    date_fin: f.date_fin,
    montant_annuel: Type.Optional(f.montant_annuel),
    devise: Type.Optional(f.devise),
    mode_facturation: Type.Optional(f.mode_facturation),
    temps_reponse_urgence_h: Type.Optional(f.temps_reponse_urgence_h),
    temps_reponse_normal_h: Type.Optional(f.temps_reponse_normal_h),
    nb_interventions_incluses: Type.Optional(f.nb_interventions_incluses),
    heures_maintenance_incluses: Type.Optional(f.heures_maintenance_incluses),
    client_id: f.client_id,
    is_active: Type.Optional(f.is_active),
  },
  { additionalProperties: false },
);
export type ContratCreateBody = Static<typeof ContratCreateSchema>;

/** PATCH: any column; absent = unchanged, null on an optional column = cleared. */
export const ContratPatchSchema = Type.Partial(ContratCreateSchema, { additionalProperties: false });
export type ContratPatchBody = Static<typeof ContratPatchSchema>;

export const ContratIdParamsSchema = Type.Object({ contrat_id: IdParam });

export const CONTRAT_SORT_FIELDS = ['id', 'date_fin', 'numero_contrat'] as const;

export const ContratListQuerySchema = Type.Object({
  client_id: Type.Optional(IdParam),
  statut: Type.Optional(EnumListQuery(STATUT_CONTRAT_VALUES)),
  type_contrat: Type.Optional(EnumListQuery(TYPE_CONTRAT_VALUES)),
  date_fin_max: Type.Optional(Type.String({ format: 'date', description: 'date_fin ≤ cette date (AAAA-MM-JJ)' })),
  // Not paginated by the legacy service: default limit 500 (docs/api.md §1).
  ...paginationQuery({ defaultLimit: 500, sortFields: CONTRAT_SORT_FIELDS, defaultSort: 'id' }),
});
