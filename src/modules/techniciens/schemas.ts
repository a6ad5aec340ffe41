/**
 * Request and response schemas of the technicians and skills routes (docs/api.md §3, §4.3), and the
 * row → TechnicienOut mapping.
 *
 * Optional input fields accept `null` ("absent"). They are declared with `nullable: true` rather
 * than a `string | null` union: with the app's `coerceTypes`, a union's string branch would turn
 * `null` into `""`, which means something else here (an empty optional text clears the field).
 */
import { Type, type Static } from '@sinclair/typebox';
import { IdParam, Nullable, NullableEnum, OrNull } from '../../lib/schemas.js';
import { DISPONIBILITE_VALUES, NIVEAU_VALUES } from '../../db/schema.js';
import { paginationQuery, QueryBoolean, StringEnum } from '../../lib/listing.js';
import { UserOutSchema } from '../users/schemas.js';
import type { CompetenceLinkRow, TechnicienRow, UserOutRow } from './repository.js';

const NullableString = OrNull(Type.String());

// --- output --------------------------------------------------------------------------------------

export const CompetenceOutSchema = Type.Object(
  {
    id: Type.Integer(),
    nom: Type.String(),
    domaine: Type.String(),
    description: NullableString,
  },
  { $id: 'CompetenceOut' },
);
export type CompetenceOut = Static<typeof CompetenceOutSchema>;

export const TechnicienOutSchema = Type.Object(
  {
    id: Type.Integer(),
    equipe: NullableString,
    disponibilite: StringEnum(DISPONIBILITE_VALUES),
    user: UserOutSchema,
    competences: Type.Array(CompetenceOutSchema),
    niveau_technicien: StringEnum(NIVEAU_VALUES),
    numero_badge: NullableString,
    zone_intervention: NullableString,
    telephone_urgence: NullableString,
    astreinte: Type.Boolean(),
    is_active: Type.Boolean(),
  },
  { $id: 'TechnicienOut' },
);
export type TechnicienOut = Static<typeof TechnicienOutSchema>;

/**
 * TechnicienOut of a page of rows, from the users and the skill links of the whole page (read in
 * one query each).
 */
export function toTechniciensOut(rows: readonly TechnicienRow[], users: readonly UserOutRow[], links: readonly CompetenceLinkRow[]): TechnicienOut[] {
  const usersById = new Map(users.map((user) => [user.id, user]));
  const skillsByTechnicien = new Map<number, CompetenceOut[]>();
  for (const link of links) {
    const list = skillsByTechnicien.get(link.technicien_id) ?? [];
    list.push({ id: link.id, nom: link.nom, domaine: link.domaine, description: link.description });
    skillsByTechnicien.set(link.technicien_id, list);
  }
  return rows.map((row) => {
    const user = usersById.get(row.user_id);
    // users are never hard-deleted and techniciens.user_id cascades: a missing user is a bug.
    if (!user) throw new Error(`technicien ${row.id}: utilisateur ${row.user_id} absent`);
    return {
      id: row.id,
      equipe: row.equipe,
      disponibilite: row.disponibilite,
      user,
      competences: skillsByTechnicien.get(row.id) ?? [],
      niveau_technicien: row.niveau_technicien,
      numero_badge: row.numero_badge,
      zone_intervention: row.zone_intervention,
      telephone_urgence: row.telephone_urgence,
      astreinte: row.astreinte,
      is_active: row.is_active,
    };
  });
}

// --- technicians ---------------------------------------------------------------------------------

export const TechnicienIdParamsSchema = Type.Object({ technicien_id: IdParam });

/** Limits of docs/domain.md §3 (techniciens); strings are trimmed and an empty one is stored as NULL. */
const technicienFields = {
  equipe: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  disponibilite: Type.Optional(
    Nullable(
      Type.String({
        description: `Normalisée (espaces, casse et accents ignorés, « Occupé » = occupe). Valeurs : ${DISPONIBILITE_VALUES.join(', ')}. Sinon 422 « Disponibilité invalide »`,
      }),
    ),
  ),
  competences_ids: Type.Optional(
    Nullable(Type.Array(IdParam, { maxItems: 500, description: 'Identifiants des compétences (remplace tout l’ensemble)' })),
  ),
  niveau_technicien: Type.Optional(NullableEnum(NIVEAU_VALUES)),
  numero_badge: Type.Optional(Nullable(Type.String({ maxLength: 20, description: 'Unique' }))),
  zone_intervention: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  telephone_urgence: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
  astreinte: Type.Optional(Nullable(Type.Boolean())),
  is_active: Type.Optional(Nullable(Type.Boolean({ description: 'Un profil inactif ne peut pas être affecté' }))),
};

export const TechnicienCreateSchema = Type.Object({
  user_id: Type.Integer({ minimum: 1, description: 'Utilisateur de rôle technicien' }),
  ...technicienFields,
});
export type TechnicienCreateBody = Static<typeof TechnicienCreateSchema>;

/** PUT: every create field except `user_id` (ignored); an absent or null field is kept. */
export const TechnicienUpdateSchema = Type.Object(technicienFields);
export type TechnicienUpdateBody = Static<typeof TechnicienUpdateSchema>;

export const TECHNICIEN_SORT_FIELDS = ['id', 'equipe', 'disponibilite'] as const;

export const TechnicienListQuerySchema = Type.Object({
  equipe: Type.Optional(Type.String({ maxLength: 100, description: 'Équipe (égalité exacte, espaces ignorés)' })),
  disponibilite: Type.Optional(
    Type.Array(Type.String({ maxLength: 50 }), {
      maxItems: 50,
      description: `Une ou plusieurs valeurs (paramètre répété ou liste séparée par des virgules), normalisées : ${DISPONIBILITE_VALUES.join(', ')}`,
    }),
  ),
  competence_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Techniciens ayant cette compétence' })),
  is_active: Type.Optional(QueryBoolean),
  // The legacy service paginated technicians: default limit 50 (docs/api.md §1).
  ...paginationQuery({ defaultLimit: 50, sortFields: TECHNICIEN_SORT_FIELDS, defaultSort: 'id' }),
});

// --- skills --------------------------------------------------------------------------------------

export const CompetenceIdParamsSchema = Type.Object({ competence_id: IdParam });

const Nom = Type.String({ maxLength: 255, description: 'Unique sans tenir compte de la casse ni des espaces autour' });
const Domaine = Type.String({ maxLength: 100, description: `Défaut : general` });
const Description = Type.String({ maxLength: 10_000 });

export const CompetenceCreateSchema = Type.Object({
  nom: Nom,
  domaine: Type.Optional(Nullable(Domaine)),
  description: Type.Optional(Nullable(Description)),
});
export type CompetenceCreateBody = Static<typeof CompetenceCreateSchema>;

/** PATCH: an absent or null field is kept; an empty `description` clears it, an empty `domaine` resets it to `general`. */
export const CompetencePatchSchema = Type.Object({
  nom: Type.Optional(Nullable(Nom)),
  domaine: Type.Optional(Nullable(Domaine)),
  description: Type.Optional(Nullable(Description)),
});
export type CompetencePatchBody = Static<typeof CompetencePatchSchema>;

export const COMPETENCE_SORT_FIELDS = ['id', 'nom'] as const;

export const CompetenceListQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 255, description: 'Recherche (nom, domaine), insensible à la casse' })),
  // Skills were not paginated by the legacy service: default limit 500 (docs/api.md §1).
  ...paginationQuery({ defaultLimit: 500, sortFields: COMPETENCE_SORT_FIELDS, defaultSort: 'id' }),
});
