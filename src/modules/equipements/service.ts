/**
 * Equipment (api.md §4.4, domain.md §3 equipements): input normalisation, uniqueness, the
 * client/contract rule, scoping and deletion.
 *
 * Decisions where the spec is silent:
 * - `type` wins over `type_equipement` when both are given (non-null); a null one counts as absent.
 * - POST: `statut`/`criticite` null or absent → the column default. PATCH: absent = unchanged; null
 *   keeps a mandatory field (nom, type, localisation, statut, criticite) and clears an optional one.
 * - A contract requires its client (see policy.resolveOwnership): with a contract and no client_id,
 *   an equipment without a client takes the contract's client; an equipment is never moved
 *   silently to another company.
 * - Changing an equipment's client or contract does not touch its existing interventions: they keep
 *   the client_id/contrat_id copied when they were created (the contract they were done under).
 * - Check order: input (422) → name (400) → serial number, internal code (409) → client, contract
 *   (404) → client/contract consistency (422). Violations that race past the checks are mapped to
 *   the same answers by constraint name.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Criticite, Database, EquipementUpdate, NewEquipement, StatutEquipement } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { parseSort, parseTimestamp } from '../../lib/listing.js';
import { listPage } from '../../http/lists.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import { FREQUENCE_ENTRETIEN_INVALIDE, formatFrequenceEntretien, parseFrequenceEntretien } from './frequency.js';
import { canReadEquipement, EQUIPEMENT_MESSAGES, equipementReadScope, resolveOwnership, type Caller } from './policy.js';
import {
  clientExists,
  codeInterneTaken,
  constraintViolation,
  countInterventions,
  countPlannings,
  deleteEquipement as deleteEquipementRow,
  EQUIPEMENT_SORT,
  filterEquipements,
  findContratClient,
  findEquipement,
  insertEquipement,
  lockEquipement,
  nomTaken,
  numeroSerieTaken,
  scopeEquipements,
  selectEquipements,
  updateEquipement as updateEquipementRow,
  type EquipementFilters,
  type EquipementRecord,
} from './repository.js';
import type { EquipementOut } from './schemas.js';

type Db = Kysely<Database>;

export type AuditActor = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

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

// --- output --------------------------------------------------------------------------------------

export function toEquipementOut(row: EquipementRecord): EquipementOut {
  return {
    id: row.id,
    nom: row.nom,
    type: row.type_equipement,
    localisation: row.localisation,
    frequence_entretien: formatFrequenceEntretien(row.frequence_entretien_jours),
    numero_serie: row.numero_serie,
    code_interne: row.code_interne,
    marque: row.marque,
    modele: row.modele,
    batiment: row.batiment,
    etage: row.etage,
    zone: row.zone,
    statut: row.statut,
    criticite: row.criticite,
    description: row.description,
    date_mise_en_service: row.date_mise_en_service,
    date_fin_garantie: row.date_fin_garantie,
    cout_acquisition: row.cout_acquisition === null ? null : Number(row.cout_acquisition),
    client_id: row.client_id,
    contrat_id: row.contrat_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

// --- input normalisation -------------------------------------------------------------------------

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
    const date = parseTimestamp(text);
    if (date === null) issues.push({ loc: ['body', field], msg: 'Date invalide', type: 'format' });
    else changes[field] = date;
  }

  if (body.cout_acquisition !== undefined) changes.cout_acquisition = body.cout_acquisition;
  if (body.client_id !== undefined) changes.client_id = body.client_id;
  if (body.contrat_id !== undefined) changes.contrat_id = body.contrat_id;

  if (issues.length > 0) throw AppError.validation(issues, frequencyInvalid ? FREQUENCE_ENTRETIEN_INVALIDE : undefined);
  return changes;
}

// --- checks shared by create and update ----------------------------------------------------------

function contratMismatch(): AppError {
  return AppError.validation([{ loc: ['body', 'contrat_id'], msg: EQUIPEMENT_MESSAGES.contratMismatch, type: 'value' }], EQUIPEMENT_MESSAGES.contratMismatch);
}

/** Uniqueness, referenced rows and the client/contract rule; returns the final client and contract. */
async function checkChanges(
  trx: Db,
  changes: EquipementChanges,
  current: { id: number; clientId: number | null; contratId: number | null } | null,
): Promise<{ clientId: number | null; contratId: number | null } | null> {
  const exceptId = current?.id ?? null;
  if (changes.nom !== undefined && (await nomTaken(trx, changes.nom, exceptId))) throw AppError.badRequest(EQUIPEMENT_MESSAGES.nomTaken);
  if (changes.numero_serie && (await numeroSerieTaken(trx, changes.numero_serie, exceptId))) throw AppError.conflict(EQUIPEMENT_MESSAGES.numeroSerieTaken);
  if (changes.code_interne && (await codeInterneTaken(trx, changes.code_interne, exceptId))) throw AppError.conflict(EQUIPEMENT_MESSAGES.codeInterneTaken);

  if (changes.client_id === undefined && changes.contrat_id === undefined) return null;
  if (changes.client_id !== undefined && changes.client_id !== null && !(await clientExists(trx, changes.client_id))) {
    throw AppError.notFound(EQUIPEMENT_MESSAGES.clientNotFound);
  }
  const before = { clientId: current?.clientId ?? null, contratId: current?.contratId ?? null };
  const finalContratId = changes.contrat_id !== undefined ? changes.contrat_id : before.contratId;
  let contratClientId: number | null = null;
  if (finalContratId !== null) {
    const found = await findContratClient(trx, finalContratId);
    if (found === undefined) throw AppError.notFound(EQUIPEMENT_MESSAGES.contratNotFound);
    contratClientId = found;
  }
  const result = resolveOwnership(before, { clientId: changes.client_id, contratId: changes.contrat_id }, contratClientId);
  if (!result.ok) throw contratMismatch();
  return { clientId: result.clientId, contratId: result.contratId };
}

