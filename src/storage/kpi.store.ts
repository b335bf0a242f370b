import { sql, type Kysely, type RawBuilder } from 'kysely';
import { KpiFlag, type KpiGrouping, type KpiParticipant, type KpiReport, type KpiVersion } from '../domain/kpi.js';
import type { Pod } from '../domain/identifiers.js';
import type { KpiGroupRow, KpiPodDay, KpiQuery, KpiScope, KpiStore } from '../services/ports.js';
import type { Database } from './schema.js';

/** Rows sent to the database per statement: arrays of this many values travel as one parameter each. */
const CHUNK = 100_000;

const FLAGS = Object.values(KpiFlag);

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Monitoring in SQL, set-based: reports staged in a temporary table and stored with three statements whatever
 * their number; a day's performance computed by one INSERT … SELECT; aggregates by GROUP BY on the computed rows.
 */
export class SqlKpiStore implements KpiStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertReports(participant: KpiParticipant, reports: readonly KpiReport[], at: Date): Promise<Set<number>> {
    if (reports.length === 0) return new Set();
    // Staged in a temporary table of the caller's transaction (its rows go at commit), then moved set-based.
    await sql`CREATE TEMP TABLE IF NOT EXISTS kpi_staged (idx integer, pod text, day date, received integer, by_type jsonb) ON COMMIT DELETE ROWS`.execute(this.db);
    for (const [n, chunk] of chunks(reports).entries()) {
      await sql`
        INSERT INTO kpi_staged (idx, pod, day, received, by_type)
        SELECT * FROM unnest(${chunk.map((_, i) => n * CHUNK + i)}::integer[], ${chunk.map((r) => r.pod)}::text[], ${chunk.map((r) => r.day)}::date[],
          ${chunk.map((r) => r.received)}::integer[], ${chunk.map((r) => (r.receivedByType ? JSON.stringify(r.receivedByType) : null))}::jsonb[])
      `.execute(this.db);
    }
    await sql`ANALYZE kpi_staged`.execute(this.db);
    const theirs = participant.kind === 'retailer'
      ? sql`EXISTS (SELECT 1 FROM supply_contracts c WHERE c.pod = s.pod AND c.retailer_id = ${participant.id}::uuid)`
      : sql`EXISTS (SELECT 1 FROM associations a WHERE a.pod = s.pod AND a.asset_provider_id = ${participant.id}::uuid AND a.status <> 'rejected')`;
    // The reports these supersede go to the history; then the participant's current reports are replaced or added.
    await sql`
      INSERT INTO kpi_report_history (day, pod, participant_id, participant_kind, version, received, received_by_type, reported_at, superseded_at)
      SELECT k.day, k.pod, k.participant_id, k.participant_kind, k.version, k.received, k.received_by_type, k.reported_at, ${at}
      FROM kpi_reports k JOIN kpi_staged s ON k.day = s.day AND k.pod = s.pod
      WHERE k.participant_id = ${participant.id}::uuid AND ${theirs}
    `.execute(this.db);
    // An update of the superseded, a plain insert of the new: ON CONFLICT's speculative insertion costs twice as much.
    await sql`
      UPDATE kpi_reports k SET version = k.version + 1, received = s.received, received_by_type = s.by_type, reported_at = ${at}
      FROM kpi_staged s WHERE k.day = s.day AND k.pod = s.pod AND k.participant_id = ${participant.id}::uuid AND ${theirs}
    `.execute(this.db);
    await sql`
      INSERT INTO kpi_reports (day, pod, participant_id, participant_kind, version, received, received_by_type, reported_at)
      SELECT s.day, s.pod, ${participant.id}::uuid, ${participant.kind}, 1, s.received, s.by_type, ${at} FROM kpi_staged s
      WHERE ${theirs} AND NOT EXISTS (SELECT 1 FROM kpi_reports k WHERE k.day = s.day AND k.pod = s.pod AND k.participant_id = ${participant.id}::uuid)
    `.execute(this.db);
    const refused = await sql<{ idx: number }>`SELECT idx FROM kpi_staged s WHERE NOT ${theirs}`.execute(this.db);
    return new Set(refused.rows.map((r) => r.idx));
  }

  async reportHistory(pod: string, day: string, participantIds?: readonly string[]) {
    const only = participantIds && (participantIds.length ? participantIds : ['00000000-0000-0000-0000-000000000000']);
    const current = this.db.selectFrom('kpi_reports')
      .select(['participant_id', 'participant_kind', 'pod', sql<string>`day::text`.as('day'), 'version', 'received', 'received_by_type', 'reported_at',
        sql<Date | null>`NULL::timestamptz`.as('superseded_at')])
      .where('pod', '=', pod).where('day', '=', day).$if(only !== undefined, (q) => q.where('participant_id', 'in', only!));
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
   * The supply points in scope on a day: those whose association was active during it (still active, or deleted
   * after it began), those a meter count or a report names. Frames received: the asset provider's report (its DU),
   * else the retailer's.
   */
  async compute(day: string, version: KpiVersion, window: { start: Date; end: Date }, target: number, at: Date): Promise<number> {
    await this.db.deleteFrom('kpi_daily').where('day', '=', day).where('version', '=', version).execute();
    // A day's reports and counts arrive in bulk just before this: fresh statistics, or the planner takes a million
    // rows for a few and nests loops over them (minutes instead of seconds).
    await sql`ANALYZE kpi_reports, meter_daily_counts, supply_contracts`.execute(this.db);
    const inserted = await sql`
      INSERT INTO kpi_daily (day, version, pod, asset_provider_id, retailer_id, sent, received, flags)
      WITH owners AS (
        SELECT DISTINCT ON (pod) pod, asset_provider_id FROM associations
        WHERE status IN ('active', 'deleted') AND created_at < ${window.end} AND (status = 'active' OR updated_at >= ${window.start})
        ORDER BY pod, created_at DESC
      ),
      scope AS (
        SELECT pod FROM owners
        UNION SELECT pod FROM meter_daily_counts WHERE day = ${day}::date
        UNION SELECT pod FROM kpi_reports WHERE day = ${day}::date
      ),
      counted AS (
        SELECT s.pod, o.asset_provider_id, c.retailer_id, m.sent, coalesce(ra.received, rr.received) AS received
        FROM scope s
        LEFT JOIN owners o ON o.pod = s.pod
        LEFT JOIN supply_contracts c ON c.pod = s.pod
        LEFT JOIN meter_daily_counts m ON m.day = ${day}::date AND m.pod = s.pod
        LEFT JOIN kpi_reports ra ON ra.day = ${day}::date AND ra.pod = s.pod AND ra.participant_id = o.asset_provider_id
        LEFT JOIN kpi_reports rr ON rr.day = ${day}::date AND rr.pod = s.pod AND rr.participant_id = c.retailer_id
      )
      SELECT ${day}::date, ${version}::smallint, pod, asset_provider_id, retailer_id, sent, received,
        array_remove(ARRAY[
          CASE WHEN received IS NULL THEN 'missing_report' END,
          CASE WHEN sent IS NULL THEN 'missing_meter_count' END,
          CASE WHEN received > sent THEN 'inconsistent' END,
          CASE WHEN sent > 0 AND received <= sent AND received < sent * ${target}::float8 THEN 'below_target' END
        ], NULL)
      FROM counted
    `.execute(this.db);
    const pods = Number(inserted.numAffectedRows ?? 0n);
    await this.db.insertInto('kpi_runs').values({ day, version, computed_at: at, pods })
      .onConflict((oc) => oc.columns(['day', 'version']).doUpdateSet({ computed_at: at, pods })).execute();
    return pods;
  }

  async runs(from: string, to: string) {
    const rows = await this.db.selectFrom('kpi_runs').select([sql<string>`day::text`.as('day'), 'version', 'computed_at', 'pods'])
      .where('day', '>=', from).where('day', '<=', to).orderBy('day').orderBy('version').execute();
    return rows.map((r) => ({ day: r.day, version: r.version as KpiVersion, computedAt: r.computed_at, pods: r.pods }));
  }

  async aggregate(query: KpiQuery, groupBy: KpiGrouping, limit: number): Promise<KpiGroupRow[]> {
    const [key, label, join] = GROUPS[groupBy];
    const result = await sql<{ key: string | null; label: string | null; pods: string; pod_days: string; sent: string | null; received: string | null } & Record<string, string>>`
      ${chosen(query)}
      SELECT ${key} AS key, ${label} AS label, count(DISTINCT d.pod) AS pods, count(*) AS pod_days,
        sum(d.sent) FILTER (WHERE d.sent IS NOT NULL AND d.received IS NOT NULL) AS sent,
        sum(d.received) FILTER (WHERE d.sent IS NOT NULL AND d.received IS NOT NULL) AS received,
        ${sql.join(FLAGS.map((f) => sql`count(*) FILTER (WHERE ${f} = ANY(d.flags)) AS ${sql.ref(f)}`))}
      FROM kpi_daily d JOIN chosen c ON c.day = d.day AND c.version = d.version ${join}
      WHERE ${scopeCondition(query.scope)}
      GROUP BY 1, 2 ORDER BY 1 LIMIT ${limit}
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
      SELECT CASE WHEN d.received::float8 / d.sent >= 0.99 THEN 10 ELSE least(9, floor(d.received::float8 / d.sent * 10))::int END AS bucket,
        count(*) AS pod_days
      FROM kpi_daily d JOIN chosen c ON c.day = d.day AND c.version = d.version
      WHERE d.sent > 0 AND d.received IS NOT NULL AND d.received <= d.sent AND ${scopeCondition(query.scope)}
      GROUP BY 1 ORDER BY 1
    `.execute(this.db);
    const counts = new Map(result.rows.map((r) => [r.bucket, Number(r.pod_days)]));
    return Array.from({ length: 11 }, (_, b) => ({
      bucket: b === 10 ? '99-100' : b === 9 ? '90-99' : `${b * 10}-${b * 10 + 10}`, podDays: counts.get(b) ?? 0,
    }));
  }

  async podDays(query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number }): Promise<KpiPodDay[]> {
    const order = query.order === 'worst'
      ? sql`ORDER BY (d.sent IS NULL OR d.received IS NULL), d.received::float8 / nullif(d.sent, 0) ASC NULLS LAST, d.day DESC, d.pod`
      : sql`ORDER BY d.day DESC, d.version DESC`;
    const result = await sql<{ day: string; version: number; pod: string; asset_provider_id: string | null; retailer_id: string | null; sent: number | null; received: number | null; flags: string[] }>`
      ${chosen(query)}
      SELECT d.day::text AS day, d.version, d.pod, d.asset_provider_id, d.retailer_id, d.sent, d.received, d.flags
      FROM kpi_daily d JOIN chosen c ON c.day = d.day AND (c.version = d.version OR ${query.pod !== undefined && query.version === 'latest'})
      WHERE ${scopeCondition(query.scope)} ${query.pod ? sql`AND d.pod = ${query.pod}` : sql``}
      ${order} LIMIT ${query.limit}
    `.execute(this.db);
    return result.rows.map((r) => ({
      day: r.day, version: r.version as KpiVersion, pod: r.pod, assetProviderId: r.asset_provider_id, retailerId: r.retailer_id,
      sent: r.sent, received: r.received, flags: r.flags as KpiFlag[],
    }));
  }
}

