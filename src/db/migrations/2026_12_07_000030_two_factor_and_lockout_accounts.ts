/**
 * TOTP two-factor sign-in and the per-account memory of IP streaks (docs/security.md §3, §3a).
 *
 * - `lockouts.account_failures`: for an `ip` row, how many failures of the current streak each
 *   account key contributed, so that a success forgets only the failures on that same account.
 * - `login_attempts`: the second-factor step (`endpoint = 'mfa'`, reasons `bad_code`, `mfa_required`).
 * - `user_mfa`: one TOTP secret per user, AES-256-GCM encrypted (never in clear), confirmed or pending,
 *   and the last accepted time step (a code is accepted once).
 * - `mfa_recovery_codes`: 10 single-use codes per user, stored as keyed hashes.
 * - `mfa_challenges`: the short-lived "second factor required" step of a login, stored hashed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE lockouts ADD COLUMN account_failures jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
  await sql`ALTER TABLE lockouts ADD CONSTRAINT lockouts_account_failures_object_check CHECK (jsonb_typeof(account_failures) = 'object')`.execute(db);

  await sql`ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_endpoint_check`.execute(db);
  await sql`ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_endpoint_check
    CHECK (endpoint IN ('token', 'login', 'change_password', 'users_update', 'mfa', 'mfa_disable'))`.execute(db);
  await sql`ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_reason_check`.execute(db);
  await sql`ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_reason_check
    CHECK (reason IN ('ok', 'bad_password', 'unknown_user', 'inactive', 'locked', 'bad_code', 'mfa_required'))`.execute(db);

  await sql`
    CREATE TABLE user_mfa (
      user_id           integer       NOT NULL,
      secret_encrypted  text          NOT NULL,
      created_at        timestamptz   NOT NULL DEFAULT now(),
      confirmed_at      timestamptz,
      last_used_step    bigint,
      CONSTRAINT user_mfa_pkey PRIMARY KEY (user_id),
      CONSTRAINT user_mfa_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
    )
  `.execute(db);

  await sql`
    CREATE TABLE mfa_recovery_codes (
      id          bigint GENERATED ALWAYS AS IDENTITY,
      user_id     integer       NOT NULL,
      code_hash   char(64)      NOT NULL,
      created_at  timestamptz   NOT NULL DEFAULT now(),
      used_at     timestamptz,
      CONSTRAINT mfa_recovery_codes_pkey PRIMARY KEY (id),
      CONSTRAINT mfa_recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT mfa_recovery_codes_code_hash_key UNIQUE (user_id, code_hash)
    )
  `.execute(db);

  await sql`
    CREATE TABLE mfa_challenges (
      token_hash  char(64)      NOT NULL,
      user_id     integer       NOT NULL,
      endpoint    text          NOT NULL,
      created_at  timestamptz   NOT NULL,
      expires_at  timestamptz   NOT NULL,
      used_at     timestamptz,
      CONSTRAINT mfa_challenges_pkey PRIMARY KEY (token_hash),
      CONSTRAINT mfa_challenges_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT mfa_challenges_endpoint_check CHECK (endpoint IN ('token', 'login'))
    )
  `.execute(db);
  await sql`CREATE INDEX mfa_challenges_user_id_idx ON mfa_challenges (user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS mfa_challenges`.execute(db);
  await sql`DROP TABLE IF EXISTS mfa_recovery_codes`.execute(db);
  await sql`DROP TABLE IF EXISTS user_mfa`.execute(db);
  await sql`DELETE FROM login_attempts WHERE endpoint IN ('mfa', 'mfa_disable') OR reason IN ('bad_code', 'mfa_required')`.execute(db);
  await sql`ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_reason_check`.execute(db);
  await sql`ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_reason_check
    CHECK (reason IN ('ok', 'bad_password', 'unknown_user', 'inactive', 'locked'))`.execute(db);
  await sql`ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_endpoint_check`.execute(db);
  await sql`ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_endpoint_check
    CHECK (endpoint IN ('token', 'login', 'change_password', 'users_update'))`.execute(db);
  await sql`ALTER TABLE lockouts DROP COLUMN IF EXISTS account_failures`.execute(db);
}
