import type { DuKey, MacAddress, Pod } from './identifiers.js';

/**
 * Commands the DSO's telemanagement sends a 2G meter over Chain 1 (through its concentrator), and their outcomes.
 * Every command carries an id that makes it idempotent: a meter that sees the same id again does nothing twice.
 */
export const MeterCommandKind = {
  programChain2: 'program_chain2',
  clearChain2: 'clear_chain2',
  connect: 'connect',
  disconnect: 'disconnect',
  setAvailablePower: 'set_available_power',
  setTariffCalendar: 'set_tariff_calendar',
  readRegisters: 'read_registers',
} as const;
export type MeterCommandKind = (typeof MeterCommandKind)[keyof typeof MeterCommandKind];

/** One switch-over of the band calendar: from `fromMinute` (minutes after local midnight) the band holds. */
export interface TariffSwitch {
  fromMinute: number;
  band: 1 | 2 | 3 | 4 | 5 | 6;
}
/** Band programmes per day type (CHAIN2.md §6: ARERA F1/F2/F3; up to 6 bands). */
export interface TariffCalendar {
  weekday: TariffSwitch[];
  saturday: TariffSwitch[];
  holiday: TariffSwitch[];
}

export type MeterCommand =
  | { kind: 'program_chain2'; macAddress: MacAddress; encryptionKey: DuKey }
  | { kind: 'clear_chain2' }
  | { kind: 'connect' }
  | { kind: 'disconnect' }
  | { kind: 'set_available_power'; availablePowerW: number }
  | { kind: 'set_tariff_calendar'; calendar: TariffCalendar }
  | { kind: 'read_registers' };

export interface AddressedCommand {
  /** Idempotency id: the same id twice is executed once. */
  commandId: string;
  pod: Pod;
  command: MeterCommand;
}

/** Energy registers as a meter reads them: Wh per band (F1…F6), import and export. */
export interface MeterRegisters {
  readAt: Date;
  importEnergyWh: number;
  exportEnergyWh: number;
  importEnergyByBandWh: [number, number, number, number, number, number];
  availablePowerW: number;
  connected: boolean;
}

/** Why a command did not complete. Stable codes, shown to operators. */
export const CommandFailure = {
  meterUnreachable: 'meter_unreachable',
  linkTimeout: 'link_timeout',
  rejectedByMeter: 'rejected_by_meter',
  unknownMeter: 'unknown_meter',
} as const;
export type CommandFailure = (typeof CommandFailure)[keyof typeof CommandFailure];

export type CommandOutcome =
  | { status: 'done'; attempts: number; completedAt: Date; registers?: MeterRegisters }
  | { status: 'failed'; attempts: number; completedAt: Date; reason: CommandFailure; detail: string };
