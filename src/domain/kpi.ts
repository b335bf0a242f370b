import type { FieldIssue } from './errors.js';
import { parsePod, type Parsed, type Pod } from './identifiers.js';
import { romeLocalParts, romeMidnightMs } from './tariff-bands.js';

/**
 * The collaborative monitoring of Chain 2 (CHAIN2.md §5): each day, participants report how many frames their DUs
 * received per supply point, telemanagement collects how many each meter sent, and performance = received ÷ sent.
 * Days are Europe/Rome calendar days of the meter's own timestamps.
 */
export const KpiFlag = {
  /** An expected day (isExpectedDay) without a report of frames received (neither the asset provider's nor the retailer's). */
  missingReport: 'missing_report',
  /** An expected day (isExpectedDay) without a count of frames sent collected from the meter. */
  missingMeterCount: 'missing_meter_count',
  /** More frames received than sent: a counting error somewhere. */
  inconsistent: 'inconsistent',
  /** Received ÷ sent below the target. */
  belowTarget: 'below_target',
} as const;
export type KpiFlag = (typeof KpiFlag)[keyof typeof KpiFlag];
// Each flag's condition, and the performance bands, are data: KPI_FLAG_RULES and PERFORMANCE_BANDS below.

/** The frame types a report may break its count down by (CHAIN2.md §4). */
export const REPORTED_FRAME_TYPES = ['CF1', 'CF5', 'CF9', 'CF10', 'CF20', 'CF21', 'CF22', 'CF23', 'CF51'] as const;
export type ReportedFrameType = (typeof REPORTED_FRAME_TYPES)[number];

/** Two versions of each day: at the cut-off (the next morning), and a day later once late frames and reports are in. */
export const KpiVersion = { provisional: 1, final: 2 } as const;
export type KpiVersion = (typeof KpiVersion)[keyof typeof KpiVersion];

/** `dayAndAssetProvider` / `dayAndRetailer`: one row per day and company, keyed `YYYY-MM-DD|<id>` (the lines of a chart). */
export const KPI_GROUPINGS = [
  'day',
  'assetProvider',
  'retailer',
  'pod',
  'dayAndAssetProvider',
  'dayAndRetailer',
] as const;
export type KpiGrouping = (typeof KPI_GROUPINGS)[number];

/** Who reports: an asset provider (for supply points with its associations) or a retailer (for those it serves). */
export type KpiParticipant = { kind: 'asset_provider'; id: string } | { kind: 'retailer'; id: string };
export const KpiParticipantKind = { assetProvider: 'asset_provider', retailer: 'retailer' } as const satisfies Record<
  string,
  KpiParticipant['kind']
>;

export interface KpiReport {
  pod: Pod;
  day: string;
  received: number;
  receivedByType: Partial<Record<ReportedFrameType, number>> | null;
}

/** received ÷ sent, or null when either is missing or nothing was sent (no ratio to speak of). */
export function performanceOf(sent: number | null, received: number | null): number | null {
  return sent === null || received === null || sent === 0 ? null : received / sent;
}

/** The two counts of a supply-point day: frames the meter sent (its meter count), frames the DU received (the report). */
export type KpiCount = 'sent' | 'received';

/** Where a rule compares received with sent: a fraction of the frames sent (0–1), or the target (KPI_TARGET). */
export type KpiEdge = number | 'target';

/**
 * One condition of a rule; a rule holds when every one of its conditions does. A comparison of counts does not hold
 * when either count is missing (SQL's NULL). Received is compared with sent × edge, never divided by it: exact, and
 * defined when nothing was sent.
 */
export type KpiCondition =
  /** The day is expected (isExpectedDay). */
  | { kind: 'expected' }
  /** The count is missing. */
  | { kind: 'missing'; count: KpiCount }
  /** The meter sent frames (sent > 0). */
  | { kind: 'someSent' }
  /** received `op` sent × edge. */
  | { kind: 'received'; op: KpiComparison; edge: KpiEdge };
export type KpiComparison = '<' | '<=' | '>' | '>=';

/** Received ÷ sent is a performance that falls in a band: frames sent, and no more received than sent. */
const HAS_PERFORMANCE = [
  { kind: 'someSent' },
  { kind: 'received', op: '<=', edge: 1 },
] as const satisfies readonly KpiCondition[];

