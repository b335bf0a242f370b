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

/** The frame types a report may break its count down by (CHAIN2.md §4). */
export const REPORTED_FRAME_TYPES = ['CF1', 'CF5', 'CF9', 'CF10', 'CF20', 'CF21', 'CF22', 'CF23', 'CF51'] as const;
export type ReportedFrameType = (typeof REPORTED_FRAME_TYPES)[number];

/** Two versions of each day: at the cut-off (the next morning), and a day later once late frames and reports are in. */
export const KpiVersion = { provisional: 1, final: 2 } as const;
export type KpiVersion = (typeof KpiVersion)[keyof typeof KpiVersion];

/** `dayAndAssetProvider` / `dayAndRetailer`: one row per day and company, keyed `YYYY-MM-DD|<id>` (the lines of a chart). */
export const KPI_GROUPINGS = ['day', 'assetProvider', 'retailer', 'pod', 'dayAndAssetProvider', 'dayAndRetailer'] as const;
export type KpiGrouping = (typeof KPI_GROUPINGS)[number];

/** Who reports: an asset provider (for supply points with its associations) or a retailer (for those it serves). */
export type KpiParticipant = { kind: 'asset_provider'; id: string } | { kind: 'retailer'; id: string };
export const KpiParticipantKind = { assetProvider: 'asset_provider', retailer: 'retailer' } as const satisfies Record<string, KpiParticipant['kind']>;

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

const MAX_COUNT = 1_000_000;

function count(value: unknown, field: string, issues: FieldIssue[]): number | undefined {
  const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    issues.push({ field, code: typeof number === 'number' && number < 0 ? 'negative_count' : 'invalid_count', message: `${field} must be a whole number ≥ 0` });
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
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || !isCalendarDate(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)))) {
    return { ok: false, issue: { field, code: 'invalid_date', message: `${field} must be a date: YYYY-MM-DD or dd/mm/yyyy` } };
  }
  if (iso > today) return { ok: false, issue: { field, code: 'future_day', message: `${field} ${iso} has not ended yet: report a day once it is over` } };
  return { ok: true, value: iso };
}

/**
 * One report: POD, day (not after today), frames received (whole, ≥ 0) and optionally the count by frame type,
 * whose sum must then be the total (or stands for it when the total is left out).
 */
export function parseKpiReport(input: { pod?: unknown; day?: unknown; received?: unknown; receivedByType?: unknown }, today: string):
  { ok: true; report: KpiReport } | { ok: false; pod: string; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const pod = parsePod(input.pod);
  if (!pod.ok) issues.push(pod.issue);
  const day = parseReportDay(input.day, today);
  if (!day.ok) issues.push(day.issue);
  let byType: Partial<Record<ReportedFrameType, number>> | null = null;
  if (input.receivedByType !== undefined && input.receivedByType !== null) {
    if (typeof input.receivedByType !== 'object' || Array.isArray(input.receivedByType)) {
      issues.push({ field: 'receivedByType', code: 'invalid_type', message: 'receivedByType must be an object such as {"CF1": 95}' });
    } else {
      byType = {};
      for (const [type, value] of Object.entries(input.receivedByType)) {
        if (!(REPORTED_FRAME_TYPES as readonly string[]).includes(type)) {
          issues.push({ field: `receivedByType.${type}`, code: 'unknown_frame_type', message: `${type} is not a frame type (${REPORTED_FRAME_TYPES.join(', ')})` });
          continue;
        }
        const n = count(value, `receivedByType.${type}`, issues);
        if (n !== undefined) byType[type as ReportedFrameType] = n;
      }
    }
  }
  const sumByType = byType ? Object.values(byType).reduce((a, b) => a + b, 0) : undefined;
  const received = input.received === undefined && sumByType !== undefined ? sumByType : count(input.received, 'received', issues);
  if (received !== undefined && sumByType !== undefined && received !== sumByType && issues.length === 0) {
    issues.push({ field: 'received', code: 'total_mismatch', message: `received is ${received} but the counts by frame type add up to ${sumByType}` });
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
