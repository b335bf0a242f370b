import { sql, type Kysely, type RawBuilder } from 'kysely';
import { KpiFlag, type DayWindow, type KpiGrouping, type KpiParticipant, type KpiReport, type KpiVersion } from '../domain/kpi.js';
import type { Pod } from '../domain/identifiers.js';
import type { KpiGroupRow, KpiPodDay, KpiQuery, KpiScope, KpiStore } from '../services/ports/index.js';
import type { Database } from './schema.js';

/** Rows sent to the database per statement: arrays of this many values travel as one parameter each. */
const CHUNK = 100_000;

const FLAGS = Object.values(KpiFlag);

/** Memory for a day's computation (hash tables and sort of a million supply points), for its transaction only. */
const COMPUTE_WORK_MEM = '256MB';

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Monitoring in SQL, set-based: a file of reports stored by one statement (a few when it supersedes earlier ones)
 * whatever its number of rows; a day computed by one statement per range of supply points, writing its rows and its
 * totals; the figures by day and company read from the totals, those by supply point from the rows.
 */
export class SqlKpiStore implements KpiStore {
  /**
   * `sideBySide`: how many transactions a computation may run at once besides its own — on the database itself (not a
   * transaction) of a server, the pool's connections but one; 0 on the embedded database (one connection).
   */
  constructor(private readonly db: Kysely<Database>, private readonly sideBySide = 0) {}

