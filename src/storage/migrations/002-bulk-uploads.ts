import { sql, type Kysely } from 'kysely';

/** Bulk uploads with their per-row report, and the bulk quota (requests taken in charge in a rolling 24 h). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- NULL: the platform default (BULK_QUOTA_PER_24H).
    ALTER TABLE asset_providers ADD COLUMN bulk_quota_per_24h integer CHECK (bulk_quota_per_24h >= 0);

    CREATE TABLE bulk_uploads (
      bulk_upload_id uuid PRIMARY KEY,
      asset_provider_id uuid NOT NULL REFERENCES asset_providers,
      representative_id uuid REFERENCES representatives,
      file_name text,
      row_count integer NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX bulk_uploads_by_owner ON bulk_uploads (asset_provider_id, bulk_upload_id DESC);

    CREATE TABLE bulk_upload_rows (
      bulk_upload_id uuid NOT NULL REFERENCES bulk_uploads,
      line integer NOT NULL,
      pod text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('invalid', 'not_eligible', 'request')),
      issues jsonb,
      eligible boolean,
      eligibility_reasons text[],
      request_id uuid,
      PRIMARY KEY (bulk_upload_id, line)
    );

    ALTER TABLE requests ADD COLUMN bulk_upload_id uuid REFERENCES bulk_uploads;
    ALTER TABLE requests ADD COLUMN taken_in_charge_at timestamptz;
    CREATE INDEX requests_bulk_quota ON requests (asset_provider_id, taken_in_charge_at) WHERE bulk_upload_id IS NOT NULL;
  `.execute(db);
}
