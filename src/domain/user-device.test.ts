import { describe, expect, it } from 'vitest';
import { DomainError, type FieldIssue } from './errors.js';
import { parseUserDevice, parseUserDeviceChanges } from './user-device.js';

const KEY = '00112233445566778899AABBCCDDEEFF';

/** A DU as an asset provider would send it, valid unless overridden. */
function makeDuInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Kitchen display',
    macAddress: 'DC0A1B2C3D4E',
    encryptionKey: KEY,
    hardwareVersion: 'HW-2.1',
    softwareVersion: 'SW-1.4.0',
    ...overrides,
  };
}

const issue = {
  required: (field: string): FieldIssue => ({ field, code: 'required', message: `${field} is required` }),
  mac: (field: string): FieldIssue => ({
    field,
    code: 'invalid_mac_address',
    message: `${field} must be 12 hex digits starting with DC (e.g. DC0A1B2C3D4E)`,
  }),
  key: (field: string): FieldIssue => ({
    field,
    code: 'invalid_encryption_key',
    message: `${field} must be 32 hex digits (a 128-bit AES key)`,
  }),
  tooLong: (field: string): FieldIssue => ({
    field,
    code: 'too_long',
    message: `${field} must be at most 64 characters`,
  }),
  notPrintable: (field: string): FieldIssue => ({
    field,
    code: 'not_printable',
    message: `${field} must contain printable characters only`,
  }),
  notObject: (field: string): FieldIssue => ({ field, code: 'required', message: `${field} must be an object` }),
};

/** Runs fn, which must throw a DomainError, and returns it. */
function thrownBy(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('parseUserDevice', () => {
  it('returns the normalised device and adds no issue when every field is valid', () => {
    const issues: FieldIssue[] = [];
    const device = parseUserDevice(
      makeDuInput({
        name: '  Kitchen display ',
        macAddress: 'dc:0a:1b:2c:3d:4e',
        encryptionKey: KEY.toLowerCase(),
        hardwareVersion: ' HW-2.1',
        softwareVersion: 'SW-1.4.0 ',
      }),
      issues,
    );
    expect(device).toEqual({
      name: 'Kitchen display',
      macAddress: 'DC0A1B2C3D4E',
      encryptionKey: KEY,
      hardwareVersion: 'HW-2.1',
      softwareVersion: 'SW-1.4.0',
    });
    expect(issues).toEqual([]);
  });

  it('keeps only the five DU fields, dropping unknown ones', () => {
    const device = parseUserDevice(makeDuInput({ colour: 'red' }), []);
    expect(device && Object.keys(device).sort()).toEqual([
      'encryptionKey',
      'hardwareVersion',
      'macAddress',
      'name',
      'softwareVersion',
    ]);
  });

  it.each([
    ['name', '', issue.required('du.name')],
    ['name', 'x'.repeat(65), issue.tooLong('du.name')],
    ['name', 'Kitchen\u0007display', issue.notPrintable('du.name')],
    ['name', 'Kitchen\u2028display', issue.notPrintable('du.name')],
    ['name', 'Kitchen\u2029display', issue.notPrintable('du.name')],
    ['hardwareVersion', 'HW\u20282', issue.notPrintable('du.hardwareVersion')],
    ['softwareVersion', 'SW\u20291', issue.notPrintable('du.softwareVersion')],
    ['macAddress', 'AC0A1B2C3D4E', issue.mac('du.macAddress')],
    ['macAddress', undefined, issue.required('du.macAddress')],
    ['encryptionKey', KEY.slice(1), issue.key('du.encryptionKey')],
    ['encryptionKey', null, issue.required('du.encryptionKey')],
    ['hardwareVersion', '   ', issue.required('du.hardwareVersion')],
    ['softwareVersion', 'v'.repeat(100), issue.tooLong('du.softwareVersion')],
  ])('reports a bad %s (%j) under its dotted path and returns nothing', (field, value, expected) => {
    const issues: FieldIssue[] = [];
    expect(parseUserDevice(makeDuInput({ [field]: value }), issues)).toBeUndefined();
    expect(issues).toEqual([expected]);
  });

  it('collects every bad field at once, in field order', () => {
    const issues: FieldIssue[] = [];
    const device = parseUserDevice(
      {
        name: '',
        macAddress: 'AC0A1B2C3D4E',
        encryptionKey: 'not-a-key',
        hardwareVersion: 'x'.repeat(65),
        softwareVersion: 'SW\n1',
      },
      issues,
    );
    expect(device).toBeUndefined();
    expect(issues).toEqual([
      issue.required('du.name'),
      issue.mac('du.macAddress'),
      issue.key('du.encryptionKey'),
      issue.tooLong('du.hardwareVersion'),
      issue.notPrintable('du.softwareVersion'),
    ]);
  });

  it('reports every field of an empty object as required', () => {
    const issues: FieldIssue[] = [];
    expect(parseUserDevice({}, issues)).toBeUndefined();
    expect(issues).toEqual(
      ['name', 'macAddress', 'encryptionKey', 'hardwareVersion', 'softwareVersion'].map((f) =>
        issue.required(`du.${f}`),
      ),
    );
  });

  it('uses the prefix it is given for the dotted paths', () => {
    const issues: FieldIssue[] = [];
    expect(parseUserDevice(makeDuInput({ macAddress: 'DC0A' }), issues, 'rows.7.du')).toBeUndefined();
    expect(issues).toEqual([issue.mac('rows.7.du.macAddress')]);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'DC0A1B2C3D4E'],
    ['a number', 42],
    ['an array', [makeDuInput()]],
  ])('refuses a DU given as %s with one issue on the DU itself', (_case, input) => {
    const issues: FieldIssue[] = [];
    expect(parseUserDevice(input, issues)).toBeUndefined();
    expect(issues).toEqual([issue.notObject('du')]);
  });

  it('appends to issues already collected and still returns a valid device', () => {
    const earlier: FieldIssue = { field: 'pod', code: 'invalid_pod', message: 'pod is wrong' };
    const issues: FieldIssue[] = [earlier];
    expect(parseUserDevice(makeDuInput(), issues)).toEqual(makeDuInput());
    expect(issues).toEqual([earlier]);
  });

  it('appends its own issues after those already collected', () => {
    const earlier: FieldIssue = { field: 'pod', code: 'invalid_pod', message: 'pod is wrong' };
    const issues: FieldIssue[] = [earlier];
    expect(parseUserDevice(makeDuInput({ name: '' }), issues)).toBeUndefined();
    expect(issues).toEqual([earlier, issue.required('du.name')]);
  });
});

