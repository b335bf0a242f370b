/** Europe/Rome local days as the meter keys them: `YYYY-MM-DD` text, `year × 10000 + month × 100 + day` keys. */
import { romeMidnightMs, type LocalDate } from '../../src/domain/tariff-bands.js';

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDay(day: string): LocalDate {
  const match = DAY_PATTERN.exec(day);
  if (!match) throw new RangeError(`day must be YYYY-MM-DD, got ${JSON.stringify(day).slice(0, 40)}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

export function dayKeyOf(date: LocalDate): number {
  return date.year * 10_000 + date.month * 100 + date.day;
}

export function dateOfKey(dayKey: number): LocalDate {
  return { year: Math.floor(dayKey / 10_000), month: Math.floor(dayKey / 100) % 100, day: dayKey % 100 };
}

export function dayOfKey(dayKey: number): string {
  const year = Math.floor(dayKey / 10_000);
  const month = Math.floor(dayKey / 100) % 100;
  return `${year}-${String(month).padStart(2, '0')}-${String(dayKey % 100).padStart(2, '0')}`;
}

/** Days from `from` to `to` (calendar days, not 24-hour periods). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return (Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000;
}

/** The local day after `date`. */
export function nextDay(date: LocalDate): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** [start, end) of a local day, POSIX ms. */
export function dayBoundsMs(date: LocalDate): { startMs: number; endMs: number } {
  return { startMs: romeMidnightMs(date), endMs: romeMidnightMs(nextDay(date)) };
}
