import { MAC_ADDRESS_PATTERN } from './api-schema.ts';

/**
 * The identifier rules of CHAIN2.md §2, checked in the browser too so that a form marks a bad field before it is
 * sent; the API checks them again and its answer wins. Each returns a fieldIssue code, or null when fine.
 */
const POD = /^IT\d{3}E\d{8}[0-9A-Z]?$/;
/** A MAC address as the API stores it (the OpenAPI document's pattern). */
const MAC = new RegExp(MAC_ADDRESS_PATTERN);
/** The other form the API accepts (src/domain/identifiers.ts): six pairs of hex digits separated by `:` or `-`. */
const GROUPED_MAC = /^([0-9A-Fa-f]{2})([:-][0-9A-Fa-f]{2}){5}$/;
const KEY = /^[0-9A-F]{32}$/;
export const MAX_LABEL_LENGTH = 64;

export function normalisePod(value: string): string {
  return value.trim().toUpperCase();
}

export function podIssue(value: string): string | null {
  const pod = normalisePod(value);
  if (!pod) return 'required';
  return POD.test(pod) ? null : 'invalid_pod';
}

/** A MAC address as typed (any case, grouped with `:` or `-` or not) → as the API stores it, when it is one. */
export function normaliseMac(value: string): string {
  const trimmed = value.trim();
  return (GROUPED_MAC.test(trimmed) ? trimmed.replace(/[:-]/g, '') : trimmed).toUpperCase();
}

/** Whether a value is a MAC address in the stored form (DC + 10 uppercase hex digits). */
export const isStoredMac = (value: string): boolean => MAC.test(value);

export function macIssue(value: string): string | null {
  const mac = normaliseMac(value);
  if (!mac) return 'required';
  return isStoredMac(mac) ? null : 'invalid_mac_address';
}

export function keyIssue(value: string): string | null {
  const key = value.trim().toUpperCase();
  if (!key) return 'required';
  return KEY.test(key) ? null : 'invalid_encryption_key';
}

export function labelIssue(value: string): string | null {
  const label = value.trim();
  if (!label) return 'required';
  if ([...label].length > MAX_LABEL_LENGTH) return 'too_long';
  return /\p{C}/u.test(label) ? 'not_printable' : null;
}

/**
 * A date as people type it in Italy (dd/mm/yyyy, also with - or . and one-digit day or month) → 'YYYY-MM-DD', or
 * null when it is not a real calendar date. Date inputs are text: a browser's native picker shows its own locale.
 */
export function parseDayFirstDate(value: string): string | null {
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value.trim());
  if (!match) return null;
  const iso = `${match[3]}-${match[2]!.padStart(2, '0')}-${match[1]!.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : null;
}

export function dateIssue(value: string): string | null {
  if (!value.trim()) return 'required';
  return parseDayFirstDate(value) ? null : 'invalid_date';
}

export function emailIssue(value: string): string | null {
  const email = value.trim();
  if (!email) return 'required';
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? null : 'invalid_email';
}

/** Moves the focus to the first field marked invalid, so keyboard users land on what to fix. */
export function focusFirstInvalid(): void {
  requestAnimationFrame(() => {
    const first = document.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus();
  });
}