/** The flags of a supply-point day, each with the conditions that raise it (in KpiFlag's order). */
export const KPI_FLAG_RULES = {
  [KpiFlag.missingReport]: [{ kind: 'expected' }, { kind: 'missing', count: 'received' }],
  [KpiFlag.missingMeterCount]: [{ kind: 'expected' }, { kind: 'missing', count: 'sent' }],
  [KpiFlag.inconsistent]: [{ kind: 'received', op: '>', edge: 1 }],
  [KpiFlag.belowTarget]: [...HAS_PERFORMANCE, { kind: 'received', op: '<', edge: 'target' }],
} as const satisfies Record<KpiFlag, readonly KpiCondition[]>;

/**
 * The performance bands of the distribution. A day with a performance (`when`) is in the highest band whose lower
 * edge it reaches (received ≥ sent × from); `bucket` is the band's number in kpi_daily_totals. Tenths up to the
 * target, then the target and above: with the default 99 %, 0–10 %, …, 90–99 %, 99–100 %; with 95 %, …, 90–95 %,
 * 95–100 %; a tenth that would start at or above the target is left out (85 %: …, 80–85 %, 85–100 %).
 */
export const PERFORMANCE_BANDS = {
  when: HAS_PERFORMANCE,
  bands: [
    { bucket: 0, from: 0 },
    { bucket: 1, from: 0.1 },
    { bucket: 2, from: 0.2 },
    { bucket: 3, from: 0.3 },
    { bucket: 4, from: 0.4 },
    { bucket: 5, from: 0.5 },
    { bucket: 6, from: 0.6 },
    { bucket: 7, from: 0.7 },
    { bucket: 8, from: 0.8 },
    { bucket: 9, from: 0.9 },
    { bucket: 10, from: 'target' },
  ],
} as const satisfies { when: readonly KpiCondition[]; bands: readonly { bucket: number; from: KpiEdge }[] };

/** An exact fraction: an edge as the decimal it is written as (0.99 = 99/100), so that rules compare in integers. */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

/** A condition with its edge, if any, resolved to an exact fraction. */
export type ResolvedCondition =
  Exclude<KpiCondition, { kind: 'received' }> | { kind: 'received'; op: KpiComparison; edge: Fraction };

export interface PerformanceBand {
  bucket: number;
  /** received ≥ sent × from, and below sent × to (the top band: up to sent, included). */
  from: Fraction;
  to: Fraction;
  /** Its edges in percent, as the API names it: '90-99', '99-100', '99.5-100'. */
  name: string;
}

/** The rules of a supply-point day under one target: what the SQL is built from and `classifyPodDay` evaluates. */
export interface KpiRules {
  target: number;
  flags: readonly { flag: KpiFlag; conditions: readonly ResolvedCondition[] }[];
  /** When a day has a band. */
  banded: readonly ResolvedCondition[];
  /** In ascending order, without the bands no day can fall in under this target. */
  bands: readonly PerformanceBand[];
}

/** The decimal a number is written as, exactly (a shortest round trip: 0.99 is 99/100, not the binary double). */
export function exactFraction(value: number): Fraction {
  if (!Number.isFinite(value) || value < 0) throw new Error(`Not a fraction ≥ 0: ${value}`);
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  const [whole = '0', decimals = ''] = mantissa.split('.');
  const places = decimals.length - Number(exponent);
  const digits = BigInt(whole + decimals);
  return places >= 0
    ? { numerator: digits, denominator: 10n ** BigInt(places) }
    : { numerator: digits * 10n ** BigInt(-places), denominator: 1n };
}