  async insertReports(participant: KpiParticipant, reports: readonly KpiReport[], at: Date): Promise<Set<number>> {
    if (reports.length === 0) return new Set();
    const id = participant.id;
    // One submission of a participant at a time: the next one sees what this one stored (and supersedes it).
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`kpi_reports:${id}`}))`.execute(this.db);
    // The participant's supply points, joined as a set (one range of an index) rather than probed row by row.
    const theirs = participant.kind === 'retailer'
      ? sql`SELECT pod FROM supply_contracts WHERE retailer_id = ${id}::uuid`
      : sql`SELECT DISTINCT pod FROM associations WHERE asset_provider_id = ${id}::uuid AND status <> 'rejected'`;
    const rowsOf = (chunk: readonly KpiReport[], n: number) => sql`
      SELECT u.*, t.pod IS NOT NULL AS theirs FROM unnest(${chunk.map((_, i) => n * CHUNK + i)}::integer[], ${chunk.map((r) => r.pod)}::text[],
        ${chunk.map((r) => r.day)}::date[], ${chunk.map((r) => r.received)}::integer[],
        ${chunk.map((r) => (r.receivedByType ? JSON.stringify(r.receivedByType) : null))}::jsonb[]) AS u(idx, pod, day, received, by_type)
      LEFT JOIN (${theirs}) t ON t.pod = u.pod
    `;
    // Added in the index's order, so they go into one range of it, page after page. (Sorted bytewise, 3× faster
    // than by the database's collation; for POD codes, capitals and digits, the two orders are the same, and if they
    // were not the rows would only go in slower.)
    const add = (from: RawBuilder<unknown>, only: RawBuilder<unknown> = sql``) => sql`
      INSERT INTO kpi_reports (day, pod, participant_id, participant_kind, version, received, received_by_type, reported_at)
      SELECT s.day, s.pod, ${id}::uuid, ${participant.kind}, 1, s.received, s.by_type, ${at} FROM ${from} s
      WHERE s.theirs ${only} ORDER BY s.day, s.pod COLLATE "C"
    `;
    const days = [...new Set(reports.map((r) => r.day))];
    const reportedBefore = await sql<{ found: boolean }>`
      SELECT EXISTS (SELECT 1 FROM kpi_reports WHERE participant_id = ${id}::uuid AND day = ANY(${days}::date[])) AS found
    `.execute(this.db);

    if (!reportedBefore.rows[0]!.found) {
      // The first reports of these days: added straight from the arrays, one statement per chunk.
      const refused = new Set<number>();
      for (const [n, chunk] of chunks(reports).entries()) {
        const result = await sql<{ idx: number }>`
          WITH s AS MATERIALIZED (${rowsOf(chunk, n)}), added AS (${add(sql`s`)})
          SELECT idx FROM s WHERE NOT theirs
        `.execute(this.db);
        for (const row of result.rows) refused.add(row.idx);
      }
      return refused;
    }

    // Some supersede earlier reports: staged in a temporary table of the caller's transaction (its rows go at commit),
    // the superseded moved to the history and replaced, the others added.
    await sql`CREATE TEMP TABLE IF NOT EXISTS kpi_staged (idx integer, pod text, day date, received integer, by_type jsonb, theirs boolean) ON COMMIT DELETE ROWS`
      .execute(this.db);
    for (const [n, chunk] of chunks(reports).entries()) await sql`INSERT INTO kpi_staged ${rowsOf(chunk, n)}`.execute(this.db);
    await sql`ANALYZE kpi_staged`.execute(this.db);
    await sql`
      INSERT INTO kpi_report_history (day, pod, participant_id, participant_kind, version, received, received_by_type, reported_at, superseded_at)
      SELECT k.day, k.pod, k.participant_id, k.participant_kind, k.version, k.received, k.received_by_type, k.reported_at, ${at}
      FROM kpi_reports k JOIN kpi_staged s ON k.day = s.day AND k.participant_id = ${id}::uuid AND k.pod = s.pod
      WHERE s.theirs
    `.execute(this.db);
    // An update of the superseded, a plain insert of the new: ON CONFLICT's speculative insertion costs twice as much.
    await sql`
      UPDATE kpi_reports k SET version = k.version + 1, received = s.received, received_by_type = s.by_type, reported_at = ${at}
      FROM kpi_staged s WHERE k.day = s.day AND k.participant_id = ${id}::uuid AND k.pod = s.pod AND s.theirs
    `.execute(this.db);
    await add(sql`kpi_staged`, sql`AND NOT EXISTS (SELECT 1 FROM kpi_reports k WHERE k.day = s.day AND k.participant_id = ${id}::uuid AND k.pod = s.pod)`)
      .execute(this.db);
    const refused = await sql<{ idx: number }>`SELECT idx FROM kpi_staged WHERE NOT theirs`.execute(this.db);
    return new Set(refused.rows.map((r) => r.idx));
  }

  async reportHistory(pod: string, day: string, participantIds?: readonly string[]) {
    const only = participantIds && (participantIds.length ? participantIds : ['00000000-0000-0000-0000-000000000000']);
    // kpi_reports is keyed by day, participant, supply point: one probe per participant rather than the whole day.
    const participants = only ? sql<boolean>`participant_id IN (${sql.join(only)})`
      : sql<boolean>`participant_id IN (SELECT retailer_id FROM retailers UNION ALL SELECT asset_provider_id FROM asset_providers)`;
    const current = this.db.selectFrom('kpi_reports')
      .select(['participant_id', 'participant_kind', 'pod', sql<string>`day::text`.as('day'), 'version', 'received', 'received_by_type', 'reported_at',
        sql<Date | null>`NULL::timestamptz`.as('superseded_at')])
      .where('pod', '=', pod).where('day', '=', day).where(participants);
    const earlier = this.db.selectFrom('kpi_report_history')
      .select(['participant_id', 'participant_kind', 'pod', sql<string>`day::text`.as('day'), 'version', 'received', 'received_by_type', 'reported_at', 'superseded_at'])
      .where('pod', '=', pod).where('day', '=', day).$if(only !== undefined, (q) => q.where('participant_id', 'in', only!));
    const rows = await current.unionAll(earlier).orderBy('participant_id').orderBy('version', 'desc').execute();
    return rows.map((r) => ({
      participant: { kind: r.participant_kind, id: r.participant_id } as KpiParticipant, pod: r.pod as Pod, day: r.day, version: r.version,
      received: r.received, receivedByType: r.received_by_type, reportedAt: r.reported_at, supersededAt: r.superseded_at,
    }));
  }

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
    return (await this.db.selectFrom('meter_daily_counts').select('pod').where('day', '=', day).limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * The supply points in scope on a day: those expected (an association active the whole day on the meters' clock:
   * domain/kpi.ts, isExpectedDay), those a meter count or a report names. Missing a report or a meter count is
   * flagged on expected days only. The asset provider of an association active at some instant of the day answers for
   * it: frames received are its report (its DU), else the retailer's. One pass writes a row per supply point and the
   * day's totals per company and band.
   *
   * On a database server the supply points are split in `parts` ranges computed at once, each in its own
   * transaction (a statement that writes runs on one core): the day's version is readable once all are done, when
   * its run is recorded. Until then, and if one fails, readers see the other version if there is one (a version
   * computed again is unreadable meanwhile: the scheduled job asks `ifMissing`, so it never recomputes one that
   * another process has just recorded). One computation of a day's version at a time (an advisory lock held by the
   * transaction that records the run).
   */
  async compute(day: string, version: KpiVersion, window: DayWindow, target: number, at: Date,
    { parts = 1, ifMissing = false }: { parts?: number; ifMissing?: boolean } = {}): Promise<number> {
    return this.db.transaction().execute(async (run) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`kpi_compute:${day}:${version}`}))`.execute(run);
      if (ifMissing) {
        const recorded = await run.selectFrom('kpi_runs').select('pods').where('day', '=', day).where('version', '=', version).executeTakeFirst();
        if (recorded) return recorded.pods;
      }
      const width = Math.min(parts, this.sideBySide);
      const concurrent = width > 1;
      // A day's reports and counts arrive in bulk just before this: fresh statistics, or the planner takes a million
      // rows for a few and nests loops over them (minutes instead of seconds). Committed at once when the ranges'
      // transactions are to plan with them (statistics are transactional).
      await sql`ANALYZE kpi_reports, meter_daily_counts, supply_contracts`.execute(concurrent ? this.db : run);
      const ranges = concurrent ? await this.podRanges(width) : [undefined];
      if (ranges.length === 1) {
        await this.clear(run, day, version);
        await this.computeRange(run, day, version, window, target, undefined);
      } else {
        await this.db.transaction().execute((t) => this.clear(t, day, version));
        // Every range's transaction ended before the lock goes, even when one fails: no range of a failed attempt
        // commits under the next one.
        const outcomes = await Promise.allSettled(ranges.map((range) => this.db.transaction().execute((t) => this.computeRange(t, day, version, window, target, range))));
        const failed = outcomes.find((o) => o.status === 'rejected');
        if (failed) throw failed.reason;
      }
      const { pods } = await run.selectFrom('kpi_daily_totals').select(sql<string>`coalesce(sum(pod_days), 0)`.as('pods'))
        .where('day', '=', day).where('version', '=', version).executeTakeFirstOrThrow();
      await run.insertInto('kpi_runs').values({ day, version, computed_at: at, pods: Number(pods) })
        .onConflict((oc) => oc.columns(['day', 'version']).doUpdateSet({ computed_at: at, pods: Number(pods) })).execute();
      return Number(pods);
    });
  }

  /** The version's run, rows and totals removed. */
  private async clear(db: Kysely<Database>, day: string, version: KpiVersion): Promise<void> {
    await db.deleteFrom('kpi_runs').where('day', '=', day).where('version', '=', version).execute();
    await db.deleteFrom('kpi_daily').where('day', '=', day).where('version', '=', version).execute();
    await db.deleteFrom('kpi_daily_totals').where('day', '=', day).where('version', '=', version).execute();
  }

  /**
   * `parts` ranges of supply points of about the same size, cut at the statistics' histogram of the meters' counts
   * (fresh: the day's counts have just come); one range when there is no histogram (a few supply points).
   */
  async podRanges(parts: number): Promise<({ from: string | null; to: string | null } | undefined)[]> {
    const stats = await sql<{ bounds: string[] | null }>`
      SELECT histogram_bounds::text::text[] AS bounds FROM pg_stats
      WHERE schemaname = current_schema() AND tablename = 'meter_daily_counts' AND attname = 'pod'
    `.execute(this.db);
    const bounds = stats.rows[0]?.bounds;
    if (!bounds || bounds.length < parts * 2) return [undefined];
    const cuts = Array.from({ length: parts - 1 }, (_, i) => bounds[Math.round(((i + 1) * (bounds.length - 1)) / parts)]!);
    return Array.from({ length: parts }, (_, i) => ({ from: cuts[i - 1] ?? null, to: cuts[i] ?? null }));
  }

  /** One range of supply points (every one when `range` is undefined): their rows and totals, in one statement. */
  private async computeRange(db: Kysely<Database>, day: string, version: KpiVersion, window: DayWindow, target: number,
    range: { from: string | null; to: string | null } | undefined): Promise<void> {
    const within = (column: string) => sql`(${range?.from ?? null}::text IS NULL OR ${sql.ref(column)} >= ${range?.from ?? null})
      AND (${range?.to ?? null}::text IS NULL OR ${sql.ref(column)} < ${range?.to ?? null})`;
    // Hash tables of a million supply points, and the sort that writes them in the key's order (bytewise, as the
    // reports above), held in memory.
    await sql`SET LOCAL work_mem = '${sql.raw(COMPUTE_WORK_MEM)}'`.execute(db);
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
        SELECT pod, asset_provider_id, retailer_id, sent, received,
          expected AND received IS NULL AS missing_report, expected AND sent IS NULL AS missing_meter_count, received > sent AS inconsistent,
          sent > 0 AND received <= sent AND received < sent * ${target}::float8 AS below_target,
          CASE WHEN sent > 0 AND received <= sent THEN CASE WHEN received >= sent * 0.99 THEN 10 ELSE floor(received * 10 / sent) END END AS bucket
        FROM counted
      ),
      rows AS (
        INSERT INTO kpi_daily (day, version, pod, asset_provider_id, retailer_id, sent, received, flags)
        SELECT ${day}::date, ${version}::smallint, pod, asset_provider_id, retailer_id, sent, received,
          array_remove(ARRAY[
            CASE WHEN missing_report THEN 'missing_report' END, CASE WHEN missing_meter_count THEN 'missing_meter_count' END,
            CASE WHEN inconsistent THEN 'inconsistent' END, CASE WHEN below_target THEN 'below_target' END
          ], NULL)
        FROM flagged ORDER BY pod COLLATE "C"
      )
      INSERT INTO kpi_daily_totals (day, version, asset_provider_id, retailer_id, bucket, pod_days, sent, received,
        missing_report, missing_meter_count, inconsistent, below_target)
      SELECT ${day}::date, ${version}::smallint, asset_provider_id, retailer_id, bucket, count(*),
        coalesce(sum(sent) FILTER (WHERE sent IS NOT NULL AND received IS NOT NULL), 0),
        coalesce(sum(received) FILTER (WHERE sent IS NOT NULL AND received IS NOT NULL), 0),
        count(*) FILTER (WHERE missing_report), count(*) FILTER (WHERE missing_meter_count),
        count(*) FILTER (WHERE inconsistent), count(*) FILTER (WHERE below_target)
      FROM flagged GROUP BY asset_provider_id, retailer_id, bucket
    `.execute(db);
  }

  async runs(from: string, to: string) {
    const rows = await this.db.selectFrom('kpi_runs').select([sql<string>`day::text`.as('day'), 'version', 'computed_at', 'pods'])
      .where('day', '>=', from).where('day', '<=', to).orderBy('day').orderBy('version').execute();
    return rows.map((r) => ({ day: r.day, version: r.version as KpiVersion, computedAt: r.computed_at, pods: r.pods }));
  }

  async aggregate(query: KpiQuery, groupBy: KpiGrouping, limit: number): Promise<KpiGroupRow[]> {
    // Supply points: one per row by supply point; else the most the group had on one day of the period (a day's
    // totals are counts, not lists: which supply points they were, hence how many distinct over days, is not kept).
    const result = await sql<{ key: string | null; label: string | null; pods: string; pod_days: string; sent: string | null; received: string | null } & Record<string, string>>`
      ${chosen(query)}
      ${groupBy === 'pod' ? byPod(query) : fromTotals(query, groupBy)}
      ORDER BY 1 LIMIT ${limit}
    `.execute(this.db);
    return result.rows.map((r) => {
      const [sent, received] = [Number(r.sent ?? 0), Number(r.received ?? 0)];
      return {
        key: r.key ?? 'none', label: r.label ?? '', pods: Number(r.pods), podDays: Number(r.pod_days), sent, received,
        performance: sent > 0 ? received / sent : null,
        flags: Object.fromEntries(FLAGS.map((f) => [f, Number(r[f])])) as Record<KpiFlag, number>,
      };
    });
  }

  async distribution(query: KpiQuery) {
    const result = await sql<{ bucket: number; pod_days: string }>`
      ${chosen(query)}
      SELECT t.bucket, sum(t.pod_days) AS pod_days
      FROM kpi_daily_totals t JOIN chosen c ON c.day = t.day AND c.version = t.version
      WHERE t.bucket IS NOT NULL AND ${scopeCondition(query.scope, 't')}
      GROUP BY 1 ORDER BY 1
    `.execute(this.db);
    const counts = new Map(result.rows.map((r) => [r.bucket, Number(r.pod_days)]));
    return Array.from({ length: 11 }, (_, b) => ({
      bucket: b === 10 ? '99-100' : b === 9 ? '90-99' : `${b * 10}-${b * 10 + 10}`, podDays: counts.get(b) ?? 0,
    }));
  }

  async podDays(query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number }): Promise<KpiPodDay[]> {
    if (query.order === 'worst' && query.pod === undefined) {
      // Below the target is worse than anything else: when there are enough of those, the worst are among them
      // alone (a partial index holds them), not found by sorting every supply point of the period.
      const below = await this.podDaysWhere(query, sql`AND 'below_target' = ANY(d.flags)`);
      if (below.length === query.limit) return below;
    }
    return this.podDaysWhere(query, sql``);
  }

  private async podDaysWhere(query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number }, only: RawBuilder<unknown>): Promise<KpiPodDay[]> {
    const order = query.order === 'worst'
      ? sql`ORDER BY (d.sent IS NULL OR d.received IS NULL), d.received::float8 / nullif(d.sent, 0) ASC NULLS LAST, d.day DESC, d.pod`
      : sql`ORDER BY d.day DESC, d.version DESC`;
    // One supply point's days, every version computed (or the one asked for): a probe of kpi_daily's key per day
    // and version, not a scan of each day (≈ 45 ms a day at a million supply points).
    const rows = query.pod !== undefined
      ? sql`FROM kpi_runs r JOIN kpi_daily d ON d.day = r.day AND d.version = r.version AND d.pod = ${query.pod}
          WHERE r.day BETWEEN ${query.from}::date AND ${query.to}::date ${query.version === 'latest' ? sql`` : sql`AND r.version = ${query.version}`}`
      : days(query);
    const result = await sql<{ day: string; version: number; pod: string; asset_provider_id: string | null; retailer_id: string | null; sent: number | null; received: number | null; flags: string[] }>`
      ${chosen(query)}
      SELECT d.day::text AS day, d.version, d.pod, d.asset_provider_id, d.retailer_id, d.sent, d.received, d.flags
      ${rows} AND ${scopeCondition(query.scope, 'd')} ${only}
      ${order} LIMIT ${query.limit}
    `.execute(this.db);
    return result.rows.map((r) => ({
      day: r.day, version: r.version as KpiVersion, pod: r.pod, assetProviderId: r.asset_provider_id, retailerId: r.retailer_id,
      sent: r.sent, received: r.received, flags: r.flags as KpiFlag[],
    }));
  }
}

/** kpi_daily's rows summed per supply point. */
function byPod(query: KpiQuery): RawBuilder<unknown> {
  return sql`SELECT d.pod AS key, d.pod AS label, 1 AS pods, count(*) AS pod_days,
      sum(d.sent) FILTER (WHERE d.sent IS NOT NULL AND d.received IS NOT NULL) AS sent,
      sum(d.received) FILTER (WHERE d.sent IS NOT NULL AND d.received IS NOT NULL) AS received,
      ${sql.join(FLAGS.map((f) => sql`count(*) FILTER (WHERE ${f} = ANY(d.flags)) AS ${sql.ref(f)}`))}
    ${days(query)} AND ${scopeCondition(query.scope, 'd')} GROUP BY d.pod`;
}

/** The daily totals summed per group, day by day first (a group's supply points: its most on one day). */
function fromTotals(query: KpiQuery, groupBy: Exclude<KpiGrouping, 'pod'>): RawBuilder<unknown> {
  const [key, label, join] = GROUPS[groupBy];
  const sums = sql`sum(t.sent) AS sent, sum(t.received) AS received, ${sql.join(FLAGS.map((f) => sql`sum(t.${sql.ref(f)}) AS ${sql.ref(f)}`))}`;
  return sql`, by_day AS (
      SELECT ${key} AS key, ${label} AS label, t.day, sum(t.pod_days) AS pod_days, ${sums}
      FROM kpi_daily_totals t JOIN chosen c ON c.day = t.day AND c.version = t.version ${join}
      WHERE ${scopeCondition(query.scope, 't')} GROUP BY 1, 2, 3
    )
    SELECT t.key, t.label, max(t.pod_days) AS pods, sum(t.pod_days) AS pod_days, ${sums} FROM by_day t GROUP BY 1, 2`;
}

/** For the groupings read from kpi_daily_totals (t): the key, the label and the join that names it. */
const GROUPS: Record<Exclude<KpiGrouping, 'pod'>, [RawBuilder<unknown>, RawBuilder<unknown>, RawBuilder<unknown>]> = {
  day: [sql`t.day::text`, sql`t.day::text`, sql``],
  assetProvider: [sql`t.asset_provider_id::text`, sql`ap.name`, sql`LEFT JOIN asset_providers ap ON ap.asset_provider_id = t.asset_provider_id`],
  retailer: [sql`t.retailer_id::text`, sql`rt.name`, sql`LEFT JOIN retailers rt ON rt.retailer_id = t.retailer_id`],
  dayAndAssetProvider: [sql`t.day::text || '|' || coalesce(t.asset_provider_id::text, 'none')`, sql`ap.name`,
    sql`LEFT JOIN asset_providers ap ON ap.asset_provider_id = t.asset_provider_id`],
  dayAndRetailer: [sql`t.day::text || '|' || coalesce(t.retailer_id::text, 'none')`, sql`rt.name`, sql`LEFT JOIN retailers rt ON rt.retailer_id = t.retailer_id`],
};

/**
 * kpi_daily's rows of the chosen versions. One day's are read by their key, in the order of supply points, so a
 * page of a list by supply point reads that page, not the day.
 */
function days(query: KpiQuery): RawBuilder<unknown> {
  return query.from === query.to
    ? sql`FROM kpi_daily d WHERE d.day = ${query.from}::date AND d.version = (SELECT version FROM chosen)`
    : sql`FROM kpi_daily d JOIN chosen c ON c.day = d.day AND c.version = d.version WHERE true`;
}

/** The version of each day to read: the one asked for, or the latest computed. */
function chosen(query: KpiQuery): RawBuilder<unknown> {
  return sql`WITH chosen AS (
    SELECT day, max(version) AS version FROM kpi_runs
    WHERE day BETWEEN ${query.from}::date AND ${query.to}::date ${query.version === 'latest' ? sql`` : sql`AND version = ${query.version}`}
    GROUP BY day
  )`;
}

function scopeCondition(scope: KpiScope, table: 'd' | 't'): RawBuilder<unknown> {
  if ('assetProviderId' in scope) return sql`${sql.ref(`${table}.asset_provider_id`)} = ${scope.assetProviderId}::uuid`;
  if ('retailerId' in scope) return sql`${sql.ref(`${table}.retailer_id`)} = ${scope.retailerId}::uuid`;
  return sql`true`;
}
