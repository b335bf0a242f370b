import type { FieldIssue } from './errors.js';
import type { TariffCalendar, TariffSwitch } from './meter-command.js';

/**
 * ARERA time bands, Italian holidays and Europe/Rome local time (CHAIN2.md §6).
 *
 * Pure: every instant is passed in, nothing reads the clock. Local time comes from the time-zone database built
 * into the runtime (`Intl`, Europe/Rome), so DST rules are the ones the tz database knows, not re-coded here.
 */

/** The Italian civil time zone: every band, holiday and day boundary of CHAIN2.md §6 is in this zone. */
export const METERING_TIME_ZONE = 'Europe/Rome';

/** Bands a meter can hold (CHAIN2.md §6: up to 6, F4–F6 usually unused). The value is CF1's `TariffCode`. */
export const TariffBand = { F1: 1, F2: 2, F3: 3, F4: 4, F5: 5, F6: 6 } as const satisfies Record<
  string,
  TariffSwitch['band']
>;
export type TariffBand = (typeof TariffBand)[keyof typeof TariffBand];

/**
 * Day types of the band calendar (CF5's `DayType`, CHAIN2.md §4). Sundays and national holidays are `holiday`,
 * a holiday falling on a Saturday included. The values are the keys of `TariffCalendar`.
 */
export const DayType = { weekday: 'weekday', saturday: 'saturday', holiday: 'holiday' } as const satisfies Record<
  string,
  keyof TariffCalendar
>;
export type DayType = (typeof DayType)[keyof typeof DayType];

/**
 * A calendar date in Europe/Rome, no time and no zone: `month` 1–12, `day` 1–31.
 * Chosen over 'YYYY-MM-DD' strings so callers compare numbers and nothing is parsed on the hot path.
 */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Wall-clock time in Europe/Rome: `hour` 0–23, `minute` 0–59, `isoWeekday` 1 (Monday) … 7 (Sunday). */
export interface RomeLocalParts extends LocalDate {
  hour: number;
  minute: number;
  isoWeekday: number;
}

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const QUARTER_HOUR_MS = 15 * MS_PER_MINUTE;
/** The Gregorian Easter algorithm below holds from the first Gregorian year; Intl years stop at 9999. */
const FIRST_YEAR = 1583;
const LAST_YEAR = 9999;

/** Fixed-date national holidays (CHAIN2.md §6). Easter Monday is computed per year. */
const FIXED_HOLIDAYS: readonly { month: number; day: number }[] = [
  { month: 1, day: 1 }, // Capodanno
  { month: 1, day: 6 }, // Epifania
  { month: 4, day: 25 }, // Liberazione
  { month: 5, day: 1 }, // Festa del lavoro
  { month: 6, day: 2 }, // Festa della Repubblica
  { month: 8, day: 15 }, // Ferragosto
  { month: 11, day: 1 }, // Ognissanti
  { month: 12, day: 8 }, // Immacolata
  { month: 12, day: 25 }, // Natale
  { month: 12, day: 26 }, // Santo Stefano
];
/** The same dates as month * 100 + day, for a lookup without allocation. */
const FIXED_HOLIDAY_KEYS: ReadonlySet<number> = new Set(FIXED_HOLIDAYS.map((h) => h.month * 100 + h.day));

/**
 * Easter Sunday of a Gregorian year: the anonymous Gregorian algorithm (Meeus/Jones/Butcher, "Astronomical
 * Algorithms" ch. 8). Integer arithmetic only.
 */
