import { sql, type Kysely } from 'kysely';

/** The foundation: the DSO's network registry, participants, associations and their requests. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE concentrators (
      concentrator_id text PRIMARY KEY,
      substation text NOT NULL
    );

    CREATE TABLE supply_points (
      pod text PRIMARY KEY CHECK (pod ~ '^IT[0-9]{3}E[0-9]{8}[0-9A-Z]?$'),
      distributor_code char(3) NOT NULL,
      voltage_level text NOT NULL CHECK (voltage_level IN ('low', 'medium', 'high')),
      meter_generation smallint NOT NULL CHECK (meter_generation IN (1, 2)),
      installed_in_mass_plan boolean NOT NULL,
      meter_serial text NOT NULL,
      contract_power_w integer NOT NULL CHECK (contract_power_w > 0),
      concentrator_id text REFERENCES concentrators
    );

    CREATE TABLE asset_providers (
      asset_provider_id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      vat_number text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    );

    -- At most 3 representatives per asset provider (CHAIN2.md §3): three numbered seats, no fourth.
    CREATE TABLE representatives (
      representative_id uuid PRIMARY KEY,
      asset_provider_id uuid NOT NULL REFERENCES asset_providers,
      seat smallint NOT NULL CHECK (seat BETWEEN 1 AND 3),
      email text NOT NULL UNIQUE,
      full_name text NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (asset_provider_id, seat)
    );

    CREATE TABLE api_tokens (
      token_id uuid PRIMARY KEY,
      representative_id uuid NOT NULL REFERENCES representatives,
      token_hash bytea NOT NULL UNIQUE,
      label text NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz
    );

    CREATE TABLE associations (
      association_id uuid PRIMARY KEY,
      asset_provider_id uuid NOT NULL REFERENCES asset_providers,
      pod text NOT NULL REFERENCES supply_points,
      status text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'deleted')),
      channel text NOT NULL,
      du_name text NOT NULL,
      du_mac_address text NOT NULL CHECK (du_mac_address ~ '^DC[0-9A-F]{10}$'),
      du_key_sealed bytea NOT NULL,
      du_key_last4 char(4) NOT NULL,
      du_hardware_version text NOT NULL,
      du_software_version text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    -- One live association per POD and per DU: the database, not only the service, refuses the second.
    CREATE UNIQUE INDEX associations_live_pod ON associations (pod) WHERE status IN ('pending', 'active');
    CREATE UNIQUE INDEX associations_live_mac ON associations (du_mac_address) WHERE status IN ('pending', 'active');
    CREATE INDEX associations_by_owner ON associations (asset_provider_id, association_id DESC);

    CREATE TABLE requests (
      request_id uuid PRIMARY KEY,
      asset_provider_id uuid NOT NULL REFERENCES asset_providers,
      association_id uuid NOT NULL REFERENCES associations,
      representative_id uuid REFERENCES representatives,
      pod text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('create', 'modify', 'delete')),
      status text NOT NULL CHECK (status IN ('submitted', 'queued', 'taken_in_charge', 'completed', 'rejected', 'failed')),
      reason text,
      -- A modification's new DU fields; a new key only sealed, beside its last four digits.
      changes jsonb,
      changes_key_sealed bytea,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      closed_at timestamptz
    );
    CREATE INDEX requests_by_owner ON requests (asset_provider_id, request_id DESC);
    CREATE INDEX requests_by_association ON requests (association_id) WHERE closed_at IS NULL;
    CREATE INDEX requests_by_status ON requests (status, request_id) WHERE closed_at IS NULL;

    CREATE TABLE request_transitions (
      request_id uuid NOT NULL REFERENCES requests,
      seq integer NOT NULL,
      status text NOT NULL,
      reason text,
      at timestamptz NOT NULL,
      PRIMARY KEY (request_id, seq)
    );

    CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      fingerprint text NOT NULL,
      status_code smallint,
      body text,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    );
  `.execute(db);
}
