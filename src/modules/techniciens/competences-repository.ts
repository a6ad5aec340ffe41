/**
 * SQL of the skill catalogue (`competences`), its sort fields and its constraint → error table.
 */
import { sql } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import { containsPattern, type SortSpec } from '../../lib/listing.js';
import { COMPETENCE_MESSAGES } from './policy.js';

/** Sort fields of GET /techniciens/competences; the name sorts case-insensitively. */
export const COMPETENCE_SORT: SortSpec = {
  fields: { id: 'c.id', nom: sql`lower(c.nom)` },
  defaultSort: 'id',
  idColumn: 'c.id',
};

/** A name race lost after the check (the advisory lock makes it unlikely) → the check's answer. */
export const COMPETENCE_CONSTRAINT_ERRORS: ConstraintErrors = {
  competences_nom_lower_key: () => AppError.conflict(COMPETENCE_MESSAGES.duplicate),
};

const COMPETENCE_COLUMNS = ['id', 'nom', 'domaine', 'description'] as const;

export class CompetencesRepository {
  constructor(private readonly db: Executor) {}

  /** `q`: case-insensitive substring of the name or the domain. */
  async page(filters: { q?: string }, page: PageOptions): Promise<Page<CompetenceRow>> {
    let q = this.select();
    const search = filters.q?.trim();
    if (search) {
      const pattern = containsPattern(search);
      q = q.where((eb) => eb.or([eb('c.nom', 'ilike', pattern), eb('c.domaine', 'ilike', pattern)]));
    }
    return selectPage(q, page);
  }

  async lock(id: number) {
    return this.select().where('c.id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Which of the given skills exist; they are key-share locked so that none is deleted before the links are written. */
  async existingIds(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('competences').select('id').where('id', 'in', [...ids]).forKeyShare().execute();
    return rows.map((row) => row.id);
  }

  /**
   * Serialises skill creations and renames for the rest of the transaction, so that the name check
   * (done in the application, see `isDuplicateCompetenceName`) cannot be raced.
   */
  async lockNames(): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext('mif-erp:competences-nom'))`.execute(this.db);
  }

  /** Every skill's id and name (a small catalogue), for the case-insensitive uniqueness check. */
  async names(): Promise<{ id: number; nom: string }[]> {
    return this.db.selectFrom('competences').select(['id', 'nom']).execute();
  }

  async insert(values: { nom: string; domaine: string; description: string | null }, now: Date): Promise<CompetenceRow> {
    return this.db
      .insertInto('competences')
      .values({ nom: values.nom, domaine: values.domaine, description: values.description, created_at: now, updated_at: now })
      .returning(COMPETENCE_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  async update(id: number, values: { nom?: string; domaine?: string; description?: string | null }, now: Date): Promise<CompetenceRow> {
    return this.db
      .updateTable('competences')
      .set({
        ...(values.nom !== undefined ? { nom: values.nom } : {}),
        ...(values.domaine !== undefined ? { domaine: values.domaine } : {}),
        ...(values.description !== undefined ? { description: values.description } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .returning(COMPETENCE_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  async countLinks(competenceId: number): Promise<number> {
    const row = await this.db
      .selectFrom('technicien_competence')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('competence_id', '=', competenceId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes the skill; its technician links go by cascade. */
  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('competences').where('id', '=', id).execute();
  }

  /** CompetenceOut columns. */
  private select() {
    return this.db.selectFrom('competences as c').select(['c.id', 'c.nom', 'c.domaine', 'c.description']);
  }
}

export type CompetenceRow = NonNullable<Awaited<ReturnType<CompetencesRepository['lock']>>>;