/** A unique / FK / check violation that raced past the checks → the answer the checks give. */
function mapWriteError(error: unknown): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  switch (violation.constraint) {
    case 'equipements_nom_lower_key':
      return AppError.badRequest(EQUIPEMENT_MESSAGES.nomTaken);
    case 'equipements_numero_serie_key':
      return AppError.conflict(EQUIPEMENT_MESSAGES.numeroSerieTaken);
    case 'equipements_code_interne_key':
      return AppError.conflict(EQUIPEMENT_MESSAGES.codeInterneTaken);
    case 'equipements_client_id_fkey':
      return AppError.notFound(EQUIPEMENT_MESSAGES.clientNotFound);
    case 'equipements_contrat_id_fkey':
      return AppError.notFound(EQUIPEMENT_MESSAGES.contratNotFound);
    case 'equipements_contrat_requires_client':
      return contratMismatch();
    case 'equipements_frequence_entretien_jours_check':
      return AppError.validation([{ loc: ['body', 'frequence_entretien'], msg: FREQUENCE_ENTRETIEN_INVALIDE, type: 'value' }], FREQUENCE_ENTRETIEN_INVALIDE);
    case 'equipements_cout_acquisition_check':
      return AppError.validation([{ loc: ['body', 'cout_acquisition'], msg: 'Doit être >= 0', type: 'range' }]);
    case 'interventions_equipement_id_fkey':
      return AppError.conflict(EQUIPEMENT_MESSAGES.usedByInterventions);
    default:
      return error;
  }
}

// --- write ---------------------------------------------------------------------------------------

