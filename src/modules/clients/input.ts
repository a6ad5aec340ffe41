/**
 * Input normalisation of the customer and contract bodies (docs/domain.md §1, §3): trimming, an
 * empty optional string → NULL, lower-case e-mail, 15-digit ICE, real calendar dates, date_fin ≥
 * date_debut, money with two decimals. Every issue of a body is reported in one 422.
 */
import type { ModeFacturation, NiveauService, StatutContrat, TypeClient, TypeContrat } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { CLIENT_MESSAGES, CONTRAT_MESSAGES } from './policy.js';
import { CONTRAT_LIMITS, type ContratPatchBody } from './contrats-schemas.js';
import type { ClientUpdate } from './repository.js';
import type { ContratUpdate } from './contrats-repository.js';
import { CLIENT_LIMITS, type ClientPatchBody } from './schemas.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ICE = /^[0-9]{15}$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const INPUT_MESSAGES = {
  missing: 'Champ obligatoire',
  email: 'Adresse e-mail invalide',
  date: 'Date invalide (AAAA-MM-JJ attendu)',
} as const;

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (years 0001–9999). */
export function isCalendarDate(value: string): boolean {
  const m = CALENDAR_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : lastDay);
}

/**
 * Collects the 422 issues of one body. `mode` says what an absent field means: on `create` a
 * required field must be present; on `patch` absent = unchanged, and null or blank is refused
 * only on NOT NULL columns.
 */
class InputChecker {
  readonly issues: ValidationIssue[] = [];
  /** The specific message for the envelope (docs/api.md gives one for some 422s). */
  private specificMessage: string | undefined;

  constructor(readonly mode: 'create' | 'patch') {}

  issue(field: string, msg: string, type: ValidationIssue['type'], specific = false): void {
    this.issues.push({ loc: ['body', field], msg, type });
    if (specific && this.specificMessage === undefined) this.specificMessage = msg;
  }

  missing(field: string): void {
    this.issue(field, INPUT_MESSAGES.missing, 'missing');
  }

  /** Optional text column: absent → undefined, null or blank → null, else the trimmed text. */
  optionalText(field: string, value: string | null | undefined, maxLength?: number): string | null | undefined {
    if (value === undefined) return undefined;
    if (value === null) return null;
    const text = value.trim();
    if (text === '') return null;
    if (maxLength !== undefined && [...text].length > maxLength) {
      this.issue(field, `Ne doit pas dépasser ${maxLength} caractères`, 'too_long');
    }
    return text;
  }

  /**
   * NOT NULL text column. Absent: missing on create (unless it has a default), unchanged on patch.
   * Null or blank: the default on create when there is one, else 422.
   */
  requiredText(field: string, value: string | null | undefined, maxLength: number, options: { hasDefault?: boolean } = {}): string | undefined {
    if (value === undefined) {
      if (this.mode === 'create' && !options.hasDefault) this.missing(field);
      return undefined;
    }
    const text = value === null ? '' : value.trim();
    if (text === '') {
      if (!(this.mode === 'create' && options.hasDefault)) this.missing(field);
      return undefined;
    }
    if ([...text].length > maxLength) this.issue(field, `Ne doit pas dépasser ${maxLength} caractères`, 'too_long');
    return text;
  }

  /** NOT NULL column with a default (enum, boolean): null = the default on create, 422 on patch. */
  defaulted<T>(field: string, value: T | null | undefined): T | undefined {
    if (value === null) {
      if (this.mode === 'patch') this.missing(field);
      return undefined;
    }
    return value;
  }

  /** NOT NULL column without a default (enum, integer), already type-checked by the schema. */
  required<T>(field: string, value: T | null | undefined): T | undefined {
    if (value === null || (value === undefined && this.mode === 'create')) {
      this.missing(field);
      return undefined;
    }
    return value;
  }

  email(field: string, value: string | null | undefined, maxLength: number): string | undefined {
    const text = this.requiredText(field, value, maxLength);
    if (text === undefined) return undefined;
    const email = text.toLowerCase();
    if (!EMAIL.test(email)) this.issue(field, INPUT_MESSAGES.email, 'format');
    return email;
  }

  /** Optional calendar date: null or blank → null. */
  optionalDate(field: string, value: string | null | undefined): string | null | undefined {
    const text = this.optionalText(field, value);
    if (text === undefined || text === null) return text;
    if (!isCalendarDate(text)) this.issue(field, INPUT_MESSAGES.date, 'format');
    return text;
  }

  /** Required calendar date; undefined when absent or invalid (then not comparable). */
  requiredDate(field: string, value: string | null | undefined): string | undefined {
    const text = this.requiredText(field, value, 32);
    if (text === undefined) return undefined;
    if (!isCalendarDate(text)) {
      this.issue(field, INPUT_MESSAGES.date, 'format');
      return undefined;
    }
    return text;
  }

  /** Throws the 422 when any issue was found. */
  assertValid(): void {
    if (this.issues.length > 0) throw AppError.validation(this.issues, this.specificMessage);
  }
}

/** Drops the undefined entries (absent fields), so that only given columns are written. */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

// --- clients -------------------------------------------------------------------------------------

