import { invalidInput, type FieldIssue } from './errors.js';
import { parseDuKey, parseLabel, parseMacAddress, type DuKey, type MacAddress, type Parsed } from './identifiers.js';

/** The in-home device (DU) as an asset provider declares it for an association. */
export interface UserDevice {
  name: string;
  macAddress: MacAddress;
  encryptionKey: DuKey;
  hardwareVersion: string;
  softwareVersion: string;
}
export type UserDeviceChanges = Partial<UserDevice>;

type Parsers = { [K in keyof UserDevice]: (value: unknown, field: string) => Parsed<UserDevice[K]> };
const parsers: Parsers = {
  name: parseLabel,
  macAddress: parseMacAddress,
  encryptionKey: parseDuKey,
  hardwareVersion: parseLabel,
  softwareVersion: parseLabel,
};
const FIELDS = Object.keys(parsers) as (keyof UserDevice)[];

function parseFields(
  input: unknown,
  prefix: string,
  present: (keyof UserDevice)[],
  issues: FieldIssue[],
): UserDeviceChanges {
  const source = input as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of present) {
    const parsed = parsers[key](source[key], `${prefix}.${key}`);
    if (parsed.ok) result[key] = parsed.value;
    else issues.push(parsed.issue);
  }
  return result as UserDeviceChanges;
}

function requireObject(input: unknown, prefix: string, issues: FieldIssue[]): input is Record<string, unknown> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return true;
  issues.push({ field: prefix, code: 'required', message: `${prefix} must be an object` });
  return false;
}

/** Collects every issue (not only the first) so a form can mark all bad fields at once. */
export function parseUserDevice(input: unknown, issues: FieldIssue[], prefix = 'du'): UserDevice | undefined {
  if (!requireObject(input, prefix, issues)) return undefined;
  const before = issues.length;
  const device = parseFields(input, prefix, FIELDS, issues);
  return issues.length === before ? (device as UserDevice) : undefined;
}

/** A modification: any non-empty subset of the DU's fields. */
export function parseUserDeviceChanges(input: unknown, prefix = 'du'): UserDeviceChanges {
  const issues: FieldIssue[] = [];
  if (!requireObject(input, prefix, issues)) throw invalidInput(issues);
  const present = FIELDS.filter((key) => input[key] !== undefined);
  if (present.length === 0) {
    throw invalidInput([
      { field: prefix, code: 'empty_change', message: `${prefix} must change at least one of ${FIELDS.join(', ')}` },
    ]);
  }
  const changes = parseFields(input, prefix, present, issues);
  if (issues.length > 0) throw invalidInput(issues);
  return changes;
}
