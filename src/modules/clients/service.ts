/**
 * Customer rules (api.md §4.10, domain.md §1, §3, §4): input normalisation (trimming, empty
 * optional string → NULL, lower-case e-mail, 15-digit ICE), uniqueness (409), record-level scope
 * (404 + audit `rbac.denied` "hors_perimetre"), deletion refused while referenced (409), audit
 * `data.deleted`. Unique/foreign-key races are mapped to the same answers as the pre-checks.
 */
import type { Kysely } from 'kysely';
import type { Database, NiveauService, Role, TypeClient } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { CLIENT_MESSAGES, companyScope, inScope } from './policy.js';
import {
  clientIsReferenced,
  constraintViolation,
  deleteClient,
  findClient,
  findClientConflicts,
  insertClient,
  lockClient,
  updateClient,
  type ClientInsert,
  type ClientRow,
  type ClientUpdate,
} from './repository.js';
import { CLIENT_LIMITS, type ClientCreateBody, type ClientPatchBody } from './schemas.js';

type Db = Kysely<Database>;

/** Who acts, from where (the common part of the audit rows written for a request). */
export type AuditActor = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

/** The caller, for the scope rules. */
export interface Caller {
  role: Role;
  clientId: number | null;
}

// =================================================================================================
// Input normalisation, shared with the contract service
// =================================================================================================

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ICE = /^[0-9]{15}$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const INPUT_MESSAGES = {
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
export class InputChecker {
  readonly issues: ValidationIssue[] = [];
  /** The specific message for the envelope (api.md gives one for some 422s). */
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
export function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

// =================================================================================================
// Clients
// =================================================================================================

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

/** A unique-index or foreign-key race, lost after the pre-checks passed: the pre-check's answer. */
function mapClientWriteError(error: unknown): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  if (violation.code === '23505' && violation.constraint === 'clients_nom_entreprise_lower_key') return AppError.conflict(CLIENT_MESSAGES.nameTaken);
  if (violation.code === '23505' && violation.constraint === 'clients_ice_key') return AppError.conflict(CLIENT_MESSAGES.iceTaken);
  // Deleting a client that something started to reference meanwhile.
  if (violation.code === '23503') return AppError.conflict(CLIENT_MESSAGES.referenced);
  if (violation.code === '23514') return AppError.validation([{ loc: ['body'], msg: 'Valeur refusée par une contrainte', type: 'value' }]);
  return error;
}

async function assertNoClientConflict(db: Db, candidate: { nomEntreprise?: string; ice?: string | null }, exceptId: number | null): Promise<void> {
  const conflicts = await findClientConflicts(db, candidate, exceptId);
  if (conflicts.name) throw AppError.conflict(CLIENT_MESSAGES.nameTaken);
  if (conflicts.ice) throw AppError.conflict(CLIENT_MESSAGES.iceTaken);
}

/** POST /clients/: 422, then 409 (name, then ICE), then the insert. Returns the new id. */
export async function createClient(db: Db, body: ClientCreateBody, now: Date): Promise<number> {
  const values = normalizeClientInput(body, 'create') as ClientInsert;
  await assertNoClientConflict(db, { nomEntreprise: values.nom_entreprise, ice: values.ice }, null);
  try {
    return await insertClient(db, { ...values, date_creation: now, date_modification: now });
  } catch (error) {
    throw mapClientWriteError(error);
  }
}

/** PATCH /clients/{id}: the given columns; date_modification is set when at least one is given. */
export async function patchClient(db: Db, id: number, body: ClientPatchBody, now: Date): Promise<void> {
  const changes = normalizeClientInput(body, 'patch');
  try {
    await db.transaction().execute(async (trx) => {
      const current = await lockClient(trx, id);
      if (!current) throw AppError.notFound(CLIENT_MESSAGES.notFound);
      if (Object.keys(changes).length === 0) return;
      const nameChanged = changes.nom_entreprise !== undefined && changes.nom_entreprise.toLowerCase() !== current.nom_entreprise.toLowerCase();
      const iceChanged = typeof changes.ice === 'string' && changes.ice !== current.ice;
      await assertNoClientConflict(trx, { nomEntreprise: nameChanged ? changes.nom_entreprise : undefined, ice: iceChanged ? changes.ice : undefined }, id);
      await updateClient(trx, id, { ...changes, date_modification: now });
    });
  } catch (error) {
    throw mapClientWriteError(error);
  }
}

/** DELETE /clients/{id}: refused (409) while a user, contract, equipment item or intervention refers to it. */
export async function removeClient(db: Db, id: number, actor: AuditActor): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      // The row lock also blocks new references (their foreign-key check waits for it).
      const current = await lockClient(trx, id);
      if (!current) throw AppError.notFound(CLIENT_MESSAGES.notFound);
      if (await clientIsReferenced(trx, id)) throw AppError.conflict(CLIENT_MESSAGES.referenced);
      await deleteClient(trx, id);
      await insertAuditEvent(trx, {
        ...actor,
        eventType: 'data.deleted',
        outcome: 'success',
        resourceType: 'client',
        resourceId: String(id),
        details: { nom_entreprise: current.nom_entreprise },
      });
    });
  } catch (error) {
    throw mapClientWriteError(error);
  }
}

/** Records a read of a record outside the caller's scope; the caller then answers 404. */
export async function auditOutOfScope(db: Db, actor: AuditActor, resourceType: string, resourceId: number): Promise<void> {
  await insertAuditEvent(db, {
    ...actor,
    eventType: 'rbac.denied',
    outcome: 'denied',
    resourceType,
    resourceId: String(resourceId),
    details: { reason: 'hors_perimetre' },
  });
}

/** GET /clients/{id}: 404 when unknown, and when outside the caller's company (audited). */
export async function readClient(db: Db, caller: Caller, id: number, actor: AuditActor): Promise<ClientRow> {
  const row = await findClient(db, id);
  if (!row) throw AppError.notFound(CLIENT_MESSAGES.notFound);
  if (!inScope(companyScope(caller), row.id)) {
    await auditOutOfScope(db, actor, 'client', id);
    throw AppError.notFound(CLIENT_MESSAGES.notFound);
  }
  return row;
}