export function easterSunday(year: number): LocalDate {
  assertYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

/** Easter Monday (Lunedì dell'Angelo), the one movable national holiday of CHAIN2.md §6. */
export function easterMonday(year: number): LocalDate {
  const sunday = easterSunday(year);
  // Easter Sunday falls between 22 March and 25 April, so the next day never leaves March/April.
  return sunday.month === 3 && sunday.day === 31
    ? { year, month: 4, day: 1 }
    : { year, month: sunday.month, day: sunday.day + 1 };
}

/**
 * The national holidays of a year (CHAIN2.md §6), in calendar order. Sundays are not listed: `dayTypeOf` treats
 * every Sunday as a holiday for band purposes. Local patron-saint days are not national holidays and not included.
 */
export function italianHolidays(year: number): LocalDate[] {
  const monday = easterMonday(year);
  const holidays = FIXED_HOLIDAYS.map(({ month, day }) => ({ year, month, day }));
  holidays.push(monday);
  return holidays.sort((x, y) => x.month * 100 + x.day - (y.month * 100 + y.day));
}

/** True on a national holiday of CHAIN2.md §6 (not on an ordinary Sunday: see `dayTypeOf`). */
export function isItalianHoliday(date: LocalDate): boolean {
  assertLocalDate(date);
  return isHolidayUnchecked(date);
}

/** The band day type of a local date: Sundays and national holidays are `holiday` (ARERA F3 all day). */
export function dayTypeOf(date: LocalDate): DayType {
  assertLocalDate(date);
  return dayTypeUnchecked(date, isoWeekdayOf(date));
}

/**
 * ARERA's F1/F2/F3 calendar (CHAIN2.md §6): F1 Mon–Fri 08–19; F2 Mon–Fri 07–08 and 19–23, Sat 07–23;
 * F3 Mon–Sat 23–07, Sundays and holidays all day. Frozen: it is shared by every caller.
 */
export const ARERA_CALENDAR: TariffCalendar = deepFreeze({
  weekday: [
    { fromMinute: 0, band: TariffBand.F3 },
    { fromMinute: 7 * 60, band: TariffBand.F2 },
    { fromMinute: 8 * 60, band: TariffBand.F1 },
    { fromMinute: 19 * 60, band: TariffBand.F2 },
    { fromMinute: 23 * 60, band: TariffBand.F3 },
  ],
  saturday: [
    { fromMinute: 0, band: TariffBand.F3 },
    { fromMinute: 7 * 60, band: TariffBand.F2 },
    { fromMinute: 23 * 60, band: TariffBand.F3 },
  ],
  holiday: [{ fromMinute: 0, band: TariffBand.F3 }],
});

/**
 * The band in force at an instant, on the Europe/Rome wall clock: the day type of the local date picks the
 * programme, and the switch with the greatest `fromMinute` not after the local minute of day gives the band.
 * Wall-clock minutes make DST days behave as a meter does: the hour skipped in March never matches, the hour
 * repeated in October gets the same band twice.
 *
 * Throws a plain Error (a defect) if the programme has no switch at or before that minute: calendars from outside
 * are checked first with `tariffCalendarIssues`.
 */
export function tariffBandAt(instant: Date, calendar: TariffCalendar = ARERA_CALENDAR): TariffBand {
  const local = romeLocalParts(instant);
  const programme = calendar[dayTypeUnchecked(local, local.isoWeekday)];
  const minuteOfDay = local.hour * 60 + local.minute;
  let inForce: TariffSwitch | undefined;
  // No sort assumed: programmes are a handful of switches, and a linear scan tolerates any order.
  for (const candidate of programme) {
    if (candidate.fromMinute <= minuteOfDay && (inForce === undefined || candidate.fromMinute > inForce.fromMinute)) {
      inForce = candidate;
    }
  }
  if (inForce === undefined) {
    throw new Error(
      `tariff calendar has no switch in force at minute ${minuteOfDay} of a ${dayTypeUnchecked(local, local.isoWeekday)}`,
    );
  }
  return inForce.band;
}

/**
 * What is wrong with a band calendar, as field issues (empty when it is usable by `tariffBandAt`): each programme
 * starts at minute 0 (no band is left undefined after midnight), switches are whole minutes of the day in strictly
 * ascending order, bands are 1–6.
 */
export function tariffCalendarIssues(calendar: TariffCalendar, field = 'calendar'): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const dayType of Object.values(DayType)) {
    const programme = calendar[dayType];
    const path = `${field}.${dayType}`;
    if (programme.length === 0 || programme[0]?.fromMinute !== 0) {
      issues.push({ field: path, code: 'missing_midnight_switch', message: 'the first switch must be at minute 0' });
    }
    programme.forEach((entry, index) => {
      const at = `${path}[${index}]`;
      if (!Number.isInteger(entry.fromMinute) || entry.fromMinute < 0 || entry.fromMinute >= MINUTES_PER_DAY) {
        issues.push({
          field: `${at}.fromMinute`,
          code: 'out_of_range',
          message: `must be a whole minute in 0..${MINUTES_PER_DAY - 1}`,
        });
      }
      const previous = programme[index - 1];
      if (previous !== undefined && !(entry.fromMinute > previous.fromMinute)) {
        issues.push({
          field: `${at}.fromMinute`,
          code: 'not_ascending',
          message: 'switches must be in strictly ascending order',
        });
      }
      if (!(Object.values(TariffBand) as number[]).includes(entry.band)) {
        issues.push({ field: `${at}.band`, code: 'out_of_range', message: 'band must be 1..6' });
      }
    });
  }
  return issues;
}

/** Wall-clock date and time of an instant in Europe/Rome. Throws RangeError for an invalid Date. */
export function romeLocalParts(instant: Date): RomeLocalParts {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('romeLocalParts: invalid Date');
  const wall = new Date(ms + romeOffsetMs(ms));
  const isoWeekday = wall.getUTCDay() === 0 ? 7 : wall.getUTCDay();
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    isoWeekday,
  };
}

