import { sql, type Kysely } from 'kysely';

/** DSO operators (with their own API tokens) and the remote operations they run on meters over Chain 1. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE operators (
      operator_id uuid PRIMARY KEY,
      email text NOT NULL UNIQUE,
      full_name text NOT NULL,
      created_at timestamptz NOT NULL
    );

    -- A token belongs to a representative of an asset provider or to a DSO operator, never both.
    ALTER TABLE api_tokens ALTER COLUMN representative_id DROP NOT NULL;
    ALTER TABLE api_tokens ADD COLUMN operator_id uuid REFERENCES operators;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_one_holder CHECK ((representative_id IS NULL) <> (operator_id IS NULL));

    CREATE TABLE meter_operations (
      operation_id uuid PRIMARY KEY,
      operator_id uuid NOT NULL REFERENCES operators,
      pod text NOT NULL REFERENCES supply_points,
      kind text NOT NULL CHECK (kind IN ('connect', 'disconnect', 'set_available_power', 'set_tariff_calendar', 'read_registers')),
      -- The command's parameters (available power, calendar); never a secret.
      parameters jsonb,
      status text NOT NULL CHECK (status IN ('submitted', 'queued', 'completed', 'failed')),
      reason text,
      detail text,
      attempts integer,
      registers jsonb,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz
    );
    CREATE INDEX meter_operations_by_pod ON meter_operations (pod, operation_id DESC);
    CREATE INDEX meter_operations_open ON meter_operations (status, operation_id) WHERE completed_at IS NULL;
  `.execute(db);
}
