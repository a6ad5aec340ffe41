/**
 * Request and response schemas of preventive planning (docs/api.md §4.6), and the row → PlanningOut
 * mapping.
 */
import { Type, type Static } from '@sinclair/typebox';
import { PRIORITE_VALUES, STATUT_PLANNING_VALUES } from '../../db/schema.js';
import { EnumListQuery, paginationQuery, QueryTimestamp, StringEnum } from '../../lib/listing.js';
import { IdParam, NullableEnum, Timestamp } from '../../lib/schemas.js';
import { frequenceLabel } from './calendar.js';
import { STATUTS_PLANNING_CREATION } from './policy.js';
import type { PlanningRow } from './repository.js';

const FREQUENCE_LABELS = ['journalier', 'hebdomadaire', 'mensuelle', 'trimestrielle', 'semestrielle', 'annuelle'] as const;

export const PlanningOutSchema = Type.Object(
  {
    id: Type.Integer(),
    frequence: StringEnum(FREQUENCE_LABELS, { description: 'Libellé de sortie (mensuel → mensuelle, etc.)' }),
    prochaine_date: Type.Union([Timestamp, Type.Null()]),
    derniere_date: Type.Union([Timestamp, Type.Null()]),
    equipement_id: Type.Integer(),
    date_creation: Timestamp,
    statut: StringEnum(STATUT_PLANNING_VALUES),
    commentaire: Type.Union([Type.String(), Type.Null()]),
    is_active: Type.Boolean(),
    technicien_id: Type.Union([Type.Integer(), Type.Null()]),
    priorite: StringEnum(PRIORITE_VALUES),
    date_modification: Timestamp,
  },
  { $id: 'PlanningOut' },
);
export type PlanningOut = Static<typeof PlanningOutSchema>;

/** The stored frequency goes out as its legacy label (`mensuel` → `mensuelle`). */
export function toPlanningOut(row: PlanningRow): PlanningOut {
  return { ...row, frequence: frequenceLabel(row.frequence) as PlanningOut['frequence'] };
}

/** A timestamp input (docs/domain.md §1): with or without an offset (UTC when absent), or a date (00:00 UTC). */
const TimestampInput = Type.String({ pattern: QueryTimestamp.pattern, maxLength: 40, description: QueryTimestamp.description });

const Frequence = Type.String({
  maxLength: 50,
  description:
    'journalier (journaliere, quotidien, quotidienne, daily), hebdomadaire (weekly), mensuel (mensuelle, monthly), ' +
    'trimestriel (trimestrielle, quarterly), semestriel (semestrielle, semiannual, semi-annual), annuel (annuelle, yearly, annual) ; ' +
    'insensible à la casse et aux accents',
});
const Id = IdParam;
const Commentaire = Type.String({ maxLength: 255 });

export const PlanningIdParamsSchema = Type.Object({ planning_id: Id });

/** POST /planning/: a null optional field is treated as absent (its default applies). */
export const PlanningCreateSchema = Type.Object({
  frequence: Frequence,
  equipement_id: Id,
  prochaine_date: Type.Optional(Type.Union([TimestampInput, Type.Null()], { description: 'Défaut : derniere_date + une période, sinon maintenant + une période' })),
  derniere_date: Type.Optional(Type.Union([TimestampInput, Type.Null()])),
  commentaire: Type.Optional(Type.Union([Type.Null(), Commentaire])),
  statut: Type.Optional(NullableEnum(STATUTS_PLANNING_CREATION, 'actif (défaut) ou suspendu')),
  technicien_id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'Technicien actif assigné par défaut aux interventions générées' })),
  priorite: Type.Optional(NullableEnum(PRIORITE_VALUES, 'Défaut : normale')),
});
export type PlanningCreateBody = Static<typeof PlanningCreateSchema>;

/**
 * Nullable free-text fields list `null` first: with the app's Ajv type coercion, a string-first
 * union would turn `null` into `""`. (So `""` reads as null too.)
 *
 * PUT /planning/{id}: partial. Absent = unchanged. null = unchanged for the fields that cannot be
 * empty (frequence, equipement_id, statut, priorite, prochaine_date), and clears commentaire,
 * technicien_id and derniere_date.
 */
export const PlanningUpdateSchema = Type.Object({
  frequence: Type.Optional(Type.Union([Type.Null(), Frequence])),
  equipement_id: Type.Optional(Type.Union([Id, Type.Null()])),
  prochaine_date: Type.Optional(Type.Union([TimestampInput, Type.Null()], { description: "Réinitialise l'ancre du calendrier" })),
  derniere_date: Type.Optional(Type.Union([TimestampInput, Type.Null()])),
  commentaire: Type.Optional(Type.Union([Type.Null(), Commentaire])),
  statut: Type.Optional(NullableEnum(STATUT_PLANNING_VALUES)),
  technicien_id: Type.Optional(Type.Union([Id, Type.Null()])),
  priorite: Type.Optional(NullableEnum(PRIORITE_VALUES)),
});
export type PlanningUpdateBody = Static<typeof PlanningUpdateSchema>;

export const PlanningDatesQuerySchema = Type.Object({
  nouvelle_date: Type.Optional(TimestampInput),
});

export const PlanningDatesBodySchema = Type.Union([Type.Object({ nouvelle_date: Type.Optional(TimestampInput) }), Type.Null()]);

export const PLANNING_SORT_FIELDS = ['id', 'prochaine_date'] as const;

export const PlanningListQuerySchema = Type.Object({
  equipement_id: Type.Optional(Id),
  statut: Type.Optional(EnumListQuery(STATUT_PLANNING_VALUES)),
  frequence: Type.Optional(Type.Array(Frequence, { maxItems: 50, description: 'Une ou plusieurs fréquences (alias acceptés), paramètre répété ou liste séparée par des virgules' })),
  technicien_id: Type.Optional(Id),
  prochaine_date_max: Type.Optional(QueryTimestamp),
  ...paginationQuery({ defaultLimit: 500, sortFields: PLANNING_SORT_FIELDS, defaultSort: 'id' }),
});
export type PlanningListQuery = Static<typeof PlanningListQuerySchema>;
