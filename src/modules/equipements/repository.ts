/**
 * Every SQL statement of the equipment module, its sort fields and its constraint → error table.
 * Client and contract lookups read those tables directly (the clients module is not a dependency
 * of this one).
 */
import { sql } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Criticite, EquipementUpdate, NewEquipement, StatutEquipement } from '../../db/schema.js';
import { CRITICITE_VALUES, STATUT_EQUIPEMENT_VALUES } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import { containsPattern, type SortSpec } from '../../lib/listing.js';
import { frequenceEntretienInvalide } from './frequency.js';
import { contratMismatch, EQUIPEMENT_MESSAGES, type EquipementScope } from './policy.js';

export interface EquipementFilters {
  statuts?: StatutEquipement[];
  criticites?: Criticite[];
  /** Exact type, case-insensitive. */
  type?: string;
  clientId?: number;
  contratId?: number;
  /** Substring of localisation, case-insensitive. */
  localisation?: string;
  /** Substring of nom, numero_serie or code_interne, case-insensitive. */
  q?: string;
}

/** Rank of a value in its enum list, so that `sort=statut` / `sort=criticite` follow docs/domain.md §2's order. */
function enumRank(column: string, values: readonly string[]) {
  return sql`array_position(${sql.val([...values])}::text[], ${sql.ref(column)})`;
}

export const EQUIPEMENT_SORT: SortSpec = {
  fields: {
    id: 'e.id',
    nom: sql`lower(e.nom)`,
    statut: enumRank('e.statut', STATUT_EQUIPEMENT_VALUES),
    criticite: enumRank('e.criticite', CRITICITE_VALUES),
    created_at: 'e.created_at',
  },
  defaultSort: 'id',
  idColumn: 'e.id',
};

/** A unique / FK / check violation that raced past the service's checks → the answer the checks give. */
export const EQUIPEMENT_CONSTRAINT_ERRORS: ConstraintErrors = {
  equipements_nom_lower_key: () => AppError.conflict(EQUIPEMENT_MESSAGES.nomTaken),
  equipements_numero_serie_key: () => AppError.conflict(EQUIPEMENT_MESSAGES.numeroSerieTaken),
  equipements_code_interne_key: () => AppError.conflict(EQUIPEMENT_MESSAGES.codeInterneTaken),
  equipements_client_id_fkey: () => AppError.notFound(EQUIPEMENT_MESSAGES.clientNotFound),
  equipements_contrat_id_fkey: () => AppError.notFound(EQUIPEMENT_MESSAGES.contratNotFound),
  equipements_contrat_requires_client: contratMismatch,
  equipements_frequence_entretien_jours_check: frequenceEntretienInvalide,
  equipements_cout_acquisition_check: () => AppError.validation([{ loc: ['body', 'cout_acquisition'], msg: 'Doit être >= 0', type: 'range' }]),
  // An intervention created on the equipment while it was being deleted.
  interventions_equipement_id_fkey: () => AppError.conflict(EQUIPEMENT_MESSAGES.usedByInterventions),
};

export class EquipementsRepository {
  constructor(private readonly db: Executor) {}

  /** GET /equipements/: the caller's scope, then the filters (AND); `total` counts the scoped rows. */
  async page(scope: EquipementScope, filters: EquipementFilters, page: PageOptions): Promise<Page<EquipementRecord>> {
    let q = this.select();
    if (scope.kind === 'none') q = q.where(sql<boolean>`false`);
    if (scope.kind === 'client') q = q.where('e.client_id', '=', scope.clientId);
    if (filters.statuts && filters.statuts.length > 0) q = q.where('e.statut', 'in', filters.statuts);
    if (filters.criticites && filters.criticites.length > 0) q = q.where('e.criticite', 'in', filters.criticites);
    if (filters.type !== undefined) q = q.where(sql`lower(e.type_equipement)`, '=', filters.type.toLowerCase());
    if (filters.clientId !== undefined) q = q.where('e.client_id', '=', filters.clientId);
    if (filters.contratId !== undefined) q = q.where('e.contrat_id', '=', filters.contratId);
    if (filters.localisation !== undefined) q = q.where('e.localisation', 'ilike', containsPattern(filters.localisation));
    if (filters.q !== undefined) {
      const pattern = containsPattern(filters.q);
      q = q.where((eb) => eb.or([eb('e.nom', 'ilike', pattern), eb('e.numero_serie', 'ilike', pattern), eb('e.code_interne', 'ilike', pattern)]));
    }
    return selectPage(q, page);
  }