/** POST /equipements/ → the new equipment. */
export async function createEquipement(app: FastifyInstance, body: EquipementBody): Promise<EquipementOut> {
  const changes = normaliseEquipementBody(body, 'create');
  const now = app.clock.now();
  try {
    return await app.db.transaction().execute(async (trx) => {
      const ownership = await checkChanges(trx, changes, null);
      const values: NewEquipement = {
        ...(changes as EquipementChanges & Pick<NewEquipement, 'nom' | 'type_equipement' | 'localisation'>),
        client_id: ownership?.clientId ?? null,
        contrat_id: ownership?.contratId ?? null,
        created_at: now,
        updated_at: now,
      };
      const id = await insertEquipement(trx, values);
      return toEquipementOut((await findEquipement(trx, id))!);
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/** PATCH /equipements/{id}: partial update; an empty body changes nothing. */
export async function updateEquipement(app: FastifyInstance, id: number, body: EquipementBody): Promise<EquipementOut> {
  const changes = normaliseEquipementBody(body, 'update');
  try {
    return await app.db.transaction().execute(async (trx) => {
      const current = await lockEquipement(trx, id);
      if (!current) throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
      const ownership = await checkChanges(trx, changes, { id: current.id, clientId: current.client_id, contratId: current.contrat_id });
      const update: EquipementUpdate = { ...changes };
      if (ownership) {
        update.client_id = ownership.clientId;
        update.contrat_id = ownership.contratId;
      }
      if (Object.keys(update).length === 0) return toEquipementOut(current);
      update.updated_at = app.clock.now();
      await updateEquipementRow(trx, current.id, update);
      return toEquipementOut((await findEquipement(trx, current.id))!);
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/**
 * DELETE /equipements/{id}: refused (409) while interventions reference it; its plannings are
 * deleted with it (FK CASCADE). Audited `data.deleted`.
 */
export async function deleteEquipement(app: FastifyInstance, id: number, actor: AuditActor): Promise<void> {
  try {
    await app.db.transaction().execute(async (trx) => {
      const current = await lockEquipement(trx, id);
      if (!current) throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
      if ((await countInterventions(trx, current.id)) > 0) throw AppError.conflict(EQUIPEMENT_MESSAGES.usedByInterventions);
      const plannings = await countPlannings(trx, current.id);
      await deleteEquipementRow(trx, current.id);
      await insertAuditEvent(trx, {
        ...actor,
        eventType: 'data.deleted',
        outcome: 'success',
        resourceType: 'equipement',
        resourceId: String(current.id),
        details: { nom: current.nom, client_id: current.client_id, plannings_supprimes: plannings },
      });
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

// --- read ----------------------------------------------------------------------------------------

export interface ReadContext {
  caller: Caller;
  actor: AuditActor;
  route: string | null;
  method: string;
}

/** GET /equipements/{id}: 404 when absent or out of the caller's scope (the latter audited). */
export async function readEquipement(db: Db, id: number, ctx: ReadContext): Promise<EquipementOut> {
  const row = await findEquipement(db, id);
  if (!row) throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
  if (!canReadEquipement(ctx.caller, row)) {
    await insertAuditEvent(db, {
      ...ctx.actor,
      eventType: 'rbac.denied',
      outcome: 'denied',
      resourceType: 'equipement',
      resourceId: String(row.id),
      details: { reason: 'hors_perimetre', route: ctx.route, method: ctx.method },
    });
    throw AppError.notFound(EQUIPEMENT_MESSAGES.notFound);
  }
  return toEquipementOut(row);
}

export interface ListOptions {
  filters: EquipementFilters;
  limit: number;
  offset: number;
  sort?: string;
}

/** GET /equipements/: the caller's scope, then the filters; `X-Total-Count` counts the scoped rows. */
export async function listEquipements(db: Db, reply: FastifyReply, caller: Caller, options: ListOptions): Promise<EquipementOut[]> {
  const sort = parseSort(options.sort, EQUIPEMENT_SORT);
  const query = filterEquipements(scopeEquipements(selectEquipements(db), equipementReadScope(caller)), options.filters);
  const rows = await listPage(reply, query, { limit: options.limit, offset: options.offset, sort });
  return rows.map(toEquipementOut);
}
