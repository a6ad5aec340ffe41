/**
 * The initial migration against a real PostgreSQL: up / down / up on an empty database, the
 * catalogue (columns, types, NOT NULL, identities, FK delete rules, indexes) checked against
 * docs/domain.md §3-4, and the constraints exercised with real rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Migrator, NO_MIGRATIONS, sql, type Kysely, type RawBuilder } from 'kysely';
import { migrations, StaticMigrationProvider } from '../../src/db/migrations/index.js';
import * as schema from '../../src/db/schema.js';
import type { Database, NewContrat } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// -------------------------------------------------------------------------------------------------
// Expectations written from docs/domain.md (the source of truth), not from the migration.
// -------------------------------------------------------------------------------------------------

const DOMAIN_TABLES = [
  'users',
  'sessions',
  'refresh_tokens',
  'clients',
  'contrats',
  'techniciens',
  'competences',
  'technicien_competence',
  'equipements',
  'interventions',
  'historiques_interventions',
  'plannings',
  'notifications',
  'documents',
  'audit_events',
  'login_attempts',
  'lockouts',
  'email_outbox',
];

/** The second factor's tables (migration 000030, docs/security.md §3a). */
const MFA_TABLES = ['mfa_challenges', 'mfa_recovery_codes', 'user_mfa'];
/** Technical tables beyond docs/domain.md: counters kept by triggers (migrations 000003-4), the jobs' last runs (000020), the second factor (000030). */
const TECHNICAL_TABLES = ['intervention_creation_counts', 'intervention_status_counts', 'job_runs', ...MFA_TABLES];
const ALL_TABLES = [...DOMAIN_TABLES, ...TECHNICAL_TABLES].sort();

/** docs/domain.md §2, verbatim. */
const DOMAIN_ENUMS = {
  role: ['admin', 'responsable', 'technicien', 'client'],
  type_intervention: ['corrective', 'preventive', 'ameliorative', 'diagnostic'],
  statut_intervention: ['ouverte', 'affectee', 'en_cours', 'en_attente', 'cloturee', 'annulee', 'archivee'],
  priorite: ['urgente', 'haute', 'normale', 'basse', 'programmee'],
  frequence: ['journalier', 'hebdomadaire', 'mensuel', 'trimestriel', 'semestriel', 'annuel'],
  statut_planning: ['actif', 'suspendu', 'termine', 'en_retard'],
  type_notification: ['affectation', 'cloture', 'rappel', 'retard', 'information'],
  canal: ['email', 'log', 'sms', 'push'],
  disponibilite: ['disponible', 'occupe', 'conge', 'formation', 'indisponible'],
  niveau: ['debutant', 'intermediaire', 'avance', 'expert'],
  statut_equipement: ['operationnel', 'maintenance', 'panne', 'retire'],
  criticite: ['critique', 'important', 'standard', 'non_critique'],
  type_client: ['entreprise', 'collectivite', 'association', 'particulier'],
  niveau_service: ['premium', 'standard', 'basique'],
  type_contrat: ['maintenance_preventive', 'maintenance_corrective', 'maintenance_complete', 'support_technique', 'contrat_cadre'],
  statut_contrat: ['brouillon', 'en_cours', 'expire', 'resilie', 'suspendu'],
  mode_facturation: ['mensuel', 'trimestriel', 'annuel'],
  document_encryption: ['aes256gcm-stream-v1', 'fernet'],
  audit_outcome: ['success', 'failure', 'denied'],
  outbox_status: ['pending', 'sending', 'sent', 'failed'],
  // Closed lists from the table notes of §3.
  revoked_reason: ['logout', 'logout_all', 'reuse_detected', 'password_changed', 'password_reset', 'user_deactivated', 'admin_revoked'],
  login_endpoint: ['token', 'login', 'change_password', 'users_update', 'mfa', 'mfa_disable'],
  login_reason: ['ok', 'bad_password', 'unknown_user', 'inactive', 'locked', 'bad_code', 'mfa_required'],
  lockout_scope: ['account', 'ip'],
} as const;

type EnumName = keyof typeof DOMAIN_ENUMS;

/** Every enum column: table, column, enum. */
const ENUM_COLUMNS: Array<[keyof Database, string, EnumName]> = [
  ['users', 'role', 'role'],
  ['sessions', 'revoked_reason', 'revoked_reason'],
  ['clients', 'type_client', 'type_client'],
  ['clients', 'niveau_service', 'niveau_service'],
  ['contrats', 'type_contrat', 'type_contrat'],
  ['contrats', 'statut', 'statut_contrat'],
  ['contrats', 'mode_facturation', 'mode_facturation'],
  ['techniciens', 'disponibilite', 'disponibilite'],
  ['techniciens', 'niveau_technicien', 'niveau'],
  ['competences', 'niveau_requis_minimum', 'niveau'],
  ['technicien_competence', 'niveau', 'niveau'],
  ['equipements', 'statut', 'statut_equipement'],
  ['equipements', 'criticite', 'criticite'],
  ['interventions', 'type_intervention', 'type_intervention'],
  ['interventions', 'statut', 'statut_intervention'],
  ['interventions', 'priorite', 'priorite'],
  ['historiques_interventions', 'statut_precedent', 'statut_intervention'],
  ['historiques_interventions', 'statut', 'statut_intervention'],
  ['plannings', 'frequence', 'frequence'],
  ['plannings', 'statut', 'statut_planning'],
  ['plannings', 'priorite', 'priorite'],
  ['notifications', 'type', 'type_notification'],
  ['notifications', 'canal', 'canal'],
  ['documents', 'encryption', 'document_encryption'],
  ['audit_events', 'outcome', 'audit_outcome'],
  ['login_attempts', 'endpoint', 'login_endpoint'],
  ['login_attempts', 'reason', 'login_reason'],
  ['lockouts', 'scope', 'lockout_scope'],
  ['email_outbox', 'status', 'outbox_status'],
];

