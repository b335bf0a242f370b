/**
 * Date-times of Chain 2 payloads: `dd/mm/yyyy HH:MM:SS d` in the meter's local time (Europe/Rome), d = ISO
 * weekday (1 = Monday). 255 (65535 for the year) means "not specified", the DLMS wildcard convention.
 * On the wire: the DLMS date-time order, year (uint16) month day weekday hour minute second, 8 bytes.
 * The envelope's `Ts` (when the DU received the frame) is `YYYY/MM/DD HH:MM:SS`, also Europe/Rome.
 */

export const DATE_TIME_BYTES = 8;
export const TIME_ZONE = 'Europe/Rome';

const WILDCARD = 0xff;
const YEAR_WILDCARD = 0xffff;

/** Text order (day month year hour minute second weekday) with digits, range and the separator after. */
const TEXT_PARTS = [
  { digits: 2, wildcard: WILDCARD, wildcardDigits: 3, min: 1, max: 31, separator: '/' },
  { digits: 2, wildcard: WILDCARD, wildcardDigits: 3, min: 1, max: 12, separator: '/' },
  { digits: 4, wildcard: YEAR_WILDCARD, wildcardDigits: 5, min: 0, max: 9999, separator: ' ' },
  { digits: 2, wildcard: WILDCARD, wildcardDigits: 3, min: 0, max: 23, separator: ':' },
  { digits: 2, wildcard: WILDCARD, wildcardDigits: 3, min: 0, max: 59, separator: ':' },
  { digits: 2, wildcard: WILDCARD, wildcardDigits: 3, min: 0, max: 59, separator: ' ' },
  { digits: 1, wildcard: WILDCARD, wildcardDigits: 3, min: 1, max: 7, separator: '' },
] as const;

const DAY = 0;
const MONTH = 1;
const YEAR = 2;
const HOUR = 3;
const MINUTE = 4;
const SECOND = 5;
const WEEKDAY = 6;

/** Wire byte order: [text part, offset in the 8 bytes]. The year (offsets 0–1) is the only two-byte part. */
const WIRE_ORDER = [
  [MONTH, 2],
  [DAY, 3],
  [WEEKDAY, 4],
  [HOUR, 5],
  [MINUTE, 6],
  [SECOND, 7],
] as const;

const scratch = new Int32Array(TEXT_PARTS.length);

const CHAR_0 = 0x30;
const CHAR_9 = 0x39;

function parseInto(text: string, parts: Int32Array): boolean {
  let position = 0;
  for (let index = 0; index < TEXT_PARTS.length; index++) {
    const part = TEXT_PARTS[index]!;
    let value = 0;
    let digits = 0;
    while (position < text.length) {
      const char = text.charCodeAt(position);
      if (char < CHAR_0 || char > CHAR_9) break;
      value = value * 10 + (char - CHAR_0);
      digits++;
      position++;
      if (digits > 5) return false;
    }
    const isWildcard = value === part.wildcard && digits === part.wildcardDigits;
    if (!isWildcard && (digits !== part.digits || value < part.min || value > part.max)) return false;
    parts[index] = value;
    if (index === SECOND && position === text.length) {
      parts[WEEKDAY] = WILDCARD; // the weekday is optional in the text ("[d]" in CHAIN2.md)
      return true;
    }
    if (part.separator === '') return position === text.length;
    if (text[position] !== part.separator) return false;
    position++;
  }
  return false;
}

/** True when `text` is a payload date-time the codec can carry. */
export function isMeterDateTime(text: string): boolean {
  return parseInto(text, scratch);
}

/** Writes a payload date-time; returns false (writing nothing useful) when the text is not one. */
export function writeMeterDateTime(text: string, out: Uint8Array, offset: number): boolean {
  if (!parseInto(text, scratch)) return false;
  const year = scratch[YEAR]!;
  out[offset] = year >>> 8;
  out[offset + 1] = year & 0xff;
  for (const [part, at] of WIRE_ORDER) out[offset + at] = scratch[part]!;
  return true;
}

