import { describe, expect, it } from 'vitest';
import {
  formatEnvelopeTs,
  formatMeterDateTime,
  isEnvelopeTs,
  isMeterDateTime,
  readMeterDateTime,
  writeMeterDateTime,
} from './date-time.js';

function roundTrip(text: string): string | number {
  const bytes = new Uint8Array(8);
  if (!writeMeterDateTime(text, bytes, 0)) throw new Error(`not a date-time: ${text}`);
  return readMeterDateTime(bytes, 0);
}

describe('payload date-times', () => {
  it('stores the DLMS order: year (2 bytes), month, day, weekday, hour, minute, second', () => {
    const bytes = new Uint8Array(8);
    writeMeterDateTime('01/06/2024 19:42:11 6', bytes, 0);
    expect(Buffer.from(bytes).toString('hex')).toBe('07e8' + '06' + '01' + '06' + '13' + '2a' + '0b');
  });

  it('carries the 255 / 65535 "not specified" wildcards part by part', () => {
    expect(roundTrip('255/255/65535 255:255:255 255')).toBe('255/255/65535 255:255:255 255');
    expect(roundTrip('01/255/2024 255:00:00 255')).toBe('01/255/2024 255:00:00 255');
  });

  it('reads a date-time without weekday as weekday not specified', () => {
    expect(roundTrip('01/06/2024 19:42:11')).toBe('01/06/2024 19:42:11 255');
  });

  it.each([
    '1/06/2024 19:42:11 6',
    '01/06/24 19:42:11 6',
    '32/06/2024 19:42:11 6',
    '01/06/2024 24:00:00 1',
    '01/06/2024 19:42:11 8',
    '01/06/2024 19:42:11 6 ',
    '01-06-2024 19:42:11 6',
    '254/06/2024 19:42:11 6',
    '01/06/2024 19:42:11 0',
    '',
  ])('refuses %j', (text) => {
    expect(isMeterDateTime(text)).toBe(false);
  });

  it('reports the first byte out of range when reading', () => {
    const bytes = Uint8Array.from([0x07, 0xe8, 6, 1, 6, 24, 0, 0]);
    expect(readMeterDateTime(bytes, 0)).toBe(-1 - 5);
    expect(readMeterDateTime(Uint8Array.from([0x27, 0x10, 6, 1, 6, 0, 0, 0]), 0)).toBe(-1); // year 10000
  });

  it('formats an instant in Europe/Rome with the ISO weekday, on both sides of a DST change', () => {
    expect(formatMeterDateTime(1711846799)).toBe('31/03/2024 01:59:59 7'); // CET, UTC+1
    expect(formatMeterDateTime(1711846800)).toBe('31/03/2024 03:00:00 7'); // CEST, UTC+2
    expect(formatMeterDateTime(1717262531)).toBe('01/06/2024 19:22:11 6');
  });
});

describe('envelope Ts', () => {
  it('formats the receive instant as YYYY/MM/DD HH:MM:SS in Europe/Rome', () => {
    expect(formatEnvelopeTs(new Date('2024-06-01T11:00:21Z'))).toBe('2024/06/01 13:00:21');
    expect(formatEnvelopeTs(new Date('2024-01-15T23:30:00Z'))).toBe('2024/01/16 00:30:00');
  });

  it('accepts only that shape with every part in range', () => {
    expect(isEnvelopeTs('2024/06/01 13:00:21')).toBe(true);
    expect(isEnvelopeTs('2024/06/01 24:00:00')).toBe(false);
    expect(isEnvelopeTs('2024/00/01 13:00:21')).toBe(false);
    expect(isEnvelopeTs('2024/6/1 13:00:21')).toBe(false);
  });
});