/** Columns of docs/domain.md §3: `name type` and `!` for NOT NULL. */
const DOMAIN_COLUMNS: Record<string, string> = {
  users: `id integer ! | username varchar(100) ! | full_name varchar(255) ! | email varchar(255) ! |
    hashed_password varchar(255) ! | role text ! | is_active boolean ! | client_id integer | last_login timestamptz |
    password_changed_at timestamptz ! | must_change_password boolean ! | tokens_valid_after timestamptz | created_at timestamptz ! |
    updated_at timestamptz !`,
  sessions: `id uuid ! | user_id integer ! | created_at timestamptz ! | expires_at timestamptz ! | last_used_at timestamptz ! |
    revoked_at timestamptz | revoked_reason text | ip inet | user_agent varchar(255)`,
  refresh_tokens: `id bigint ! | session_id uuid ! | token_hash char(64) ! | parent_id bigint | created_at timestamptz ! |
    expires_at timestamptz ! | used_at timestamptz | revoked_at timestamptz`,
  clients: `id integer ! | nom_entreprise varchar(255) ! | nom_commercial varchar(255) | type_client text ! |
    secteur_activite varchar(100) | ice varchar(15) | numero_tva varchar(50) | nom_contact varchar(100) ! |
    prenom_contact varchar(100) | fonction_contact varchar(100) | email varchar(255) ! | telephone varchar(20) |
    telephone_mobile varchar(20) | adresse_ligne1 varchar(255) | adresse_ligne2 varchar(255) | code_postal varchar(10) |
    ville varchar(100) | region varchar(100) | pays varchar(100) ! | niveau_service text ! | is_active boolean ! |
    notes text | date_creation timestamptz ! | date_modification timestamptz !`,
  contrats: `id integer ! | numero_contrat varchar(50) ! | nom_contrat varchar(255) ! | description text | type_contrat text ! |
    statut text ! | date_signature date | date_renouvellement date | date_debut date ! | date_fin date ! |
    montant_annuel numeric(12,2) | devise char(3) ! | mode_facturation text ! | temps_reponse_urgence_h integer |
    temps_reponse_normal_h integer | nb_interventions_incluses integer | heures_maintenance_incluses integer |
    client_id integer ! | is_active boolean ! | date_creation timestamptz ! | date_modification timestamptz !`,
  techniciens: `id integer ! | user_id integer ! | equipe varchar(100) | disponibilite text ! | niveau_technicien text ! |
    numero_badge varchar(20) | zone_intervention varchar(255) | telephone_urgence varchar(20) | astreinte boolean ! |
    is_active boolean ! | created_at timestamptz ! | updated_at timestamptz !`,
  competences: `id integer ! | nom varchar(255) ! | domaine varchar(100) ! | description text | niveau_requis_minimum text ! |
    necessite_certification boolean ! | is_active boolean ! | created_at timestamptz ! | updated_at timestamptz !`,
  technicien_competence: `technicien_id integer ! | competence_id integer ! | niveau text ! | date_acquisition timestamptz ! |
    date_validation timestamptz | validee_par varchar(255)`,
  equipements: `id integer ! | nom varchar(255) ! | type_equipement varchar(100) ! | numero_serie varchar(100) |
    code_interne varchar(50) | marque varchar(100) | modele varchar(100) | localisation varchar(255) ! |
    batiment varchar(100) | etage varchar(20) | zone varchar(100) | statut text ! | criticite text ! | description text |
    frequence_entretien_jours integer | date_mise_en_service timestamptz | date_fin_garantie timestamptz |
    cout_acquisition numeric(12,2) | client_id integer | contrat_id integer | created_at timestamptz ! | updated_at timestamptz !`,
  interventions: `id integer ! | titre varchar(255) ! | description text | type_intervention text ! | statut text ! |
    priorite text ! | urgence boolean ! | date_creation timestamptz ! | date_limite timestamptz | date_affectation timestamptz |
    date_debut_travaux timestamptz | date_fin_travaux timestamptz | date_cloture timestamptz | date_archivage timestamptz |
    duree_estimee integer | duree_reelle integer | cout_estime numeric(12,2) | cout_reel numeric(12,2) |
    rapport_intervention text | travaux_realises text | recommandations text | equipement_id integer ! |
    technicien_id integer | created_by_id integer | client_id integer | contrat_id integer | planning_id integer |
    date_occurrence timestamptz | date_notification_retard timestamptz | updated_at timestamptz !`,
  historiques_interventions: `id bigint ! | intervention_id integer ! | statut_precedent text | statut text ! |
    remarque varchar(1000) | user_id integer | horodatage timestamptz !`,
  plannings: `id integer ! | equipement_id integer ! | frequence text ! | date_reference timestamptz | prochaine_date timestamptz |
    derniere_date timestamptz | statut text ! | commentaire varchar(255) | is_active boolean ! | technicien_id integer |
    priorite text ! | date_retard_notifiee timestamptz | date_creation timestamptz ! | date_modification timestamptz !`,
  notifications: `id integer ! | type text ! | canal text ! | contenu varchar(1000) | date_envoi timestamptz ! | user_id integer ! |
    intervention_id integer | planning_id integer | lu boolean ! | date_lecture timestamptz`,
  documents: `id integer ! | intervention_id integer ! | nom_fichier varchar(255) ! | description varchar(500) | storage_key uuid ! |
    mime_type varchar(100) ! | taille_octets bigint ! | sha256 char(64) ! | encryption text ! | key_id varchar(32) ! |
    wrapped_key bytea | uploaded_by_id integer | date_upload timestamptz !`,
  audit_events: `id bigint ! | created_at timestamptz ! | event_type varchar(64) ! | outcome text ! | actor_user_id integer |
    actor_role text | ip inet | user_agent varchar(255) | request_id varchar(128) | resource_type varchar(50) |
    resource_id varchar(64) | details jsonb !`,
  login_attempts: `id bigint ! | created_at timestamptz ! | identifier varchar(255) ! | user_id integer | ip inet | endpoint text ! |
    success boolean ! | reason text`,
  lockouts: `scope text ! | key varchar(255) ! | failures integer ! | last_failure_at timestamptz | locked_until timestamptz |
    updated_at timestamptz ! | account_failures jsonb !`,
  user_mfa: `user_id integer ! | secret_encrypted text ! | created_at timestamptz ! | confirmed_at timestamptz | last_used_step bigint`,
  mfa_recovery_codes: `id bigint ! | user_id integer ! | code_hash char(64) ! | created_at timestamptz ! | used_at timestamptz`,
  mfa_challenges: `token_hash char(64) ! | user_id integer ! | endpoint text ! | created_at timestamptz ! | expires_at timestamptz ! | used_at timestamptz`,
  intervention_status_counts: `statut text ! | priorite text ! | total bigint !`,
  intervention_creation_counts: `bucket timestamp_naive ! | total bigint !`,
  job_runs: `job varchar(64) ! | started_at timestamptz ! | finished_at timestamptz ! | duration_ms integer ! | status text ! |
    error varchar(1000) | summary jsonb ! | last_success_at timestamptz`,
  email_outbox: `id bigint ! | notification_id integer | to_address varchar(255) ! | subject varchar(255) ! | body_text text ! |
    body_html text ! | status text ! | attempts integer ! | next_attempt_at timestamptz ! | last_error varchar(1000) |
    created_at timestamptz ! | sent_at timestamptz`,
};

/** docs/domain.md §3-4: `table.column → referenced table` and the ON DELETE rule. */
const DOMAIN_FOREIGN_KEYS = [
  'users.client_id → clients RESTRICT',
  'sessions.user_id → users CASCADE',
  'refresh_tokens.session_id → sessions CASCADE',
  'refresh_tokens.parent_id → refresh_tokens SET NULL',
  'contrats.client_id → clients RESTRICT',
  'techniciens.user_id → users CASCADE',
  'technicien_competence.technicien_id → techniciens CASCADE',
  'technicien_competence.competence_id → competences CASCADE',
  'equipements.client_id → clients RESTRICT',
  'equipements.contrat_id → contrats RESTRICT',
  'plannings.equipement_id → equipements CASCADE',
  'plannings.technicien_id → techniciens SET NULL',
  'interventions.equipement_id → equipements RESTRICT',
  'interventions.technicien_id → techniciens SET NULL',
  'interventions.created_by_id → users SET NULL',
  'interventions.client_id → clients RESTRICT',
  'interventions.contrat_id → contrats RESTRICT',
  'interventions.planning_id → plannings SET NULL',
  'historiques_interventions.intervention_id → interventions CASCADE',
  'historiques_interventions.user_id → users SET NULL',
  'notifications.user_id → users CASCADE',
  'notifications.intervention_id → interventions CASCADE',
  'notifications.planning_id → plannings SET NULL',
  'documents.intervention_id → interventions CASCADE',
  'documents.uploaded_by_id → users SET NULL',
  'audit_events.actor_user_id → users SET NULL',
  'login_attempts.user_id → users SET NULL',
  'email_outbox.notification_id → notifications SET NULL',
  'user_mfa.user_id → users CASCADE',
  'mfa_recovery_codes.user_id → users CASCADE',
  'mfa_challenges.user_id → users CASCADE',
].sort();

