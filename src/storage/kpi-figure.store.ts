import { sql, type Kysely, type RawBuilder } from 'kysely';
import { KpiFlag, type KpiGrouping, type KpiVersion } from '../domain/kpi.js';
import type { KpiFigureStore, KpiGroupRow, KpiPodDay, KpiQuery, KpiScope } from '../services/ports/index.js';
import type { Database } from './schema.js';

const FLAGS = Object.values(KpiFlag);

/**
 * The figures of computed days: by day and company, and the distribution, read from the daily totals (a few hundred
 * rows a day); by supply point, the worst and one supply point's days, from the rows.
 */
export class SqlKpiFigureStore implements KpiFigureStore {
  constructor(private readonly db: Kysely<Database>) {}

  async aggregate(query: KpiQuery, groupBy: KpiGrouping, limit: number): Promise<KpiGroupRow[]> {
    // Supply points: one per row by supply point; else the most the group had on one day of the period (a day's
    // totals are counts, not lists: which supply points they were, hence how many distinct over days, is not kept).
    const result = await sql<
      {
        key: string | null;
        label: string | null;
        pods: string;
        pod_days: string;
        sent: string | null;
        received: string | null;
      } & Record<string, string>
    >`
      ${chosen(query)}
      ${groupBy === 'pod' ? byPod(query) : fromTotals(query, groupBy)}
      ORDER BY 1 LIMIT ${limit}
    `.execute(this.db);
    return result.rows.map((r) => {
      const [sent, received] = [Number(r.sent ?? 0), Number(r.received ?? 0)];
      return {
        key: r.key ?? 'none',
        label: r.label ?? '',
        pods: Number(r.pods),
        podDays: Number(r.pod_days),
        sent,
        received,
        performance: sent > 0 ? received / sent : null,
        flags: Object.fromEntries(FLAGS.map((f) => [f, Number(r[f])])) as Record<KpiFlag, number>,
      };
    });
  }

  async distribution(query: KpiQuery): Promise<{ bucket: number; podDays: number }[]> {
    const result = await sql<{ bucket: number; pod_days: string }>`
      ${chosen(query)}
      SELECT t.bucket, sum(t.pod_days) AS pod_days
      FROM kpi_daily_totals t JOIN chosen c ON c.day = t.day AND c.version = t.version
      WHERE t.bucket IS NOT NULL AND ${scopeCondition(query.scope, 't')}
      GROUP BY 1 ORDER BY 1
    `.execute(this.db);
    return result.rows.map((r) => ({ bucket: r.bucket, podDays: Number(r.pod_days) }));
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

  private async podDaysWhere(
    query: KpiQuery & { pod?: string; order: 'worst' | 'day'; limit: number },
    only: RawBuilder<unknown>,
  ): Promise<KpiPodDay[]> {
    const order =
      query.order === 'worst'
        ? sql`ORDER BY (d.sent IS NULL OR d.received IS NULL), d.received::float8 / nullif(d.sent, 0) ASC NULLS LAST, d.day DESC, d.pod`
        : sql`ORDER BY d.day DESC, d.version DESC`;
    // One supply point's days, every version computed (or the one asked for): a probe of kpi_daily's key per day
    // and version, not a scan of each day (≈ 45 ms a day at a million supply points).
    const rows =
      query.pod !== undefined
        ? sql`FROM kpi_runs r JOIN kpi_daily d ON d.day = r.day AND d.version = r.version AND d.pod = ${query.pod}
          WHERE r.day BETWEEN ${query.from}::date AND ${query.to}::date ${query.version === 'latest' ? sql`` : sql`AND r.version = ${query.version}`}`
        : days(query);
    const result = await sql<{
      day: string;
      version: number;
      pod: string;
      asset_provider_id: string | null;
      retailer_id: string | null;
      sent: number | null;
      received: number | null;
      flags: string[];
    }>`
      ${chosen(query)}
      SELECT d.day::text AS day, d.version, d.pod, d.asset_provider_id, d.retailer_id, d.sent, d.received, d.flags
      ${rows} AND ${scopeCondition(query.scope, 'd')} ${only}
      ${order} LIMIT ${query.limit}
    `.execute(this.db);
    return result.rows.map((r) => ({
      day: r.day,
      version: r.version as KpiVersion,
      pod: r.pod,
      assetProviderId: r.asset_provider_id,
      retailerId: r.retailer_id,
      sent: r.sent,
      received: r.received,
      flags: r.flags as KpiFlag[],
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
  assetProvider: [
    sql`t.asset_provider_id::text`,
    sql`ap.name`,
    sql`LEFT JOIN asset_providers ap ON ap.asset_provider_id = t.asset_provider_id`,
  ],
  retailer: [sql`t.retailer_id::text`, sql`rt.name`, sql`LEFT JOIN retailers rt ON rt.retailer_id = t.retailer_id`],
  dayAndAssetProvider: [
    sql`t.day::text || '|' || coalesce(t.asset_provider_id::text, 'none')`,
    sql`ap.name`,
    sql`LEFT JOIN asset_providers ap ON ap.asset_provider_id = t.asset_provider_id`,
  ],
  dayAndRetailer: [
    sql`t.day::text || '|' || coalesce(t.retailer_id::text, 'none')`,
    sql`rt.name`,
    sql`LEFT JOIN retailers rt ON rt.retailer_id = t.retailer_id`,
  ],
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
