import { describe, expect, it } from 'vitest';
import {
  distributorCodeOf,
  maskKey,
  MAX_TEXT_LENGTH,
  parseDuKey,
  parseLabel,
  parseMacAddress,
  parsePod,
  type Pod,
} from './identifiers.js';

// Identifier rules of CHAIN2.md §2. Every parser reports a refusal as data ({ ok: false, issue }) and never throws.

const POD_MESSAGE =
  'pod must be IT + 3-digit distributor code + E + 8 digits, optionally one check character (e.g. IT001E12345678)';
const MAC_MESSAGE = 'macAddress must be 12 hex digits starting with DC (e.g. DC0A1B2C3D4E)';
const KEY_MESSAGE = 'encryptionKey must be 32 hex digits (a 128-bit AES key)';

describe('parsePod', () => {
  it.each([
    ['a POD without check character', 'IT001E12345678', 'IT001E12345678'],
    ['a POD with a check digit', 'IT001E123456789', 'IT001E123456789'],
    ['a POD with a check letter', 'IT001E12345678A', 'IT001E12345678A'],
    ['a POD of another distributor code (Areti)', 'IT002E00000001', 'IT002E00000001'],
    ['a lowercase POD, uppercased', 'it001e12345678a', 'IT001E12345678A'],
    ['a mixed-case POD, uppercased', 'It001e12345678', 'IT001E12345678'],
    ['a POD right-padded with spaces as in meter frames, trimmed', 'IT001E12345678   ', 'IT001E12345678'],
    ['a POD with leading and trailing whitespace, trimmed', ' \tIT001E12345678\n', 'IT001E12345678'],
  ])('accepts %s', (_case, input, expected) => {
    expect(parsePod(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a wrong country prefix', 'FR001E12345678'],
    ['a missing country prefix', '001E12345678'],
    ['a distributor code of two digits', 'IT01E12345678'],
    ['a distributor code of four digits', 'IT0001E12345678'],
    ['a non-numeric distributor code', 'ITA01E12345678'],
    ['a letter other than E after the distributor code', 'IT001F12345678'],
    ['a missing E', 'IT00112345678'],
    ['seven digits after the E', 'IT001E1234567'],
    ['a letter among the eight digits', 'IT001E1234567X'],
    ['two check characters', 'IT001E12345678AB'],
    ['a check character that is not alphanumeric', 'IT001E12345678-'],
    ['inner spaces', 'IT001 E12345678'],
    ['a whitespace-only string', '   '],
    ['a non-ASCII check letter', 'IT001E12345678ä'],
  ])('refuses a POD with %s', (_case, input) => {
    expect(parsePod(input)).toEqual({ ok: false, issue: { field: 'pod', code: 'invalid_pod', message: POD_MESSAGE } });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
  ])('reports a POD given as %s as required', (_case, input) => {
    expect(parsePod(input)).toEqual({
      ok: false,
      issue: { field: 'pod', code: 'required', message: 'pod is required' },
    });
  });

  it.each([
    ['a number', 1234],
    ['an object', { pod: 'IT001E12345678' }],
    ['a boolean', true],
  ])('refuses a POD given as %s with invalid_type', (_case, input) => {
    expect(parsePod(input)).toEqual({
      ok: false,
      issue: { field: 'pod', code: 'invalid_type', message: 'pod must be a string' },
    });
  });

  it('names the field it was given in the issue', () => {
    expect(parsePod('nope', 'rows.3.pod')).toEqual({
      ok: false,
      issue: { field: 'rows.3.pod', code: 'invalid_pod', message: POD_MESSAGE.replace(/^pod/, 'rows.3.pod') },
    });
  });
});

describe('distributorCodeOf', () => {
  it.each([
    ['IT001E12345678', '001'],
    ['IT002E12345678A', '002'],
    ['IT123E00000000', '123'],
  ])('reads the distributor code of %s as %s', (pod, code) => {
    expect(distributorCodeOf(pod as Pod)).toBe(code);
  });
});

describe('parseMacAddress', () => {
  it.each([
    ['12 uppercase hex digits', 'DC0A1B2C3D4E', 'DC0A1B2C3D4E'],
    ['12 lowercase hex digits, uppercased', 'dc0a1b2c3d4e', 'DC0A1B2C3D4E'],
    ['colon-separated pairs, stored without separators', 'DC:0A:1B:2C:3D:4E', 'DC0A1B2C3D4E'],
    ['dash-separated pairs, stored without separators', 'DC-0A-1B-2C-3D-4E', 'DC0A1B2C3D4E'],
    ['lowercase colon-separated pairs', 'dc:0a:1b:2c:3d:4e', 'DC0A1B2C3D4E'],
    ['lowercase dash-separated pairs', 'dc-ff-ff-ff-ff-ff', 'DCFFFFFFFFFF'],
    ['surrounding whitespace, trimmed', '  DC0A1B2C3D4E\t', 'DC0A1B2C3D4E'],
    ['surrounding whitespace around separated pairs', ' dc:0a:1b:2c:3d:4e ', 'DC0A1B2C3D4E'],
  ])('accepts a MAC address as %s', (_case, input, expected) => {
    expect(parseMacAddress(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['does not start with DC', 'AC0A1B2C3D4E'],
    ['starts with CD', 'CD0A1B2C3D4E'],
    ['has DC only in the middle', '0A1BDC2C3D4E'],
    ['has separated pairs but does not start with DC', '00:0A:1B:2C:3D:4E'],
    ['has 11 hex digits', 'DC0A1B2C3D4'],
    ['has 13 hex digits', 'DC0A1B2C3D4E5'],
    ['has 5 separated pairs', 'DC:0A:1B:2C:3D'],
    ['has 7 separated pairs', 'DC:0A:1B:2C:3D:4E:5F'],
    ['contains a non-hex letter', 'DC0A1B2C3D4G'],
    ['contains a non-hex letter among separated pairs', 'DC:0A:1B:2C:3D:4G'],
    ['uses dots as separators', 'DC.0A.1B.2C.3D.4E'],
    ['uses spaces as separators', 'DC 0A 1B 2C 3D 4E'],
    ['has a trailing separator', 'DC:0A:1B:2C:3D:4E:'],
    ['has a doubled separator', 'DC::0A:1B:2C:3D:4E'],
    ['has separators between single digits', 'D:C:0:A:1:B:2:C:3:D:4:E'],
    ['is a whitespace-only string', '   '],
  ])('refuses a MAC address that %s', (_case, input) => {
    expect(parseMacAddress(input)).toEqual({
      ok: false,
      issue: { field: 'macAddress', code: 'invalid_mac_address', message: MAC_MESSAGE },
    });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
  ])('reports a MAC address given as %s as required', (_case, input) => {
    expect(parseMacAddress(input)).toEqual({
      ok: false,
      issue: { field: 'macAddress', code: 'required', message: 'macAddress is required' },
    });
  });

  it('refuses a MAC address given as a number with invalid_type', () => {
    expect(parseMacAddress(0xdc0a1b2c3d4e)).toEqual({
      ok: false,
      issue: { field: 'macAddress', code: 'invalid_type', message: 'macAddress must be a string' },
    });
  });

  it('names the field it was given in the issue', () => {
    expect(parseMacAddress('AC0A1B2C3D4E', 'du.macAddress')).toEqual({
      ok: false,
      issue: { field: 'du.macAddress', code: 'invalid_mac_address', message: `du.${MAC_MESSAGE}` },
    });
  });
});

describe('parseDuKey', () => {
  const KEY = '00112233445566778899AABBCCDDEEFF';

  it.each([
    ['32 uppercase hex digits', KEY, KEY],
    ['32 lowercase hex digits, uppercased', KEY.toLowerCase(), KEY],
    ['32 mixed-case hex digits, uppercased', '00112233445566778899aaBBccDDeeFF', KEY],
    ['surrounding whitespace, trimmed', `  ${KEY}\n`, KEY],
  ])('accepts a key of %s', (_case, input, expected) => {
    expect(parseDuKey(input)).toEqual({ ok: true, value: expected });
  });

  const refused: [string, string][] = [
    ['31 hex digits', KEY.slice(0, 31)],
    ['33 hex digits', `${KEY}0`],
    ['16 hex digits (a 64-bit key)', KEY.slice(0, 16)],
    ['64 hex digits (a 256-bit key)', `${KEY}${KEY}`],
    ['a non-hex letter', `${KEY.slice(0, 31)}G`],
    ['colon separators', KEY.match(/../g)!.join(':')],
    ['inner spaces', `${KEY.slice(0, 16)} ${KEY.slice(16)}`],
    ['a 0x prefix', `0x${KEY.slice(2)}`],
    ['whitespace only', '   '],
  ];

  it.each(refused)('refuses a key of %s', (_case, input) => {
    expect(parseDuKey(input)).toEqual({
      ok: false,
      issue: { field: 'encryptionKey', code: 'invalid_encryption_key', message: KEY_MESSAGE },
    });
  });

  it.each(refused.filter(([, input]) => input.trim().length >= 4))(
    'never echoes any part of a refused key of %s in the issue',
    (_case, input) => {
      const result = parseDuKey(input, 'du.encryptionKey');
      expect(result.ok).toBe(false);
      const serialised = JSON.stringify(result);
      for (const form of [input, input.trim(), input.toUpperCase(), input.slice(-4), input.slice(0, 8)]) {
        expect(serialised).not.toContain(form);
      }
    },
  );

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
  ])('reports a key given as %s as required', (_case, input) => {
    expect(parseDuKey(input)).toEqual({
      ok: false,
      issue: { field: 'encryptionKey', code: 'required', message: 'encryptionKey is required' },
    });
  });

  it('refuses a key given as a number with invalid_type, without echoing it', () => {
    expect(parseDuKey(1234567890)).toEqual({
      ok: false,
      issue: { field: 'encryptionKey', code: 'invalid_type', message: 'encryptionKey must be a string' },
    });
  });
});

describe('parseLabel', () => {
  it.each([
    ['a plain name', 'Kitchen display', 'Kitchen display'],
    ['surrounding whitespace, trimmed', '  HW-2.1 \t', 'HW-2.1'],
    ['inner spaces, kept', 'SW 1.4.0 beta', 'SW 1.4.0 beta'],
    ['accented letters', 'Caldaia più efficiente', 'Caldaia più efficiente'],
    ['exactly 64 characters', 'x'.repeat(MAX_TEXT_LENGTH), 'x'.repeat(MAX_TEXT_LENGTH)],
    ['64 characters after trimming 66', ` ${'x'.repeat(MAX_TEXT_LENGTH)} `, 'x'.repeat(MAX_TEXT_LENGTH)],
    // 64 code points, 128 UTF-16 units: the limit counts characters, not String.length.
    ['64 astral characters', '😀'.repeat(MAX_TEXT_LENGTH), '😀'.repeat(MAX_TEXT_LENGTH)],
  ])('accepts a label with %s', (_case, input, expected) => {
    expect(parseLabel(input, 'du.name')).toEqual({ ok: true, value: expected });
  });

  it('has a limit of 64 characters', () => {
    expect(MAX_TEXT_LENGTH).toBe(64);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['spaces only', '    '],
    ['tabs and newlines only', '\t\n\r '],
  ])('reports a label given as %s as required', (_case, input) => {
    expect(parseLabel(input, 'du.name')).toEqual({
      ok: false,
      issue: { field: 'du.name', code: 'required', message: 'du.name is required' },
    });
  });

  it.each([
    ['a number', 21],
    ['an array', ['HW-2.1']],
  ])('refuses a label given as %s with invalid_type', (_case, input) => {
    expect(parseLabel(input, 'du.hardwareVersion')).toEqual({
      ok: false,
      issue: { field: 'du.hardwareVersion', code: 'invalid_type', message: 'du.hardwareVersion must be a string' },
    });
  });

  it.each([
    ['65 characters', 'x'.repeat(MAX_TEXT_LENGTH + 1)],
    ['65 astral characters', '😀'.repeat(MAX_TEXT_LENGTH + 1)],
    ['200 characters', 'x'.repeat(200)],
  ])('refuses a label of %s as too long', (_case, input) => {
    expect(parseLabel(input, 'du.name')).toEqual({
      ok: false,
      issue: { field: 'du.name', code: 'too_long', message: 'du.name must be at most 64 characters' },
    });
  });

  it.each([
    ['an inner tab', 'Kitchen\tdisplay'],
    ['an inner newline', 'Kitchen\ndisplay'],
    ['a NUL character', 'Kitchen\u0000display'],
    ['an escape character', 'Kitchen\u001b[31mdisplay'],
    ['a DEL character', 'Kitchen\u007fdisplay'],
    ['a line separator (U+2028)', 'Kitchen\u2028display'],
    ['a paragraph separator (U+2029)', 'Kitchen\u2029display'],
    ['a C1 control character', 'Kitchen\u0085display'],
    ['a zero-width space (format character)', 'Kitchen\u200bdisplay'],
    ['a right-to-left override', 'Kitchen\u202edisplay'],
    ['a lone surrogate', 'Kitchen\ud800display'],
  ])('refuses a label with %s as not printable', (_case, input) => {
    expect(parseLabel(input, 'du.name')).toEqual({
      ok: false,
      issue: { field: 'du.name', code: 'not_printable', message: 'du.name must contain printable characters only' },
    });
  });
});

describe('maskKey', () => {
  it('shows only the last four digits behind a mask', () => {
    expect(maskKey('EEFF')).toBe('****…EEFF');
  });
});
