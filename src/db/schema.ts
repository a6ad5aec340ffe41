/**
 * Kysely table types for the first-release schema (`docs/domain.md` §3), as created by
 * `src/db/migrations/2026_12_04_000001_initial_schema.ts`.
 *
 * Value mapping (set up by the pool, `docs/operations.md` §3):
 * - identity ids, `integer` and `bigint` (int8 is parsed to a JS number; values stay below 2^53)
 *   and `numeric` are `number`. Numeric inputs also accept a decimal string.
 * - `timestamptz` → `Date` (inputs accept a `Date` or an ISO-8601 string).
 * - `date` (contracts only) → `'YYYY-MM-DD'` string (DATE is returned as text, never as a `Date`).
 * - `jsonb` → a plain object; `inet` → string; `uuid` → string; `bytea` → `Buffer`.
 *
 * Columns with a database default are `Generated<>` (optional on insert). Enumerations are typed
 * as the literal unions of `docs/domain.md` §2; the `*_VALUES` arrays list them in the spec's order.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// -------------------------------------------------------------------------------------------------
// Enumerations (docs/domain.md §2). The CHECK constraints of the migrations hold the same lists.
// -------------------------------------------------------------------------------------------------

export const ROLE_VALUES = ['admin', 'responsable', 'technicien', 'client'] as const;
export type Role = (typeof ROLE_VALUES)[number];

export const TYPE_INTERVENTION_VALUES = ['corrective', 'preventive', 'ameliorative', 'diagnostic'] as const;
export type TypeIntervention = (typeof TYPE_INTERVENTION_VALUES)[number];

export const STATUT_INTERVENTION_VALUES = [
  'ouverte',
  'affectee',
  'en_cours',
  'en_attente',
  'cloturee',
  'annulee',
  'archivee',
] as const;
export type StatutIntervention = (typeof STATUT_INTERVENTION_VALUES)[number];

/** Active statuses (an active intervention past its `date_limite` is overdue). */
export const STATUTS_INTERVENTION_ACTIFS = ['ouverte', 'affectee', 'en_cours', 'en_attente'] as const satisfies readonly StatutIntervention[];
/** Statuses that require `technicien_id` (CHECK `interventions_technicien_required_check`). */
export const STATUTS_INTERVENTION_AVEC_TECHNICIEN = ['affectee', 'en_cours', 'en_attente'] as const satisfies readonly StatutIntervention[];

export const PRIORITE_VALUES = ['urgente', 'haute', 'normale', 'basse', 'programmee'] as const;
export type Priorite = (typeof PRIORITE_VALUES)[number];

/** Stored planning frequencies (the API answers with output labels, see `docs/domain.md` §2). */
export const FREQUENCE_VALUES = ['journalier', 'hebdomadaire', 'mensuel', 'trimestriel', 'semestriel', 'annuel'] as const;
export type Frequence = (typeof FREQUENCE_VALUES)[number];

export const STATUT_PLANNING_VALUES = ['actif', 'suspendu', 'termine', 'en_retard'] as const;
export type StatutPlanning = (typeof STATUT_PLANNING_VALUES)[number];

export const TYPE_NOTIFICATION_VALUES = ['affectation', 'cloture', 'rappel', 'retard', 'information'] as const;
export type TypeNotification = (typeof TYPE_NOTIFICATION_VALUES)[number];

export const CANAL_VALUES = ['email', 'log', 'sms', 'push'] as const;
export type Canal = (typeof CANAL_VALUES)[number];

export const DISPONIBILITE_VALUES = ['disponible', 'occupe', 'conge', 'formation', 'indisponible'] as const;
export type Disponibilite = (typeof DISPONIBILITE_VALUES)[number];

export const NIVEAU_VALUES = ['debutant', 'intermediaire', 'avance', 'expert'] as const;
export type Niveau = (typeof NIVEAU_VALUES)[number];

export const STATUT_EQUIPEMENT_VALUES = ['operationnel', 'maintenance', 'panne', 'retire'] as const;
export type StatutEquipement = (typeof STATUT_EQUIPEMENT_VALUES)[number];

export const CRITICITE_VALUES = ['critique', 'important', 'standard', 'non_critique'] as const;
export type Criticite = (typeof CRITICITE_VALUES)[number];

