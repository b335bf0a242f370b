/**
 * The payload layouts of every Chain 2 frame type (CHAIN2.md §4), as declarative field tables.
 * Field names are exactly those of the JSON envelope DU integrations consume, so one word names one
 * concept on the wire, in JSON and in code; the unit of each field is in the table (and in LAYOUT.md).
 * Integers are big-endian and unsigned unless the kind says otherwise; `ascii` fields are fixed-width,
 * right-padded with spaces as meters do; `date_time` is the DLMS date-time (local time, Europe/Rome)
 * without hundredths, deviation and clock status, which the JSON does not carry.
 */

import { DATE_TIME_BYTES } from './date-time.js';

export const FrameType = {
  CF1: 'CF1',
  CF5: 'CF5',
  CF9: 'CF9',
  CF10: 'CF10',
  CF20: 'CF20',
  CF21: 'CF21',
  CF22: 'CF22',
  CF23: 'CF23',
  CF51: 'CF51',
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** `M1` exchange meter (import/export), `M2` production meter. */
export const Meter = { M1: 'M1', M2: 'M2' } as const;
export type Meter = (typeof Meter)[keyof typeof Meter];

/** Header byte 3. */
export const METER_WIRE_CODES = { M1: 1, M2: 2 } as const satisfies Record<Meter, number>;

export const FieldKind = {
  u8: 'u8',
  u16: 'u16',
  u32: 'u32',
  i32: 'i32',
  ascii: 'ascii',
  dateTime: 'date_time',
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** Units as written in the layout tables: the JSON names are fixed by the integrations, so units live here. */
export const Unit = {
  posixSeconds: 's since 1970-01-01T00:00:00Z',
  seconds: 's',
  wattHours: 'Wh',
  watts: 'W',
  volts: 'V',
  count: 'count',
  code: 'code',
  euroCents: 'euro cents',
  ratio: 'ratio',
  localDateTime: 'local date-time',
  text: 'text',
} as const;
export type Unit = (typeof Unit)[keyof typeof Unit];

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly unit: Unit;
  /** Bytes on the wire; fixed by the kind except for `ascii`. */
  readonly widthBytes: number;
  /** Inclusive range of integer kinds; values outside are malformed on the wire and invalid in JSON. */
  readonly min: number;
  readonly max: number;
}

const U8_MAX = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;

type Range = { min: number; max: number };
const integer =
  <K extends 'u8' | 'u16' | 'u32' | 'i32'>(kind: K, widthBytes: number, full: Range) =>
  <N extends string>(name: N, unit: Unit, range: Range = full) =>
    ({ name, kind, unit, widthBytes, min: range.min, max: range.max }) as const;

const u8 = integer('u8', 1, { min: 0, max: U8_MAX });
const u16 = integer('u16', 2, { min: 0, max: U16_MAX });
const u32 = integer('u32', 4, { min: 0, max: U32_MAX });
const i32 = integer('i32', 4, { min: -0x8000_0000, max: 0x7fff_ffff });
const ascii = <N extends string>(name: N, widthBytes: number) =>
  ({ name, kind: 'ascii', unit: Unit.text, widthBytes, min: 0, max: 0 }) as const;
const dateTime = <N extends string>(name: N) =>
  ({ name, kind: 'date_time', unit: Unit.localDateTime, widthBytes: DATE_TIME_BYTES, min: 0, max: 0 }) as const;

const measuredAt = u32('MeasurePosixTimestamp', Unit.posixSeconds);
const eventAt = u32('EventPosixTimestamp', Unit.posixSeconds);
const eventType = u8('EventType', Unit.code);
const eventsCounter = u32('EventsCounter', Unit.count);

/**
 * Wire codes equal the number in the type's name (CF51 → 51). Periodic frames carry
 * `MeasurePosixTimestamp`, event frames `EventPosixTimestamp` (CHAIN2.md §4); where the §4 table leaves a
 * field out or unnamed, the choice is marked in LAYOUT.md.
 */
export const FRAME_LAYOUTS = {
  CF1: {
    wireCode: 1,
    fields: [
      u32('MessagePosixTimestamp', Unit.posixSeconds),
      measuredAt,
      /** 0 = "F0": band not known yet (a DU just rebooted); 1–6 = F1–F6. */
      u8('TariffCode', Unit.code, { min: 0, max: 6 }),
      u32('CurrQuartActEnergy', Unit.wattHours),
      u32('PrevQuartActEnergy', Unit.wattHours),
      u32('InstantPower', Unit.watts),
      u32('QuartAveragePower', Unit.watts),
      u32('TotalActEnergy', Unit.wattHours),
    ],
  },
  CF5: {
    wireCode: 5,
    fields: [
      measuredAt,
      u32('DailyTotalActEnergyF1', Unit.wattHours),
      u32('DailyTotalActEnergyF2', Unit.wattHours),
      u32('DailyTotalActEnergyF3', Unit.wattHours),
      u32('DailyTotalActEnergyF4', Unit.wattHours),
      u32('DailyTotalActEnergyF5', Unit.wattHours),
      u32('DailyTotalActEnergyF6', Unit.wattHours),
      u32('DailyMaxInstantPower', Unit.watts),
      dateTime('DailyMaxInstantPowerDateTime'),
      i32('PrepaidCredit', Unit.euroCents),
      u8('DayType', Unit.code),
    ],
  },
  CF9: {
    wireCode: 9,
    fields: [
      measuredAt,
      u16('WeeklyVeffMin', Unit.volts),
      dateTime('WeeklyVeffMinDateTime'),
      u16('WeeklyVeffMax', Unit.volts),
      dateTime('WeeklyVeffMaxDateTime'),
      // Voltage-band counters: 10-minute mean voltages per EN 50160 band over the week (1,008 in all).
      u16('WeeklyVeffBand1Counter', Unit.count),
      u16('WeeklyVeffBand2Counter', Unit.count),
      u16('WeeklyVeffBand3Counter', Unit.count),
      u16('WeeklyVeffBand4Counter', Unit.count),
      u16('WeeklyVeffBand5Counter', Unit.count),
    ],
  },
  CF10: {
    wireCode: 10,
    fields: [
      measuredAt,
      u32('MonthlyTotalActEnergyF1', Unit.wattHours),
      u32('MonthlyTotalActEnergyF2', Unit.wattHours),
      u32('MonthlyTotalActEnergyF3', Unit.wattHours),
      u32('MonthlyTotalActEnergyF4', Unit.wattHours),
      u32('MonthlyTotalActEnergyF5', Unit.wattHours),
      u32('MonthlyTotalActEnergyF6', Unit.wattHours),
      u32('MonthlyMaxQuartAveragePower', Unit.watts),
      dateTime('MonthlyMaxQuartAveragePowerDateTime'),
      u8('ClosingCode', Unit.code),
    ],
  },
  CF20: {
    wireCode: 20,
    fields: [
      eventType,
      eventAt,
      eventsCounter,
      ascii('CustomerCode', 16),
      ascii('POD', 15),
      u8('PESSE', Unit.code),
      ascii('Vendor', 20),
      ascii('Phone', 16),
      u32('StartContract', Unit.posixSeconds),
      u32('ContractPower', Unit.watts),
      u32('AvailablePower', Unit.watts),
      u8('FreezingDay', Unit.code, { min: 1, max: 31 }),
      u16('Gap', Unit.watts),
      ascii('DataPlate', 17),
      u16('K', Unit.ratio),
    ],
  },
  CF21: {
    wireCode: 21,
    fields: [eventType, eventsCounter, eventAt, u32('InstantPower', Unit.watts)],
  },
  CF22: {
    wireCode: 22,
    fields: [
      eventType,
      eventsCounter,
      eventAt,
      u32('InstantPower', Unit.watts),
      u32('AvailablePower', Unit.watts),
      u16('SwitchOffCountdownSeconds', Unit.seconds),
    ],
  },
  CF23: {
    wireCode: 23,
    fields: [eventType, eventsCounter, eventAt, u32('OutageDuration', Unit.seconds)],
  },
  CF51: {
    wireCode: 51,
    fields: [eventType, eventsCounter, eventAt, u32('InstantPower', Unit.watts), u16('Gap', Unit.watts)],
  },
} as const satisfies Record<FrameType, { wireCode: number; fields: readonly FieldSpec[] }>;

type ValueOfKind<K extends FieldKind> = K extends 'ascii' | 'date_time' ? string : number;
type PayloadOfFields<F extends readonly FieldSpec[]> = { [S in F[number] as S['name']]: ValueOfKind<S['kind']> };

/** The payload of one frame type, keyed by the JSON field names; date-times as `dd/mm/yyyy HH:MM:SS d`. */
export type PayloadOf<T extends FrameType> = PayloadOfFields<(typeof FRAME_LAYOUTS)[T]['fields']>;

/** One Chain 2 frame as the meter means it: which meter, which type, and the payload. */
export type Frame = { [T in FrameType]: { type: T; meter: Meter; payload: PayloadOf<T> } }[FrameType];

export interface PlacedField extends FieldSpec {
  /** Offset in the plaintext payload (add HEADER_BYTES for the offset in the frame). */
  readonly offset: number;
}

export interface CompiledLayout {
  readonly type: FrameType;
  readonly wireCode: number;
  readonly payloadBytes: number;
  readonly fields: readonly PlacedField[];
}

function compile(type: FrameType): CompiledLayout {
  const { wireCode, fields } = FRAME_LAYOUTS[type];
  let offset = 0;
  const placed = fields.map((field: FieldSpec) => {
    const at = { ...field, offset };
    offset += field.widthBytes;
    return at;
  });
  return { type, wireCode, payloadBytes: offset, fields: placed };
}

export const LAYOUTS: Readonly<Record<FrameType, CompiledLayout>> = Object.fromEntries(
  Object.values(FrameType).map((type) => [type, compile(type)]),
) as Record<FrameType, CompiledLayout>;

/** Indexed by header byte 2; `undefined` for codes no frame type uses. */
export const LAYOUT_BY_WIRE_CODE: readonly (CompiledLayout | undefined)[] = (() => {
  const table: (CompiledLayout | undefined)[] = new Array<CompiledLayout | undefined>(256).fill(undefined);
  for (const layout of Object.values(LAYOUTS)) table[layout.wireCode] = layout;
  return table;
})();

export const MAX_PAYLOAD_BYTES = Math.max(...Object.values(LAYOUTS).map((layout) => layout.payloadBytes));

export function isFrameType(value: unknown): value is FrameType {
  return typeof value === 'string' && Object.hasOwn(FrameType, value);
}

export function isMeter(value: unknown): value is Meter {
  return typeof value === 'string' && Object.hasOwn(Meter, value);
}
