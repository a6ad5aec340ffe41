/**
 * Technicians and skills (api.md §4.3, domain.md §3–4, security.md §9): input normalisation,
 * existence and uniqueness checks, skill-set replacement, deletion rules. Every change that writes
 * more than one row runs in one transaction; constraint violations that race past the checks are
 * mapped to the same 4xx answers as the checks.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, Disponibilite, Niveau } from '../../db/schema.js';
import { AppError, type ValidationIssue } from '../../lib/errors.js';
import { parseQueryBoolean, parseSort } from '../../lib/listing.js';
import { listPage } from '../../http/lists.js';
import { insertAuditEvent, type AuditEventInput } from '../audit/repository.js';
import {
  canHoldTechnicienProfile,
  COMPETENCE_MESSAGES,
  competenceSetChanges,
  DEFAULT_DOMAINE,
  isDuplicateCompetenceName,
  normalizeDisponibilite,
  optionalText,
  TECHNICIEN_MESSAGES,
  uniqueIds,
} from './policy.js';
import {
  badgeTaken,
  COMPETENCE_SORT,
  competenceIdsOf,
  competenceNames,
  constraintViolation,
  countActiveInterventions,
  countCompetenceLinks,
  countInterventionsOf,
  deleteCompetence,
  deleteCompetenceLinks,
  deleteTechnicien,
  existingCompetenceIds,
  filterCompetences,
  filterTechniciens,
  findCompetencesOf,
  findTechnicien,
  findUsersOut,
  insertCompetence,
  insertCompetenceLinks,
  insertTechnicien,
  lockCompetence,
  lockCompetenceNames,
  lockTechnicien,
  lockUserForProfile,
  selectCompetences,
  selectTechniciens,
  TECHNICIEN_SORT,
  technicienIdOfUser,
  updateCompetence,
  updateTechnicien,
  type CompetenceRow,
  type TechnicienRow,
  type TechnicienValues,
} from './repository.js';
import type { CompetenceCreateBody, CompetencePatchBody, TechnicienCreateBody, TechnicienOut, TechnicienUpdateBody } from './schemas.js';

type Db = Kysely<Database>;

/** Who acts, from where: the common part of the audit rows (`auditContext(request)`). */
export type AuditActor = Pick<AuditEventInput, 'actorUserId' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>;

// --- reading -------------------------------------------------------------------------------------

/**
 * TechnicienOut for a page of rows: the users and the skills of the whole page are read in one
 * query each, whatever the page size.
 */
export async function toTechniciensOut(db: Db, rows: readonly TechnicienRow[]): Promise<TechnicienOut[]> {
  if (rows.length === 0) return [];
  const [users, links] = await Promise.all([findUsersOut(db, uniqueIds(rows.map((row) => row.user_id))), findCompetencesOf(db, rows.map((row) => row.id))]);
  const usersById = new Map(users.map((user) => [user.id, user]));
  const skillsByTechnicien = new Map<number, TechnicienOut['competences']>();
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

export async function getTechnicien(db: Db, id: number): Promise<TechnicienOut> {
  const row = await findTechnicien(db, id);
  if (!row) throw AppError.notFound(TECHNICIEN_MESSAGES.notFound);
  const [out] = await toTechniciensOut(db, [row]);
  return out!;
}

export interface TechnicienListQuery {
  equipe?: string;
  disponibilite?: string[];
  competence_id?: number;
  is_active?: string;
  limit: number;
  offset: number;
  sort?: string;
}

function disponibiliteIssue(loc: ValidationIssue['loc']): AppError {
  return AppError.validation([{ loc, msg: TECHNICIEN_MESSAGES.disponibiliteInvalid, type: 'enum' }], TECHNICIEN_MESSAGES.disponibiliteInvalid);
}

/** GET /techniciens/: filters (AND), sort, page, `X-Total-Count`; then users and skills of the page. */
export async function listTechniciens(db: Db, reply: FastifyReply, query: TechnicienListQuery): Promise<TechnicienOut[]> {
  const sort = parseSort(query.sort, TECHNICIEN_SORT);
  const disponibilites = (query.disponibilite ?? []).map((value, index) => {
    const normalized = normalizeDisponibilite(value);
    if (!normalized) throw disponibiliteIssue(['query', 'disponibilite', index]);
    return normalized;
  });
  const equipe = query.equipe?.trim();
  const filtered = filterTechniciens(selectTechniciens(db), {
    equipe: equipe ? equipe : undefined,
    disponibilites,
    competenceId: query.competence_id,
    isActive: parseQueryBoolean(query.is_active),
  });
  const rows = await listPage(reply, filtered, { limit: query.limit, offset: query.offset, sort });
  return toTechniciensOut(db, rows);
}

// --- writing technicians -------------------------------------------------------------------------

/** A unique/FK/check violation that raced past the checks → the checks' own answer. */
function mapWriteError(error: unknown): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  switch (violation.constraint) {
    case 'techniciens_user_id_key':
      return AppError.conflict(TECHNICIEN_MESSAGES.profileExists);
    case 'techniciens_numero_badge_key':
      return AppError.conflict(TECHNICIEN_MESSAGES.badgeTaken);
    case 'techniciens_user_id_fkey':
      return AppError.notFound(TECHNICIEN_MESSAGES.userNotFound);
    case 'technicien_competence_competence_id_fkey':
      return AppError.notFound(TECHNICIEN_MESSAGES.competencesNotFound);
    case 'technicien_competence_technicien_id_fkey':
      return AppError.notFound(TECHNICIEN_MESSAGES.notFound);
    case 'interventions_technicien_required_check':
      // An intervention was assigned to this technician while it was being deleted.
      return AppError.conflict(TECHNICIEN_MESSAGES.activeInterventions);
    case 'competences_nom_lower_key':
      return AppError.badRequest(COMPETENCE_MESSAGES.duplicate);
    default:
      return error;
  }
}