export const TYPE_CLIENT_VALUES = ['entreprise', 'collectivite', 'association', 'particulier'] as const;
export type TypeClient = (typeof TYPE_CLIENT_VALUES)[number];

export const NIVEAU_SERVICE_VALUES = ['premium', 'standard', 'basique'] as const;
export type NiveauService = (typeof NIVEAU_SERVICE_VALUES)[number];

export const TYPE_CONTRAT_VALUES = [
  'maintenance_preventive',
  'maintenance_corrective',
  'maintenance_complete',
  'support_technique',
  'contrat_cadre',
] as const;
export type TypeContrat = (typeof TYPE_CONTRAT_VALUES)[number];

export const STATUT_CONTRAT_VALUES = ['brouillon', 'en_cours', 'expire', 'resilie', 'suspendu'] as const;
export type StatutContrat = (typeof STATUT_CONTRAT_VALUES)[number];

export const MODE_FACTURATION_VALUES = ['mensuel', 'trimestriel', 'annuel'] as const;
export type ModeFacturation = (typeof MODE_FACTURATION_VALUES)[number];

/** `fernet` is legacy and read-only. */
export const DOCUMENT_ENCRYPTION_VALUES = ['aes256gcm-stream-v1', 'fernet'] as const;
type DocumentEncryption = (typeof DOCUMENT_ENCRYPTION_VALUES)[number];

export const AUDIT_OUTCOME_VALUES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOME_VALUES)[number];

export const OUTBOX_STATUS_VALUES = ['pending', 'sending', 'sent', 'failed'] as const;
type OutboxStatus = (typeof OUTBOX_STATUS_VALUES)[number];

// Closed lists given in the table notes of docs/domain.md §3 (also CHECK-constrained).

export const SESSION_REVOKED_REASON_VALUES = [
  'logout',
  'logout_all',
  'reuse_detected',
  'password_changed',
  'password_reset',
  'user_deactivated',
  'admin_revoked',
] as const;
export type SessionRevokedReason = (typeof SESSION_REVOKED_REASON_VALUES)[number];

export const LOGIN_ENDPOINT_VALUES = ['token', 'login', 'change_password', 'users_update', 'mfa', 'mfa_disable'] as const;
export type LoginEndpoint = (typeof LOGIN_ENDPOINT_VALUES)[number];

export const LOGIN_REASON_VALUES = ['ok', 'bad_password', 'unknown_user', 'inactive', 'locked', 'bad_code', 'mfa_required'] as const;
export type LoginReason = (typeof LOGIN_REASON_VALUES)[number];

export const LOCKOUT_SCOPE_VALUES = ['account', 'ip'] as const;
export type LockoutScope = (typeof LOCKOUT_SCOPE_VALUES)[number];

// -------------------------------------------------------------------------------------------------
// Column helpers
// -------------------------------------------------------------------------------------------------

/** `timestamptz NOT NULL` without default. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** `timestamptz NOT NULL DEFAULT now()`. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** Nullable `timestamptz`. */
type TimestampNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** Nullable `numeric(12,2)` (read as a number). */
type NumericNullable = ColumnType<number | null, number | string | null | undefined, number | string | null>;
/** `date` column, as `'YYYY-MM-DD'`. */
type CalendarDate = string;
/** A JSON object stored in `jsonb`. */
type JsonObject = Record<string, unknown>;

// -------------------------------------------------------------------------------------------------
// Tables
// -------------------------------------------------------------------------------------------------

