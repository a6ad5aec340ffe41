/**
 * Initial schema: every first-release table of `docs/domain.md` §3.
 *
 * Conventions (docs/domain.md §1): enumerations are `text` + `CHECK (col IN (...))` (no PostgreSQL enum
 * types), domain ids are `integer generated always as identity`, high-volume technical tables use
 * `bigint`, timestamps are `timestamptz`, money is `numeric(12,2)`, durations are integer minutes.
 * PostgreSQL 15 syntax only (the schema must run on servers 15 to 18).
 *
 * Constraint and index names are explicit so that the application can map a violation
 * (23505 / 23503 / 23514) to its API message by `constraint` name.
 *
 * A released migration is never edited: extend enums or add columns in a new migration.
 * This file deliberately imports nothing from the application (the enum lists are written out).
 */
import { type Kysely, sql } from 'kysely';

/** Tables created by `up`, in creation (dependency) order; `down` drops them in reverse. */
const TABLES = [
  'clients',
  'users',
  'sessions',
  'refresh_tokens',
  'contrats',
  'techniciens',
  'competences',
  'technicien_competence',
  'equipements',
  'plannings',
  'interventions',
  'historiques_interventions',
  'notifications',
  'documents',
  'audit_events',
  'login_attempts',
  'lockouts',
  'email_outbox',
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // ---------------------------------------------------------------------------------------------
  // clients (before users: users.client_id references it)
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE clients (
      id                 integer GENERATED ALWAYS AS IDENTITY,
      nom_entreprise     varchar(255) NOT NULL,
      nom_commercial     varchar(255),
      type_client        text         NOT NULL DEFAULT 'entreprise',
      secteur_activite   varchar(100),
      ice                varchar(15),
      numero_tva         varchar(50),
      nom_contact        varchar(100) NOT NULL,
      prenom_contact     varchar(100),
      fonction_contact   varchar(100),
      email              varchar(255) NOT NULL,
      telephone          varchar(20),
      telephone_mobile   varchar(20),
      adresse_ligne1     varchar(255),
      adresse_ligne2     varchar(255),
      code_postal        varchar(10),
      ville              varchar(100),
      region             varchar(100),
      pays               varchar(100) NOT NULL DEFAULT 'Maroc',
      niveau_service     text         NOT NULL DEFAULT 'standard',
      is_active          boolean      NOT NULL DEFAULT true,
      notes              text,
      date_creation      timestamptz  NOT NULL DEFAULT now(),
      date_modification  timestamptz  NOT NULL DEFAULT now(),
      CONSTRAINT clients_pkey PRIMARY KEY (id),
      CONSTRAINT clients_nom_entreprise_not_blank CHECK (btrim(nom_entreprise) <> ''),
      CONSTRAINT clients_nom_contact_not_blank CHECK (btrim(nom_contact) <> ''),
      CONSTRAINT clients_type_client_check
        CHECK (type_client IN ('entreprise', 'collectivite', 'association', 'particulier')),
      CONSTRAINT clients_niveau_service_check
        CHECK (niveau_service IN ('premium', 'standard', 'basique')),
      CONSTRAINT clients_ice_format CHECK (ice ~ '^[0-9]{15}$'),
      CONSTRAINT clients_email_lower_case CHECK (email = lower(email)),
      CONSTRAINT clients_ice_key UNIQUE (ice)
    )
  `.execute(db);
  await sql`CREATE UNIQUE INDEX clients_nom_entreprise_lower_key ON clients (lower(nom_entreprise))`.execute(db);
  await sql`CREATE INDEX clients_is_active_idx ON clients (is_active)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // users
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE users (
      id                   integer GENERATED ALWAYS AS IDENTITY,
      username             varchar(100) NOT NULL,
      full_name            varchar(255) NOT NULL,
      email                varchar(255) NOT NULL,
      hashed_password      varchar(255) NOT NULL,
      role                 text         NOT NULL,
      is_active            boolean      NOT NULL DEFAULT true,
      client_id            integer,
      last_login           timestamptz,
      password_changed_at  timestamptz  NOT NULL DEFAULT now(),
      tokens_valid_after   timestamptz,
      created_at           timestamptz  NOT NULL DEFAULT now(),
      updated_at           timestamptz  NOT NULL DEFAULT now(),
      CONSTRAINT users_pkey PRIMARY KEY (id),
      CONSTRAINT users_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT,
      CONSTRAINT users_role_check CHECK (role IN ('admin', 'responsable', 'technicien', 'client')),
      CONSTRAINT users_client_id_role_check CHECK (role = 'client' OR client_id IS NULL),
      CONSTRAINT users_username_not_blank CHECK (btrim(username) <> ''),
      CONSTRAINT users_username_no_control_chars CHECK (username !~ '[[:cntrl:]]'),
      CONSTRAINT users_full_name_not_blank CHECK (btrim(full_name) <> ''),
      CONSTRAINT users_email_lower_case CHECK (email = lower(email)),
      CONSTRAINT users_email_key UNIQUE (email)
    )
  `.execute(db);
  await sql`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`.execute(db);
  await sql`CREATE INDEX users_role_is_active_idx ON users (role, is_active)`.execute(db);
  await sql`CREATE INDEX users_client_id_idx ON users (client_id)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // sessions (refresh-token families) and refresh_tokens
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE sessions (
      id              uuid         NOT NULL DEFAULT gen_random_uuid(),
      user_id         integer      NOT NULL,
      created_at      timestamptz  NOT NULL DEFAULT now(),
      expires_at      timestamptz  NOT NULL,
      last_used_at    timestamptz  NOT NULL DEFAULT now(),
      revoked_at      timestamptz,
      revoked_reason  text,
      ip              inet,
      user_agent      varchar(255),
      CONSTRAINT sessions_pkey PRIMARY KEY (id),
      CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT sessions_revoked_reason_check CHECK (revoked_reason IN (
        'logout', 'logout_all', 'reuse_detected', 'password_changed', 'password_reset',
        'user_deactivated', 'admin_revoked'))
    )
  `.execute(db);
  await sql`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`.execute(db);
  await sql`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`.execute(db);

  await sql`
    CREATE TABLE refresh_tokens (
      id          bigint       GENERATED ALWAYS AS IDENTITY,
      session_id  uuid         NOT NULL,
      token_hash  char(64)     NOT NULL,
      parent_id   bigint,
      created_at  timestamptz  NOT NULL DEFAULT now(),
      expires_at  timestamptz  NOT NULL,
      used_at     timestamptz,
      revoked_at  timestamptz,
      CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
      CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
      CONSTRAINT refresh_tokens_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES refresh_tokens (id) ON DELETE SET NULL,
      CONSTRAINT refresh_tokens_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
    )
  `.execute(db);
  await sql`CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id)`.execute(db);
  // Needed by ON DELETE SET NULL when the purge deletes tokens.
  await sql`CREATE INDEX refresh_tokens_parent_id_idx ON refresh_tokens (parent_id)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // contrats
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE contrats (
      id                           integer GENERATED ALWAYS AS IDENTITY,
      numero_contrat               varchar(50)   NOT NULL,
      nom_contrat                  varchar(255)  NOT NULL,
      description                  text,
      type_contrat                 text          NOT NULL,
      statut                       text          NOT NULL DEFAULT 'brouillon',
      date_signature               date,
      date_renouvellement          date,
      date_debut                   date          NOT NULL,
      date_fin                     date          NOT NULL,
      montant_annuel               numeric(12,2),
      devise                       char(3)       NOT NULL DEFAULT 'MAD',
      mode_facturation             text          NOT NULL DEFAULT 'mensuel',
      temps_reponse_urgence_h      integer,
      temps_reponse_normal_h       integer,
      nb_interventions_incluses    integer,
      heures_maintenance_incluses  integer,
      client_id                    integer       NOT NULL,
      is_active                    boolean       NOT NULL DEFAULT true,
      date_creation                timestamptz   NOT NULL DEFAULT now(),
      date_modification            timestamptz   NOT NULL DEFAULT now(),
      CONSTRAINT contrats_pkey PRIMARY KEY (id),
      CONSTRAINT contrats_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT,
      CONSTRAINT contrats_numero_contrat_key UNIQUE (numero_contrat),
      CONSTRAINT contrats_numero_contrat_not_blank CHECK (btrim(numero_contrat) <> ''),
      CONSTRAINT contrats_nom_contrat_not_blank CHECK (btrim(nom_contrat) <> ''),
      CONSTRAINT contrats_type_contrat_check CHECK (type_contrat IN (
        'maintenance_preventive', 'maintenance_corrective', 'maintenance_complete',
        'support_technique', 'contrat_cadre')),
      CONSTRAINT contrats_statut_check
        CHECK (statut IN ('brouillon', 'en_cours', 'expire', 'resilie', 'suspendu')),
      CONSTRAINT contrats_mode_facturation_check
        CHECK (mode_facturation IN ('mensuel', 'trimestriel', 'annuel')),
      CONSTRAINT contrats_dates_check CHECK (date_fin >= date_debut),
      CONSTRAINT contrats_montant_annuel_check CHECK (montant_annuel >= 0),
      CONSTRAINT contrats_devise_check CHECK (devise ~ '^[A-Z]{3}$'),
      CONSTRAINT contrats_temps_reponse_urgence_h_check CHECK (temps_reponse_urgence_h BETWEEN 1 AND 168),
      CONSTRAINT contrats_temps_reponse_normal_h_check CHECK (temps_reponse_normal_h BETWEEN 1 AND 720),
      CONSTRAINT contrats_nb_interventions_incluses_check CHECK (nb_interventions_incluses >= 0),
      CONSTRAINT contrats_heures_maintenance_incluses_check CHECK (heures_maintenance_incluses >= 0)
    )
  `.execute(db);
  await sql`CREATE INDEX contrats_client_id_idx ON contrats (client_id)`.execute(db);
  // contrats.expire job (en_cours with date_fin < today) and the date_fin_max filter.
  await sql`CREATE INDEX contrats_statut_date_fin_idx ON contrats (statut, date_fin)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // techniciens, competences, technicien_competence
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE techniciens (
      id                 integer GENERATED ALWAYS AS IDENTITY,
      user_id            integer      NOT NULL,
      equipe             varchar(100),
      disponibilite      text         NOT NULL DEFAULT 'disponible',
      niveau_technicien  text         NOT NULL DEFAULT 'intermediaire',
      numero_badge       varchar(20),
      zone_intervention  varchar(255),
      telephone_urgence  varchar(20),
      astreinte          boolean      NOT NULL DEFAULT false,
      is_active          boolean      NOT NULL DEFAULT true,
      created_at         timestamptz  NOT NULL DEFAULT now(),
      updated_at         timestamptz  NOT NULL DEFAULT now(),
      CONSTRAINT techniciens_pkey PRIMARY KEY (id),
      CONSTRAINT techniciens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT techniciens_user_id_key UNIQUE (user_id),
      CONSTRAINT techniciens_numero_badge_key UNIQUE (numero_badge),
      CONSTRAINT techniciens_disponibilite_check
        CHECK (disponibilite IN ('disponible', 'occupe', 'conge', 'formation', 'indisponible')),
      CONSTRAINT techniciens_niveau_technicien_check
        CHECK (niveau_technicien IN ('debutant', 'intermediaire', 'avance', 'expert'))
    )
  `.execute(db);
  await sql`CREATE INDEX techniciens_equipe_idx ON techniciens (equipe)`.execute(db);

  await sql`
    CREATE TABLE competences (
      id                       integer GENERATED ALWAYS AS IDENTITY,
      nom                      varchar(255) NOT NULL,
      domaine                  varchar(100) NOT NULL DEFAULT 'general',
      description              text,
      niveau_requis_minimum    text         NOT NULL DEFAULT 'intermediaire',
      necessite_certification  boolean      NOT NULL DEFAULT false,
      is_active                boolean      NOT NULL DEFAULT true,
      created_at               timestamptz  NOT NULL DEFAULT now(),
      updated_at               timestamptz  NOT NULL DEFAULT now(),
      CONSTRAINT competences_pkey PRIMARY KEY (id),
      CONSTRAINT competences_nom_not_blank CHECK (btrim(nom) <> ''),
      CONSTRAINT competences_niveau_requis_minimum_check
        CHECK (niveau_requis_minimum IN ('debutant', 'intermediaire', 'avance', 'expert'))
    )
  `.execute(db);
  await sql`CREATE UNIQUE INDEX competences_nom_lower_key ON competences (lower(nom))`.execute(db);

  await sql`
    CREATE TABLE technicien_competence (
      technicien_id     integer      NOT NULL,
      competence_id     integer      NOT NULL,
      niveau            text         NOT NULL DEFAULT 'intermediaire',
      date_acquisition  timestamptz  NOT NULL DEFAULT now(),
      date_validation   timestamptz,
      validee_par       varchar(255),
      CONSTRAINT technicien_competence_pkey PRIMARY KEY (technicien_id, competence_id),
      CONSTRAINT technicien_competence_technicien_id_fkey
        FOREIGN KEY (technicien_id) REFERENCES techniciens (id) ON DELETE CASCADE,
      CONSTRAINT technicien_competence_competence_id_fkey
        FOREIGN KEY (competence_id) REFERENCES competences (id) ON DELETE CASCADE,
      CONSTRAINT technicien_competence_niveau_check
        CHECK (niveau IN ('debutant', 'intermediaire', 'avance', 'expert'))
    )
  `.execute(db);
  // The PK covers technicien_id; this one serves the competence_id filter and the cascade.
  await sql`CREATE INDEX technicien_competence_competence_id_idx ON technicien_competence (competence_id)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // equipements
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE equipements (
      id                         integer GENERATED ALWAYS AS IDENTITY,
      nom                        varchar(255)  NOT NULL,
      type_equipement            varchar(100)  NOT NULL,
      numero_serie               varchar(100),
      code_interne               varchar(50),
      marque                     varchar(100),
      modele                     varchar(100),
      localisation               varchar(255)  NOT NULL,
      batiment                   varchar(100),
      etage                      varchar(20),
      zone                       varchar(100),
      statut                     text          NOT NULL DEFAULT 'operationnel',
      criticite                  text          NOT NULL DEFAULT 'standard',
      description                text,
      frequence_entretien_jours  integer,
      date_mise_en_service       timestamptz,
      date_fin_garantie          timestamptz,
      cout_acquisition           numeric(12,2),
      client_id                  integer,
      contrat_id                 integer,
      created_at                 timestamptz   NOT NULL DEFAULT now(),
      updated_at                 timestamptz   NOT NULL DEFAULT now(),
      CONSTRAINT equipements_pkey PRIMARY KEY (id),
      CONSTRAINT equipements_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT,
      CONSTRAINT equipements_contrat_id_fkey FOREIGN KEY (contrat_id) REFERENCES contrats (id) ON DELETE RESTRICT,
      CONSTRAINT equipements_numero_serie_key UNIQUE (numero_serie),
      CONSTRAINT equipements_code_interne_key UNIQUE (code_interne),
      CONSTRAINT equipements_nom_not_blank CHECK (btrim(nom) <> ''),
      CONSTRAINT equipements_type_equipement_not_blank CHECK (btrim(type_equipement) <> ''),
      CONSTRAINT equipements_localisation_not_blank CHECK (btrim(localisation) <> ''),
      CONSTRAINT equipements_statut_check
        CHECK (statut IN ('operationnel', 'maintenance', 'panne', 'retire')),
      CONSTRAINT equipements_criticite_check
        CHECK (criticite IN ('critique', 'important', 'standard', 'non_critique')),
      CONSTRAINT equipements_frequence_entretien_jours_check CHECK (frequence_entretien_jours BETWEEN 1 AND 3650),
      CONSTRAINT equipements_cout_acquisition_check CHECK (cout_acquisition >= 0),
      -- The contract must belong to client_id (checked by the API); MIF's own equipment has no contract.
      CONSTRAINT equipements_contrat_requires_client CHECK (contrat_id IS NULL OR client_id IS NOT NULL)
    )
  `.execute(db);
  await sql`CREATE UNIQUE INDEX equipements_nom_lower_key ON equipements (lower(nom))`.execute(db);
  await sql`CREATE INDEX equipements_localisation_idx ON equipements (localisation)`.execute(db);
  await sql`CREATE INDEX equipements_client_id_idx ON equipements (client_id)`.execute(db);
  await sql`CREATE INDEX equipements_contrat_id_idx ON equipements (contrat_id)`.execute(db);
  await sql`CREATE INDEX equipements_statut_idx ON equipements (statut)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // plannings (before interventions: interventions.planning_id references it)
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE plannings (
      id                    integer GENERATED ALWAYS AS IDENTITY,
      equipement_id         integer       NOT NULL,
      frequence             text          NOT NULL,
      date_reference        timestamptz,
      prochaine_date        timestamptz,
      derniere_date         timestamptz,
      statut                text          NOT NULL DEFAULT 'actif',
      commentaire           varchar(255),
      is_active             boolean       NOT NULL DEFAULT true,
      technicien_id         integer,
      priorite              text          NOT NULL DEFAULT 'normale',
      date_retard_notifiee  timestamptz,
      date_creation         timestamptz   NOT NULL DEFAULT now(),
      date_modification     timestamptz   NOT NULL DEFAULT now(),
      CONSTRAINT plannings_pkey PRIMARY KEY (id),
      CONSTRAINT plannings_equipement_id_fkey
        FOREIGN KEY (equipement_id) REFERENCES equipements (id) ON DELETE CASCADE,
      CONSTRAINT plannings_technicien_id_fkey
        FOREIGN KEY (technicien_id) REFERENCES techniciens (id) ON DELETE SET NULL,
      CONSTRAINT plannings_frequence_check CHECK (frequence IN (
        'journalier', 'hebdomadaire', 'mensuel', 'trimestriel', 'semestriel', 'annuel')),
      CONSTRAINT plannings_statut_check CHECK (statut IN ('actif', 'suspendu', 'termine', 'en_retard')),
      CONSTRAINT plannings_priorite_check
        CHECK (priorite IN ('urgente', 'haute', 'normale', 'basse', 'programmee'))
    )
  `.execute(db);
  await sql`CREATE INDEX plannings_equipement_id_idx ON plannings (equipement_id)`.execute(db);
  await sql`CREATE INDEX plannings_statut_prochaine_date_idx ON plannings (statut, prochaine_date)`.execute(db);
  await sql`CREATE INDEX plannings_technicien_id_idx ON plannings (technicien_id)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // interventions
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE interventions (
      id                        integer GENERATED ALWAYS AS IDENTITY,
      titre                     varchar(255)  NOT NULL,
      description               text,
      type_intervention         text          NOT NULL,
      statut                    text          NOT NULL DEFAULT 'ouverte',
      priorite                  text          NOT NULL DEFAULT 'normale',
      urgence                   boolean       NOT NULL DEFAULT false,
      date_creation             timestamptz   NOT NULL DEFAULT now(),
      date_limite               timestamptz,
      date_affectation          timestamptz,
      date_debut_travaux        timestamptz,
      date_fin_travaux          timestamptz,
      date_cloture              timestamptz,
      date_archivage            timestamptz,
      duree_estimee             integer,
      duree_reelle              integer,
      cout_estime               numeric(12,2),
      cout_reel                 numeric(12,2),
      rapport_intervention      text,
      travaux_realises          text,
      recommandations           text,
      equipement_id             integer       NOT NULL,
      technicien_id             integer,
      created_by_id             integer,
      client_id                 integer,
      contrat_id                integer,
      planning_id               integer,
      date_occurrence           timestamptz,
      date_notification_retard  timestamptz,
      updated_at                timestamptz   NOT NULL DEFAULT now(),
      CONSTRAINT interventions_pkey PRIMARY KEY (id),
      CONSTRAINT interventions_equipement_id_fkey
        FOREIGN KEY (equipement_id) REFERENCES equipements (id) ON DELETE RESTRICT,
      CONSTRAINT interventions_technicien_id_fkey
        FOREIGN KEY (technicien_id) REFERENCES techniciens (id) ON DELETE SET NULL,
      CONSTRAINT interventions_created_by_id_fkey
        FOREIGN KEY (created_by_id) REFERENCES users (id) ON DELETE SET NULL,
      CONSTRAINT interventions_client_id_fkey
        FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT,
      CONSTRAINT interventions_contrat_id_fkey
        FOREIGN KEY (contrat_id) REFERENCES contrats (id) ON DELETE RESTRICT,
      CONSTRAINT interventions_planning_id_fkey
        FOREIGN KEY (planning_id) REFERENCES plannings (id) ON DELETE SET NULL,
      -- Idempotent generation: one intervention per planning occurrence.
      CONSTRAINT interventions_planning_id_date_occurrence_key UNIQUE (planning_id, date_occurrence),
      CONSTRAINT interventions_titre_not_blank CHECK (btrim(titre) <> ''),
      CONSTRAINT interventions_type_intervention_check
        CHECK (type_intervention IN ('corrective', 'preventive', 'ameliorative', 'diagnostic')),
      CONSTRAINT interventions_statut_check CHECK (statut IN (
        'ouverte', 'affectee', 'en_cours', 'en_attente', 'cloturee', 'annulee', 'archivee')),
      CONSTRAINT interventions_priorite_check
        CHECK (priorite IN ('urgente', 'haute', 'normale', 'basse', 'programmee')),
      CONSTRAINT interventions_technicien_required_check
        CHECK (statut NOT IN ('affectee', 'en_cours', 'en_attente') OR technicien_id IS NOT NULL),
      CONSTRAINT interventions_duree_estimee_check CHECK (duree_estimee >= 0),
      CONSTRAINT interventions_duree_reelle_check CHECK (duree_reelle >= 0),
      CONSTRAINT interventions_cout_estime_check CHECK (cout_estime >= 0),
      CONSTRAINT interventions_cout_reel_check CHECK (cout_reel >= 0)
    )
  `.execute(db);
  await sql`CREATE INDEX interventions_statut_priorite_idx ON interventions (statut, priorite)`.execute(db);
  await sql`CREATE INDEX interventions_technicien_id_statut_idx ON interventions (technicien_id, statut)`.execute(db);
  await sql`CREATE INDEX interventions_equipement_id_idx ON interventions (equipement_id)`.execute(db);
  await sql`CREATE INDEX interventions_client_id_statut_idx ON interventions (client_id, statut)`.execute(db);
  await sql`CREATE INDEX interventions_date_creation_idx ON interventions (date_creation)`.execute(db);
  // Overdue detection (job and the en_retard filter): active interventions by deadline.
  await sql`
    CREATE INDEX interventions_date_limite_active_idx ON interventions (date_limite)
      WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')
  `.execute(db);
  // nb_interventions_utilisees (per contract, by date_creation) and the contrat_id filter / RESTRICT check.
  await sql`CREATE INDEX interventions_contrat_id_date_creation_idx ON interventions (contrat_id, date_creation)`.execute(db);
  await sql`CREATE INDEX interventions_created_by_id_idx ON interventions (created_by_id)`.execute(db);
  // planning_id is covered by interventions_planning_id_date_occurrence_key.

  // ---------------------------------------------------------------------------------------------
  // historiques_interventions (append-only)
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE historiques_interventions (
      id                bigint GENERATED ALWAYS AS IDENTITY,
      intervention_id   integer        NOT NULL,
      statut_precedent  text,
      statut            text           NOT NULL,
      remarque          varchar(1000),
      user_id           integer,
      horodatage        timestamptz    NOT NULL DEFAULT now(),
      CONSTRAINT historiques_interventions_pkey PRIMARY KEY (id),
      CONSTRAINT historiques_interventions_intervention_id_fkey
        FOREIGN KEY (intervention_id) REFERENCES interventions (id) ON DELETE CASCADE,
      CONSTRAINT historiques_interventions_user_id_fkey
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
      CONSTRAINT historiques_interventions_statut_precedent_check CHECK (statut_precedent IN (
        'ouverte', 'affectee', 'en_cours', 'en_attente', 'cloturee', 'annulee', 'archivee')),
      CONSTRAINT historiques_interventions_statut_check CHECK (statut IN (
        'ouverte', 'affectee', 'en_cours', 'en_attente', 'cloturee', 'annulee', 'archivee'))
    )
  `.execute(db);
  await sql`
    CREATE INDEX historiques_interventions_intervention_id_horodatage_idx
      ON historiques_interventions (intervention_id, horodatage, id)
  `.execute(db);
  await sql`CREATE INDEX historiques_interventions_user_id_idx ON historiques_interventions (user_id)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // notifications
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE notifications (
      id               integer GENERATED ALWAYS AS IDENTITY,
      type             text           NOT NULL,
      canal            text           NOT NULL,
      contenu          varchar(1000),
      date_envoi       timestamptz    NOT NULL DEFAULT now(),
      user_id          integer        NOT NULL,
      intervention_id  integer,
      planning_id      integer,
      lu               boolean        NOT NULL DEFAULT false,
      date_lecture     timestamptz,
      CONSTRAINT notifications_pkey PRIMARY KEY (id),
      CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT notifications_intervention_id_fkey
        FOREIGN KEY (intervention_id) REFERENCES interventions (id) ON DELETE CASCADE,
      CONSTRAINT notifications_planning_id_fkey
        FOREIGN KEY (planning_id) REFERENCES plannings (id) ON DELETE SET NULL,
      CONSTRAINT notifications_type_check
        CHECK (type IN ('affectation', 'cloture', 'rappel', 'retard', 'information')),
      CONSTRAINT notifications_canal_check CHECK (canal IN ('email', 'log', 'sms', 'push'))
    )
  `.execute(db);
  await sql`CREATE INDEX notifications_user_id_lu_date_envoi_idx ON notifications (user_id, lu, date_envoi DESC)`.execute(db);
  await sql`CREATE INDEX notifications_intervention_id_idx ON notifications (intervention_id)`.execute(db);
  await sql`CREATE INDEX notifications_planning_id_idx ON notifications (planning_id)`.execute(db);
  // Admin list, default sort -date_envoi.
  await sql`CREATE INDEX notifications_date_envoi_idx ON notifications (date_envoi DESC)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // documents
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE documents (
      id               integer GENERATED ALWAYS AS IDENTITY,
      intervention_id  integer       NOT NULL,
      nom_fichier      varchar(255)  NOT NULL,
      description      varchar(500),
      storage_key      uuid          NOT NULL,
      mime_type        varchar(100)  NOT NULL,
      taille_octets    bigint        NOT NULL,
      sha256           char(64)      NOT NULL,
      encryption       text          NOT NULL DEFAULT 'aes256gcm-stream-v1',
      key_id           varchar(32)   NOT NULL,
      wrapped_key      bytea,
      uploaded_by_id   integer,
      date_upload      timestamptz   NOT NULL DEFAULT now(),
      CONSTRAINT documents_pkey PRIMARY KEY (id),
      CONSTRAINT documents_intervention_id_fkey
        FOREIGN KEY (intervention_id) REFERENCES interventions (id) ON DELETE CASCADE,
      CONSTRAINT documents_uploaded_by_id_fkey
        FOREIGN KEY (uploaded_by_id) REFERENCES users (id) ON DELETE SET NULL,
      CONSTRAINT documents_storage_key_key UNIQUE (storage_key),
      CONSTRAINT documents_nom_fichier_not_blank CHECK (btrim(nom_fichier) <> ''),
      CONSTRAINT documents_taille_octets_check CHECK (taille_octets >= 0),
      CONSTRAINT documents_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      CONSTRAINT documents_encryption_check CHECK (encryption IN ('aes256gcm-stream-v1', 'fernet')),
      -- Only legacy Fernet files have no wrapped data key.
      CONSTRAINT documents_wrapped_key_check CHECK (encryption = 'fernet' OR wrapped_key IS NOT NULL)
    )
  `.execute(db);
  await sql`CREATE INDEX documents_intervention_id_date_upload_idx ON documents (intervention_id, date_upload)`.execute(db);
  await sql`CREATE INDEX documents_uploaded_by_id_idx ON documents (uploaded_by_id)`.execute(db);
  // Key rotation: documents still wrapped by a given master key.
  await sql`CREATE INDEX documents_key_id_idx ON documents (key_id)`.execute(db);

  // ---------------------------------------------------------------------------------------------
  // audit_events (append-only; only the retention purge deletes rows)
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE audit_events (
      id             bigint GENERATED ALWAYS AS IDENTITY,
      created_at     timestamptz   NOT NULL DEFAULT now(),
      event_type     varchar(64)   NOT NULL,
      outcome        text          NOT NULL,
      actor_user_id  integer,
      actor_role     text,
      ip             inet,
      user_agent     varchar(255),
      request_id     varchar(128),
      resource_type  varchar(50),
      resource_id    varchar(64),
      details        jsonb         NOT NULL DEFAULT '{}'::jsonb,
      CONSTRAINT audit_events_pkey PRIMARY KEY (id),
      CONSTRAINT audit_events_actor_user_id_fkey
        FOREIGN KEY (actor_user_id) REFERENCES users (id) ON DELETE SET NULL,
      CONSTRAINT audit_events_outcome_check CHECK (outcome IN ('success', 'failure', 'denied')),
      CONSTRAINT audit_events_details_object_check CHECK (jsonb_typeof(details) = 'object')
    )
  `.execute(db);
  await sql`CREATE INDEX audit_events_created_at_idx ON audit_events (created_at DESC)`.execute(db);
  // varchar_pattern_ops also serves the prefix filter (event_type LIKE 'auth.%') under any collation.
  await sql`
    CREATE INDEX audit_events_event_type_created_at_idx
      ON audit_events (event_type varchar_pattern_ops, created_at)
  `.execute(db);
  await sql`CREATE INDEX audit_events_actor_user_id_created_at_idx ON audit_events (actor_user_id, created_at)`.execute(db);
  await sql`
    CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, created_at)
  `.execute(db);

  // ---------------------------------------------------------------------------------------------
  // login_attempts, lockouts (brute-force protection)
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE login_attempts (
      id          bigint GENERATED ALWAYS AS IDENTITY,
      created_at  timestamptz   NOT NULL DEFAULT now(),
      identifier  varchar(255)  NOT NULL,
      user_id     integer,
      ip          inet,
      endpoint    text          NOT NULL,
      success     boolean       NOT NULL,
      reason      text,
      CONSTRAINT login_attempts_pkey PRIMARY KEY (id),
      CONSTRAINT login_attempts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
      CONSTRAINT login_attempts_endpoint_check
        CHECK (endpoint IN ('token', 'login', 'change_password', 'users_update')),
      CONSTRAINT login_attempts_reason_check
        CHECK (reason IN ('ok', 'bad_password', 'unknown_user', 'inactive', 'locked'))
    )
  `.execute(db);
  await sql`CREATE INDEX login_attempts_created_at_idx ON login_attempts (created_at)`.execute(db);

  await sql`
    CREATE TABLE lockouts (
      scope            text          NOT NULL,
      key              varchar(255)  NOT NULL,
      failures         integer       NOT NULL DEFAULT 0,
      last_failure_at  timestamptz,
      locked_until     timestamptz,
      updated_at       timestamptz   NOT NULL DEFAULT now(),
      CONSTRAINT lockouts_pkey PRIMARY KEY (scope, key),
      CONSTRAINT lockouts_scope_check CHECK (scope IN ('account', 'ip')),
      CONSTRAINT lockouts_failures_check CHECK (failures >= 0)
    )
  `.execute(db);

  // ---------------------------------------------------------------------------------------------
  // email_outbox
  // ---------------------------------------------------------------------------------------------
  await sql`
    CREATE TABLE email_outbox (
      id               bigint GENERATED ALWAYS AS IDENTITY,
      notification_id  integer,
      to_address       varchar(255)   NOT NULL,
      subject          varchar(255)   NOT NULL,
      body_text        text           NOT NULL,
      body_html        text           NOT NULL,
      status           text           NOT NULL DEFAULT 'pending',
      attempts         integer        NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz    NOT NULL DEFAULT now(),
      last_error       varchar(1000),
      created_at       timestamptz    NOT NULL DEFAULT now(),
      sent_at          timestamptz,
      CONSTRAINT email_outbox_pkey PRIMARY KEY (id),
      CONSTRAINT email_outbox_notification_id_fkey
        FOREIGN KEY (notification_id) REFERENCES notifications (id) ON DELETE SET NULL,
      CONSTRAINT email_outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      CONSTRAINT email_outbox_attempts_check CHECK (attempts >= 0)
    )
  `.execute(db);
  await sql`CREATE INDEX email_outbox_status_next_attempt_at_idx ON email_outbox (status, next_attempt_at)`.execute(db);
  // Needed by ON DELETE SET NULL when notifications are deleted (directly or by cascade).
  await sql`CREATE INDEX email_outbox_notification_id_idx ON email_outbox (notification_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...TABLES].reverse()) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
