/**
 * SQL of the technician profiles (`techniciens`, their skill links): lists load a page of
 * technicians, then the users and the skills of the whole page in one query each (no N+1). The
 * sort fields and the constraint → error table are here too.
 */
import { sql } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import { STATUTS_INTERVENTION_ACTIFS, type Disponibilite, type Niveau, type Role } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import type { SortSpec } from '../../lib/listing.js';
import { selectUserOut } from '../users/repository.js';
import { TECHNICIEN_MESSAGES } from './policy.js';

/** Sort fields of GET /techniciens/ (docs/api.md §4.3); nulls last, ties by id. */
export const TECHNICIEN_SORT: SortSpec = {
  fields: { id: 't.id', equipe: 't.equipe', disponibilite: 't.disponibilite' },
  defaultSort: 'id',
  idColumn: 't.id',
};

/** A unique/FK/check violation that raced past the service's checks → the checks' own answer. */
export const TECHNICIEN_CONSTRAINT_ERRORS: ConstraintErrors = {
  techniciens_user_id_key: () => AppError.conflict(TECHNICIEN_MESSAGES.profileExists),
  techniciens_numero_badge_key: () => AppError.conflict(TECHNICIEN_MESSAGES.badgeTaken),
  techniciens_user_id_fkey: () => AppError.notFound(TECHNICIEN_MESSAGES.userNotFound),
  technicien_competence_competence_id_fkey: () => AppError.notFound(TECHNICIEN_MESSAGES.competencesNotFound),
  technicien_competence_technicien_id_fkey: () => AppError.notFound(TECHNICIEN_MESSAGES.notFound),
  // An intervention was assigned to this technician while it was being deleted.
  interventions_technicien_required_check: () => AppError.conflict(TECHNICIEN_MESSAGES.activeInterventions),
};

const TECHNICIEN_COLUMNS = [
  't.id',
  't.user_id',
  't.equipe',
  't.disponibilite',
  't.niveau_technicien',
  't.numero_badge',
  't.zone_intervention',
  't.telephone_urgence',
  't.astreinte',
  't.is_active',
] as const;

export interface TechnicienFilters {
  equipe?: string;
  disponibilites?: Disponibilite[];
  competenceId?: number;
  isActive?: boolean;
}

export interface TechnicienValues {
  equipe?: string | null;
  disponibilite?: Disponibilite;
  niveauTechnicien?: Niveau;
  numeroBadge?: string | null;
  zoneIntervention?: string | null;
  telephoneUrgence?: string | null;
  astreinte?: boolean;
  isActive?: boolean;
}

/** A technician that may be given work: its profile and its user are both active. */
export interface AssignableTechnicien {
  id: number;
  userId: number;
  fullName: string;
}

function technicienColumns(values: TechnicienValues) {
  return {
    ...(values.equipe !== undefined ? { equipe: values.equipe } : {}),
    ...(values.disponibilite !== undefined ? { disponibilite: values.disponibilite } : {}),
    ...(values.niveauTechnicien !== undefined ? { niveau_technicien: values.niveauTechnicien } : {}),
    ...(values.numeroBadge !== undefined ? { numero_badge: values.numeroBadge } : {}),
    ...(values.zoneIntervention !== undefined ? { zone_intervention: values.zoneIntervention } : {}),
    ...(values.telephoneUrgence !== undefined ? { telephone_urgence: values.telephoneUrgence } : {}),
    ...(values.astreinte !== undefined ? { astreinte: values.astreinte } : {}),
    ...(values.isActive !== undefined ? { is_active: values.isActive } : {}),
  };
}

export class TechniciensRepository {
  constructor(private readonly db: Executor) {}

