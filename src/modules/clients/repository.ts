/**
 * SQL of the customers (`clients`): reads, the uniqueness pre-checks, writes, and the constraint
 * table that gives a race lost after a pre-check the pre-check's answer.
 */
import { sql, type Insertable, type Updateable } from 'kysely';
import type { ConstraintErrors } from '../../db/constraints.js';
import { selectPage, type Page, type PageOptions } from '../../db/paging.js';
import type { Database, TypeClient } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { AppError } from '../../lib/errors.js';
import { containsPattern, type SortSpec } from '../../lib/listing.js';
import { CLIENT_MESSAGES, type CompanyScope } from './policy.js';

export type ClientInsert = Insertable<Database['clients']>;
export type ClientUpdate = Updateable<Database['clients']>;

export const CLIENT_SORT: SortSpec = {
  fields: { id: 'c.id', nom_entreprise: sql`lower(c.nom_entreprise)` },
  defaultSort: 'id',
  idColumn: 'c.id',
};

/**
 * The CHECK constraints of a table: the input checks come first, so hitting one means a value they
 * let through; the answer is a 422 on the body.
 */
export function checkConstraintErrors(names: readonly string[]): ConstraintErrors {
  const rejected = () => AppError.validation([{ loc: ['body'], msg: 'Valeur refusée par une contrainte', type: 'value' }]);
  return Object.fromEntries(names.map((name) => [name, rejected]));
}

const referenced = () => AppError.conflict(CLIENT_MESSAGES.referenced);

export const CLIENT_CONSTRAINT_ERRORS: ConstraintErrors = {
  clients_nom_entreprise_lower_key: () => AppError.conflict(CLIENT_MESSAGES.nameTaken),
  clients_ice_key: () => AppError.conflict(CLIENT_MESSAGES.iceTaken),
  // Deleting a client that something started to reference meanwhile.
  users_client_id_fkey: referenced,
  contrats_client_id_fkey: referenced,
  equipements_client_id_fkey: referenced,
  interventions_client_id_fkey: referenced,
  ...checkConstraintErrors([
    'clients_nom_entreprise_not_blank',
    'clients_nom_contact_not_blank',
    'clients_type_client_check',
    'clients_niveau_service_check',
    'clients_ice_format',
    'clients_email_lower_case',
  ]),
};

const CLIENT_COLUMNS = [
  'c.id',
  'c.nom_entreprise',
  'c.nom_commercial',
  'c.type_client',
  'c.secteur_activite',
  'c.ice',
  'c.numero_tva',
  'c.nom_contact',
  'c.prenom_contact',
  'c.fonction_contact',
  'c.email',
  'c.telephone',
  'c.telephone_mobile',
  'c.adresse_ligne1',
  'c.adresse_ligne2',
  'c.code_postal',
  'c.ville',
  'c.region',
  'c.pays',
  'c.niveau_service',
  'c.is_active',
  'c.notes',
  'c.date_creation',
  'c.date_modification',
] as const;

export interface ClientFilters {
  scope: CompanyScope;
  isActive?: boolean;
  typesClient?: TypeClient[];
  ville?: string;
  q?: string;
}

export class ClientsRepository {
  constructor(private readonly db: Executor) {}

  /** The caller's scope and the filters of GET /clients/, combined with AND. */
  async page(filters: ClientFilters, page: PageOptions): Promise<Page<ClientRow>> {
    let q = this.selectClients();
    if (filters.scope.kind === 'none') q = q.where(sql<boolean>`false`);
    else if (filters.scope.kind === 'company') q = q.where('c.id', '=', filters.scope.clientId);
    if (filters.isActive !== undefined) q = q.where('c.is_active', '=', filters.isActive);
    if (filters.typesClient && filters.typesClient.length > 0) q = q.where('c.type_client', 'in', filters.typesClient);
    const ville = filters.ville?.trim();
    if (ville) q = q.where(sql`lower(c.ville)`, '=', ville.toLowerCase());
    const search = filters.q?.trim();
    if (search) {
      const pattern = containsPattern(search);
      q = q.where((eb) => eb.or([eb('c.nom_entreprise', 'ilike', pattern), eb('c.nom_commercial', 'ilike', pattern), eb('c.ice', 'ilike', pattern)]));
    }
    return selectPage(q, page);
  }

  async find(id: number) {
    return this.selectClients().where('c.id', '=', id).executeTakeFirst();
  }

  /** The row a write works on, locked until the end of the transaction. */
  async lock(id: number): Promise<ClientRow | undefined> {
    return this.selectClients().where('c.id', '=', id).forUpdate().executeTakeFirst();
  }

  async exists(id: number): Promise<boolean> {
    const row = await this.db.selectFrom('clients').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  /** Whether another client (than `exceptId`) has this name (case-insensitive) or this ICE. */
  async findConflicts(candidate: { nomEntreprise?: string; ice?: string | null }, exceptId: number | null = null): Promise<{ name: boolean; ice: boolean }> {
    const name = candidate.nomEntreprise;
    const ice = candidate.ice ?? undefined;
    if (name === undefined && ice === undefined) return { name: false, ice: false };
    let query = this.db
      .selectFrom('clients')
      .select(['nom_entreprise', 'ice'])
      .where((eb) => {
        const terms = [];
        if (name !== undefined) terms.push(eb(sql`lower(nom_entreprise)`, '=', name.toLowerCase()));
        if (ice !== undefined) terms.push(eb('ice', '=', ice));
        return eb.or(terms);
      });
    if (exceptId !== null) query = query.where('id', '<>', exceptId);
    const rows = await query.execute();
    return {
      name: name !== undefined && rows.some((row) => row.nom_entreprise.toLowerCase() === name.toLowerCase()),
      ice: ice !== undefined && rows.some((row) => row.ice === ice),
    };
  }

  async insert(values: ClientInsert): Promise<number> {
    const row = await this.db.insertInto('clients').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: number, changes: ClientUpdate): Promise<void> {
    await this.db.updateTable('clients').set(changes).where('id', '=', id).execute();
  }

  /** Whether a user, a contract, an equipment item or an intervention refers to the client. */
  async isReferenced(id: number): Promise<boolean> {
    const result = await sql<{ referenced: boolean }>`
      SELECT EXISTS (SELECT 1 FROM users WHERE client_id = ${id})
          OR EXISTS (SELECT 1 FROM contrats WHERE client_id = ${id})
          OR EXISTS (SELECT 1 FROM equipements WHERE client_id = ${id})
          OR EXISTS (SELECT 1 FROM interventions WHERE client_id = ${id}) AS referenced
    `.execute(this.db);
    return result.rows[0]?.referenced === true;
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('clients').where('id', '=', id).execute();
  }

  /** Every clients column (ClientOut). */
  private selectClients() {
    return this.db.selectFrom('clients as c').select(CLIENT_COLUMNS);
  }
}

export type ClientRow = NonNullable<Awaited<ReturnType<ClientsRepository['find']>>>;
