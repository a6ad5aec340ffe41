/**
 * SQL of the clients module: customers (`clients`) and their contracts (`contrats`).
 */
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, StatutContrat, TypeClient, TypeContrat } from '../../db/schema.js';
import { containsPattern } from '../../lib/listing.js';
import type { CompanyScope } from './policy.js';

type Db = Kysely<Database>;

export type ClientInsert = Insertable<Database['clients']>;
export type ClientUpdate = Updateable<Database['clients']>;
export type ContratInsert = Insertable<Database['contrats']>;
export type ContratUpdate = Updateable<Database['contrats']>;

// =================================================================================================
// clients
// =================================================================================================

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

/** Every clients column (ClientOut). */
export function selectClients(db: Db) {
  return db.selectFrom('clients as c').select(CLIENT_COLUMNS);
}

export type ClientsQuery = ReturnType<typeof selectClients>;
export type ClientRow = Awaited<ReturnType<ClientsQuery['executeTakeFirstOrThrow']>>;

export interface ClientFilters {
  scope: CompanyScope;
  isActive?: boolean;
  typesClient?: TypeClient[];
  ville?: string;
  q?: string;
}

/** The caller's scope and the filters of GET /clients/, combined with AND. */
export function filterClients(query: ClientsQuery, filters: ClientFilters): ClientsQuery {
  let q = query;
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
  return q;
}

export async function findClient(db: Db, id: number): Promise<ClientRow | undefined> {
  return selectClients(db).where('c.id', '=', id).executeTakeFirst();
}

/** The row a write works on, locked until the end of the transaction. */
export async function lockClient(db: Db, id: number): Promise<ClientRow | undefined> {
  return selectClients(db).where('c.id', '=', id).forUpdate().executeTakeFirst();
}

export async function clientExists(db: Db, id: number): Promise<boolean> {
  const row = await db.selectFrom('clients').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Whether another client (than `exceptId`) has this name (case-insensitive) or this ICE. */
export async function findClientConflicts(
  db: Db,
  candidate: { nomEntreprise?: string; ice?: string | null },
  exceptId: number | null = null,
): Promise<{ name: boolean; ice: boolean }> {
  const name = candidate.nomEntreprise;
  const ice = candidate.ice ?? undefined;
  if (name === undefined && ice === undefined) return { name: false, ice: false };
  let query = db
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

export async function insertClient(db: Db, values: ClientInsert): Promise<number> {
  const row = await db.insertInto('clients').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateClient(db: Db, id: number, changes: ClientUpdate): Promise<void> {
  await db.updateTable('clients').set(changes).where('id', '=', id).execute();
}

/** Whether a user, a contract, an equipment item or an intervention refers to the client. */
export async function clientIsReferenced(db: Db, id: number): Promise<boolean> {
  const result = await sql<{ referenced: boolean }>`
    SELECT EXISTS (SELECT 1 FROM users WHERE client_id = ${id})
        OR EXISTS (SELECT 1 FROM contrats WHERE client_id = ${id})
        OR EXISTS (SELECT 1 FROM equipements WHERE client_id = ${id})
        OR EXISTS (SELECT 1 FROM interventions WHERE client_id = ${id}) AS referenced
  `.execute(db);
  return result.rows[0]?.referenced === true;
}

export async function deleteClient(db: Db, id: number): Promise<void> {
  await db.deleteFrom('clients').where('id', '=', id).execute();
}

// =================================================================================================
// contrats
// =================================================================================================

/**
 * Every contrats column (ContratOut) and `nb_interventions_utilisees`: the non-cancelled
 * interventions of the contract created from date_debut 00:00 to the end of date_fin, both in the
 * business time zone. One correlated subquery per statement (index (contrat_id, date_creation)),
 * so a whole list page is one query.
 */
export function selectContrats(db: Db, timeZone: string) {
  return db.selectFrom('contrats as k').select((eb) => [
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

export type ContratsQuery = ReturnType<typeof selectContrats>;
export type ContratRow = Awaited<ReturnType<ContratsQuery['executeTakeFirstOrThrow']>>;

export interface ContratFilters {
  scope: CompanyScope;
  clientId?: number;
  statuts?: StatutContrat[];
  typesContrat?: TypeContrat[];
  /** date_fin ≤ this date (YYYY-MM-DD). */
  dateFinMax?: string;
}

/** The caller's scope and the filters of GET /contrats/, combined with AND. */
export function filterContrats(query: ContratsQuery, filters: ContratFilters): ContratsQuery {
  let q = query;
  if (filters.scope.kind === 'none') q = q.where(sql<boolean>`false`);
  else if (filters.scope.kind === 'company') q = q.where('k.client_id', '=', filters.scope.clientId);
  if (filters.clientId !== undefined) q = q.where('k.client_id', '=', filters.clientId);
  if (filters.statuts && filters.statuts.length > 0) q = q.where('k.statut', 'in', filters.statuts);
  if (filters.typesContrat && filters.typesContrat.length > 0) q = q.where('k.type_contrat', 'in', filters.typesContrat);
  if (filters.dateFinMax !== undefined) q = q.where('k.date_fin', '<=', filters.dateFinMax);
  return q;
}

export async function findContrat(db: Db, id: number, timeZone: string): Promise<ContratRow | undefined> {
  return selectContrats(db, timeZone).where('k.id', '=', id).executeTakeFirst();
}

/** The columns a write checks, locked until the end of the transaction. */
export async function lockContrat(db: Db, id: number) {
  return db
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
export async function findContratForClient(db: Db, contratId: number): Promise<{ id: number; client_id: number } | undefined> {
  return db.selectFrom('contrats').select(['id', 'client_id']).where('id', '=', contratId).executeTakeFirst();
}

/** Whether another contract (than `exceptId`) has this number. */
export async function numeroContratTaken(db: Db, numero: string, exceptId: number | null = null): Promise<boolean> {
  let query = db.selectFrom('contrats').select('id').where('numero_contrat', '=', numero);
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertContrat(db: Db, values: ContratInsert): Promise<number> {
  const row = await db.insertInto('contrats').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateContrat(db: Db, id: number, changes: ContratUpdate): Promise<void> {
  await db.updateTable('contrats').set(changes).where('id', '=', id).execute();
}

/** Whether an equipment item or an intervention refers to the contract. */
export async function contratIsReferenced(db: Db, id: number): Promise<boolean> {
  const result = await sql<{ referenced: boolean }>`
    SELECT EXISTS (SELECT 1 FROM equipements WHERE contrat_id = ${id})
        OR EXISTS (SELECT 1 FROM interventions WHERE contrat_id = ${id}) AS referenced
  `.execute(db);
  return result.rows[0]?.referenced === true;
}

export async function deleteContrat(db: Db, id: number): Promise<void> {
  await db.deleteFrom('contrats').where('id', '=', id).execute();
}

// =================================================================================================
// errors
// =================================================================================================

/** The Postgres error of a unique / foreign-key / check violation, with its constraint name. */
export function constraintViolation(error: unknown): { code: '23505' | '23503' | '23514'; constraint: string } | null {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !['23505', '23503', '23514'].includes(e.code)) return null;
  return { code: e.code as '23505' | '23503' | '23514', constraint: typeof e.constraint === 'string' ? e.constraint : '' };
}