/**
 * Reads a payload date-time; returns the text, or the offset (relative to `offset`) of the first byte
 * out of range as a negative number minus one (-1 for byte 0), so the caller can report it.
 */
export function readMeterDateTime(bytes: Uint8Array, offset: number): string | number {
  const year = (bytes[offset]! << 8) | bytes[offset + 1]!;
  if (year !== YEAR_WILDCARD && year > TEXT_PARTS[YEAR].max) return -1;
  scratch[YEAR] = year;
  for (const [part, at] of WIRE_ORDER) {
    const value = bytes[offset + at]!;
    const spec = TEXT_PARTS[part];
    if (value !== spec.wildcard && (value < spec.min || value > spec.max)) return -1 - at;
    scratch[part] = value;
  }
  return formatParts(scratch);
}

function pad(value: number, digits: number, wildcard: number): string {
  return value === wildcard ? String(wildcard) : String(value).padStart(digits, '0');
}

function formatParts(parts: Int32Array): string {
  return (
    `${pad(parts[DAY]!, 2, WILDCARD)}/${pad(parts[MONTH]!, 2, WILDCARD)}/${pad(parts[YEAR]!, 4, YEAR_WILDCARD)} ` +
    `${pad(parts[HOUR]!, 2, WILDCARD)}:${pad(parts[MINUTE]!, 2, WILDCARD)}:${pad(parts[SECOND]!, 2, WILDCARD)} ` +
    `${pad(parts[WEEKDAY]!, 1, WILDCARD)}`
  );
}

let romeFormat: Intl.DateTimeFormat | undefined;
const ISO_WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Europe/Rome wall-clock parts of an instant, through Intl (no time zone data of our own). */
function romeParts(instant: Date): Int32Array {
  romeFormat ??= new Intl.DateTimeFormat('en-US', {
    timeZone: TIME_ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  });
  const parts = new Int32Array(TEXT_PARTS.length);
  for (const { type, value } of romeFormat.formatToParts(instant)) {
    if (type === 'day') parts[DAY] = Number(value);
    else if (type === 'month') parts[MONTH] = Number(value);
    else if (type === 'year') parts[YEAR] = Number(value);
    else if (type === 'hour') parts[HOUR] = Number(value);
    else if (type === 'minute') parts[MINUTE] = Number(value);
    else if (type === 'second') parts[SECOND] = Number(value);
    else if (type === 'weekday') parts[WEEKDAY] = ISO_WEEKDAYS[value] ?? WILDCARD;
  }
  return parts;
}

/** A payload date-time (`dd/mm/yyyy HH:MM:SS d`, Europe/Rome) for an instant given in POSIX seconds. */
export function formatMeterDateTime(posixSeconds: number): string {
  return formatParts(romeParts(new Date(posixSeconds * 1000)));
}

/** The envelope's `Ts` (`YYYY/MM/DD HH:MM:SS`, Europe/Rome) for the instant the DU received a frame. */
export function formatEnvelopeTs(receivedAt: Date): string {
  // A DU stamps many frames within one second: Intl's formatToParts is the cost, so the last second is remembered.
  const second = Math.floor(receivedAt.getTime() / 1000);
  if (lastEnvelopeTs?.second === second) return lastEnvelopeTs.text;
  const parts = romeParts(receivedAt);
  const text =
    `${pad(parts[YEAR]!, 4, -1)}/${pad(parts[MONTH]!, 2, -1)}/${pad(parts[DAY]!, 2, -1)} ` +
    `${pad(parts[HOUR]!, 2, -1)}:${pad(parts[MINUTE]!, 2, -1)}:${pad(parts[SECOND]!, 2, -1)}`;
  lastEnvelopeTs = { second, text };
  return text;
}
let lastEnvelopeTs: { second: number; text: string } | undefined;

const ENVELOPE_TS = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** True when `text` is an envelope `Ts` with every part in range (the day is not checked against the month). */
export function isEnvelopeTs(text: string): boolean {
  const match = ENVELOPE_TS.exec(text);
  if (!match) return false;
  const [month, day, hour, minute, second] = match.slice(2).map(Number) as [number, number, number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59;
}
