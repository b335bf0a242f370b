import { sql, type Kysely } from 'kysely';
import type { DayWindow, KpiRules, KpiVersion } from '../domain/kpi.js';
import type { KpiComputeStore, KpiRun, PodRange } from '../services/ports/index.js';
import { chunks } from './chunks.js';
import { bandSql, flagArraySql, flagColumnsSql } from './kpi-rules.sql.js';
import type { Database } from './schema.js';

/** Memory for a day's computation (hash tables and sort of a million supply points), for its transaction only. */
const COMPUTE_WORK_MEM = '256MB';

/**
 * A day computed set-based: one statement per range of supply points writes their rows and, from the same rows, the
 * day's totals per company and band. The pieces only: which transactions run them, at once or not, under which lock,
 * is the service's (KpiService.computeDay).
 */
export class SqlKpiComputeStore implements KpiComputeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async upsertMeterCounts(day: string, counts: readonly { pod: string; sent: number }[], at: Date): Promise<void> {
    for (const chunk of chunks(counts)) {
      await sql`
        INSERT INTO meter_daily_counts (day, pod, sent, collected_at)
        SELECT ${day}::date, pod, sent, ${at} FROM unnest(${chunk.map((c) => c.pod)}::text[], ${chunk.map((c) => c.sent)}::integer[]) AS c(pod, sent)
        ON CONFLICT (day, pod) DO UPDATE SET sent = excluded.sent, collected_at = excluded.collected_at
      `.execute(this.db);
    }
  }

  async hasMeterCounts(day: string): Promise<boolean> {
    return (
      (await this.db
        .selectFrom('meter_daily_counts')
        .select('pod')
        .where('day', '=', day)
        .limit(1)
        .executeTakeFirst()) !== undefined
    );
  }

  async staleDays(): Promise<string[]> {
    const { rows } = await sql<{ day: string }>`SELECT day::text AS day FROM kpi_stale_days ORDER BY day`.execute(
      this.db,
    );
    return rows.map((r) => r.day);
  }

  async clearStale(day: string): Promise<boolean> {
    const { rows } = await sql`DELETE FROM kpi_stale_days WHERE day = ${day}::date RETURNING day`.execute(this.db);
    return rows.length > 0;
  }

  async lockDay(day: string, version: KpiVersion): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`kpi_compute:${day}:${version}`}))`.execute(this.db);
  }

  async refreshStatistics(): Promise<void> {
    // Without them the planner takes a million fresh rows for a few and nests loops over them (minutes, not seconds).
    await sql`ANALYZE kpi_reports, meter_daily_counts, supply_contracts`.execute(this.db);
  }

  /**
   * Cut at the statistics' histogram of the meters' counts (fresh: the day's counts have just come); one range when
   * there is no histogram (a few supply points).
   */
  async podRanges(parts: number): Promise<PodRange[]> {
    const stats = await sql<{ bounds: string[] | null }>`
      SELECT histogram_bounds::text::text[] AS bounds FROM pg_stats
      WHERE schemaname = current_schema() AND tablename = 'meter_daily_counts' AND attname = 'pod'
    `.execute(this.db);
    const bounds = stats.rows[0]?.bounds;
    if (!bounds || bounds.length < parts * 2) return [{ from: null, to: null }];
    const cuts = Array.from(
      { length: parts - 1 },
      (_, i) => bounds[Math.round(((i + 1) * (bounds.length - 1)) / parts)]!,
    );
    return Array.from({ length: parts }, (_, i) => ({ from: cuts[i - 1] ?? null, to: cuts[i] ?? null }));
  }

  async clear(day: string, version: KpiVersion): Promise<void> {
    await this.db.deleteFrom('kpi_runs').where('day', '=', day).where('version', '=', version).execute();
    await this.db.deleteFrom('kpi_daily').where('day', '=', day).where('version', '=', version).execute();
    await this.db.deleteFrom('kpi_daily_totals').where('day', '=', day).where('version', '=', version).execute();
  }

  /**
   * The supply points in scope on a day: those expected (an association active the whole day on the meters' clock:
   * domain/kpi.ts, isExpectedDay), those a meter count or a report names. Missing a report or a meter count is
   * flagged on expected days only. The asset provider of an association active at some instant of the day answers for
   * it: frames received are its report (its DU), else the retailer's. Flags and bands by the rules table
   * (kpi-rules.sql.ts). One pass writes a row per supply point and the day's totals per company and band.
   */
  async computeRange(
    day: string,
    version: KpiVersion,
    window: DayWindow,
    rules: KpiRules,
    range: PodRange,
  ): Promise<void> {
    const within = (column: string) => sql`(${range.from}::text IS NULL OR ${sql.ref(column)} >= ${range.from})
      AND (${range.to}::text IS NULL OR ${sql.ref(column)} < ${range.to})`;
    const flags = rules.flags.map((f) => sql.ref(f.flag));
    // Hash tables of a million supply points, and the sort that writes them in the key's order (bytewise, as the
    // reports are), held in memory.
    await sql`SET LOCAL work_mem = '${sql.raw(COMPUTE_WORK_MEM)}'`.execute(this.db);
    await sql`
      WITH owners AS (
        -- The association active at some instant of the day (wasActiveDuring; the latest, if one ended and the next
        -- began), and whether the whole day (isExpectedDay). [active_from, active_until) on the meters' clock.
        SELECT DISTINCT ON (pod) pod, asset_provider_id,
          active_from <= ${window.start} AND (active_until IS NULL OR active_until >= ${window.end}) AS expected
        FROM associations
        WHERE active_from < ${window.end} AND (active_until IS NULL OR active_until > ${window.start}) AND ${within('pod')}
        ORDER BY pod, active_from DESC
      ),
      -- Every supply point once: those the meters counted (with their count), then those only a report or an
      -- expected day names (no count).
      scope AS (
        SELECT m.pod, m.sent FROM meter_daily_counts m WHERE m.day = ${day}::date AND ${within('m.pod')}
        UNION ALL
        SELECT DISTINCT x.pod, NULL::integer
        FROM (SELECT pod FROM kpi_reports WHERE day = ${day}::date AND ${within('pod')} UNION ALL SELECT pod FROM owners WHERE expected) x
        WHERE NOT EXISTS (SELECT 1 FROM meter_daily_counts m WHERE m.day = ${day}::date AND m.pod = x.pod)
      ),
      counted AS (
        SELECT s.pod, o.asset_provider_id, c.retailer_id, s.sent, coalesce(ra.received, rr.received) AS received,
          coalesce(o.expected, false) AS expected
        FROM scope s
        LEFT JOIN owners o ON o.pod = s.pod
        LEFT JOIN (SELECT pod, retailer_id FROM supply_contracts WHERE ${within('pod')}) c ON c.pod = s.pod
        LEFT JOIN kpi_reports ra ON ra.day = ${day}::date AND ${within('ra.pod')} AND ra.pod = s.pod AND ra.participant_id = o.asset_provider_id
        LEFT JOIN kpi_reports rr ON rr.day = ${day}::date AND ${within('rr.pod')} AND rr.pod = s.pod AND rr.participant_id = c.retailer_id
      ),
      flagged AS MATERIALIZED (
        SELECT pod, asset_provider_id, retailer_id, sent, received, ${flagColumnsSql(rules)}, ${bandSql(rules)} AS bucket
        FROM counted
      ),
      rows AS (
        INSERT INTO kpi_daily (day, version, pod, asset_provider_id, retailer_id, sent, received, flags)
        SELECT ${day}::date, ${version}::smallint, pod, asset_provider_id, retailer_id, sent, received, ${flagArraySql(rules)}
        FROM flagged ORDER BY pod COLLATE "C"
      )
      INSERT INTO kpi_daily_totals (day, version, asset_provider_id, retailer_id, bucket, pod_days, sent, received, ${sql.join(flags)})
      SELECT ${day}::date, ${version}::smallint, asset_provider_id, retailer_id, bucket, count(*),
        coalesce(sum(sent) FILTER (WHERE sent IS NOT NULL AND received IS NOT NULL), 0),
        coalesce(sum(received) FILTER (WHERE sent IS NOT NULL AND received IS NOT NULL), 0),
        ${sql.join(flags.map((flag) => sql`count(*) FILTER (WHERE ${flag})`))}
      FROM flagged GROUP BY asset_provider_id, retailer_id, bucket
    `.execute(this.db);
  }

  async recordRun(day: string, version: KpiVersion, at: Date): Promise<number> {
    const { pods } = await this.db
      .selectFrom('kpi_daily_totals')
      .select(sql<string>`coalesce(sum(pod_days), 0)`.as('pods'))
      .where('day', '=', day)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto('kpi_runs')
      .values({ day, version, computed_at: at, pods: Number(pods) })
      .onConflict((oc) => oc.columns(['day', 'version']).doUpdateSet({ computed_at: at, pods: Number(pods) }))
      .execute();
    return Number(pods);
  }

  async runs(from: string, to: string): Promise<KpiRun[]> {
    const rows = await this.db
      .selectFrom('kpi_runs')
      .select([sql<string>`day::text`.as('day'), 'version', 'computed_at', 'pods'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ day: r.day, version: r.version as KpiVersion, computedAt: r.computed_at, pods: r.pods }));
  }
}