const GROUPS: Record<KpiGrouping, [RawBuilder<unknown>, RawBuilder<unknown>, RawBuilder<unknown>]> = {
  day: [sql`d.day::text`, sql`d.day::text`, sql``],
  assetProvider: [sql`d.asset_provider_id::text`, sql`ap.name`, sql`LEFT JOIN asset_providers ap ON ap.asset_provider_id = d.asset_provider_id`],
  retailer: [sql`d.retailer_id::text`, sql`rt.name`, sql`LEFT JOIN retailers rt ON rt.retailer_id = d.retailer_id`],
  pod: [sql`d.pod`, sql`d.pod`, sql``],
  dayAndAssetProvider: [sql`d.day::text || '|' || coalesce(d.asset_provider_id::text, 'none')`, sql`ap.name`,
    sql`LEFT JOIN asset_providers ap ON ap.asset_provider_id = d.asset_provider_id`],
  dayAndRetailer: [sql`d.day::text || '|' || coalesce(d.retailer_id::text, 'none')`, sql`rt.name`, sql`LEFT JOIN retailers rt ON rt.retailer_id = d.retailer_id`],
};

/** The version of each day to read: the one asked for, or the latest computed. */
function chosen(query: KpiQuery): RawBuilder<unknown> {
  return sql`WITH chosen AS (
    SELECT day, max(version) AS version FROM kpi_runs
    WHERE day BETWEEN ${query.from}::date AND ${query.to}::date ${query.version === 'latest' ? sql`` : sql`AND version = ${query.version}`}
    GROUP BY day
  )`;
}

function scopeCondition(scope: KpiScope): RawBuilder<unknown> {
  if ('assetProviderId' in scope) return sql`d.asset_provider_id = ${scope.assetProviderId}::uuid`;
  if ('retailerId' in scope) return sql`d.retailer_id = ${scope.retailerId}::uuid`;
  return sql`true`;
}