/** A present, non-null `disponibilite` normalised, or 422 "Disponibilité invalide". */
function disponibiliteInput(value: string | null | undefined): Disponibilite | undefined {
  if (value === undefined || value === null) return undefined;
  const normalized = normalizeDisponibilite(value);
  if (!normalized) throw disponibiliteIssue(['body', 'disponibilite']);
  return normalized;
}

/** An optional text of a partial update: absent or null = kept; empty after trimming = cleared. */
function keptOrText(value: string | null | undefined): string | null | undefined {
  return value === null ? undefined : optionalText(value);
}

function keptOr<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** The technician columns of a create or update body (absent or null = not set). */
function technicienValues(body: TechnicienUpdateBody): TechnicienValues {
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

async function assertCompetencesExist(db: Db, ids: readonly number[]): Promise<void> {
  const found = await existingCompetenceIds(db, ids);
  if (found.length !== ids.length) throw AppError.notFound(TECHNICIEN_MESSAGES.competencesNotFound);
}

/**
 * POST /techniciens/. Input (422) first, then: user (404), its role (400), skills (404), existing
 * profile (409), badge (409). The profile and its skill links are written in one transaction.
 */
export async function createTechnicien(app: FastifyInstance, body: TechnicienCreateBody): Promise<TechnicienOut> {
  const values = technicienValues(body);
  const competenceIds = uniqueIds(body.competences_ids ?? []);
  const now = app.clock.now();
  let id: number;
  try {
    id = await app.db.transaction().execute(async (trx) => {
      const user = await lockUserForProfile(trx, body.user_id);
      if (!user) throw AppError.notFound(TECHNICIEN_MESSAGES.userNotFound);
      if (!canHoldTechnicienProfile(user.role)) throw AppError.badRequest(TECHNICIEN_MESSAGES.notTechnicien);
      await assertCompetencesExist(trx, competenceIds);
      if ((await technicienIdOfUser(trx, user.id)) !== undefined) throw AppError.conflict(TECHNICIEN_MESSAGES.profileExists);
      if (values.numeroBadge && (await badgeTaken(trx, values.numeroBadge))) throw AppError.conflict(TECHNICIEN_MESSAGES.badgeTaken);
      const technicienId = await insertTechnicien(trx, user.id, values, now);
      await insertCompetenceLinks(trx, technicienId, competenceIds, now);
      return technicienId;
    });
  } catch (error) {
    throw mapWriteError(error);
  }
  return getTechnicien(app.db, id);
}

/**
 * PUT /techniciens/{id}: partial; an absent or null field is kept, an empty optional text is
 * cleared, `competences_ids` replaces the whole set (kept skills keep their link row).
 */
export async function updateTechnicienProfile(app: FastifyInstance, id: number, body: TechnicienUpdateBody): Promise<TechnicienOut> {
  const values = technicienValues(body);
  const competenceIds = body.competences_ids === undefined || body.competences_ids === null ? null : uniqueIds(body.competences_ids);
  const now = app.clock.now();
  try {
    await app.db.transaction().execute(async (trx) => {
      const current = await lockTechnicien(trx, id);
      if (!current) throw AppError.notFound(TECHNICIEN_MESSAGES.notFound);
      if (competenceIds !== null) await assertCompetencesExist(trx, competenceIds);
      if (values.numeroBadge && values.numeroBadge !== current.numero_badge && (await badgeTaken(trx, values.numeroBadge, current.id))) {
        throw AppError.conflict(TECHNICIEN_MESSAGES.badgeTaken);
      }
      await updateTechnicien(trx, current.id, values, now);
      if (competenceIds !== null) {
        const { toAdd, toRemove } = competenceSetChanges(await competenceIdsOf(trx, current.id), competenceIds);
        await deleteCompetenceLinks(trx, current.id, toRemove);
        await insertCompetenceLinks(trx, current.id, toAdd, now);
      }
    });
  } catch (error) {
    throw mapWriteError(error);
  }
  return getTechnicien(app.db, id);
}

/**
 * DELETE /techniciens/{id}: refused (409) while the technician has active interventions; closed
 * ones lose the link (FK SET NULL; their history keeps the user). Audited `data.deleted`.
 */
export async function removeTechnicien(app: FastifyInstance, id: number, actor: AuditActor): Promise<void> {
  try {
    await app.db.transaction().execute(async (trx) => {
      const current = await lockTechnicien(trx, id);
      if (!current) throw AppError.notFound(TECHNICIEN_MESSAGES.notFound);
      if ((await countActiveInterventions(trx, current.id)) > 0) throw AppError.conflict(TECHNICIEN_MESSAGES.activeInterventions);
      const detached = await countInterventionsOf(trx, current.id);
      await deleteTechnicien(trx, current.id);
      await insertAuditEvent(trx, {
        ...actor,
        eventType: 'data.deleted',
        outcome: 'success',
        resourceType: 'technicien',
        resourceId: String(current.id),
        details: { user_id: current.user_id, interventions_detachees: detached },
      });
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

// --- skills --------------------------------------------------------------------------------------

export async function listCompetences(db: Db, reply: FastifyReply, query: { q?: string; limit: number; offset: number; sort?: string }): Promise<CompetenceRow[]> {
  const sort = parseSort(query.sort, COMPETENCE_SORT);
  return listPage(reply, filterCompetences(selectCompetences(db), { q: query.q }), { limit: query.limit, offset: query.offset, sort });
}

function requiredNom(value: string): string {
  const nom = value.trim();
  if (nom === '') throw AppError.validation([{ loc: ['body', 'nom'], msg: 'Le nom de la compétence est requis', type: 'too_short' }]);
  return nom;
}

/** POST /techniciens/competences: trimmed name, unique case-insensitively (400); `domaine` defaults to `general`. */
export async function createCompetence(app: FastifyInstance, body: CompetenceCreateBody): Promise<CompetenceRow> {
  const nom = requiredNom(body.nom);
  const domaine = optionalText(body.domaine) ?? DEFAULT_DOMAINE;
  const description = optionalText(body.description) ?? null;
  const now = app.clock.now();
  try {
    return await app.db.transaction().execute(async (trx) => {
      await lockCompetenceNames(trx);
      if (isDuplicateCompetenceName(await competenceNames(trx), nom)) throw AppError.badRequest(COMPETENCE_MESSAGES.duplicate);
      return insertCompetence(trx, { nom, domaine, description }, now);
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/**
 * PATCH /techniciens/competences/{id}: absent or null = kept; an empty `description` clears it,
 * an empty `domaine` resets it to `general`; a name taken by another skill → 400.
 */
export async function patchCompetence(app: FastifyInstance, id: number, body: CompetencePatchBody): Promise<CompetenceRow> {
  const nom = body.nom === undefined || body.nom === null ? undefined : requiredNom(body.nom);
  const domaine = body.domaine === undefined || body.domaine === null ? undefined : (optionalText(body.domaine) ?? DEFAULT_DOMAINE);
  const description = keptOrText(body.description);
  const now = app.clock.now();
  try {
    return await app.db.transaction().execute(async (trx) => {
      if (nom !== undefined) await lockCompetenceNames(trx);
      const current = await lockCompetence(trx, id);
      if (!current) throw AppError.notFound(COMPETENCE_MESSAGES.notFound);
      if (nom !== undefined && isDuplicateCompetenceName(await competenceNames(trx), nom, current.id)) {
        throw AppError.badRequest(COMPETENCE_MESSAGES.duplicate);
      }
      return updateCompetence(trx, current.id, { nom, domaine, description }, now);
    });
  } catch (error) {
    throw mapWriteError(error);
  }
}

/** DELETE /techniciens/competences/{id}: the technicians' links go by cascade. Audited `data.deleted`. */
export async function removeCompetence(app: FastifyInstance, id: number, actor: AuditActor): Promise<void> {
  await app.db.transaction().execute(async (trx) => {
    const current = await lockCompetence(trx, id);
    if (!current) throw AppError.notFound(COMPETENCE_MESSAGES.notFound);
    const links = await countCompetenceLinks(trx, current.id);
    await deleteCompetence(trx, current.id);
    await insertAuditEvent(trx, {
      ...actor,
      eventType: 'data.deleted',
      outcome: 'success',
      resourceType: 'competence',
      resourceId: String(current.id),
      details: { nom: current.nom, liens_supprimes: links },
    });
  });
}