/** The column values of a create or patch body, checked (422 with every issue). */
export function normalizeClientInput(body: ClientPatchBody, mode: 'create' | 'patch'): ClientUpdate {
  const check = new InputChecker(mode);
  const L = CLIENT_LIMITS;
  let ice = check.optionalText('ice', body.ice);
  if (typeof ice === 'string' && !ICE.test(ice)) {
    check.issue('ice', CLIENT_MESSAGES.iceInvalid, 'format', true);
    ice = undefined;
  }
  const values = {
    nom_entreprise: check.requiredText('nom_entreprise', body.nom_entreprise, L.nom_entreprise),
    nom_commercial: check.optionalText('nom_commercial', body.nom_commercial, L.nom_commercial),
    type_client: check.defaulted<TypeClient>('type_client', body.type_client),
    secteur_activite: check.optionalText('secteur_activite', body.secteur_activite, L.secteur_activite),
    ice,
    numero_tva: check.optionalText('numero_tva', body.numero_tva, L.numero_tva),
    nom_contact: check.requiredText('nom_contact', body.nom_contact, L.nom_contact),
    prenom_contact: check.optionalText('prenom_contact', body.prenom_contact, L.prenom_contact),
    fonction_contact: check.optionalText('fonction_contact', body.fonction_contact, L.fonction_contact),
    email: check.email('email', body.email, L.email),
    telephone: check.optionalText('telephone', body.telephone, L.telephone),
    telephone_mobile: check.optionalText('telephone_mobile', body.telephone_mobile, L.telephone_mobile),
    adresse_ligne1: check.optionalText('adresse_ligne1', body.adresse_ligne1, L.adresse_ligne1),
    adresse_ligne2: check.optionalText('adresse_ligne2', body.adresse_ligne2, L.adresse_ligne2),
    code_postal: check.optionalText('code_postal', body.code_postal, L.code_postal),
    ville: check.optionalText('ville', body.ville, L.ville),
    region: check.optionalText('region', body.region, L.region),
    pays: check.requiredText('pays', body.pays, L.pays, { hasDefault: true }),
    niveau_service: check.defaulted<NiveauService>('niveau_service', body.niveau_service),
    is_active: check.defaulted('is_active', body.is_active),
    notes: check.optionalText('notes', body.notes),
  };
  check.assertValid();
  return definedOnly(values);
}

// --- contrats ------------------------------------------------------------------------------------

const DEVISE = /^[A-Z]{3}$/;
/** At most two decimals (numeric(12,2)); JS prints such numbers without an exponent below 1e21. */
const MONEY = /^\d+(?:\.\d{1,2})?$/;

const CONTRAT_INPUT_MESSAGES = {
  devise: 'Devise invalide (3 lettres majuscules, code ISO 4217)',
  montant: 'Montant invalide (2 décimales au plus)',
} as const;

/** date_fin before date_debut: the 422 with its specific message (docs/api.md §4.10). */
export function datesOrderError(): AppError {
  return AppError.validation([{ loc: ['body', 'date_fin'], msg: CONTRAT_MESSAGES.datesOrder, type: 'value' }], CONTRAT_MESSAGES.datesOrder);
}

/**
 * The column values of a create or patch body, checked (422 with every issue). On create,
 * date_fin ≥ date_debut is checked here; on patch, the service checks it against the stored row.
 */
export function normalizeContratInput(body: ContratPatchBody, mode: 'create' | 'patch'): ContratUpdate {
  const check = new InputChecker(mode);
  let devise = check.requiredText('devise', body.devise, 16, { hasDefault: true });
  if (devise !== undefined && !DEVISE.test(devise)) {
    check.issue('devise', CONTRAT_INPUT_MESSAGES.devise, 'format');
    devise = undefined;
  }
  const montant = body.montant_annuel;
  if (typeof montant === 'number' && !MONEY.test(String(montant))) check.issue('montant_annuel', CONTRAT_INPUT_MESSAGES.montant, 'value');
  const dateDebut = check.requiredDate('date_debut', body.date_debut);
  const dateFin = check.requiredDate('date_fin', body.date_fin);
  if (dateDebut !== undefined && dateFin !== undefined && dateFin < dateDebut) {
    check.issue('date_fin', CONTRAT_MESSAGES.datesOrder, 'value', true);
  }
  const values = {
    numero_contrat: check.requiredText('numero_contrat', body.numero_contrat, CONTRAT_LIMITS.numero_contrat),
    nom_contrat: check.requiredText('nom_contrat', body.nom_contrat, CONTRAT_LIMITS.nom_contrat),
    description: check.optionalText('description', body.description),
    type_contrat: check.required<TypeContrat>('type_contrat', body.type_contrat),
    statut: check.defaulted<StatutContrat>('statut', body.statut),
    date_signature: check.optionalDate('date_signature', body.date_signature),
    date_renouvellement: check.optionalDate('date_renouvellement', body.date_renouvellement),
    date_debut: dateDebut,
    date_fin: dateFin,
    montant_annuel: montant,
    devise,
    mode_facturation: check.defaulted<ModeFacturation>('mode_facturation', body.mode_facturation),
    temps_reponse_urgence_h: body.temps_reponse_urgence_h,
    temps_reponse_normal_h: body.temps_reponse_normal_h,
    nb_interventions_incluses: body.nb_interventions_incluses,
    heures_maintenance_incluses: body.heures_maintenance_incluses,
    client_id: check.required('client_id', body.client_id),
    is_active: check.defaulted('is_active', body.is_active),
  };
  check.assertValid();
  return definedOnly(values);
}