  /** The filters of GET /techniciens/, combined with AND (no join: the count runs the same query). */
  async page(filters: TechnicienFilters, page: PageOptions): Promise<Page<TechnicienRow>> {
    let q = this.select();
    if (filters.equipe !== undefined) q = q.where('t.equipe', '=', filters.equipe);
    if (filters.disponibilites && filters.disponibilites.length > 0) q = q.where('t.disponibilite', 'in', filters.disponibilites);
    if (filters.isActive !== undefined) q = q.where('t.is_active', '=', filters.isActive);
    if (filters.competenceId !== undefined) {
      const competenceId = filters.competenceId;
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('technicien_competence as tc')
            .select(sql.lit(1).as('one'))
            .whereRef('tc.technicien_id', '=', 't.id')
            .where('tc.competence_id', '=', competenceId),
        ),
      );
    }
    return selectPage(q, page);
  }

  async find(id: number) {
    return this.select().where('t.id', '=', id).executeTakeFirst();
  }

  /** The technician row a write works on, locked until the end of the transaction. */
  async lock(id: number): Promise<TechnicienRow | undefined> {
    return this.select().where('t.id', '=', id).forUpdate().executeTakeFirst();
  }

  /** UserOut of each given user, in one query. */
  async findUsersOut(userIds: readonly number[]) {
    if (userIds.length === 0) return [];
    return selectUserOut(this.db).where('u.id', 'in', [...userIds]).execute();
  }

  /** The skills of each given technician (CompetenceOut + technicien_id), in one query, by skill id. */
  async findCompetencesOf(technicienIds: readonly number[]) {
    if (technicienIds.length === 0) return [];
    return this.db
      .selectFrom('technicien_competence as tc')
      .innerJoin('competences as c', 'c.id', 'tc.competence_id')
      .select(['tc.technicien_id', 'c.id', 'c.nom', 'c.domaine', 'c.description'])
      .where('tc.technicien_id', 'in', [...technicienIds])
      .orderBy('tc.technicien_id')
      .orderBy('c.id')
      .execute();
  }

  /**
   * The user a profile is created for, with its role, share-locked so that a concurrent role change
   * (which locks the user FOR UPDATE and refuses when a profile exists) waits for this transaction.
   */
  async lockUserForProfile(userId: number): Promise<{ id: number; role: Role } | undefined> {
    return this.db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).forShare().executeTakeFirst();
  }

  async idOfUser(userId: number): Promise<number | undefined> {
    const row = await this.db.selectFrom('techniciens').select('id').where('user_id', '=', userId).executeTakeFirst();
    return row?.id;
  }

  /** Whether another technician (not `exceptId`) already has this badge number. */
  async badgeTaken(badge: string, exceptId: number | null = null): Promise<boolean> {
    let query = this.db.selectFrom('techniciens').select('id').where('numero_badge', '=', badge);
    if (exceptId !== null) query = query.where('id', '<>', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async insert(userId: number, values: TechnicienValues, now: Date): Promise<number> {
    const row = await this.db
      .insertInto('techniciens')
      .values({ user_id: userId, ...technicienColumns(values), created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Applies the given columns and sets updated_at. */
  async update(id: number, values: TechnicienValues, now: Date): Promise<void> {
    await this.db
      .updateTable('techniciens')
      .set({ ...technicienColumns(values), updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async competenceIdsOf(technicienId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('technicien_competence').select('competence_id').where('technicien_id', '=', technicienId).execute();
    return rows.map((row) => row.competence_id);
  }

  /** New links with the default level (`intermediaire`), acquired `now`. */
  async insertCompetenceLinks(technicienId: number, competenceIds: readonly number[], now: Date): Promise<void> {
    if (competenceIds.length === 0) return;
    await this.db
      .insertInto('technicien_competence')
      .values(competenceIds.map((competenceId) => ({ technicien_id: technicienId, competence_id: competenceId, date_acquisition: now })))
      .execute();
  }

  async deleteCompetenceLinks(technicienId: number, competenceIds: readonly number[]): Promise<void> {
    if (competenceIds.length === 0) return;
    await this.db.deleteFrom('technicien_competence').where('technicien_id', '=', technicienId).where('competence_id', 'in', [...competenceIds]).execute();
  }

  /** Interventions of this technician in an active status (docs/domain.md §2), locked against concurrent changes. */
  async countActiveInterventions(technicienId: number): Promise<number> {
    const rows = await this.db
      .selectFrom('interventions')
      .select('id')
      .where('technicien_id', '=', technicienId)
      .where('statut', 'in', [...STATUTS_INTERVENTION_ACTIFS])
      .forUpdate()
      .execute();
    return rows.length;
  }

  async countInterventions(technicienId: number): Promise<number> {
    const row = await this.db
      .selectFrom('interventions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('technicien_id', '=', technicienId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes the profile; its skill links go by cascade, interventions and plannings lose the link (SET NULL). */
  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('techniciens').where('id', '=', id).execute();
  }

  /**
   * For other modules (interventions, planning): the technician when it may be given work (its
   * profile and its user both active), else undefined (unknown or inactive).
   */
  async findAssignable(id: number): Promise<AssignableTechnicien | undefined> {
    const row = await this.db
      .selectFrom('techniciens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id', 't.user_id', 'u.full_name'])
      .where('t.id', '=', id)
      .where('t.is_active', '=', true)
      .where('u.is_active', '=', true)
      .executeTakeFirst();
    return row ? { id: row.id, userId: row.user_id, fullName: row.full_name } : undefined;
  }

  /** The technician columns of TechnicienOut (without the user and the skills). */
  private select() {
    return this.db.selectFrom('techniciens as t').select(TECHNICIEN_COLUMNS);
  }
}

export type TechnicienRow = NonNullable<Awaited<ReturnType<TechniciensRepository['find']>>>;
export type UserOutRow = Awaited<ReturnType<TechniciensRepository['findUsersOut']>>[number];
export type CompetenceLinkRow = Awaited<ReturnType<TechniciensRepository['findCompetencesOf']>>[number];
