/**
 * Contract rules (api.md §4.10, domain.md §3 contrats, §4): input normalisation, date_fin ≥
 * date_debut (also on PATCH, against the stored value of the other date), the client must exist
 * (404), unique number (409), record-level scope, deletion refused while referenced (409), audit
 * `data.deleted`.
 */
import type { Kysely } from 'kysely';
import type { Database, ModeFacturation, StatutContrat, TypeContrat } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { insertAuditEvent } from '../audit/repository.js';
import { CLIENT_MESSAGES, clientChangeAllowed, companyScope, CONTRAT_MESSAGES, inScope } from './policy.js';
import {
  clientExists,
  constraintViolation,
  contratIsReferenced,
  deleteContrat,
  findContrat,
  insertContrat,
  lockContrat,
  numeroContratTaken,
  updateContrat,
  type ContratInsert,
  type ContratRow,
  type ContratUpdate,
} from './repository.js';
import { CONTRAT_LIMITS, type ContratCreateBody, type ContratPatchBody } from './contrats-schemas.js';
import { auditOutOfScope, definedOnly, InputChecker, type AuditActor, type Caller } from './service.js';

type Db = Kysely<Database>;

const DEVISE = /^[A-Z]{3}$/;
/** At most two decimals (numeric(12,2)); JS prints such numbers without an exponent below 1e21. */
const MONEY = /^\d+(?:\.\d{1,2})?$/;

export const CONTRAT_INPUT_MESSAGES = {
  devise: 'Devise invalide (3 lettres majuscules, code ISO 4217)',
  montant: 'Montant invalide (2 décimales au plus)',
} as const;

function datesOrderError(): AppError {
  return AppError.validation([{ loc: ['body', 'date_fin'], msg: CONTRAT_MESSAGES.datesOrder, type: 'value' }], CONTRAT_MESSAGES.datesOrder);
}

/**
 * The column values of a create or patch body, checked (422 with every issue). On create,
 * date_fin ≥ date_debut is checked here; on patch, against the stored row by the caller.
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

/** A unique-index, foreign-key or check race, lost after the pre-checks passed: the pre-check's answer. */
function mapContratWriteError(error: unknown, operation: 'write' | 'delete'): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  if (violation.code === '23505' && violation.constraint === 'contrats_numero_contrat_key') return AppError.conflict(CONTRAT_MESSAGES.numeroTaken);
  if (violation.code === '23503' && operation === 'delete') return AppError.conflict(CONTRAT_MESSAGES.referenced);
  if (violation.code === '23503' && violation.constraint === 'contrats_client_id_fkey') return AppError.notFound(CLIENT_MESSAGES.notFound);
  if (violation.code === '23514' && violation.constraint === 'contrats_dates_check') return datesOrderError();
  if (violation.code === '23514') return AppError.validation([{ loc: ['body'], msg: 'Valeur refusée par une contrainte', type: 'value' }]);
  return error;
}

/** POST /contrats/: 422, then 404 (client), then 409 (number), then the insert. Returns the new id. */
export async function createContrat(db: Db, body: ContratCreateBody, now: Date): Promise<number> {
  const values = normalizeContratInput(body, 'create') as ContratInsert;
  try {
    return await db.transaction().execute(async (trx) => {
      if (!(await clientExists(trx, values.client_id))) throw AppError.notFound(CLIENT_MESSAGES.notFound);
      if (await numeroContratTaken(trx, values.numero_contrat)) throw AppError.conflict(CONTRAT_MESSAGES.numeroTaken);
      return insertContrat(trx, { ...values, date_creation: now, date_modification: now });
    });
  } catch (error) {
    throw mapContratWriteError(error, 'write');
  }
}

/**
 * PATCH /contrats/{id}: the given columns; date_fin ≥ date_debut against the stored other date;
 * a new client must exist, and may be set only while nothing refers to the contract.
 */
export async function patchContrat(db: Db, id: number, body: ContratPatchBody, now: Date): Promise<void> {
  const changes = normalizeContratInput(body, 'patch');
  try {
    await db.transaction().execute(async (trx) => {
      const current = await lockContrat(trx, id);
      if (!current) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
      if (Object.keys(changes).length === 0) return;
      const dateDebut = changes.date_debut ?? current.date_debut;
      const dateFin = changes.date_fin ?? current.date_fin;
      if (dateFin < dateDebut) throw datesOrderError();
      if (changes.client_id !== undefined && changes.client_id !== current.client_id) {
        if (!(await clientExists(trx, changes.client_id))) throw AppError.notFound(CLIENT_MESSAGES.notFound);
        if (!clientChangeAllowed(current.client_id, changes.client_id, await contratIsReferenced(trx, id))) {
          throw AppError.conflict(CONTRAT_MESSAGES.clientChangeReferenced);
        }
      }
      if (changes.numero_contrat !== undefined && changes.numero_contrat !== current.numero_contrat && (await numeroContratTaken(trx, changes.numero_contrat, id))) {
        throw AppError.conflict(CONTRAT_MESSAGES.numeroTaken);
      }
      await updateContrat(trx, id, { ...changes, date_modification: now });
    });
  } catch (error) {
    throw mapContratWriteError(error, 'write');
  }
}

/** DELETE /contrats/{id}: refused (409) while an equipment item or an intervention refers to it. */
export async function removeContrat(db: Db, id: number, actor: AuditActor): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      // The row lock also blocks new references (their foreign-key check waits for it).
      const current = await lockContrat(trx, id);
      if (!current) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
      if (await contratIsReferenced(trx, id)) throw AppError.conflict(CONTRAT_MESSAGES.referenced);
      await deleteContrat(trx, id);
      await insertAuditEvent(trx, {
        ...actor,
        eventType: 'data.deleted',
        outcome: 'success',
        resourceType: 'contrat',
        resourceId: String(id),
        details: { numero_contrat: current.numero_contrat, client_id: current.client_id },
      });
    });
  } catch (error) {
    throw mapContratWriteError(error, 'delete');
  }
}

/** GET /contrats/{id}: 404 when unknown, and when outside the caller's company (audited). */
export async function readContrat(db: Db, caller: Caller, id: number, actor: AuditActor, timeZone: string): Promise<ContratRow> {
  const row = await findContrat(db, id, timeZone);
  if (!row) throw AppError.notFound(CONTRAT_MESSAGES.notFound);
  if (!inScope(companyScope(caller), row.client_id)) {
    await auditOutOfScope(db, actor, 'contrat', id);
    throw AppError.notFound(CONTRAT_MESSAGES.notFound);
  }
  return row;
}
