import { sql, type Kysely } from 'kysely';

/**
 * Chain 1 daily collection (issue #13): the day files exactly as the head-end delivered them (the raw landing of
 * what meters recorded, which the meter-data store of issue #14 builds on), the substations' own day files, and the
 * collection's bookkeeping per concentrator and day and per meter and day missing. Days are Europe/Rome calendar
 * days of the meters' clock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One row per supply point and day, written once (a day read twice is stored once: the first copy stays).
    -- Channels per quarter-hour (Wh, varh) and status bits as arrays of the day's 92, 96 or 100 intervals.
    CREATE TABLE meter_day_files (
      day date NOT NULL,
      pod text NOT NULL,
      concentrator_id text NOT NULL,
      meter_serial text NOT NULL,
      intervals smallint NOT NULL CHECK (intervals IN (92, 96, 100)),
      active_import_wh integer[] NOT NULL,
      active_export_wh integer[] NOT NULL,
      reactive_inductive_varh integer[] NOT NULL,
      reactive_capacitive_varh integer[] NOT NULL,
      status integer[] NOT NULL,
      registers_at_start jsonb NOT NULL,
      registers_at_end jsonb NOT NULL,
      events jsonb NOT NULL,
      chain2_frames_sent jsonb NOT NULL,
      collected_at timestamptz NOT NULL,
      PRIMARY KEY (day, pod)
    );

    CREATE TABLE substation_day_files (
      day date NOT NULL,
      concentrator_id text NOT NULL,
      intervals smallint NOT NULL CHECK (intervals IN (92, 96, 100)),
      active_wh integer[] NOT NULL,
      collected_at timestamptz NOT NULL,
      PRIMARY KEY (day, concentrator_id)
    );

    -- A concentrator's collection of a day: scheduled on run day run_day (the last day's run that asked for it),
    -- read attempts so far, link time summed (simulated s), and the meters still outstanding after the last read
    -- (NULL: not read yet), from which the next day's run knows what to ask again.
    CREATE TABLE collection_runs (
      day date NOT NULL,
      concentrator_id text NOT NULL,
      run_day date NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      first_attempt_at timestamptz,
      last_attempt_at timestamptz,
      link_seconds double precision NOT NULL DEFAULT 0,
      outstanding integer,
      PRIMARY KEY (day, concentrator_id)
    );
    CREATE INDEX collection_runs_outstanding ON collection_runs (day) WHERE outstanding IS NULL OR outstanding > 0;

    -- Meters a read did not bring back, with the head-end's reason (the last one). Kept when the day file comes
    -- later: a file with a row here came late.
    CREATE TABLE collection_missing (
      day date NOT NULL,
      pod text NOT NULL,
      concentrator_id text NOT NULL,
      reason text NOT NULL,
      first_missing_at timestamptz NOT NULL,
      last_missing_at timestamptz NOT NULL,
      PRIMARY KEY (day, pod)
    );

    -- Days whose meter counts changed after (or while) they were computed: the KPI job computes them again.
    CREATE TABLE kpi_stale_days (
      day date PRIMARY KEY,
      marked_at timestamptz NOT NULL
    );

    -- A concentrator's meters, for its daily read and the collection status.
    CREATE INDEX supply_points_by_concentrator ON supply_points (concentrator_id, pod) WHERE concentrator_id IS NOT NULL;
  `.execute(db);
}