/** Indexes listed by docs/domain.md (and the list queries of docs/api.md): table → leading key columns. */
const EXPECTED_INDEX_KEYS: Array<[string, string]> = [
  ['users', 'lower((username)::text)'],
  ['users', 'email'],
  ['users', 'role, is_active'],
  ['users', 'client_id'],
  ['sessions', 'user_id'],
  ['refresh_tokens', 'session_id'],
  ['refresh_tokens', 'token_hash'],
  ['clients', 'lower((nom_entreprise)::text)'],
  ['clients', 'ice'],
  ['contrats', 'numero_contrat'],
  ['contrats', 'client_id'],
  ['techniciens', 'user_id'],
  ['techniciens', 'equipe'],
  ['techniciens', 'numero_badge'],
  ['competences', 'lower((nom)::text)'],
  ['technicien_competence', 'technicien_id, competence_id'],
  ['equipements', 'lower((nom)::text)'],
  ['equipements', 'numero_serie'],
  ['equipements', 'code_interne'],
  ['equipements', 'localisation'],
  ['equipements', 'client_id'],
  ['interventions', 'planning_id, date_occurrence'],
  ['interventions', 'statut, priorite'],
  ['interventions', 'technicien_id, statut'],
  ['interventions', 'equipement_id'],
  ['interventions', 'client_id, statut'],
  ['interventions', 'date_creation'],
  ['interventions', 'date_limite'],
  ['historiques_interventions', 'intervention_id, horodatage, id'],
  ['plannings', 'equipement_id'],
  ['plannings', 'statut, prochaine_date'],
  ['notifications', 'user_id, lu, date_envoi DESC'],
  ['documents', 'intervention_id, date_upload'],
  ['documents', 'storage_key'],
  ['audit_events', 'created_at DESC'],
  ['audit_events', 'event_type varchar_pattern_ops, created_at'],
  ['audit_events', 'actor_user_id, created_at'],
  ['login_attempts', 'created_at'],
  ['lockouts', 'scope, key'],
  ['email_outbox', 'status, next_attempt_at'],
];

const TYPE_ALIASES: Record<string, string> = {
  timestamptz: 'timestamp with time zone',
  timestamp_naive: 'timestamp without time zone',
};

function normaliseType(type: string): string {
  return (
    TYPE_ALIASES[type] ??
    type.replace(/^varchar\((\d+)\)$/, 'character varying($1)').replace(/^char\((\d+)\)$/, 'character($1)')
  );
}

// -------------------------------------------------------------------------------------------------
// Helpers
// -------------------------------------------------------------------------------------------------

async function ourTables(db: Kysely<any>): Promise<string[]> {
  return ourRelations(db, ['r', 'p']);
}

/** Relations of the public schema (tables, sequences, indexes, views...), migrator bookkeeping excepted. */
async function ourRelations(db: Kysely<any>, kinds = ['r', 'p', 'v', 'm', 'S', 'i', 'I', 'f']): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind::text = ANY (${kinds})
      AND c.relname NOT LIKE 'kysely\\_%'
    ORDER BY 1
  `.execute(db);
  return result.rows.map((row) => row.name);
}

/** Runs `action` and checks that PostgreSQL refused it with `code` (and `constraint` when given). */
async function expectPgError(action: () => Promise<unknown>, code: string, constraint?: string): Promise<void> {
  await assert.rejects(action, (error: unknown) => {
    const e = error as { code?: string; constraint?: string; message?: string };
    assert.equal(e.code, code, `SQLSTATE attendu ${code}, obtenu ${e.code} (${e.message})`);
    if (constraint !== undefined) assert.equal(e.constraint, constraint, e.message);
    return true;
  });
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomUUID().slice(0, 8)}`;
}

const HEX64 = 'a'.repeat(64);

interface Fixture {
  clientId: number;
  contratId: number;
  userId: number;
  technicienId: number;
  competenceId: number;
  equipementId: number;
  planningId: number;
  interventionId: number;
  notificationId: number;
  historiqueId: number;
  documentId: number;
  sessionId: string;
  auditId: number;
  loginAttemptId: number;
  outboxId: number;
}

