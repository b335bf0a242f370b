import { sql, type Kysely } from 'kysely';
import type { ConcentratorDayRead, MeterDayFile } from '../domain/day-file.js';
import type { Pod } from '../domain/identifiers.js';
import type { DayWindow } from '../domain/kpi.js';
import type { CollectionStore, ConcentratorCollection, ConcentratorDay } from '../services/ports/index.js';
import type { Database } from './schema.js';

/** Day files per statement: a concentrator's read (≈ 100) in one, each file ≈ 5 arrays of 96 values. */
const FILES_PER_STATEMENT = 1_000;

/** An integer array as PostgreSQL reads it from text: one parameter per column for many rows (unnest of text[]). */
const arrayLiteral = (values: readonly number[]) => `{${values.join(',')}}`;

/** The day files as collected, and the collection's bookkeeping, set-based (a statement per read, not per meter). */
export class SqlCollectionStore implements CollectionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async podsToCollect(concentratorId: string, day: string): Promise<Pod[]> {
    const { rows } = await sql<{ pod: Pod }>`
      SELECT sp.pod FROM supply_points sp
      WHERE sp.concentrator_id = ${concentratorId}
        AND NOT EXISTS (SELECT 1 FROM meter_day_files f WHERE f.day = ${day}::date AND f.pod = sp.pod)
      ORDER BY sp.pod
    `.execute(this.db);
    return rows.map((r) => r.pod);
  }

  async storeRead(
    read: ConcentratorDayRead,
    at: Date,
    window: DayWindow,
  ): Promise<{ stored: number; counted: number }> {
    const { concentratorId, day } = read;
    let stored = 0;
    let counted = 0;
    for (let i = 0; i < read.files.length; i += FILES_PER_STATEMENT) {
      const written = await this.storeFiles(day, read.files.slice(i, i + FILES_PER_STATEMENT), at, window);
      stored += written.stored;
      counted += written.counted;
    }
    if (counted > 0)
      await sql`
        INSERT INTO kpi_stale_days (day, marked_at) VALUES (${day}::date, ${at})
        ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at
      `.execute(this.db);
    if (read.substation)
      await sql`
        INSERT INTO substation_day_files (day, concentrator_id, intervals, active_wh, collected_at)
        VALUES (${day}::date, ${concentratorId}, ${read.substation.intervals}, ${read.substation.activeWh}::integer[], ${at})
        ON CONFLICT (day, concentrator_id) DO NOTHING
      `.execute(this.db);
    if (read.missing.length > 0)
      await sql`
        INSERT INTO collection_missing (day, pod, concentrator_id, reason, first_missing_at, last_missing_at)
        SELECT ${day}::date, m.pod, ${concentratorId}, m.reason, ${at}, ${at}
        FROM unnest(${read.missing.map((m) => m.pod)}::text[], ${read.missing.map((m) => m.reason)}::text[]) AS m(pod, reason)
        ON CONFLICT (day, pod) DO UPDATE SET reason = excluded.reason, last_missing_at = excluded.last_missing_at
      `.execute(this.db);
    // The concentrator's day, whether or not a scheduler run created it (a collection asked for directly).
    await sql`
      INSERT INTO collection_runs (day, concentrator_id, run_day, attempts, first_attempt_at, last_attempt_at, link_seconds, outstanding)
      VALUES (${day}::date, ${concentratorId}, (${at}::timestamptz AT TIME ZONE 'Europe/Rome')::date, 1, ${at}, ${at}, ${read.linkSeconds},
        (SELECT count(*) FROM supply_points sp WHERE sp.concentrator_id = ${concentratorId}
          AND NOT EXISTS (SELECT 1 FROM meter_day_files f WHERE f.day = ${day}::date AND f.pod = sp.pod)))
      ON CONFLICT (day, concentrator_id) DO UPDATE SET
        attempts = collection_runs.attempts + 1,
        first_attempt_at = coalesce(collection_runs.first_attempt_at, excluded.first_attempt_at),
        last_attempt_at = excluded.last_attempt_at,
        link_seconds = collection_runs.link_seconds + excluded.link_seconds,
        outstanding = excluded.outstanding
    `.execute(this.db);
    return { stored, counted };
  }

  /**
   * One statement: the files not stored yet are inserted, and the counts of those inserted (only: a file read again
   * adds nothing) go to the KPI meter counts when the supply point had Chain 2 that day.
   */
  private async storeFiles(
    day: string,
    files: readonly MeterDayFile[],
    at: Date,
    window: DayWindow,
  ): Promise<{ stored: number; counted: number }> {
    const column = <T>(value: (file: MeterDayFile) => T) => files.map(value);
    const { rows } = await sql<{ stored: string; counted: string }>`
      WITH incoming AS (
        SELECT * FROM unnest(
          ${column((f) => f.pod)}::text[], ${column((f) => f.concentratorId)}::text[], ${column((f) => f.meterSerial)}::text[],
          ${column((f) => f.intervals)}::smallint[],
          ${column((f) => arrayLiteral(f.channels.activeImportWh))}::text[],
          ${column((f) => arrayLiteral(f.channels.activeExportWh))}::text[],
          ${column((f) => arrayLiteral(f.channels.reactiveInductiveVarh))}::text[],
          ${column((f) => arrayLiteral(f.channels.reactiveCapacitiveVarh))}::text[],
          ${column((f) => arrayLiteral(f.status))}::text[],
          ${column((f) => JSON.stringify(f.registersAtStart))}::text[],
          ${column((f) => JSON.stringify(f.registersAtEnd))}::text[],
          ${column((f) => JSON.stringify(f.events))}::text[],
          ${column((f) => JSON.stringify(f.chain2FramesSent))}::text[]
        ) AS u(pod, concentrator_id, meter_serial, intervals, a_import, a_export, r_inductive, r_capacitive, status,
               registers_at_start, registers_at_end, events, frames)
      ),
      inserted AS (
        INSERT INTO meter_day_files (day, pod, concentrator_id, meter_serial, intervals, active_import_wh, active_export_wh,
          reactive_inductive_varh, reactive_capacitive_varh, status, registers_at_start, registers_at_end, events,
          chain2_frames_sent, collected_at)
        SELECT ${day}::date, pod, concentrator_id, meter_serial, intervals, a_import::integer[], a_export::integer[],
          r_inductive::integer[], r_capacitive::integer[], status::integer[], registers_at_start::jsonb,
          registers_at_end::jsonb, events::jsonb, frames::jsonb, ${at}
        FROM incoming
        ON CONFLICT (day, pod) DO NOTHING
        RETURNING pod, (chain2_frames_sent->>'total')::integer AS sent
      ),
      counted AS (
        INSERT INTO meter_daily_counts (day, pod, sent, collected_at)
        SELECT ${day}::date, i.pod, i.sent, ${at} FROM inserted i
        WHERE i.sent > 0 OR EXISTS (
          SELECT 1 FROM associations a WHERE a.pod = i.pod
            AND a.active_from < ${window.end} AND (a.active_until IS NULL OR a.active_until > ${window.start}))
        ON CONFLICT (day, pod) DO UPDATE SET sent = excluded.sent, collected_at = excluded.collected_at
        RETURNING pod
      )
      SELECT (SELECT count(*) FROM inserted) AS stored, (SELECT count(*) FROM counted) AS counted
    `.execute(this.db);
    return { stored: Number(rows[0]!.stored), counted: Number(rows[0]!.counted) };
  }

  async scheduleFirstRuns(days: readonly string[], runDay: string): Promise<ConcentratorDay[]> {
    const { rows } = await sql<ConcentratorDay>`
      INSERT INTO collection_runs (day, concentrator_id, run_day)
      SELECT d.day, c.concentrator_id, ${runDay}::date
      FROM unnest(${days}::date[]) AS d(day)
      CROSS JOIN (SELECT DISTINCT concentrator_id FROM supply_points WHERE concentrator_id IS NOT NULL) c
      ORDER BY d.day, c.concentrator_id
      ON CONFLICT (day, concentrator_id) DO NOTHING
      RETURNING concentrator_id AS "concentratorId", day::text AS day
    `.execute(this.db);
    return rows;
  }

  async scheduleLateRuns(from: string, to: string, runDay: string): Promise<ConcentratorDay[]> {
    // Rows a concurrent scheduler updates first are seen again once it commits, already on this run day: skipped.
    const { rows } = await sql<ConcentratorDay>`
      UPDATE collection_runs SET run_day = ${runDay}::date
      WHERE day BETWEEN ${from}::date AND ${to}::date AND run_day < ${runDay}::date
        AND (outstanding IS NULL OR outstanding > 0)
      RETURNING concentrator_id AS "concentratorId", day::text AS day
    `.execute(this.db);
    return rows;
  }

  async dayFile(pod: Pod, day: string): Promise<MeterDayFile | undefined> {
    const { rows } = await sql<MeterDayFile>`
      SELECT pod, meter_serial AS "meterSerial", concentrator_id AS "concentratorId", to_char(day, 'YYYY-MM-DD') AS day,
        intervals, json_build_object('activeImportWh', active_import_wh, 'activeExportWh', active_export_wh,
          'reactiveInductiveVarh', reactive_inductive_varh, 'reactiveCapacitiveVarh', reactive_capacitive_varh) AS channels,
        status, registers_at_start AS "registersAtStart", registers_at_end AS "registersAtEnd", events,
        chain2_frames_sent AS "chain2FramesSent"
      FROM meter_day_files WHERE day = ${day}::date AND pod = ${pod}
    `.execute(this.db);
    return rows[0];
  }

  async status(day: string): Promise<ConcentratorCollection[]> {
    const { rows } = await sql<{
      concentratorId: string;
      meters: string;
      collected: string;
      late: string;
      lastAttemptAt: Date | null;
      linkSeconds: number | null;
    }>`
      WITH meters AS (
        SELECT sp.concentrator_id, count(*) AS meters, count(f.pod) AS collected, count(m.pod) FILTER (WHERE f.pod IS NOT NULL) AS late
        FROM supply_points sp
        LEFT JOIN meter_day_files f ON f.day = ${day}::date AND f.pod = sp.pod
        LEFT JOIN collection_missing m ON m.day = ${day}::date AND m.pod = sp.pod
        WHERE sp.concentrator_id IS NOT NULL
        GROUP BY sp.concentrator_id
      ),
      runs AS (SELECT concentrator_id, last_attempt_at, link_seconds FROM collection_runs WHERE day = ${day}::date)
      SELECT coalesce(m.concentrator_id, r.concentrator_id) AS "concentratorId", coalesce(m.meters, 0) AS meters,
        coalesce(m.collected, 0) AS collected, coalesce(m.late, 0) AS late,
        r.last_attempt_at AS "lastAttemptAt", r.link_seconds AS "linkSeconds"
      FROM meters m FULL JOIN runs r ON r.concentrator_id = m.concentrator_id
    `.execute(this.db);
    return rows.map((r) => {
      const [meters, collected] = [Number(r.meters), Number(r.collected)];
      return {
        concentratorId: r.concentratorId,
        meters,
        collected,
        late: Number(r.late),
        missing: meters - collected,
        lastAttemptAt: r.lastAttemptAt,
        linkSeconds: r.linkSeconds ?? 0,
      };
    });
  }
}
