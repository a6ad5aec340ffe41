/**
 * SQL of the contracts (`contrats`): reads with the interventions used, the pre-checks, writes, and
 * the constraint table that gives a race lost after a pre-check the pre-check's answer.
 */
import { sql, type Insertable, type Updateable } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Database, StatutContrat, TypeContrat } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import type { SortSpec } from '../../lib/listing.js';
import { datesOrderError } from './input.js';
import { CLIENT_MESSAGES, CONTRAT_MESSAGES, type CompanyScope } from './policy.js';
import { checkConstraintErrors } from './repository.js';

export type ContratInsert = Insertable<Database['contrats']>;
export type ContratUpdate = Updateable<Database['contrats']>;

export const CONTRAT_SORT: SortSpec = {
  fields: { id: 'k.id', date_fin: 'k.date_fin', numero_contrat: 'k.numero_contrat' },
  defaultSort: 'id',
  idColumn: 'k.id',
};

const referenced = () => AppError.conflict(CONTRAT_MESSAGES.referenced);

export const CONTRAT_CONSTRAINT_ERRORS: ConstraintErrors = {
  contrats_numero_contrat_key: () => AppError.conflict(CONTRAT_MESSAGES.numeroTaken),
  // A write naming a client deleted meanwhile.
  contrats_client_id_fkey: () => AppError.notFound(CLIENT_MESSAGES.notFound),
  // Deleting a contract that something started to reference meanwhile.
  equipements_contrat_id_fkey: referenced,
  interventions_contrat_id_fkey: referenced,
  contrats_dates_check: datesOrderError,
  ...checkConstraintErrors([
    'contrats_numero_contrat_not_blank',
    'contrats_nom_contrat_not_blank',
    'contrats_type_contrat_check',
    'contrats_statut_check',
    'contrats_mode_facturation_check',
    'contrats_montant_annuel_check',
    'contrats_devise_check',
    'contrats_temps_reponse_urgence_h_check',
    'contrats_temps_reponse_normal_h_check',
    'contrats_nb_interventions_incluses_check',
    'contrats_heures_maintenance_incluses_check',
  ]),
};

export interface ContratFilters {
  scope: CompanyScope;
  clientId?: number;
  statuts?: StatutContrat[];
  typesContrat?: TypeContrat[];
  /** date_fin ≤ this date (YYYY-MM-DD). */
  dateFinMax?: string;
}

export class ContratsRepository {
  constructor(private readonly db: Executor) {}

  /** The caller's scope and the filters of GET /contrats/, combined with AND. */
  async page(filters: ContratFilters, page: PageOptions, timeZone: string): Promise<Page<ContratRow>> {
    let q = this.selectContrats(timeZone);
    if (filters.scope.kind === 'none') q = q.where(sql<boolean>`false`);
    else if (filters.scope.kind === 'company') q = q.where('k.client_id', '=', filters.scope.clientId);
    if (filters.clientId !== undefined) q = q.where('k.client_id', '=', filters.clientId);
    if (filters.statuts && filters.statuts.length > 0) q = q.where('k.statut', 'in', filters.statuts);
    if (filters.typesContrat && filters.typesContrat.length > 0) q = q.where('k.type_contrat', 'in', filters.typesContrat);
    if (filters.dateFinMax !== undefined) q = q.where('k.date_fin', '<=', filters.dateFinMax);
    return selectPage(q, page);
  }

  async find(id: number, timeZone: string) {
    return this.selectContrats(timeZone).where('k.id', '=', id).executeTakeFirst();
  }

  /** The columns a write checks, locked until the end of the transaction. */
  async lock(id: number) {
    return this.db
      .selectFrom('contrats')
      .select(['id', 'numero_contrat', 'client_id', 'date_debut', 'date_fin'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /**
   * The contract and its company, for other modules (equipment: "the contract must belong to
   * client_id").
   */
  async findClientOf(id: number): Promise<{ id: number; client_id: number } | undefined> {
    return this.db.selectFrom('contrats').select(['id', 'client_id']).where('id', '=', id).executeTakeFirst();
  }

  /** Whether another contract (than `exceptId`) has this number. */
  async numeroTaken(numero: string, exceptId: number | null = null): Promise<boolean> {
    let query = this.db.selectFrom('contrats').select('id').where('numero_contrat', '=', numero);
    if (exceptId !== null) query = query.where('id', '<>', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async insert(values: ContratInsert): Promise<number> {
    const row = await this.db.insertInto('contrats').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: number, changes: ContratUpdate): Promise<void> {
    await this.db.updateTable('contrats').set(changes).where('id', '=', id).execute();
  }

  /** Whether an equipment item or an intervention refers to the contract. */
  async isReferenced(id: number): Promise<boolean> {
    const result = await sql<{ referenced: boolean }>`
      SELECT EXISTS (SELECT 1 FROM equipements WHERE contrat_id = ${id})
          OR EXISTS (SELECT 1 FROM interventions WHERE contrat_id = ${id}) AS referenced
    `.execute(this.db);
    return result.rows[0]?.referenced === true;
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('contrats').where('id', '=', id).execute();
  }

  /** `contrats.expire`: `en_cours` contracts whose `date_fin` is before today in `timeZone` → `expire`; their ids. */
  async expireEnded(now: Date, timeZone: string): Promise<number[]> {
    const rows = await this.db
      .updateTable('contrats')
      .set({ statut: 'expire', date_modification: now })
      .where('statut', '=', 'en_cours')
      .where('date_fin', '<', sql<string>`(${now}::timestamptz AT TIME ZONE ${timeZone})::date`)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Every contrats column (ContratOut) and `nb_interventions_utilisees`: the non-cancelled
   * interventions of the contract created from date_debut 00:00 to the end of date_fin, both in the
   * business time zone. One correlated subquery per statement (index (contrat_id, date_creation)),
   * so a whole list page is one query.
   */
  private selectContrats(timeZone: string) {
    return this.db.selectFrom('contrats as k').select((eb) => [
      'k.id',
      'k.numero_contrat',
      'k.nom_contrat',
      'k.description',
      'k.type_contrat',
      'k.statut',
      'k.date_signature',
      'k.date_renouvellement',
      'k.date_debut',
      'k.date_fin',
      'k.montant_annuel',
      'k.devise',
      'k.mode_facturation',
      'k.temps_reponse_urgence_h',
      'k.temps_reponse_normal_h',
      'k.nb_interventions_incluses',
      'k.heures_maintenance_incluses',
      'k.client_id',
      'k.is_active',
      'k.date_creation',
      'k.date_modification',
      eb
        .selectFrom('interventions as i')
        .select(sql<number>`count(*)`.as('n'))
        .whereRef('i.contrat_id', '=', 'k.id')
        .where('i.statut', '<>', 'annulee')
        .where('i.date_creation', '>=', sql<Date>`(k.date_debut::timestamp AT TIME ZONE ${timeZone})`)
        .where('i.date_creation', '<', sql<Date>`((k.date_fin + 1)::timestamp AT TIME ZONE ${timeZone})`)
        .$asScalar()
        .$notNull()
        .as('nb_interventions_utilisees'),
    ]);
  }
}

export type ContratRow = NonNullable<Awaited<ReturnType<ContratsRepository['find']>>>;