/**
 * Quarter-hours in a local day: the real length of the Europe/Rome day, in 15-minute slots. Choice (CHAIN2.md §6
 * "decide and document"): curves carry one value per quarter-hour that actually elapsed, so 92 on the last Sunday
 * of March (02:00–03:00 does not exist), 100 on the last Sunday of October (02:00–03:00 happens twice, CEST then
 * CET), 96 otherwise; no padded or merged slots. An export with a fixed 96-column layout (the DSO's
 * `ExportData_<month>.csv`) has to map these days explicitly.
 */
export function quarterHoursOfDay(date: LocalDate): number {
  assertLocalDate(date);
  const start = romeMidnightMs(date);
  const end = romeMidnightMs(nextDay(date));
  return (end - start) / QUARTER_HOUR_MS;
}

// ---------------------------------------------------------------------------------------------------------------
// Europe/Rome offsets.

/**
 * One formatter for the module: creating an Intl.DateTimeFormat costs far more than formatting with it.
 * `h23` so midnight is 00, not 24; `en-US` for ASCII digits.
 */
const romeFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: METERING_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/**
 * Offsets (ms to add to UTC) by UTC hour number. Since Italy adopted CET (1893) Europe/Rome has changed offset
 * only on whole UTC hours (01:00 UTC in the EU rule), so one formatter call per UTC hour suffices. Bounded: cleared
 * when full (50,000 hours is about 5.7 years of instants).
 */
const offsetByUtcHour = new Map<number, number>();
const OFFSET_CACHE_LIMIT = 50_000;

function romeOffsetMs(utcMs: number): number {
  const hour = Math.floor(utcMs / MS_PER_HOUR);
  const cached = offsetByUtcHour.get(hour);
  if (cached !== undefined) return cached;
  const hourStartMs = hour * MS_PER_HOUR;
  const offset = wallClockAsUtcMs(hourStartMs) - hourStartMs;
  if (offsetByUtcHour.size >= OFFSET_CACHE_LIMIT) offsetByUtcHour.clear();
  offsetByUtcHour.set(hour, offset);
  return offset;
}

/** The Europe/Rome wall clock at `utcMs`, read as if it were a UTC time. */
function wallClockAsUtcMs(utcMs: number): number {
  const field = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of romeFormatter.formatToParts(utcMs)) {
    if (part.type in field) field[part.type as keyof typeof field] = Number(part.value);
  }
  const wall = new Date(0);
  wall.setUTCFullYear(field.year, field.month - 1, field.day);
  wall.setUTCHours(field.hour, field.minute, field.second, 0);
  return wall.getTime();
}

/** UTC instant of 00:00 Europe/Rome on a date. Midnight is never inside a Rome DST gap (changes are at 02:00/03:00). */
export function romeMidnightMs(date: LocalDate): number {
  const wallMs = utcMsOfDate(date);
  // First guess with the offset at wall-time-as-UTC, then correct once with the offset at the guess.
  const guess = wallMs - romeOffsetMs(wallMs);
  return wallMs - romeOffsetMs(guess);
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar arithmetic on local dates.

function dayTypeUnchecked(date: LocalDate, isoWeekday: number): DayType {
  if (isoWeekday === 7 || isHolidayUnchecked(date)) return DayType.holiday;
  return isoWeekday === 6 ? DayType.saturday : DayType.weekday;
}

function isHolidayUnchecked(date: LocalDate): boolean {
  if (FIXED_HOLIDAY_KEYS.has(date.month * 100 + date.day)) return true;
  // Easter Monday is in March or April only: skip the computation for the rest of the year.
  if (date.month !== 3 && date.month !== 4) return false;
  const monday = easterMonday(date.year);
  return monday.month === date.month && monday.day === date.day;
}

function isoWeekdayOf(date: LocalDate): number {
  const weekday = new Date(utcMsOfDate(date)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** 00:00 UTC of the date; setUTCFullYear because Date.UTC maps years 0–99 to 1900–1999. */
function utcMsOfDate(date: LocalDate): number {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  return d.getTime();
}

function nextDay(date: LocalDate): LocalDate {
  const d = new Date(utcMsOfDate(date) + MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`year must be an integer in ${FIRST_YEAR}..${LAST_YEAR}, got ${year}`);
  }
}

/** A malformed date here is a caller's bug (dates come from parsed, validated input or from `romeLocalParts`). */
function assertLocalDate(date: LocalDate): void {
  assertYear(date.year);
  const { month, day } = date;
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(day) || day < 1) {
    throw new RangeError(`not a calendar date: ${date.year}-${month}-${day}`);
  }
  const roundTrip = new Date(utcMsOfDate(date));
  if (roundTrip.getUTCMonth() + 1 !== month) throw new RangeError(`not a calendar date: ${date.year}-${month}-${day}`);
}

function deepFreeze<T extends TariffCalendar>(calendar: T): T {
  for (const programme of Object.values(calendar) as TariffSwitch[][]) {
    programme.forEach((entry) => Object.freeze(entry));
    Object.freeze(programme);
  }
  return Object.freeze(calendar);
}
