import type { FieldIssue } from './errors.js';

/**
 * Identifiers and validation rules of CHAIN2.md §2. Each parser trims and normalises what it accepts and
 * reports what it refuses as a FieldIssue; none of them throws.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; issue: FieldIssue };

/** `IT` + 3-digit distributor code + `E` + 8 digits + optional check character (no checksum is published). */
const POD_PATTERN = /^IT(\d{3})E\d{8}[0-9A-Z]?$/;
/** A DU's MAC address as stored and returned (parseMacAddress also accepts lowercase and `:`/`-` separators). */
export const MAC_PATTERN = /^DC[0-9A-F]{10}$/;
const KEY_PATTERN = /^[0-9A-F]{32}$/;
export const MAX_TEXT_LENGTH = 64;

export type Pod = string & { readonly __brand: 'Pod' };
export type MacAddress = string & { readonly __brand: 'MacAddress' };
/** A DU's AES-128 key as 32 uppercase hex digits. A secret: never logged, never returned. */
export type DuKey = string & { readonly __brand: 'DuKey' };

function issue(field: string, code: string, message: string): { ok: false; issue: FieldIssue } {
  return { ok: false, issue: { field, code, message } };
}

function requireString(value: unknown, field: string): Parsed<string> {
  if (value === undefined || value === null || value === '') return issue(field, 'required', `${field} is required`);
  if (typeof value !== 'string') return issue(field, 'invalid_type', `${field} must be a string`);
  return { ok: true, value };
}

export function parsePod(value: unknown, field = 'pod'): Parsed<Pod> {
  const text = requireString(value, field);
  if (!text.ok) return text;
  const pod = text.value.trim().toUpperCase();
  if (!POD_PATTERN.test(pod)) {
    return issue(
      field,
      'invalid_pod',
      `${field} must be IT + 3-digit distributor code + E + 8 digits, optionally one check character (e.g. IT001E12345678)`,
    );
  }
  return { ok: true, value: pod as Pod };
}

export function distributorCodeOf(pod: Pod): string {
  return pod.slice(2, 5);
}

/** Accepts lowercase and `:` or `-` separators; stores 12 uppercase hex digits without separators. */
export function parseMacAddress(value: unknown, field = 'macAddress'): Parsed<MacAddress> {
  const text = requireString(value, field);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  const grouped = /^([0-9A-Fa-f]{2})([:-][0-9A-Fa-f]{2}){5}$/.test(trimmed);
  const mac = (grouped ? trimmed.replace(/[:-]/g, '') : trimmed).toUpperCase();
  if (!MAC_PATTERN.test(mac)) {
    return issue(field, 'invalid_mac_address', `${field} must be 12 hex digits starting with DC (e.g. DC0A1B2C3D4E)`);
  }
  return { ok: true, value: mac as MacAddress };
}

export function parseDuKey(value: unknown, field = 'encryptionKey'): Parsed<DuKey> {
  const text = requireString(value, field);
  if (!text.ok) return text;
  const key = text.value.trim().toUpperCase();
  // The message never echoes the value: it is a secret even when malformed.
  if (!KEY_PATTERN.test(key))
    return issue(field, 'invalid_encryption_key', `${field} must be 32 hex digits (a 128-bit AES key)`);
  return { ok: true, value: key as DuKey };
}

/** DU name, hardware and software version: required, trimmed, at most 64 printable characters (CHAIN2.md §2, a choice). */
export function parseLabel(value: unknown, field: string): Parsed<string> {
  const text = requireString(value, field);
  if (!text.ok) return text;
  const label = text.value.trim();
  if (label === '') return issue(field, 'required', `${field} is required`);
  if ([...label].length > MAX_TEXT_LENGTH)
    return issue(field, 'too_long', `${field} must be at most ${MAX_TEXT_LENGTH} characters`);
  // Line and paragraph separators (U+2028, U+2029) are not control characters (\p{C}) but break a line all the same:
  // in a log, a CSV report, a screen.
  if (/[\p{C}\p{Zl}\p{Zp}]/u.test(label))
    return issue(field, 'not_printable', `${field} must contain printable characters only`);
  return { ok: true, value: label };
}

/** The last four hex digits, the only part of a key ever shown: `****…1A2B`. */
export function maskKey(last4: string): string {
  return `****…${last4}`;
}