describe('parseUserDeviceChanges', () => {
  it.each([
    ['the name only', { name: ' Hall display ' }, { name: 'Hall display' }],
    ['the MAC address only', { macAddress: 'dc-0a-1b-2c-3d-4f' }, { macAddress: 'DC0A1B2C3D4F' }],
    ['the key only (key rotation)', { encryptionKey: KEY.toLowerCase() }, { encryptionKey: KEY }],
    [
      'both versions (firmware update)',
      { hardwareVersion: 'HW-3', softwareVersion: 'SW-2' },
      { hardwareVersion: 'HW-3', softwareVersion: 'SW-2' },
    ],
    ['every field', makeDuInput(), makeDuInput()],
    ['one field beside fields left undefined', { name: 'Hall', macAddress: undefined }, { name: 'Hall' }],
    ['one field beside unknown fields, which are dropped', { name: 'Hall', colour: 'red' }, { name: 'Hall' }],
  ])('accepts a change of %s and returns only the changed fields, normalised', (_case, input, expected) => {
    expect(parseUserDeviceChanges(input)).toEqual(expected);
  });

  it.each([
    ['an empty object', {}],
    ['only undefined fields', { name: undefined, encryptionKey: undefined }],
    ['only unknown fields', { colour: 'red' }],
  ])('refuses a change with %s as empty', (_case, input) => {
    const error = thrownBy(() => parseUserDeviceChanges(input));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('Invalid input: du');
    expect(error.details).toEqual([
      {
        field: 'du',
        code: 'empty_change',
        message: 'du must change at least one of name, macAddress, encryptionKey, hardwareVersion, softwareVersion',
      },
    ]);
  });

  it.each([
    ['name', '', issue.required('du.name')],
    ['name', null, issue.required('du.name')],
    ['name', 'n'.repeat(65), issue.tooLong('du.name')],
    ['macAddress', 'DC0A1B2C3D4G', issue.mac('du.macAddress')],
    ['encryptionKey', `${KEY}00`, issue.key('du.encryptionKey')],
    ['hardwareVersion', '\u0000', issue.notPrintable('du.hardwareVersion')],
    ['name', 'Hall\u2028display', issue.notPrintable('du.name')],
    ['softwareVersion', '2\u20290', issue.notPrintable('du.softwareVersion')],
    ['softwareVersion', ' ', issue.required('du.softwareVersion')],
  ])('refuses a change with a bad %s (%j), naming the field', (field, value, expected) => {
    const error = thrownBy(() => parseUserDeviceChanges({ [field]: value }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(`Invalid input: ${expected.field}`);
    expect(error.details).toEqual([expected]);
  });

  it('reports every bad field of a change at once, and none of the good ones', () => {
    const error = thrownBy(() =>
      parseUserDeviceChanges({ name: 'Hall', macAddress: 'AC0A1B2C3D4E', encryptionKey: 'zz' }),
    );
    expect(error.message).toBe('Invalid input: du.macAddress, du.encryptionKey');
    expect(error.details).toEqual([issue.mac('du.macAddress'), issue.key('du.encryptionKey')]);
  });

  it('never echoes a bad key in the error it throws', () => {
    const badKey = `${KEY.slice(0, 30)}ZZ`;
    const error = thrownBy(() => parseUserDeviceChanges({ encryptionKey: badKey }));
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(badKey.slice(0, 8));
  });

  it('uses the prefix it is given for the dotted paths', () => {
    const error = thrownBy(() => parseUserDeviceChanges({ macAddress: 'nope' }, 'changes'));
    expect(error.details).toEqual([issue.mac('changes.macAddress')]);
  });

  it.each([
    ['null', null],
    ['a string', 'Hall'],
    ['an array', [{ name: 'Hall' }]],
  ])('refuses a change given as %s with one issue on the DU itself', (_case, input) => {
    const error = thrownBy(() => parseUserDeviceChanges(input));
    expect(error.code).toBe('invalid_input');
    expect(error.details).toEqual([issue.notObject('du')]);
  });
});