interface UsersTable {
  id: Generated<number>;
  /** Unique on lower(); 1–100 characters, no control characters. */
  username: string;
  full_name: string;
  /** Stored lower-case (CHECK), unique. */
  email: string;
  /** argon2id PHC string. */
  hashed_password: string;
  role: Role;
  is_active: Generated<boolean>;
  /** Only for role `client` (CHECK `users_client_id_role_check`). */
  client_id: number | null;
  last_login: TimestampNullable;
  password_changed_at: TimestampDefault;
  /** Set on a generated password (the first admin's): every route but the password change answers 403. */
  must_change_password: Generated<boolean>;
  tokens_valid_after: TimestampNullable;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

interface SessionsTable {
  /** uuid, `gen_random_uuid()`; the `sid` claim. */
  id: Generated<string>;
  user_id: number;
  created_at: TimestampDefault;
  expires_at: Timestamp;
  last_used_at: TimestampDefault;
  revoked_at: TimestampNullable;
  revoked_reason: SessionRevokedReason | null;
  /** inet */
  ip: string | null;
  user_agent: string | null;
}

interface RefreshTokensTable {
  id: Generated<number>;
  session_id: string;
  /** Lower-case hex SHA-256 of the opaque token. */
  token_hash: string;
  parent_id: number | null;
  created_at: TimestampDefault;
  expires_at: Timestamp;
  used_at: TimestampNullable;
  revoked_at: TimestampNullable;
}

interface ClientsTable {
  id: Generated<number>;
  nom_entreprise: string;
  nom_commercial: string | null;
  type_client: Generated<TypeClient>;
  secteur_activite: string | null;
  /** Exactly 15 digits; unique. */
  ice: string | null;
  numero_tva: string | null;
  nom_contact: string;
  prenom_contact: string | null;
  fonction_contact: string | null;
  /** Stored lower-case (CHECK); not unique. */
  email: string;
  telephone: string | null;
  telephone_mobile: string | null;
  adresse_ligne1: string | null;
  adresse_ligne2: string | null;
  code_postal: string | null;
  ville: string | null;
  region: string | null;
  pays: Generated<string>;
  niveau_service: Generated<NiveauService>;
  is_active: Generated<boolean>;
  notes: string | null;
  date_creation: TimestampDefault;
  date_modification: TimestampDefault;
}

interface ContratsTable {
  id: Generated<number>;
  numero_contrat: string;
  nom_contrat: string;
  description: string | null;
  type_contrat: TypeContrat;
  statut: Generated<StatutContrat>;
  date_signature: CalendarDate | null;
  date_renouvellement: CalendarDate | null;
  date_debut: CalendarDate;
  /** ≥ date_debut (CHECK `contrats_dates_check`). */
  date_fin: CalendarDate;
  montant_annuel: NumericNullable;
  /** ISO 4217, upper-case (char(3)). */
  devise: Generated<string>;
  mode_facturation: Generated<ModeFacturation>;
  /** 1–168 */
  temps_reponse_urgence_h: number | null;
  /** 1–720 */
  temps_reponse_normal_h: number | null;
  nb_interventions_incluses: number | null;
  heures_maintenance_incluses: number | null;
  client_id: number;
  is_active: Generated<boolean>;
  date_creation: TimestampDefault;
  date_modification: TimestampDefault;
}

interface TechniciensTable {
  id: Generated<number>;
  /** Unique; the user's role must be `technicien` (checked by the API). */
  user_id: number;
  equipe: string | null;
  disponibilite: Generated<Disponibilite>;
  niveau_technicien: Generated<Niveau>;
  numero_badge: string | null;
  zone_intervention: string | null;
  telephone_urgence: string | null;
  astreinte: Generated<boolean>;
  is_active: Generated<boolean>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

interface CompetencesTable {
  id: Generated<number>;
  /** Trimmed; unique on lower(). */
  nom: string;
  domaine: Generated<string>;
  description: string | null;
  niveau_requis_minimum: Generated<Niveau>;
  necessite_certification: Generated<boolean>;
  is_active: Generated<boolean>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

interface TechnicienCompetenceTable {
  technicien_id: number;
  competence_id: number;
  niveau: Generated<Niveau>;
  date_acquisition: TimestampDefault;
  date_validation: TimestampNullable;
  validee_par: string | null;
}

interface EquipementsTable {
  id: Generated<number>;
  /** Unique on lower(). */
  nom: string;
  /** Free text (JSON `type`). */
  type_equipement: string;
  numero_serie: string | null;
  code_interne: string | null;
  marque: string | null;
  modele: string | null;
  localisation: string;
  batiment: string | null;
  etage: string | null;
  zone: string | null;
  statut: Generated<StatutEquipement>;
  criticite: Generated<Criticite>;
  description: string | null;
  /** 1–3650 days (JSON `frequence_entretien`, as a string). */
  frequence_entretien_jours: number | null;
  date_mise_en_service: TimestampNullable;
  date_fin_garantie: TimestampNullable;
  cout_acquisition: NumericNullable;
  /** Null = MIF's own equipment. */
  client_id: number | null;
  /** Must belong to `client_id` (API check); requires a client_id (CHECK). */
  contrat_id: number | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface InterventionsTable {
  id: Generated<number>;
  titre: string;
  description: string | null;
  /** JSON `type`. */
  type_intervention: TypeIntervention;
  statut: Generated<StatutIntervention>;
  priorite: Generated<Priorite>;
  urgence: Generated<boolean>;
  date_creation: TimestampDefault;
  date_limite: TimestampNullable;
  date_affectation: TimestampNullable;
  date_debut_travaux: TimestampNullable;
  date_fin_travaux: TimestampNullable;
  date_cloture: TimestampNullable;
  date_archivage: TimestampNullable;
  /** Minutes. */
  duree_estimee: number | null;
  /** Minutes. */
  duree_reelle: number | null;
  cout_estime: NumericNullable;
  cout_reel: NumericNullable;
  rapport_intervention: string | null;
  travaux_realises: string | null;
  recommandations: string | null;
  equipement_id: number;
  technicien_id: number | null;
  created_by_id: number | null;
  client_id: number | null;
  contrat_id: number | null;
  planning_id: number | null;
  date_occurrence: TimestampNullable;
  date_notification_retard: TimestampNullable;
  updated_at: TimestampDefault;
}

interface HistoriquesInterventionsTable {
  id: Generated<number>;
  intervention_id: number;
  /** Null for the creation row. */
  statut_precedent: StatutIntervention | null;
  statut: StatutIntervention;
  remarque: string | null;
  /** Null = system (scheduler). */
  user_id: number | null;
  horodatage: TimestampDefault;
}

interface PlanningsTable {
  id: Generated<number>;
  equipement_id: number;
  frequence: Frequence;
  date_reference: TimestampNullable;
  prochaine_date: TimestampNullable;
  derniere_date: TimestampNullable;
  statut: Generated<StatutPlanning>;
  commentaire: string | null;
  is_active: Generated<boolean>;
  technicien_id: number | null;
  priorite: Generated<Priorite>;
  date_retard_notifiee: TimestampNullable;
  date_creation: TimestampDefault;
  date_modification: TimestampDefault;
}

interface NotificationsTable {
  id: Generated<number>;
  type: TypeNotification;
  canal: Canal;
  contenu: string | null;
  date_envoi: TimestampDefault;
  /** The recipient. */
  user_id: number;
  intervention_id: number | null;
  planning_id: number | null;
  lu: Generated<boolean>;
  date_lecture: TimestampNullable;
}

interface DocumentsTable {
  id: Generated<number>;
  intervention_id: number;
  /** JSON `filename`. */
  nom_fichier: string;
  description: string | null;
  /** uuid; the file name on disk. */
  storage_key: string;
  /** JSON `mime`. */
  mime_type: string;
  /** bigint; JSON `size`. */
  taille_octets: number;
  /** Lower-case hex SHA-256 of the plaintext. */
  sha256: string;
  encryption: Generated<DocumentEncryption>;
  key_id: string;
  /** Required unless `encryption` is `fernet` (CHECK). */
  wrapped_key: Buffer | null;
  uploaded_by_id: number | null;
  date_upload: TimestampDefault;
}

interface AuditEventsTable {
  id: Generated<number>;
  created_at: TimestampDefault;
  event_type: string;
  outcome: AuditOutcome;
  actor_user_id: number | null;
  actor_role: string | null;
  /** inet */
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  /** jsonb object, default `{}`. */
  details: ColumnType<JsonObject, JsonObject | string | undefined, JsonObject | string>;
}

interface LoginAttemptsTable {
  id: Generated<number>;
  created_at: TimestampDefault;
  /** The submitted e-mail or username, lower-cased. */
  identifier: string;
  user_id: number | null;
  /** inet */
  ip: string | null;
  endpoint: LoginEndpoint;
  success: boolean;
  reason: LoginReason | null;
}

interface LockoutsTable {
  scope: LockoutScope;
  /** `user:<id>` / `id:<identifier>` (account) or the client IP (ip). */
  key: string;
  failures: Generated<number>;
  last_failure_at: TimestampNullable;
  locked_until: TimestampNullable;
  updated_at: TimestampDefault;
  /** ip rows: failures of the current streak per account key (migration 000030). */
  account_failures: ColumnType<Record<string, number>, Record<string, number> | string | undefined, Record<string, number> | string>;
}

/** TOTP second factor (migration 000030, docs/security.md §3a). */
interface UserMfaTable {
  user_id: number;
  /** `v1.` + base64url(nonce ‖ AES-256-GCM ciphertext ‖ tag). */
  secret_encrypted: string;
  created_at: TimestampDefault;
  confirmed_at: TimestampNullable;
  last_used_step: ColumnType<string | null, number | string | null | undefined, number | string | null>;
}

interface MfaRecoveryCodesTable {
  id: Generated<string>;
  user_id: number;
  code_hash: string;
  created_at: TimestampDefault;
  used_at: TimestampNullable;
}

interface MfaChallengesTable {
  token_hash: string;
  user_id: number;
  endpoint: 'token' | 'login';
  created_at: ColumnType<Date, Date, Date>;
  expires_at: ColumnType<Date, Date, Date>;
  used_at: TimestampNullable;
}

interface EmailOutboxTable {
  id: Generated<number>;
  notification_id: number | null;
  to_address: string;
  subject: string;
  body_text: string;
  body_html: string;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: TimestampDefault;
  last_error: string | null;
  created_at: TimestampDefault;
  sent_at: TimestampNullable;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  clients: ClientsTable;
  contrats: ContratsTable;
  techniciens: TechniciensTable;
  competences: CompetencesTable;
  technicien_competence: TechnicienCompetenceTable;
  equipements: EquipementsTable;
  interventions: InterventionsTable;
  historiques_interventions: HistoriquesInterventionsTable;
  plannings: PlanningsTable;
  notifications: NotificationsTable;
  documents: DocumentsTable;
  audit_events: AuditEventsTable;
  login_attempts: LoginAttemptsTable;
  lockouts: LockoutsTable;
  email_outbox: EmailOutboxTable;
  user_mfa: UserMfaTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  intervention_status_counts: InterventionStatusCountsTable;
  intervention_creation_counts: InterventionCreationCountsTable;
  job_runs: JobRunsTable;
}

/** The last run of each background job (migration 000020, docs/operations.md §6). */
interface JobRunsTable {
  job: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
  status: 'success' | 'failure';
  error: string | null;
  /** jsonb: the handler's figures (generated, skipped, sent…). */
  summary: ColumnType<JsonObject, JsonObject | string | undefined, JsonObject | string>;
  last_success_at: TimestampNullable;
}

/** Interventions created per 15-minute bucket (UTC wall clock), kept by triggers (migration 000004). */
interface InterventionCreationCountsTable {
  bucket: Date;
  total: number;
}

/** Totals of interventions per (statut, priorite), kept by triggers (migration 000003). */
interface InterventionStatusCountsTable {
  statut: StatutIntervention;
  priorite: Priorite;
  total: number;
}

/** Every table of the first-release schema. */
export const TABLE_NAMES = [
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
] as const satisfies readonly (keyof Database)[];

// -------------------------------------------------------------------------------------------------
// Row aliases (those in use; elsewhere `Selectable<Database['t']>` etc.)
// -------------------------------------------------------------------------------------------------

export type NewUser = Insertable<UsersTable>;

export type ClientRow = Selectable<ClientsTable>;
export type ClientUpdate = Updateable<ClientsTable>;

export type ContratRow = Selectable<ContratsTable>;
export type NewContrat = Insertable<ContratsTable>;
export type ContratUpdate = Updateable<ContratsTable>;

export type TechnicienRow = Selectable<TechniciensTable>;

export type CompetenceRow = Selectable<CompetencesTable>;

export type NewEquipement = Insertable<EquipementsTable>;
export type EquipementUpdate = Updateable<EquipementsTable>;

export type PlanningRow = Selectable<PlanningsTable>;
export type NewPlanning = Insertable<PlanningsTable>;

export type NewNotification = Insertable<NotificationsTable>;

export type LockoutRow = Selectable<LockoutsTable>;
