import type { FieldIssue } from './errors.js';
import { parsePod, type Pod } from './identifiers.js';
import type { CommandFailure, MeterCommand, MeterRegisters, TariffCalendar } from './meter-command.js';
import { tariffCalendarIssues } from './tariff-bands.js';

/**
 * Remote operations a DSO operator runs on one meter over Chain 1 (the daily work of telemanagement, beside the
 * Chain 2 programming that association requests cause). Each is a meter command with its own outcome.
 */
export const OperationKind = {
  connect: 'connect',
  disconnect: 'disconnect',
  setAvailablePower: 'set_available_power',
  setTariffCalendar: 'set_tariff_calendar',
  readRegisters: 'read_registers',
} as const;
export type OperationKind = (typeof OperationKind)[keyof typeof OperationKind];

/** `submitted` (saved) → `queued` (its job enqueued) → `completed` | `failed` (with the head-end's reason). */
export const OperationStatus = {
  submitted: 'submitted',
  queued: 'queued',
  completed: 'completed',
  failed: 'failed',
} as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];

/** Why an operation failed: the head-end's reasons, or the workflow giving up on it. */
export type OperationFailure = CommandFailure | 'workflow_error';

/** Bounds of an available-power setting: the meter refuses above 3 × the contract power on its own. */
export const MAX_AVAILABLE_POWER_W = 100_000;

export type OperationCommand = Extract<MeterCommand, { kind: OperationKind }>;

export interface MeterOperation {
  id: string;
  operatorId: string;
  pod: Pod;
  command: OperationCommand;
  status: OperationStatus;
  reason: OperationFailure | null;
  /** The head-end's words for a failure (e.g. why the meter refused). */
  detail: string | null;
  attempts: number | null;
  registers: MeterRegisters | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface OperationInput {
  pod?: unknown;
  kind?: unknown;
  availablePowerW?: unknown;
  calendar?: unknown;
}

/** Validates an operator's input into a POD and a command, reporting every problem at once. */
export function parseOperation(
  input: OperationInput,
): { ok: true; pod: Pod; command: OperationCommand } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const pod = parsePod(input.pod);
  if (!pod.ok) issues.push(pod.issue);
  const kinds = Object.values(OperationKind) as string[];
  if (typeof input.kind !== 'string' || !kinds.includes(input.kind)) {
    issues.push({ field: 'kind', code: 'invalid_kind', message: `must be one of ${kinds.join(', ')}` });
    return { ok: false, issues };
  }
  let command: OperationCommand | undefined;
  switch (input.kind as OperationKind) {
    case 'set_available_power': {
      const watts = input.availablePowerW;
      if (typeof watts !== 'number' || !Number.isInteger(watts) || watts < 0 || watts > MAX_AVAILABLE_POWER_W) {
        issues.push({
          field: 'availablePowerW',
          code: 'invalid_power',
          message: `must be whole watts from 0 to ${MAX_AVAILABLE_POWER_W}`,
        });
      } else command = { kind: 'set_available_power', availablePowerW: watts };
      break;
    }
    case 'set_tariff_calendar': {
      const calendar = input.calendar as TariffCalendar | undefined;
      const shapeOk =
        calendar !== null &&
        typeof calendar === 'object' &&
        (['weekday', 'saturday', 'holiday'] as const).every(
          (day) =>
            Array.isArray(calendar[day]) &&
            calendar[day].every(
              (s) =>
                s !== null && typeof s === 'object' && typeof s.fromMinute === 'number' && typeof s.band === 'number',
            ),
        );
      if (!shapeOk) {
        issues.push({
          field: 'calendar',
          code: 'invalid_calendar',
          message: 'must hold weekday, saturday and holiday lists of {fromMinute, band}',
        });
      } else {
        const calendarIssues = tariffCalendarIssues(calendar);
        if (calendarIssues.length > 0) issues.push(...calendarIssues);
        else command = { kind: 'set_tariff_calendar', calendar };
      }
      break;
    }
    default:
      command = { kind: input.kind as 'connect' | 'disconnect' | 'read_registers' };
  }
  if (issues.length > 0 || !pod.ok || !command) return { ok: false, issues };
  return { ok: true, pod: pod.value, command };
}
