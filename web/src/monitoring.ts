import { api } from './api.ts';
import { allOf, KPI_FLAGS, type KpiFlag, type KpiGroupRow, type KpiPerformance, type KpiVersion } from './types.ts';

/**
 * The arithmetic the monitoring pages do in the browser: periods of calendar days, totals of the API's groups, and the
 * daily series per company for the DSO's charts. Days are 'YYYY-MM-DD' Europe/Rome calendar days of the platform's clock
 * (which, in the demo, runs ahead of the wall clock): the portal never reads today's date to choose a period.
 */

/** The longest period one query may span (the API refuses more). */
export const MAX_PERIOD_DAYS = 366;
/** How many days the default period covers, ending on the last day computed. */
export const DEFAULT_PERIOD_DAYS = 30;
export const VERSIONS = allOf<KpiVersion>()(['latest', 'provisional', 'final']);

export interface Period {
  from: string;
  to: string;
}

/**
 * `n` days after a 'YYYY-MM-DD' day (noon UTC: no daylight-saving surprise). The portal's one piece of calendar
 * arithmetic: periods are chosen here, the API computes everything else (its defaults, each day's figures).
 */
export function addDays(day: string, n: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** The number of days from `from` to `to`, both included. */
export function periodLength({ from, to }: Period): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000) + 1;
}

/** Every day from `from` to `to`, both included. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let day = period.from; day <= period.to && days.length <= MAX_PERIOD_DAYS; day = addDays(day, 1)) days.push(day);
  return days;
}

export const isVersion = (value: string | null): value is KpiVersion => VERSIONS.includes(value as KpiVersion);

/**
 * The default period: the 30 days up to the last day computed. The API's own default (the 30 days up to the
 * platform's yesterday) is asked first; when it holds no computed day, the year before it is searched.
 * Null `last` when no day has been computed at all.
 */
export async function defaultPeriod(signal: AbortSignal): Promise<Period & { last: string | null }> {
  const recent = await api.get<KpiPerformance>('/kpi/performance', { groupBy: 'day' }, { signal });
  let last = recent.rows.at(-1)?.key ?? null;
  if (!last) {
    const year = await api.get<KpiPerformance>(
      '/kpi/performance',
      { groupBy: 'day', from: addDays(recent.to, -(MAX_PERIOD_DAYS - 1)), to: recent.to },
      { signal },
    );
    last = year.rows.at(-1)?.key ?? null;
  }
  return last
    ? { from: addDays(last, -(DEFAULT_PERIOD_DAYS - 1)), to: last, last }
    : { from: recent.from, to: recent.to, last: null };
}

export interface Totals {
  podDays: number;
  sent: number;
  received: number;
  performance: number | null;
  flags: Record<KpiFlag, number>;
}

/**
 * The totals of groups that split the supply-point days without overlap (e.g. by retailer: each POD has one, or
 * 'none'). Supply points are counted once per group, so a POD that changed group within the period counts twice.
 */
export function totalsOf(rows: readonly KpiGroupRow[]): Totals {
  const flags = Object.fromEntries(KPI_FLAGS.map((f) => [f, 0])) as Record<KpiFlag, number>;
  let podDays = 0;
  let sent = 0;
  let received = 0;
  for (const row of rows) {
    podDays += row.podDays;
    sent += row.sent;
    received += row.received;
    for (const flag of KPI_FLAGS) flags[flag] += row.flags[flag] ?? 0;
  }
  return { podDays, sent, received, performance: sent > 0 ? received / sent : null, flags };
}

/** The name of each group's key ('none' has no name: the caller words it). */
export function namesOf(rows: readonly KpiGroupRow[] | undefined): Map<string, string> {
  return new Map((rows ?? []).filter((r) => r.key !== 'none' && r.label).map((r) => [r.key, r.label]));
}

/** The days of the period from the first to the last one computed (the chart's axis: no empty stretch before the data). */
export function chartDays(byDay: readonly KpiGroupRow[]): string[] {
  const first = byDay[0]?.key;
  const last = byDay.at(-1)?.key;
  return first && last ? daysOf({ from: first, to: last }) : [];
}

/** One line per company from rows grouped by day and company (keys `YYYY-MM-DD|<company id>`), as the API adds them. */
export function seriesOf(rows: readonly KpiGroupRow[], days: readonly string[]): Map<string, (number | null)[]> {
  const byCompany = new Map<string, Map<string, number | null>>();
  for (const row of rows) {
    const [day, company] = [row.key.slice(0, 10), row.key.slice(11)];
    let perDay = byCompany.get(company);
    if (!perDay) byCompany.set(company, (perDay = new Map()));
    perDay.set(day, row.performance);
  }
  return new Map([...byCompany].map(([company, perDay]) => [company, days.map((day) => perDay.get(day) ?? null)]));
}

/** The performance of each day of `days` from the API's rows grouped by day (null for a day without a ratio). */
export function dailyLine(byDay: readonly KpiGroupRow[], days: readonly string[]): (number | null)[] {
  const byKey = new Map(byDay.map((r) => [r.key, r.performance]));
  return days.map((day) => byKey.get(day) ?? null);
}
