import { sql, type Kysely } from 'kysely';

/**
 * The collaborative monitoring platform (CHAIN2.md §5): retailers and their users, which retailer serves which
 * supply point, daily KPI reports of frames received by DUs (every version kept), frames sent counted by the meters,
 * and the computed performance per supply point and day, in two versions (provisional, final).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE retailers (
      retailer_id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      vat_number text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    );

    -- Which retailer serves which supply point (a supply contract); a supply point without one has no retailer.
    CREATE TABLE supply_contracts (
      pod text PRIMARY KEY REFERENCES supply_points,
      retailer_id uuid NOT NULL REFERENCES retailers
    );
    CREATE INDEX supply_contracts_by_retailer ON supply_contracts (retailer_id, pod);

    CREATE TABLE retailer_users (
      retailer_user_id uuid PRIMARY KEY,
      retailer_id uuid NOT NULL REFERENCES retailers,
      email text NOT NULL UNIQUE,
      full_name text NOT NULL,
      created_at timestamptz NOT NULL
    );

    -- Tokens and logins may now also belong to a retailer's user: still exactly one holder.
    ALTER TABLE api_tokens ADD COLUMN retailer_user_id uuid REFERENCES retailer_users;
    ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_one_holder;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_one_holder CHECK (num_nonnulls(representative_id, operator_id, retailer_user_id) = 1);
    ALTER TABLE credentials ADD COLUMN retailer_user_id uuid UNIQUE REFERENCES retailer_users;
    ALTER TABLE credentials DROP CONSTRAINT credentials_one_holder;
    ALTER TABLE credentials ADD CONSTRAINT credentials_one_holder CHECK (num_nonnulls(representative_id, operator_id, retailer_user_id) = 1);

    -- Frames received by DUs, per participant (asset provider or retailer), supply point and day of the meter's
    -- timestamps: the latest report here, the ones it superseded in kpi_report_history. One index, participant
    -- before supply point: a participant's file of a day goes into one range of it (in order, fast), and whether it
    -- has reported that day before is one probe.
    CREATE TABLE kpi_reports (
      day date NOT NULL,
      pod text NOT NULL,
      participant_id uuid NOT NULL,
      participant_kind text NOT NULL CHECK (participant_kind IN ('asset_provider', 'retailer')),
      version integer NOT NULL,
      received integer NOT NULL CHECK (received >= 0),
      received_by_type jsonb,
      reported_at timestamptz NOT NULL,
      PRIMARY KEY (day, participant_id, pod)
    );
    CREATE TABLE kpi_report_history (
      day date NOT NULL,
      pod text NOT NULL,
      participant_id uuid NOT NULL,
      participant_kind text NOT NULL,
      version integer NOT NULL,
      received integer NOT NULL,
      received_by_type jsonb,
      reported_at timestamptz NOT NULL,
      superseded_at timestamptz NOT NULL,
      PRIMARY KEY (day, pod, participant_id, version)
    );

    -- Frames sent, counted by each meter per day and collected by telemanagement (the latest collection wins).
    CREATE TABLE meter_daily_counts (
      day date NOT NULL,
      pod text NOT NULL,
      sent integer NOT NULL CHECK (sent >= 0),
      collected_at timestamptz NOT NULL,
      PRIMARY KEY (day, pod)
    );

    -- Performance per supply point and day: version 1 at the cut-off (the next morning), 2 a day later.
    CREATE TABLE kpi_daily (
      day date NOT NULL,
      version smallint NOT NULL CHECK (version IN (1, 2)),
      pod text NOT NULL,
      asset_provider_id uuid,
      retailer_id uuid,
      sent integer,
      received integer,
      flags text[] NOT NULL,
      PRIMARY KEY (day, version, pod)
    );
    -- No index by asset provider or retailer: the figures by company come from kpi_daily_totals; this table is read
    -- for one supply point's days, the worst ones, or the list by supply point. The worst are found among those below
    -- the target (about 1 %: a small index).
    CREATE INDEX kpi_daily_below_target ON kpi_daily (day, version) WHERE 'below_target' = ANY(flags);

    -- The same day summed as it is computed, per asset provider, retailer and performance band (bucket 0: 0–10 %,
    -- …, 9: 90–99 %, 10: ≥ 99 %; NULL: no ratio, a count missing, nothing sent or more received than sent): a few
    -- hundred rows a day from which every figure by day or company and the distribution are read (summed: a day
    -- computed in ranges of supply points has a row per range and group).
    CREATE TABLE kpi_daily_totals (
      day date NOT NULL,
      version smallint NOT NULL,
      asset_provider_id uuid,
      retailer_id uuid,
      bucket smallint CHECK (bucket BETWEEN 0 AND 10),
      pod_days integer NOT NULL,
      sent bigint NOT NULL,
      received bigint NOT NULL,
      missing_report integer NOT NULL,
      missing_meter_count integer NOT NULL,
      inconsistent integer NOT NULL,
      below_target integer NOT NULL
    );
    CREATE INDEX kpi_daily_totals_by_day ON kpi_daily_totals (day, version);

    CREATE TABLE kpi_runs (
      day date NOT NULL,
      version smallint NOT NULL,
      computed_at timestamptz NOT NULL,
      pods integer NOT NULL,
      PRIMARY KEY (day, version)
    );
  `.execute(db);
}
