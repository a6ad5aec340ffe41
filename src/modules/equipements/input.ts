/**
 * The body of an equipment create or update, trimmed and checked into the columns it sets
 * (docs/api.md §4.4, docs/domain.md §3 equipements). Pure: no database.
 */
import type { Criticite, StatutEquipement } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { readTimestamp } from '../../lib/listing.js';
import { FREQUENCE_ENTRETIEN_INVALIDE, parseFrequenceEntretien } from './frequency.js';

/** The body of POST and PATCH, as validated by the route schema (every field optional). */
export interface EquipementBody {
  nom?: string | null;
  type?: string | null;
  type_equipement?: string | null;
  localisation?: string | null;
  frequence_entretien?: string | number | null;
  numero_serie?: string | null;
  code_interne?: string | null;
  marque?: string | null;
  modele?: string | null;
  batiment?: string | null;
  etage?: string | null;
  zone?: string | null;
  statut?: StatutEquipement | null;
  criticite?: Criticite | null;
  description?: string | null;
  date_mise_en_service?: string | null;
  date_fin_garantie?: string | null;
  cout_acquisition?: number | null;
  client_id?: number | null;
  contrat_id?: number | null;
}

/** The stored columns a body sets (undefined = not set), before the database checks. */
export interface EquipementChanges {
  nom?: string;
  type_equipement?: string;
  localisation?: string;
  frequence_entretien_jours?: number | null;
  numero_serie?: string | null;
  code_interne?: string | null;
  marque?: string | null;
  modele?: string | null;
  batiment?: string | null;
  etage?: string | null;
  zone?: string | null;
  statut?: StatutEquipement;
  criticite?: Criticite;
  description?: string | null;
  date_mise_en_service?: Date | null;
  date_fin_garantie?: Date | null;
  cout_acquisition?: number | null;
  client_id?: number | null;
  contrat_id?: number | null;
}

const OPTIONAL_TEXT = ['numero_serie', 'code_interne', 'marque', 'modele', 'batiment', 'etage', 'zone', 'description'] as const;
const DATES = ['date_mise_en_service', 'date_fin_garantie'] as const;

/**
 * Trims and checks a body. `mode: 'create'` requires nom, type (or type_equipement) and
 * localisation; `mode: 'update'` treats absent and null mandatory fields as unchanged. Every
 * problem is reported in one 422; an invalid frequency gives its own message.
 */
export function normaliseEquipementBody(body: EquipementBody, mode: 'create' | 'update'): EquipementChanges {
  const issues: ValidationIssue[] = [];
  const changes: EquipementChanges = {};

  const typeField = body.type !== undefined && body.type !== null ? 'type' : 'type_equipement';
  const mandatory = [
    ['nom', 'nom', body.nom],
    ['type_equipement', typeField, typeField === 'type' ? body.type : body.type_equipement],
    ['localisation', 'localisation', body.localisation],
  ] as const;
  for (const [column, field, value] of mandatory) {
    if (value === undefined || value === null) {
      if (mode === 'create') issues.push({ loc: ['body', column === 'type_equipement' ? 'type' : field], msg: 'Champ obligatoire', type: 'missing' });
      continue;
    }
    const text = value.trim();
    if (text === '') issues.push({ loc: ['body', field], msg: 'Ne doit pas être vide', type: 'too_short' });
    else changes[column] = text;
  }

  for (const field of OPTIONAL_TEXT) {
    const value = body[field];
    if (value === undefined) continue;
    const text = value === null ? '' : value.trim();
    changes[field] = text === '' ? null : text;
  }

  if (body.statut !== undefined && body.statut !== null) changes.statut = body.statut;
  if (body.criticite !== undefined && body.criticite !== null) changes.criticite = body.criticite;

  let frequencyInvalid = false;
  if (body.frequence_entretien !== undefined) {
    try {
      changes.frequence_entretien_jours = parseFrequenceEntretien(body.frequence_entretien);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      frequencyInvalid = true;
      issues.push({ loc: ['body', 'frequence_entretien'], msg: FREQUENCE_ENTRETIEN_INVALIDE, type: 'value' });
    }
  }

  for (const field of DATES) {
    const value = body[field];
    if (value === undefined) continue;
    const text = value === null ? '' : value.trim();
    if (text === '') {
      changes[field] = null;
      continue;
    }
    const date = readTimestamp(text, ['body', field], issues);
    if (date) changes[field] = date;
  }

  if (body.cout_acquisition !== undefined) changes.cout_acquisition = body.cout_acquisition;
  if (body.client_id !== undefined) changes.client_id = body.client_id;
  if (body.contrat_id !== undefined) changes.contrat_id = body.contrat_id;

  if (issues.length > 0) throw AppError.validation(issues, frequencyInvalid ? FREQUENCE_ENTRETIEN_INVALIDE : undefined);
  return changes;
}
