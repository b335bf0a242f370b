import { sql, type Kysely } from 'kysely';

/**
 * Onboarding of asset providers (contract, certified DU models, consent, activation, suspension) with its audit log,
 * and portal logins: credentials (scrypt hashes), one-time activation links, sessions and the login slow-down.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Asset providers created before onboarding existed were already using the services: they stay active.
    ALTER TABLE asset_providers ADD COLUMN status text NOT NULL DEFAULT 'active'
      CHECK (status IN ('applied', 'contract_received', 'du_certified', 'consent_received', 'active', 'suspended'));
    ALTER TABLE asset_providers ALTER COLUMN status SET DEFAULT 'applied';
    ALTER TABLE asset_providers ADD COLUMN contract_pec_reference text;
    ALTER TABLE asset_providers ADD COLUMN contract_received_on date;
    ALTER TABLE asset_providers ADD COLUMN consent_signed_on date;
    ALTER TABLE asset_providers ADD COLUMN suspension_reason text;

    -- Integration tests of a DU model with the DSO's meter: the latest outcome per model decides certification.
    CREATE TABLE du_models (
      du_model_id uuid PRIMARY KEY,
      asset_provider_id uuid NOT NULL REFERENCES asset_providers,
      hardware_version text NOT NULL,
      software_version text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('passed', 'failed')),
      tested_on date NOT NULL,
      report_file_name text NOT NULL,
      report_content_type text NOT NULL,
      report bytea NOT NULL,
      recorded_by uuid REFERENCES operators,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX du_models_by_model ON du_models (asset_provider_id, hardware_version, software_version, du_model_id DESC);

    -- Who did what, when, in an asset provider's onboarding (never a secret in detail).
    CREATE TABLE onboarding_events (
      event_id uuid PRIMARY KEY,
      asset_provider_id uuid NOT NULL REFERENCES asset_providers,
      action text NOT NULL,
      detail jsonb,
      operator_id uuid REFERENCES operators,
      representative_id uuid REFERENCES representatives,
      at timestamptz NOT NULL
    );
    CREATE INDEX onboarding_events_by_provider ON onboarding_events (asset_provider_id, event_id);

    -- A portal login, of a representative or of an operator (exactly one): no password until the activation link
    -- is used; the link itself is stored only as a hash.
    CREATE TABLE credentials (
      email text PRIMARY KEY CHECK (email = lower(email)),
      representative_id uuid UNIQUE REFERENCES representatives,
      operator_id uuid UNIQUE REFERENCES operators,
      password_hash text,
      activation_hash bytea UNIQUE,
      activation_expires_at timestamptz,
      updated_at timestamptz NOT NULL,
      CONSTRAINT credentials_one_holder CHECK ((representative_id IS NULL) <> (operator_id IS NULL))
    );

    -- Sessions by the hash of their cookie's token; idle and absolute expiry checked on every use.
    CREATE TABLE sessions (
      session_hash bytea PRIMARY KEY,
      email text NOT NULL REFERENCES credentials ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX sessions_by_email ON sessions (email);

    -- Login attempts per key (an email, or an email from one address) in a window that starts at the first one:
    -- counted before the password is checked, so parallel guesses cannot slip past the limit.
    CREATE TABLE login_attempts (
      key text PRIMARY KEY,
      attempts integer NOT NULL,
      first_at timestamptz NOT NULL
    );
  `.execute(db);
}