/** One row in every table, linked together. */
async function seed(db: Kysely<Database>): Promise<Fixture> {
  const client = await db
    .insertInto('clients')
    .values({ nom_entreprise: unique('Client'), nom_contact: 'Alami', email: 'contact@client.ma' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const contrat = await db
    .insertInto('contrats')
    .values({
      numero_contrat: unique('CT'),
      nom_contrat: 'Maintenance annuelle',
      type_contrat: 'maintenance_complete',
      date_debut: '2026-01-01',
      date_fin: '2026-12-31',
      client_id: client.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const username = unique('tech').toLowerCase();
  const user = await db
    .insertInto('users')
    .values({
      username,
      full_name: 'Technicien Test',
      email: `${username}@mif.ma`,
      hashed_password: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      role: 'technicien',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const technicien = await db.insertInto('techniciens').values({ user_id: user.id }).returning('id').executeTakeFirstOrThrow();
  const competence = await db.insertInto('competences').values({ nom: unique('Électricité') }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('technicien_competence').values({ technicien_id: technicien.id, competence_id: competence.id }).execute();
  const equipement = await db
    .insertInto('equipements')
    .values({
      nom: unique('Groupe froid'),
      type_equipement: 'climatisation',
      localisation: 'Casablanca',
      client_id: client.id,
      contrat_id: contrat.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const planning = await db
    .insertInto('plannings')
    .values({ equipement_id: equipement.id, frequence: 'mensuel', technicien_id: technicien.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const intervention = await db
    .insertInto('interventions')
    .values({
      titre: 'Révision',
      type_intervention: 'preventive',
      statut: 'affectee',
      equipement_id: equipement.id,
      technicien_id: technicien.id,
      created_by_id: user.id,
      client_id: client.id,
      contrat_id: contrat.id,
      planning_id: planning.id,
      date_occurrence: new Date('2026-02-01T08:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const historique = await db
    .insertInto('historiques_interventions')
    .values({ intervention_id: intervention.id, statut_precedent: 'ouverte', statut: 'affectee', user_id: user.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const notification = await db
    .insertInto('notifications')
    .values({ type: 'affectation', canal: 'email', user_id: user.id, intervention_id: intervention.id, planning_id: planning.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const document = await db
    .insertInto('documents')
    .values({
      intervention_id: intervention.id,
      nom_fichier: 'rapport.pdf',
      storage_key: randomUUID(),
      mime_type: 'application/pdf',
      taille_octets: 1234,
      sha256: HEX64,
      key_id: '0123456789abcdef',
      wrapped_key: Buffer.alloc(60, 1),
      uploaded_by_id: user.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const session = await db
    .insertInto('sessions')
    .values({ user_id: user.id, expires_at: new Date(Date.now() + 86_400_000), ip: '127.0.0.1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = await db
    .insertInto('refresh_tokens')
    .values({ session_id: session.id, token_hash: randomHex(), expires_at: new Date(Date.now() + 86_400_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('refresh_tokens')
    .values({ session_id: session.id, token_hash: randomHex(), parent_id: token.id, expires_at: new Date(Date.now() + 86_400_000) })
    .execute();
  const audit = await db
    .insertInto('audit_events')
    .values({ event_type: 'auth.login.success', outcome: 'success', actor_user_id: user.id, details: { reason: 'ok' } })
    .returning('id')
    .executeTakeFirstOrThrow();
  const attempt = await db
    .insertInto('login_attempts')
    .values({ identifier: username, user_id: user.id, endpoint: 'token', success: true, reason: 'ok', ip: '10.0.0.1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('lockouts').values({ scope: 'account', key: `user:${user.id}` }).execute();
  const outbox = await db
    .insertInto('email_outbox')
    .values({ notification_id: notification.id, to_address: `${username}@mif.ma`, subject: '[MIF] Test', body_text: 'x', body_html: '<p>x</p>' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    clientId: client.id,
    contratId: contrat.id,
    userId: user.id,
    technicienId: technicien.id,
    competenceId: competence.id,
    equipementId: equipement.id,
    planningId: planning.id,
    interventionId: intervention.id,
    notificationId: notification.id,
    historiqueId: historique.id,
    documentId: document.id,
    sessionId: session.id,
    auditId: audit.id,
    loginAttemptId: attempt.id,
    outboxId: outbox.id,
  };
}

async function countRows(db: Kysely<any>, table: string, column: string, value: unknown): Promise<number> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(db);
  return result.rows[0]!.n;
}

function randomHex(): string {
  return (randomUUID() + randomUUID()).replace(/-/g, '');
}

// -------------------------------------------------------------------------------------------------
// Tests
// -------------------------------------------------------------------------------------------------

describe('migrations: up, down, up on an empty database', () => {
  let testDb: TestDatabase;

  before(async () => {
    testDb = await createTestDatabase({ migrated: false });
  });
  after(async () => {
    await testDb?.drop();
  });

  it('the static list holds the initial migration under its file name', () => {
    assert.ok(Object.keys(migrations).includes('2026_12_04_000001_initial_schema'));
    for (const migration of Object.values(migrations)) {
      assert.equal(typeof migration.up, 'function');
      assert.equal(typeof migration.down, 'function');
    }
  });

  it('starts empty, migrates to latest and creates every table of docs/domain.md §3', async () => {
    const db = testDb.db;
    assert.deepEqual(await ourTables(db), []);
    const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
    const result = await migrator.migrateToLatest();
    assert.equal(result.error, undefined, String(result.error));
    assert.ok(result.results?.every((step) => step.status === 'Success'));
    assert.deepEqual(await ourTables(db), ALL_TABLES);
    assert.deepEqual([...schema.TABLE_NAMES].sort(), [...DOMAIN_TABLES].sort());
    // No "later releases" table.
    for (const later of ['pieces_detachees', 'mouvements_stock', 'interventions_pieces', 'factures', 'reports']) {
      assert.ok(!(await ourTables(db)).includes(later));
    }
  });

  it('migrates down step by step until nothing of ours is left', async () => {
    const db = testDb.db;
    const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
    for (let step = 0; step <= Object.keys(migrations).length; step++) {
      const result = await migrator.migrateDown();
      assert.equal(result.error, undefined, String(result.error));
      if (!result.results || result.results.length === 0) break;
    }
    assert.deepEqual(await ourRelations(db), []);
    const applied = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(db);
    assert.equal(applied.rows[0]?.n, 0);
  });

  it('migrates up again, then down with migrateTo(NO_MIGRATIONS), then up', async () => {
    const db = testDb.db;
    const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
    let result = await migrator.migrateToLatest();
    assert.equal(result.error, undefined, String(result.error));
    assert.deepEqual(await ourTables(db), ALL_TABLES);
    result = await migrator.migrateTo(NO_MIGRATIONS);
    assert.equal(result.error, undefined, String(result.error));
    assert.deepEqual(await ourRelations(db), []);
    result = await migrator.migrateToLatest();
    assert.equal(result.error, undefined, String(result.error));
    assert.deepEqual(await ourTables(db), ALL_TABLES);
    // A second run has nothing to do.
    result = await migrator.migrateToLatest();
    assert.equal(result.error, undefined);
    assert.deepEqual(result.results, []);
  });
});

describe('schema catalogue matches docs/domain.md', () => {
  let testDb: TestDatabase;

  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb?.drop();
  });

  it('every column with its type and nullability, and no other column', async () => {
    const result = await sql<{ table: string; column: string; type: string; notnull: boolean }>`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname NOT LIKE 'kysely\\_%'
      ORDER BY c.relname, a.attnum
    `.execute(testDb.db);
    const actual = result.rows.map((row) => `${row.table}.${row.column} ${row.type}${row.notnull ? ' NOT NULL' : ''}`).sort();
    const expected = Object.entries(DOMAIN_COLUMNS)
      .flatMap(([table, spec]) =>
        spec.split('|').map((entry) => {
          const [column, type, flag] = entry.trim().split(/\s+/);
          return `${table}.${column} ${normaliseType(type!)}${flag === '!' ? ' NOT NULL' : ''}`;
        }),
      )
      .sort();
    assert.deepEqual(actual, expected);
  });

  it('identity ids: generated always, bigint for the high-volume tables; sessions.id is a random uuid', async () => {
    const result = await sql<{ table: string; type: string; identity: string; def: string | null }>`
      SELECT c.relname AS table, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity AS identity,
             pg_get_expr(d.adbin, d.adrelid) AS def
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attname = 'id'
        AND c.relname NOT LIKE 'kysely\\_%'
    `.execute(testDb.db);
    const bigintTables = ['audit_events', 'login_attempts', 'refresh_tokens', 'email_outbox', 'historiques_interventions', 'mfa_recovery_codes'];
    for (const row of result.rows) {
      if (row.table === 'sessions') {
        assert.equal(row.type, 'uuid');
        assert.equal(row.def, 'gen_random_uuid()');
        continue;
      }
      assert.equal(row.identity, 'a', `${row.table}.id doit être GENERATED ALWAYS AS IDENTITY`);
      assert.equal(row.type, bigintTables.includes(row.table) ? 'bigint' : 'integer', row.table);
    }
    // Every table except the two with a composite primary key has an id.
    assert.deepEqual(
      result.rows.map((row) => row.table).sort(),
      [...DOMAIN_TABLES, 'mfa_recovery_codes'].filter((table) => table !== 'technicien_competence' && table !== 'lockouts').sort(),
    );
  });

  it('every foreign key with its ON DELETE rule (docs/domain.md §4)', async () => {
    const result = await sql<{ source: string; column: string; target: string; rule: string }>`
      SELECT c.relname AS source, a.attname AS column, t.relname AS target, k.confdeltype AS rule
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_class t ON t.oid = k.confrelid
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND cardinality(k.conkey) = 1
    `.execute(testDb.db);
    const rules: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', a: 'NO ACTION', d: 'SET DEFAULT' };
    const actual = result.rows.map((row) => `${row.source}.${row.column} → ${row.target} ${rules[row.rule]}`).sort();
    assert.deepEqual(actual, DOMAIN_FOREIGN_KEYS);
  });

  it('the indexes listed by docs/domain.md and needed by the list queries exist', async () => {
    const result = await sql<{ table: string; def: string }>`
      SELECT tablename AS table, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'
    `.execute(testDb.db);
    for (const [table, keys] of EXPECTED_INDEX_KEYS) {
      const found = result.rows.some((row) => row.table === table && row.def.includes(`(${keys})`));
      assert.ok(found, `index ${table} (${keys}) manquant`);
    }
    const overdue = result.rows.find((row) => row.def.includes('interventions') && row.def.includes('(date_limite)'));
    assert.match(overdue?.def ?? '', /WHERE .*ouverte.*affectee.*en_cours.*en_attente/);
    // Every single-column FK is the leading column of some index (joins, filters, ON DELETE actions),
    // except the high-volume login log, whose user_id is never filtered (users are never deleted).
    const fks = await sql<{ table: string; column: string }>`
      SELECT c.relname AS table, a.attname AS column
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
    `.execute(testDb.db);
    for (const fk of fks.rows) {
      if (fk.table === 'login_attempts') continue;
      const indexed = result.rows.some(
        (row) => row.table === fk.table && new RegExp(`\\((lower\\()?${fk.column}[,) ]`).test(row.def.replace(/^[^(]*/, '')),
      );
      assert.ok(indexed, `${fk.table}.${fk.column} sans index`);
    }
  });
});

describe('constraints fire on real rows', () => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;
  let f: Fixture;

  before(async () => {
    testDb = await createTestDatabase();
    db = testDb.db;
    f = await seed(db);
  });
  after(async () => {
    await testDb?.drop();
  });

  it('the schema.ts enum lists are exactly those of docs/domain.md §2', () => {
    assert.deepEqual([...schema.ROLE_VALUES], DOMAIN_ENUMS.role);
    assert.deepEqual([...schema.TYPE_INTERVENTION_VALUES], DOMAIN_ENUMS.type_intervention);
    assert.deepEqual([...schema.STATUT_INTERVENTION_VALUES], DOMAIN_ENUMS.statut_intervention);
    assert.deepEqual([...schema.PRIORITE_VALUES], DOMAIN_ENUMS.priorite);
    assert.deepEqual([...schema.FREQUENCE_VALUES], DOMAIN_ENUMS.frequence);
    assert.deepEqual([...schema.STATUT_PLANNING_VALUES], DOMAIN_ENUMS.statut_planning);
    assert.deepEqual([...schema.TYPE_NOTIFICATION_VALUES], DOMAIN_ENUMS.type_notification);
    assert.deepEqual([...schema.CANAL_VALUES], DOMAIN_ENUMS.canal);
    assert.deepEqual([...schema.DISPONIBILITE_VALUES], DOMAIN_ENUMS.disponibilite);
    assert.deepEqual([...schema.NIVEAU_VALUES], DOMAIN_ENUMS.niveau);
    assert.deepEqual([...schema.STATUT_EQUIPEMENT_VALUES], DOMAIN_ENUMS.statut_equipement);
    assert.deepEqual([...schema.CRITICITE_VALUES], DOMAIN_ENUMS.criticite);
    assert.deepEqual([...schema.TYPE_CLIENT_VALUES], DOMAIN_ENUMS.type_client);
    assert.deepEqual([...schema.NIVEAU_SERVICE_VALUES], DOMAIN_ENUMS.niveau_service);
    assert.deepEqual([...schema.TYPE_CONTRAT_VALUES], DOMAIN_ENUMS.type_contrat);
    assert.deepEqual([...schema.STATUT_CONTRAT_VALUES], DOMAIN_ENUMS.statut_contrat);
    assert.deepEqual([...schema.MODE_FACTURATION_VALUES], DOMAIN_ENUMS.mode_facturation);
    assert.deepEqual([...schema.DOCUMENT_ENCRYPTION_VALUES], DOMAIN_ENUMS.document_encryption);
    assert.deepEqual([...schema.AUDIT_OUTCOME_VALUES], DOMAIN_ENUMS.audit_outcome);
    assert.deepEqual([...schema.OUTBOX_STATUS_VALUES], DOMAIN_ENUMS.outbox_status);
    assert.deepEqual([...schema.SESSION_REVOKED_REASON_VALUES], DOMAIN_ENUMS.revoked_reason);
    assert.deepEqual([...schema.LOGIN_ENDPOINT_VALUES], DOMAIN_ENUMS.login_endpoint);
    assert.deepEqual([...schema.LOGIN_REASON_VALUES], DOMAIN_ENUMS.login_reason);
    assert.deepEqual([...schema.LOCKOUT_SCOPE_VALUES], DOMAIN_ENUMS.lockout_scope);
  });

  it('every enum CHECK accepts every value of docs/domain.md §2 and refuses any other (23514)', async () => {
    const where: Record<string, RawBuilder<unknown>> = {
      users: sql`id = ${f.userId}`,
      sessions: sql`id = ${f.sessionId}`,
      clients: sql`id = ${f.clientId}`,
      contrats: sql`id = ${f.contratId}`,
      techniciens: sql`id = ${f.technicienId}`,
      competences: sql`id = ${f.competenceId}`,
      technicien_competence: sql`technicien_id = ${f.technicienId} AND competence_id = ${f.competenceId}`,
      equipements: sql`id = ${f.equipementId}`,
      interventions: sql`id = ${f.interventionId}`,
      historiques_interventions: sql`id = ${f.historiqueId}`,
      plannings: sql`id = ${f.planningId}`,
      notifications: sql`id = ${f.notificationId}`,
      documents: sql`id = ${f.documentId}`,
      audit_events: sql`id = ${f.auditId}`,
      login_attempts: sql`id = ${f.loginAttemptId}`,
      lockouts: sql`key = ${`user:${f.userId}`}`,
      email_outbox: sql`id = ${f.outboxId}`,
    };
    const covered = new Set<EnumName>();
    for (const [table, column, enumName] of ENUM_COLUMNS) {
      covered.add(enumName);
      for (const value of DOMAIN_ENUMS[enumName]) {
        const result = await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${value} WHERE ${where[table]!}`.execute(db);
        assert.equal(result.numAffectedRows, 1n, `${table}.${column} = ${value}`);
      }
      for (const bad of ['inconnu', DOMAIN_ENUMS[enumName][0]!.toUpperCase(), '']) {
        await expectPgError(
          () => sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${bad} WHERE ${where[table]!}`.execute(db),
          '23514',
          `${table}_${column}_check`,
        );
      }
    }
    assert.deepEqual([...covered].sort(), Object.keys(DOMAIN_ENUMS).sort());
  });

  it('one intervention row per statut value can be inserted (with a technician)', async () => {
    for (const statut of schema.STATUT_INTERVENTION_VALUES) {
      await db
        .insertInto('interventions')
        .values({ titre: `Statut ${statut}`, type_intervention: 'corrective', statut, equipement_id: f.equipementId, technicien_id: f.technicienId })
        .execute();
    }
    for (const statut of ['ouverte', 'cloturee', 'annulee', 'archivee'] as const) {
      await db.insertInto('interventions').values({ titre: `Sans technicien ${statut}`, type_intervention: 'diagnostic', statut, equipement_id: f.equipementId }).execute();
    }
  });

  it('intervention in affectee / en_cours / en_attente without a technician → 23514', async () => {
    for (const statut of schema.STATUTS_INTERVENTION_AVEC_TECHNICIEN) {
      await expectPgError(
        () => db.insertInto('interventions').values({ titre: 'Sans technicien', type_intervention: 'corrective', statut, equipement_id: f.equipementId }).execute(),
        '23514',
        'interventions_technicien_required_check',
      );
    }
    await expectPgError(
      () => db.updateTable('interventions').set({ technicien_id: null, statut: 'en_cours' }).where('id', '=', f.interventionId).execute(),
      '23514',
      'interventions_technicien_required_check',
    );
  });

  it('intervention titre must not be blank; durations and costs ≥ 0', async () => {
    const base = { type_intervention: 'corrective' as const, equipement_id: f.equipementId };
    await expectPgError(() => db.insertInto('interventions').values({ ...base, titre: '   ' }).execute(), '23514', 'interventions_titre_not_blank');
    await expectPgError(() => db.insertInto('interventions').values({ ...base, titre: 'x', duree_estimee: -1 }).execute(), '23514', 'interventions_duree_estimee_check');
    await expectPgError(() => db.insertInto('interventions').values({ ...base, titre: 'x', duree_reelle: -1 }).execute(), '23514', 'interventions_duree_reelle_check');
    await expectPgError(() => db.insertInto('interventions').values({ ...base, titre: 'x', cout_estime: -0.01 }).execute(), '23514', 'interventions_cout_estime_check');
    await expectPgError(() => db.insertInto('interventions').values({ ...base, titre: 'x', cout_reel: -5 }).execute(), '23514', 'interventions_cout_reel_check');
    const ok = await db
      .insertInto('interventions')
      .values({ ...base, titre: 'x', duree_estimee: 0, duree_reelle: 0, cout_estime: 0, cout_reel: '12.50' })
      .returning(['cout_reel', 'statut', 'priorite', 'urgence'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(ok, { cout_reel: 12.5, statut: 'ouverte', priorite: 'normale', urgence: false });
  });

  it('UNIQUE (planning_id, date_occurrence) makes generation idempotent → 23505', async () => {
    await expectPgError(
      () =>
        db
          .insertInto('interventions')
          .values({
            titre: 'Doublon',
            type_intervention: 'preventive',
            equipement_id: f.equipementId,
            planning_id: f.planningId,
            date_occurrence: new Date('2026-02-01T08:00:00Z'),
          })
          .execute(),
      '23505',
      'interventions_planning_id_date_occurrence_key',
    );
    const inserted = await sql`
      INSERT INTO interventions (titre, type_intervention, equipement_id, planning_id, date_occurrence)
      VALUES ('Doublon', 'preventive', ${f.equipementId}, ${f.planningId}, ${new Date('2026-02-01T08:00:00Z')})
      ON CONFLICT (planning_id, date_occurrence) DO NOTHING
    `.execute(db);
    assert.equal(inserted.numAffectedRows, 0n);
  });

  it('users: username unique case-insensitively, e-mail unique and stored lower-case (23505 / 23514)', async () => {
    const base = { full_name: 'Nadia Bennani', hashed_password: 'x', role: 'responsable' as const };
    await db.insertInto('users').values({ ...base, username: 'NBennani', email: 'nadia@mif.ma' }).execute();
    await expectPgError(
      () => db.insertInto('users').values({ ...base, username: 'nbennani', email: 'autre@mif.ma' }).execute(),
      '23505',
      'users_username_lower_key',
    );
    await expectPgError(
      () => db.insertInto('users').values({ ...base, username: 'nadia2', email: 'nadia@mif.ma' }).execute(),
      '23505',
      'users_email_key',
    );
    await expectPgError(
      () => db.insertInto('users').values({ ...base, username: 'nadia3', email: 'Nadia@MIF.ma' }).execute(),
      '23514',
      'users_email_lower_case',
    );
    await expectPgError(
      () => db.insertInto('users').values({ ...base, username: 'nadia\u0007', email: 'nadia4@mif.ma' }).execute(),
      '23514',
      'users_username_no_control_chars',
    );
    await expectPgError(
      () => db.insertInto('users').values({ ...base, username: 'nadia5', email: 'nadia5@mif.ma', full_name: '' }).execute(),
      '23514',
      'users_full_name_not_blank',
    );
  });

  it("users: only role 'client' may carry client_id", async () => {
    const base = { full_name: 'Client User', hashed_password: 'x', client_id: f.clientId };
    await db.insertInto('users').values({ ...base, username: unique('cli'), email: `${unique('cli')}@client.ma`, role: 'client' }).execute();
    await expectPgError(
      () => db.insertInto('users').values({ ...base, username: unique('adm'), email: `${unique('adm')}@mif.ma`, role: 'admin' }).execute(),
      '23514',
      'users_client_id_role_check',
    );
  });

  it('case-insensitive unique names: clients, competences, equipements → 23505', async () => {
    await db.insertInto('clients').values({ nom_entreprise: 'OCP Maroc', nom_contact: 'X', email: 'x@ocp.ma' }).execute();
    await expectPgError(
      () => db.insertInto('clients').values({ nom_entreprise: 'ocp maroc', nom_contact: 'Y', email: 'y@ocp.ma' }).execute(),
      '23505',
      'clients_nom_entreprise_lower_key',
    );
    await db.insertInto('competences').values({ nom: 'Hydraulique' }).execute();
    await expectPgError(() => db.insertInto('competences').values({ nom: 'HYDRAULIQUE' }).execute(), '23505', 'competences_nom_lower_key');
    const equipement = { type_equipement: 'pompe', localisation: 'Rabat' };
    await db.insertInto('equipements').values({ ...equipement, nom: 'Pompe P1' }).execute();
    await expectPgError(() => db.insertInto('equipements').values({ ...equipement, nom: 'pompe p1' }).execute(), '23505', 'equipements_nom_lower_key');
  });

  it('clients: ICE is exactly 15 digits and unique; e-mail stored lower-case', async () => {
    const base = { nom_contact: 'X', email: 'x@c.ma' };
    await db.insertInto('clients').values({ ...base, nom_entreprise: unique('ICE'), ice: '001234567000089' }).execute();
    await expectPgError(
      () => db.insertInto('clients').values({ ...base, nom_entreprise: unique('ICE'), ice: '001234567000089' }).execute(),
      '23505',
      'clients_ice_key',
    );
    for (const ice of ['12345678901234', '1234567890123a5', ' 12345678901234']) {
      await expectPgError(() => db.insertInto('clients').values({ ...base, nom_entreprise: unique('ICE'), ice }).execute(), '23514', 'clients_ice_format');
    }
    await expectPgError(
      () => db.insertInto('clients').values({ ...base, nom_entreprise: unique('Mail'), email: 'Contact@C.ma' }).execute(),
      '23514',
      'clients_email_lower_case',
    );
    const defaults = await db
      .insertInto('clients')
      .values({ ...base, nom_entreprise: unique('Defaults') })
      .returning(['type_client', 'niveau_service', 'pays', 'is_active'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(defaults, { type_client: 'entreprise', niveau_service: 'standard', pays: 'Maroc', is_active: true });
  });

  it('contrats: date_fin ≥ date_debut, ranges, devise, unique numéro (23514 / 23505)', async () => {
    const base = { nom_contrat: 'C', type_contrat: 'support_technique' as const, client_id: f.clientId, date_debut: '2026-03-01' };
    await expectPgError(
      () => db.insertInto('contrats').values({ ...base, numero_contrat: unique('C'), date_fin: '2026-02-28' }).execute(),
      '23514',
      'contrats_dates_check',
    );
    const sameDay = await db
      .insertInto('contrats')
      .values({ ...base, numero_contrat: 'CT-UNIQUE', date_fin: '2026-03-01' })
      .returning(['date_debut', 'date_fin', 'devise', 'statut', 'mode_facturation'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(sameDay, { date_debut: '2026-03-01', date_fin: '2026-03-01', devise: 'MAD', statut: 'brouillon', mode_facturation: 'mensuel' });
    await expectPgError(
      () => db.insertInto('contrats').values({ ...base, numero_contrat: 'CT-UNIQUE', date_fin: '2026-12-31' }).execute(),
      '23505',
      'contrats_numero_contrat_key',
    );
    const cases: Array<[Partial<NewContrat>, string]> = [
      [{ montant_annuel: -1 }, 'contrats_montant_annuel_check'],
      [{ devise: 'mad' }, 'contrats_devise_check'],
      [{ devise: 'M1D' }, 'contrats_devise_check'],
      [{ temps_reponse_urgence_h: 0 }, 'contrats_temps_reponse_urgence_h_check'],
      [{ temps_reponse_urgence_h: 169 }, 'contrats_temps_reponse_urgence_h_check'],
      [{ temps_reponse_normal_h: 0 }, 'contrats_temps_reponse_normal_h_check'],
      [{ temps_reponse_normal_h: 721 }, 'contrats_temps_reponse_normal_h_check'],
      [{ nb_interventions_incluses: -1 }, 'contrats_nb_interventions_incluses_check'],
      [{ heures_maintenance_incluses: -1 }, 'contrats_heures_maintenance_incluses_check'],
    ];
    for (const [extra, constraint] of cases) {
      await expectPgError(
        () => db.insertInto('contrats').values({ ...base, numero_contrat: unique('C'), date_fin: '2026-12-31', ...extra }).execute(),
        '23514',
        constraint,
      );
    }
    await db
      .insertInto('contrats')
      .values({
        ...base,
        numero_contrat: unique('C'),
        date_fin: '2026-12-31',
        montant_annuel: 0,
        devise: 'EUR',
        temps_reponse_urgence_h: 168,
        temps_reponse_normal_h: 720,
        nb_interventions_incluses: 0,
        heures_maintenance_incluses: 0,
      })
      .execute();
  });

  it('equipements: frequence_entretien_jours 1–3650, cout ≥ 0, a contract needs a client', async () => {
    const base = { type_equipement: 'compresseur', localisation: 'Tanger' };
    for (const jours of [0, 3651]) {
      await expectPgError(
        () => db.insertInto('equipements').values({ ...base, nom: unique('E'), frequence_entretien_jours: jours }).execute(),
        '23514',
        'equipements_frequence_entretien_jours_check',
      );
    }
    await db.insertInto('equipements').values({ ...base, nom: unique('E'), frequence_entretien_jours: 1 }).execute();
    await db.insertInto('equipements').values({ ...base, nom: unique('E'), frequence_entretien_jours: 3650 }).execute();
    await expectPgError(
      () => db.insertInto('equipements').values({ ...base, nom: unique('E'), cout_acquisition: -1 }).execute(),
      '23514',
      'equipements_cout_acquisition_check',
    );
    await expectPgError(
      () => db.insertInto('equipements').values({ ...base, nom: unique('E'), contrat_id: f.contratId }).execute(),
      '23514',
      'equipements_contrat_requires_client',
    );
    await db.insertInto('equipements').values({ ...base, nom: unique('E'), numero_serie: 'SN-1', code_interne: 'CI-1' }).execute();
    await expectPgError(() => db.insertInto('equipements').values({ ...base, nom: unique('E'), numero_serie: 'SN-1' }).execute(), '23505', 'equipements_numero_serie_key');
    await expectPgError(() => db.insertInto('equipements').values({ ...base, nom: unique('E'), code_interne: 'CI-1' }).execute(), '23505', 'equipements_code_interne_key');
  });

  it('techniciens: one profile per user, unique badge', async () => {
    await expectPgError(() => db.insertInto('techniciens').values({ user_id: f.userId }).execute(), '23505', 'techniciens_user_id_key');
    await db.updateTable('techniciens').set({ numero_badge: 'B-001' }).where('id', '=', f.technicienId).execute();
    const username = unique('t2');
    const other = await db
      .insertInto('users')
      .values({ username, full_name: 'T2', email: `${username}@mif.ma`, hashed_password: 'x', role: 'technicien' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await expectPgError(() => db.insertInto('techniciens').values({ user_id: other.id, numero_badge: 'B-001' }).execute(), '23505', 'techniciens_numero_badge_key');
  });

  it('documents, refresh tokens, audit, outbox, lockouts: format and range checks', async () => {
    const doc = {
      intervention_id: f.interventionId,
      nom_fichier: 'photo.jpg',
      mime_type: 'image/jpeg',
      taille_octets: 10,
      key_id: 'k',
    };
    await expectPgError(
      () => db.insertInto('documents').values({ ...doc, storage_key: randomUUID(), sha256: 'A'.repeat(64), wrapped_key: Buffer.alloc(1) }).execute(),
      '23514',
      'documents_sha256_format',
    );
    await expectPgError(
      () => db.insertInto('documents').values({ ...doc, storage_key: randomUUID(), sha256: HEX64 }).execute(),
      '23514',
      'documents_wrapped_key_check',
    );
    await expectPgError(
      () => db.insertInto('documents').values({ ...doc, storage_key: randomUUID(), sha256: HEX64, wrapped_key: Buffer.alloc(1), taille_octets: -1 }).execute(),
      '23514',
      'documents_taille_octets_check',
    );
    const legacy = await db
      .insertInto('documents')
      .values({ ...doc, storage_key: randomUUID(), sha256: HEX64, encryption: 'fernet', taille_octets: 5_000_000_000 })
      .returning(['taille_octets', 'wrapped_key', 'id'])
      .executeTakeFirstOrThrow();
    assert.equal(legacy.taille_octets, 5_000_000_000);
    assert.equal(legacy.wrapped_key, null);
    const key = randomUUID();
    await db.insertInto('documents').values({ ...doc, storage_key: key, sha256: HEX64, wrapped_key: Buffer.from([1, 2, 3]) }).execute();
    await expectPgError(
      () => db.insertInto('documents').values({ ...doc, storage_key: key, sha256: HEX64, wrapped_key: Buffer.from([1]) }).execute(),
      '23505',
      'documents_storage_key_key',
    );
    const stored = await db.selectFrom('documents').select('wrapped_key').where('storage_key', '=', key).executeTakeFirstOrThrow();
    assert.deepEqual(stored.wrapped_key, Buffer.from([1, 2, 3]));

    const expires = new Date(Date.now() + 60_000);
    await expectPgError(
      () => db.insertInto('refresh_tokens').values({ session_id: f.sessionId, token_hash: 'z'.repeat(64), expires_at: expires }).execute(),
      '23514',
      'refresh_tokens_token_hash_format',
    );
    const hash = randomHex();
    await db.insertInto('refresh_tokens').values({ session_id: f.sessionId, token_hash: hash, expires_at: expires }).execute();
    await expectPgError(
      () => db.insertInto('refresh_tokens').values({ session_id: f.sessionId, token_hash: hash, expires_at: expires }).execute(),
      '23505',
      'refresh_tokens_token_hash_key',
    );

    await expectPgError(
      () => db.insertInto('audit_events').values({ event_type: 'x', outcome: 'success', details: '[]' }).execute(),
      '23514',
      'audit_events_details_object_check',
    );
    const audit = await db.insertInto('audit_events').values({ event_type: 'x', outcome: 'denied' }).returning(['details', 'id']).executeTakeFirstOrThrow();
    assert.deepEqual(audit.details, {});
    assert.equal(typeof audit.id, 'number');

    await expectPgError(
      () => db.insertInto('email_outbox').values({ to_address: 'a@b.ma', subject: 's', body_text: 't', body_html: 'h', attempts: -1 }).execute(),
      '23514',
      'email_outbox_attempts_check',
    );
    await expectPgError(
      () => db.insertInto('lockouts').values({ scope: 'ip', key: '10.0.0.9', failures: -1 }).execute(),
      '23514',
      'lockouts_failures_check',
    );
    await db.insertInto('lockouts').values({ scope: 'ip', key: '10.0.0.9' }).execute();
    await db.insertInto('lockouts').values({ scope: 'account', key: '10.0.0.9' }).execute();
    await expectPgError(() => db.insertInto('lockouts').values({ scope: 'ip', key: '10.0.0.9' }).execute(), '23505', 'lockouts_pkey');
  });

  it('identity ids are generated always: an explicit id is refused', async () => {
    await expectPgError(
      () => sql`INSERT INTO competences (id, nom) VALUES (999999, ${unique('Explicit')})`.execute(db),
      '428C9',
    );
  });
});

describe('ON DELETE rules on real rows', () => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;

  before(async () => {
    testDb = await createTestDatabase();
    db = testDb.db;
  });
  after(async () => {
    await testDb?.drop();
  });

  it('RESTRICT: an equipement with interventions, a client or a contract in use cannot be deleted (23503)', async () => {
    const f = await seed(db);
    await expectPgError(() => db.deleteFrom('equipements').where('id', '=', f.equipementId).execute(), '23503', 'interventions_equipement_id_fkey');
    await expectPgError(() => db.deleteFrom('contrats').where('id', '=', f.contratId).execute(), '23503');
    await expectPgError(() => db.deleteFrom('clients').where('id', '=', f.clientId).execute(), '23503');
  });

  it('CASCADE: deleting an intervention removes its history, documents and notifications; the outbox row stays, unlinked', async () => {
    const f = await seed(db);
    await db.deleteFrom('interventions').where('equipement_id', '=', f.equipementId).execute();
    for (const table of ['historiques_interventions', 'documents', 'notifications']) {
      assert.equal(await countRows(db, table, 'intervention_id', f.interventionId), 0, table);
    }
    const outbox = await db.selectFrom('email_outbox').select('notification_id').where('id', '=', f.outboxId).executeTakeFirstOrThrow();
    assert.equal(outbox.notification_id, null);
    // Now the equipment can go, and its plannings go with it.
    await db.deleteFrom('equipements').where('id', '=', f.equipementId).execute();
    assert.equal(await countRows(db, 'plannings', 'id', f.planningId), 0);
  });

  it('SET NULL: deleting a planning keeps its generated interventions; deleting a technician unlinks closed work', async () => {
    const f = await seed(db);
    await db.deleteFrom('plannings').where('id', '=', f.planningId).execute();
    const intervention = await db.selectFrom('interventions').select(['planning_id', 'date_occurrence']).where('id', '=', f.interventionId).executeTakeFirstOrThrow();
    assert.equal(intervention.planning_id, null);
    assert.ok(intervention.date_occurrence instanceof Date);

    // An active intervention still needs its technician: the CHECK stops the SET NULL (the API answers 409 first).
    await expectPgError(() => db.deleteFrom('techniciens').where('id', '=', f.technicienId).execute(), '23514', 'interventions_technicien_required_check');
    await db.updateTable('interventions').set({ statut: 'cloturee' }).where('id', '=', f.interventionId).execute();
    await db.deleteFrom('techniciens').where('id', '=', f.technicienId).execute();
    const closed = await db.selectFrom('interventions').select(['technicien_id', 'statut']).where('id', '=', f.interventionId).executeTakeFirstOrThrow();
    assert.deepEqual(closed, { technicien_id: null, statut: 'cloturee' });
    const links = await db.selectFrom('technicien_competence').select('competence_id').where('technicien_id', '=', f.technicienId).execute();
    assert.equal(links.length, 0);
  });

  it('CASCADE from users and sessions; SET NULL for authorship, audit and login history', async () => {
    const f = await seed(db);
    // Interventions reference the technician profile, which goes with the user: close them first.
    await db.updateTable('interventions').set({ statut: 'cloturee' }).where('technicien_id', '=', f.technicienId).execute();
    await db.deleteFrom('users').where('id', '=', f.userId).execute();
    assert.equal(await countRows(db, 'sessions', 'user_id', f.userId), 0);
    assert.equal(await countRows(db, 'techniciens', 'user_id', f.userId), 0);
    assert.equal(await countRows(db, 'notifications', 'user_id', f.userId), 0);
    assert.equal(await countRows(db, 'refresh_tokens', 'session_id', f.sessionId), 0);
    const intervention = await db.selectFrom('interventions').select(['created_by_id', 'technicien_id']).where('id', '=', f.interventionId).executeTakeFirstOrThrow();
    assert.deepEqual(intervention, { created_by_id: null, technicien_id: null });
    const history = await db.selectFrom('historiques_interventions').select('user_id').where('id', '=', f.historiqueId).executeTakeFirstOrThrow();
    assert.equal(history.user_id, null);
    const document = await db.selectFrom('documents').select('uploaded_by_id').where('id', '=', f.documentId).executeTakeFirstOrThrow();
    assert.equal(document.uploaded_by_id, null);
    const audit = await db.selectFrom('audit_events').select('actor_user_id').where('id', '=', f.auditId).executeTakeFirstOrThrow();
    assert.equal(audit.actor_user_id, null);
    const attempt = await db.selectFrom('login_attempts').select('user_id').where('id', '=', f.loginAttemptId).executeTakeFirstOrThrow();
    assert.equal(attempt.user_id, null);
    // The notification went with the user (CASCADE); its outbox row stays, unlinked.
    const outbox = await db.selectFrom('email_outbox').select('notification_id').where('id', '=', f.outboxId).executeTakeFirstOrThrow();
    assert.equal(outbox.notification_id, null);
  });

  it('SET NULL on refresh_tokens.parent_id when the parent token is deleted', async () => {
    const f = await seed(db);
    const tokens = await db.selectFrom('refresh_tokens').select(['id', 'parent_id']).where('session_id', '=', f.sessionId).orderBy('id').execute();
    assert.equal(tokens.length, 2);
    assert.equal(tokens[1]!.parent_id, tokens[0]!.id);
    await db.deleteFrom('refresh_tokens').where('id', '=', tokens[0]!.id).execute();
    const child = await db.selectFrom('refresh_tokens').select('parent_id').where('id', '=', tokens[1]!.id).executeTakeFirstOrThrow();
    assert.equal(child.parent_id, null);
  });
});