/** a − b's sign, exactly. */
function compareFractions(a: Fraction, b: Fraction): number {
  const [left, right] = [a.numerator * b.denominator, b.numerator * a.denominator];
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A fraction in percent as the API writes it: 99/100 → '99', 995/1000 → '99.5'. */
function percentText({ numerator, denominator }: Fraction): string {
  const hundredths = numerator * 100n;
  const whole = (hundredths / denominator).toString();
  const rest = hundredths % denominator;
  if (rest === 0n) return whole;
  // Denominators are powers of ten: the rest's digits, to as many places as the denominator has zeros.
  const places = denominator.toString().length - 1;
  return `${whole}.${rest.toString().padStart(places, '0').replace(/0+$/, '')}`;
}

/** The rules table under a target (0–1): edges resolved, the bands no day can fall in left out. */
export function kpiRules(target: number): KpiRules {
  if (!(target >= 0 && target <= 1)) throw new Error(`A target is a fraction from 0 to 1, not ${target}`);
  const targetEdge = exactFraction(target);
  const edge = (value: KpiEdge) => (value === 'target' ? targetEdge : exactFraction(value));
  const resolve = (conditions: readonly KpiCondition[]): ResolvedCondition[] =>
    conditions.map((c) => (c.kind === 'received' ? { ...c, edge: edge(c.edge) } : c));
  const all = PERFORMANCE_BANDS.bands.map((band) => ({
    bucket: band.bucket,
    from: edge(band.from),
    isTop: band.from === 'target',
  }));
  const bands: PerformanceBand[] = [];
  for (const [i, band] of all.entries()) {
    if (!band.isTop && compareFractions(band.from, targetEdge) >= 0) continue;
    const next = all[i + 1]?.from;
    const to =
      band.isTop || next === undefined ? exactFraction(1) : compareFractions(next, targetEdge) < 0 ? next : targetEdge;
    bands.push({ bucket: band.bucket, from: band.from, to, name: `${percentText(band.from)}-${percentText(to)}` });
  }
  return {
    target,
    flags: Object.values(KpiFlag).map((flag) => ({ flag, conditions: resolve(KPI_FLAG_RULES[flag]) })),
    banded: resolve(PERFORMANCE_BANDS.when),
    bands,
  };
}

/** A supply-point day's counts, as the rules read them. */
export interface PodDayCounts {
  sent: number | null;
  received: number | null;
  expected: boolean;
}

function holds(condition: ResolvedCondition, day: PodDayCounts): boolean {
  switch (condition.kind) {
    case 'expected':
      return day.expected;
    case 'missing':
      return day[condition.count] === null;
    case 'someSent':
      return day.sent !== null && day.sent > 0;
    case 'received': {
      if (day.sent === null || day.received === null) return false;
      const [left, right] = [
        BigInt(day.received) * condition.edge.denominator,
        BigInt(day.sent) * condition.edge.numerator,
      ];
      return condition.op === '<'
        ? left < right
        : condition.op === '<='
          ? left <= right
          : condition.op === '>'
            ? left > right
            : left >= right;
    }
  }
}

/** The flags (in KpiFlag's order) and the band (`bucket`, or null without a performance) of a supply-point day. */
export function classifyPodDay(rules: KpiRules, day: PodDayCounts): { flags: KpiFlag[]; bucket: number | null } {
  const flags = rules.flags.filter((rule) => rule.conditions.every((c) => holds(c, day))).map((rule) => rule.flag);
  if (!rules.banded.every((c) => holds(c, day))) return { flags, bucket: null };
  const band = rules.bands.findLast((b) => holds({ kind: 'received', op: '>=', edge: b.from }, day));
  return { flags, bucket: band?.bucket ?? null };
}

const MAX_COUNT = 1_000_000;

function count(value: unknown, field: string, issues: FieldIssue[]): number | undefined {
  const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    issues.push({
      field,
      code: typeof number === 'number' && number < 0 ? 'negative_count' : 'invalid_count',
      message: `${field} must be a whole number ≥ 0`,
    });
    return undefined;
  }
  if (number < 0) {
    issues.push({ field, code: 'negative_count', message: `${field} cannot be negative` });
    return undefined;
  }
  if (number > MAX_COUNT) {
    issues.push({ field, code: 'implausible_count', message: `${field} is more than ${MAX_COUNT} frames in a day` });
    return undefined;
  }
  return number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the day exists (in arithmetic, not through Date: a report file has a million of them). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** YYYY-MM-DD or the Italian dd/mm/yyyy, a real date, not after `today`. */
export function parseReportDay(value: unknown, today: string, field = 'day'): Parsed<string> {
  const text = typeof value === 'string' ? value.trim() : '';
  const italian = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  const iso = italian ? `${italian[3]}-${italian[2]}-${italian[1]}` : text;
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(iso) ||
    !isCalendarDate(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)))
  ) {
    return {
      ok: false,
      issue: { field, code: 'invalid_date', message: `${field} must be a date: YYYY-MM-DD or dd/mm/yyyy` },
    };
  }
  if (iso > today)
    return {
      ok: false,
      issue: { field, code: 'future_day', message: `${field} ${iso} has not ended yet: report a day once it is over` },
    };
  return { ok: true, value: iso };
}

/**
 * One report: POD, day (not after today), frames received (whole, ≥ 0) and optionally the count by frame type,
 * whose sum must then be the total (or stands for it when the total is left out).
 */
