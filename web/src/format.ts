import { isStoredMac } from './validation.ts';

/**
 * Dates, times and numbers as people in Italy read them: dd/mm/yyyy, Europe/Rome wall clock, `,` decimals in
 * Italian. The locale follows the chosen language (it-IT or en-GB, both day-first).
 */
export const TIME_ZONE = 'Europe/Rome';

export function localeOf(language: string): string {
  return language.startsWith('en') ? 'en-GB' : 'it-IT';
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(locale: string, withTime: boolean, seconds = false): Intl.DateTimeFormat {
  const key = `d|${locale}|${withTime}|${seconds}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: TIME_ZONE,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      ...(withTime
        ? {
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23' as const,
            ...(seconds ? { second: '2-digit' as const } : {}),
          }
        : {}),
    });
    cache.set(key, format);
  }
  return format;
}

/** An instant (ISO string) as dd/mm/yyyy HH:MM in Europe/Rome; '' for null. */
export function formatDateTime(iso: string | null | undefined, language: string, seconds = false): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat(localeOf(language), true, seconds).format(date);
}

/** An instant as dd/mm/yyyy in Europe/Rome. */
export function formatDate(iso: string | null | undefined, language: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat(localeOf(language), false).format(date);
}

/** A calendar date 'YYYY-MM-DD' (no time zone: a date on paper) as dd/mm/yyyy. */
export function formatLocalDate(value: string | null | undefined): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value ?? '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : '';
}

export function formatNumber(value: number, language: string, fractionDigits = 0): string {
  const key = `n|${language}|${fractionDigits}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(localeOf(language), {
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    cache.set(key, format);
  }
  return format.format(value);
}

/** Energy in Wh shown as kWh with 3 decimals (e.g. 1.234,567 kWh). */
export function formatKwh(energyWh: number, language: string): string {
  return `${formatNumber(energyWh / 1000, language, 3)} kWh`;
}

/** Power in W shown as kW with 1 decimal (3.300 W → 3,3 kW). */
export function formatKw(powerW: number, language: string): string {
  return `${formatNumber(powerW / 1000, language, 1)} kW`;
}

export function formatPercent(ratio: number, language: string): string {
  return new Intl.NumberFormat(localeOf(language), { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

/**
 * A performance ratio as a percentage with one decimal: 98,9 % in Italian (space before the sign, as Italian
 * typography wants it; a no-break space so that it never wraps), 98.9% in English. '—' for none.
 */
export function formatRatio(ratio: number | null | undefined, language: string, fractionDigits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const number = formatNumber(ratio * 100, language, fractionDigits);
  return localeOf(language) === 'it-IT' ? `${number}\u00a0%` : `${number}%`;
}

/** A calendar date 'YYYY-MM-DD' as dd/mm (chart axes, where the year is in the title). */
export function formatShortDate(value: string): string {
  const match = /^\d{4}-(\d{2})-(\d{2})/.exec(value);
  return match ? `${match[2]}/${match[1]}` : value;
}

/** Today's date in Europe/Rome as 'YYYY-MM-DD' (the default of date inputs). */
export function todayInRome(): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  return parts;
}

/** The DU key is a secret: only its last four digits are ever shown, as •••• 1234. */
export function maskedKey(masked: string): string {
  const last4 = /([0-9A-Fa-f]{4})$/.exec(masked)?.[1];
  return last4 ? `•••• ${last4.toUpperCase()}` : '••••';
}

/** A MAC address stored as 12 hex digits, shown grouped: DC:0A:1B:2C:3D:4E (anything else as it is). */
export function formatMac(mac: string | null | undefined): string {
  if (!mac) return '';
  return isStoredMac(mac) ? mac.match(/.{2}/g)!.join(':') : mac;
}