  async find(id: number) {
    return this.select().where('e.id', '=', id).executeTakeFirst();
  }

  /** The row an update or a deletion works on, locked until the end of the transaction. */
  async lock(id: number): Promise<EquipementRecord | undefined> {
    return this.select().where('e.id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Another equipment with the same name, ignoring case (the unique index is on lower(nom)). */
  async nomTaken(nom: string, exceptId: number | null): Promise<boolean> {
    let query = this.db.selectFrom('equipements').select('id').where(sql`lower(nom)`, '=', sql`lower(${nom})`);
    if (exceptId !== null) query = query.where('id', '<>', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async numeroSerieTaken(numeroSerie: string, exceptId: number | null): Promise<boolean> {
    return this.valueTaken('numero_serie', numeroSerie, exceptId);
  }

  async codeInterneTaken(codeInterne: string, exceptId: number | null): Promise<boolean> {
    return this.valueTaken('code_interne', codeInterne, exceptId);
  }

  /** Whether the client exists; the row is share-locked so that it cannot be deleted before commit. */
  async clientExists(clientId: number): Promise<boolean> {
    const row = await this.db.selectFrom('clients').select('id').where('id', '=', clientId).forKeyShare().executeTakeFirst();
    return row !== undefined;
  }

  /** The contract's client, or undefined when the contract does not exist; share-locked until commit. */
  async findContratClient(contratId: number): Promise<number | undefined> {
    const row = await this.db.selectFrom('contrats').select('client_id').where('id', '=', contratId).forShare().executeTakeFirst();
    return row?.client_id;
  }

  async insert(values: NewEquipement): Promise<number> {
    const row = await this.db.insertInto('equipements').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: number, changes: EquipementUpdate): Promise<void> {
    await this.db.updateTable('equipements').set(changes).where('id', '=', id).execute();
  }

  async countInterventions(equipementId: number): Promise<number> {
    return this.countReferences('interventions', equipementId);
  }

  async countPlannings(equipementId: number): Promise<number> {
    return this.countReferences('plannings', equipementId);
  }

  /** Deletes the equipment; its plannings go with it (FK ON DELETE CASCADE). */
  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('equipements').where('id', '=', id).execute();
  }

  private async countReferences(table: 'interventions' | 'plannings', equipementId: number): Promise<number> {
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('equipement_id', '=', equipementId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async valueTaken(column: 'numero_serie' | 'code_interne', value: string, exceptId: number | null): Promise<boolean> {
    let query = this.db.selectFrom('equipements').select('id').where(column, '=', value);
    if (exceptId !== null) query = query.where('id', '<>', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  /** The columns of EquipementOut, under the stored names (toEquipementOut maps them). */
  private select() {
    return this.db
      .selectFrom('equipements as e')
      .select([
        'e.id',
        'e.nom',
        'e.type_equipement',
        'e.localisation',
        'e.frequence_entretien_jours',
        'e.numero_serie',
        'e.code_interne',
        'e.marque',
        'e.modele',
        'e.batiment',
        'e.etage',
        'e.zone',
        'e.statut',
        'e.criticite',
        'e.description',
        'e.date_mise_en_service',
        'e.date_fin_garantie',
        'e.cout_acquisition',
        'e.client_id',
        'e.contrat_id',
        'e.created_at',
        'e.updated_at',
      ]);
  }
}

export type EquipementRecord = NonNullable<Awaited<ReturnType<EquipementsRepository['find']>>>;
