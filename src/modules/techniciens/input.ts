/**
 * Request bodies and queries of the technicians and skills routes → the values the services write
 * (docs/api.md §4.3, docs/domain.md §1): absent or null = kept, texts trimmed, an empty optional
 * text cleared, `disponibilite` normalised or a 422. Pure: no database.
 */
import type { Disponibilite, Niveau } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { normalizeDisponibilite, optionalText, TECHNICIEN_MESSAGES } from './policy.js';
import type { TechnicienValues } from './repository.js';
import type { TechnicienUpdateBody } from './schemas.js';

function disponibiliteIssue(loc: ValidationIssue['loc']): AppError {
  return AppError.validation([{ loc, msg: TECHNICIEN_MESSAGES.disponibiliteInvalid, type: 'enum' }], TECHNICIEN_MESSAGES.disponibiliteInvalid);
}

/** The `disponibilite` filter values normalised, or 422 "Disponibilité invalide" at the first unknown one. */
export function disponibiliteFilter(values: readonly string[]): Disponibilite[] {
  return values.map((value, index) => {
    const normalized = normalizeDisponibilite(value);
    if (!normalized) throw disponibiliteIssue(['query', 'disponibilite', index]);
    return normalized;
  });
}

/** A present, non-null `disponibilite` normalised, or 422 "Disponibilité invalide". */
function disponibiliteInput(value: string | null | undefined): Disponibilite | undefined {
  if (value === undefined || value === null) return undefined;
  const normalized = normalizeDisponibilite(value);
  if (!normalized) throw disponibiliteIssue(['body', 'disponibilite']);
  return normalized;
}

/** An optional text of a partial update: absent or null = kept; empty after trimming = cleared. */
export function keptOrText(value: string | null | undefined): string | null | undefined {
  return value === null ? undefined : optionalText(value);
}

function keptOr<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** The technician columns of a create or update body (absent or null = not set). */
export function technicienValues(body: TechnicienUpdateBody): TechnicienValues {
  return {
    equipe: keptOrText(body.equipe),
    disponibilite: disponibiliteInput(body.disponibilite),
    niveauTechnicien: keptOr<Niveau>(body.niveau_technicien),
    numeroBadge: keptOrText(body.numero_badge),
    zoneIntervention: keptOrText(body.zone_intervention),
    telephoneUrgence: keptOrText(body.telephone_urgence),
    astreinte: keptOr(body.astreinte),
    isActive: keptOr(body.is_active),
  };
}

/** A skill name: trimmed, not empty (422). */
export function requiredNom(value: string): string {
  const nom = value.trim();
  if (nom === '') throw AppError.validation([{ loc: ['body', 'nom'], msg: 'Le nom de la compétence est requis', type: 'too_short' }]);
  return nom;
}