export function parseKpiReport(
  input: { pod?: unknown; day?: unknown; received?: unknown; receivedByType?: unknown },
  today: string,
): { ok: true; report: KpiReport } | { ok: false; pod: string; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const pod = parsePod(input.pod);
  if (!pod.ok) issues.push(pod.issue);
  const day = parseReportDay(input.day, today);
  if (!day.ok) issues.push(day.issue);
  let byType: Partial<Record<ReportedFrameType, number>> | null = null;
  if (input.receivedByType !== undefined && input.receivedByType !== null) {
    if (typeof input.receivedByType !== 'object' || Array.isArray(input.receivedByType)) {
      issues.push({
        field: 'receivedByType',
        code: 'invalid_type',
        message: 'receivedByType must be an object such as {"CF1": 95}',
      });
    } else {
      byType = {};
      for (const [type, value] of Object.entries(input.receivedByType)) {
        if (!(REPORTED_FRAME_TYPES as readonly string[]).includes(type)) {
          issues.push({
            field: `receivedByType.${type}`,
            code: 'unknown_frame_type',
            message: `${type} is not a frame type (${REPORTED_FRAME_TYPES.join(', ')})`,
          });
          continue;
        }
        const n = count(value, `receivedByType.${type}`, issues);
        if (n !== undefined) byType[type as ReportedFrameType] = n;
      }
    }
  }
  const sumByType = byType ? Object.values(byType).reduce((a, b) => a + b, 0) : undefined;
  const received =
    input.received === undefined && sumByType !== undefined ? sumByType : count(input.received, 'received', issues);
  if (received !== undefined && sumByType !== undefined && received !== sumByType && issues.length === 0) {
    issues.push({
      field: 'received',
      code: 'total_mismatch',
      message: `received is ${received} but the counts by frame type add up to ${sumByType}`,
    });
  }
  if (!pod.ok || !day.ok || received === undefined || issues.length > 0) {
    return { ok: false, pod: pod.ok ? pod.value : String(input.pod ?? ''), issues };
  }
  return { ok: true, report: { pod: pod.value, day: day.value, received, receivedByType: byType } };
}

/** The calendar day of an instant in Rome, YYYY-MM-DD. */
export function romeDay(at: Date): string {
  const { year, month, day } = romeLocalParts(at);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `n` days after a YYYY-MM-DD day. */
export function addDays(day: string, n: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** The instant a Rome calendar day starts (its length is 23 or 25 hours on DST change days). */
export function romeMidnight(day: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(romeMidnightMs({ year, month, day: date }));
}

/** A Rome calendar day as the half-open interval of instants [start, end): 23, 24 or 25 hours. */
export interface DayWindow {
  start: Date;
  end: Date;
}

export function dayWindow(day: string): DayWindow {
  return { start: romeMidnight(day), end: romeMidnight(addDays(day, 1)) };
}

/**
 * When an association's DU could hear its meter, on the meters' clock (the head-end's acknowledgements; with the
 * in-process field network, its simulated time): from the meter programmed (the create request completed) to the
 * meter cleared (the delete request completed), as [activeFrom, activeUntil). `activeFrom` null: never programmed
 * (pending, rejected); `activeUntil` null: still active. A modification (new DU, new key) changes neither.
 */
export interface AssociationActivity {
  activeFrom: Date | null;
  activeUntil: Date | null;
}

/**
 * Whether the association was active at some instant of the day: its asset provider then answers for the supply
 * point that day (its report is the frames received, the day's row is in its figures), expected or not.
 */
export function wasActiveDuring(activity: AssociationActivity, day: DayWindow): boolean {
  const { activeFrom, activeUntil } = activity;
  return activeFrom !== null && activeFrom < day.end && (activeUntil === null || activeUntil > day.start);
}

/**
 * Whether a supply-point day is expected: the asset provider is to report the frames its DU received and
 * telemanagement to collect the meter's count of frames sent — and missing either is flagged. Only a whole day of
 * the association active on the meters' clock: programmed at or before the day's first instant, not cleared before
 * its end. The day of activation and the day of deletion are partial (the DU heard part of them): computed when a
 * report or a count comes, never flagged missing; nor are days with no active association (before, after, rejected).
 */
export function isExpectedDay(activity: AssociationActivity, day: DayWindow): boolean {
  const { activeFrom, activeUntil } = activity;
  return activeFrom !== null && activeFrom <= day.start && (activeUntil === null || activeUntil >= day.end);
}
