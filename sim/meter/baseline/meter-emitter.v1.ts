// Baseline for bench/meter-day.bench.ts only: the MeterEmitter and load profile as they were before issue #13 (10 s steps,
// load sampled per 10 s). Not used by the simulation. Do not edit.

/**
 * One Open Meter's Chain 2 behaviour, as a pure deterministic model: simulated time is stepped by `advanceTo`,
 * power comes from the meter's load profile, energy is integrated into band registers, and the frames due in the
 * interval come back as codec `Frame`s (CHAIN2.md §4, field names and units of src/codec/layout.ts). No clock, no
 * Math.random: the same options and the same calls give the same frames, however the calls split the time.
 *
 * Time: 10-second steps on the POSIX grid (a multiple of 10 s). Power is sampled at each step instant and held for
 * the step (the meter's integration period); every frame's timestamp is a step instant.
 */

import type { Frame, PayloadOf } from '../../../src/codec/index.js';
import { formatMeterDateTime } from '../../../src/codec/index.js';
import {
  DayType,
  dayTypeOf,
  romeLocalParts,
  tariffBandAt,
  type LocalDate,
  type TariffBand,
} from '../../../src/domain/tariff-bands.js';
import { derivedSeed } from '../../../src/telemanagement/seeded-random.js';
import { loadPowerW, makeLoadProfile, type LoadProfile } from './load-profile.v1.js';
import { supplyVoltageV, voltageBandOf, VOLTAGE_INTERVAL_SECONDS } from '../../meter-emitter/supply-voltage.js';
import { switchOffCountdownSeconds } from '../../meter-emitter/switch-off-countdown.js';

export const STEP_SECONDS = 10;
const QUARTER_SECONDS = 900;
const JOULES_PER_WH = 3_600;
/** CHAIN2.md §4: CF21 when the instantaneous power crosses a multiple of Gap. */
export const GAP_W = 300;
/** After the breaker opens, the customer re-arms it this many seconds later (choice). */
export const REARM_SECONDS = 300;
/** After re-arming, the household keeps its load at or below the available power this long (choice). */
export const SHED_SECONDS = 1_800;
const BANDS = [1, 2, 3, 4, 5, 6] as const;

/**
 * Codes the meter puts in `EventType`, `DayType` and `ClosingCode`: no public table (LAYOUT.md), so ours.
 * DayType: 1 weekday, 2 Saturday, 3 Sunday or national holiday.
 */
export const EventTypeCode = {
  contractMonthly: 1, // CF20 sent at the monthly freeze
  powerRose: 1, // CF21
  powerFell: 2, // CF21
  overloadStarted: 1, // CF22: power went above the available power
  overloadWorsened: 2, // CF22: the excess reached a step with a shorter countdown
  supplyRestored: 1, // CF23
} as const;
export const DAY_TYPE_CODES = { weekday: 1, saturday: 2, holiday: 3 } as const satisfies Record<DayType, number>;
export const CLOSING_CODE_MONTHLY_FREEZE = 1;

/** CF20 contract data the brief does not fix; each has a default. Texts within the codec widths, no trailing spaces. */
export interface ContractData {
  /** ≤ 16 chars; default: 10 digits drawn from the seed and POD. */
  customerCode: string;
  /** ≤ 20 chars; default `SIM RETAILER`. */
  vendor: string;
  /** ≤ 16 chars; default `800000000`. */
  phone: string;
  /** Load-shedding plan code (PESSE), 0–255; default 0. */
  pesse: number;
  /** Default: `startAt`. */
  startContract: Date;
}

export interface MeterEmitterOptions {
  /** Up to 15 printable chars (CF20 `POD`). */
  pod: string;
  /** Up to 17 printable chars (CF20 `DataPlate`). */
  meterSerial: string;
  contractPowerW: number;
  availablePowerW: number;
  /** With the POD, fixes the household and the voltage: two meters with the same seed still differ. */
  seed: number;
  /** Simulated time starts here; frames are due strictly after it. */
  startAt: Date;
  contract?: Partial<ContractData>;
}

interface QuarterContext {
  startS: number;
  band: TariffBand;
  dayType: DayType;
  /** Europe/Rome wall-clock second of the day at `startS`. */
  localSecond: number;
  /** year * 10000 + month * 100 + day, Europe/Rome. */
  dayKey: number;
  isMidnight: boolean;
  isoWeekday: number;
  dayOfMonth: number;
}

interface Outage {
  fromMs: number;
  toMs: number;
  /** The meter is off at step instants in [fromS, toS). */
  fromS: number;
  toS: number;
}

interface Extreme {
  value: number;
  atS: number;
}

const TEXT_WIDTHS = { pod: 15, meterSerial: 17, customerCode: 16, vendor: 20, phone: 16 } as const;

export class MeterEmitter {
  readonly profile: LoadProfile;
  readonly #pod: string;
  readonly #meterSerial: string;
  readonly #contractPowerW: number;
  readonly #availablePowerW: number;
  readonly #voltageSeed: number;
  readonly #contract: ContractData;

  /** The current step instant, POSIX s; `#powerW` holds from here to the next step. */
  #nowS: number;
  #advancedToMs: number;
  #powerW = 0;
  #gapIndex = 0;
  #ctx: QuarterContext;

  /** Cumulative energy per band, J (index 1–6); registers in Wh are their floors. */
  readonly #bandJ = new Float64Array(7);
  #quarterJ = 0;
  #lastQuarterTotalWh: number;
  #prevQuartWh = 0;
  #dayStartWh: number[];
  #dayMax: Extreme;
  #monthStartWh: number[];
  #monthMaxQuartAverage: Extreme;
  #weekMinV: Extreme | null = null;
  #weekMaxV: Extreme | null = null;
  readonly #weekBandCounts = [0, 0, 0, 0, 0];

  readonly #eventsCounters = { CF20: 0, CF21: 0, CF22: 0, CF23: 0 };
  #overloadRemainingS = 0;
  #trippedUntilS = 0;
  #shedUntilS = 0;
  #outages: Outage[] = [];
  #currentOutage: Outage | undefined;
  readonly #sentByDay = new Map<number, number>();

  constructor(options: MeterEmitterOptions) {
    const { pod, meterSerial, contractPowerW, availablePowerW, seed, startAt } = options;
    assertText('pod', pod, TEXT_WIDTHS.pod);
    assertText('meterSerial', meterSerial, TEXT_WIDTHS.meterSerial);
    assertWatts('contractPowerW', contractPowerW);
    assertWatts('availablePowerW', availablePowerW);
    if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
    const startMs = instantMs('startAt', startAt);

    const meterSeed = derivedSeed(seed >>> 0, pod);
    this.profile = makeLoadProfile(meterSeed, contractPowerW);
    this.#voltageSeed = derivedSeed(meterSeed, 'voltage');
    this.#pod = pod;
    this.#meterSerial = meterSerial;
    this.#contractPowerW = contractPowerW;
    this.#availablePowerW = availablePowerW;
    this.#contract = contractData(options.contract, meterSeed, startAt);

    this.#advancedToMs = startMs;
    this.#nowS = ceilToStep(startMs);
    this.#ctx = quarterContext(Math.floor(this.#nowS / QUARTER_SECONDS) * QUARTER_SECONDS);
    this.#lastQuarterTotalWh = this.totalActEnergyWh;
    this.#dayStartWh = this.#bandWh();
    this.#monthStartWh = this.#bandWh();
    this.#powerW = this.#sampleW(this.#nowS);
    this.#gapIndex = Math.floor(this.#powerW / GAP_W);
    this.#dayMax = { value: this.#powerW, atS: this.#nowS };
    this.#monthMaxQuartAverage = { value: 0, atS: this.#nowS };
  }

  /** The last instant passed to `advanceTo` (or `startAt`). */
  get simulatedAt(): Date {
    return new Date(this.#advancedToMs);
  }

  /** Power at the current step instant, W (0 during an outage or with the breaker open). */
  get instantPowerW(): number {
    return this.#powerW;
  }

  /** The meter's total register, Wh: the sum of the six band registers, as a meter's total is. */
  get totalActEnergyWh(): number {
    let total = 0;
    for (const band of BANDS) total += Math.floor(this.#bandJ[band]! / JOULES_PER_WH);
    return total;
  }

  /**
   * Steps simulated time to `t` and returns the frames due in (previous instant, t], in time order (frames at one
   * instant: CF1, CF5, CF9, CF10, CF20, then CF23, CF21, CF22). A `t` not after the previous one returns nothing.
   */
  advanceTo(t: Date): Frame[] {
    const targetMs = instantMs('t', t);
    const out: Frame[] = [];
    if (targetMs <= this.#advancedToMs) return out;
    this.#advancedToMs = targetMs;
    const lastS = Math.floor(targetMs / 1000 / STEP_SECONDS) * STEP_SECONDS;
    while (this.#nowS < lastS) this.#step(out);
    return out;
  }

  /**
   * A supply interruption from `from` to `to`: the meter is off (no energy, no frames: frames due meanwhile are
   * lost, not sent late) and sends CF23 when supply returns. `from` may not be before the simulated time already
   * reached; overlapping outages merge into one.
   */
  outage(from: Date, to: Date): void {
    const fromMs = instantMs('from', from);
    const toMs = instantMs('to', to);
    if (!(toMs > fromMs)) throw new RangeError('an outage ends after it starts');
    if (fromMs < this.#advancedToMs)
      throw new RangeError('an outage cannot start before the simulated time already reached');
    const fromS = Math.max(ceilToStep(fromMs), this.#nowS + STEP_SECONDS);
    const toS = Math.max(ceilToStep(toMs), fromS + STEP_SECONDS);
    this.#outages = mergeOutages([...this.#outages, { fromMs, toMs, fromS, toS }]);
  }

  /** Frames this meter sent on a Europe/Rome local date (the Open Meter's daily count, CHAIN2.md §5). */
  framesSentOn(date: LocalDate): number {
    return this.#sentByDay.get(date.year * 10_000 + date.month * 100 + date.day) ?? 0;
  }

  #step(out: Frame[]): void {
    const stepJ = this.#powerW * STEP_SECONDS;
    this.#bandJ[this.#ctx.band] = this.#bandJ[this.#ctx.band]! + stepJ;
    this.#quarterJ += stepJ;
    const s = (this.#nowS += STEP_SECONDS);

    if (this.#overloadRemainingS > 0) {
      this.#overloadRemainingS -= STEP_SECONDS;
      if (this.#overloadRemainingS <= 0) {
        // Countdown over: the meter opens its breaker; the household re-arms it and sheds load for a while.
        this.#overloadRemainingS = 0;
        this.#trippedUntilS = s + REARM_SECONDS;
        this.#shedUntilS = this.#trippedUntilS + SHED_SECONDS;
      }
    }

    const closedQuarter = this.#ctx;
    const isQuarterBoundary = s % QUARTER_SECONDS === 0;
    if (isQuarterBoundary) this.#ctx = quarterContext(s);

    const endedOutage = this.#currentOutage;
    this.#currentOutage = this.#outageAt(s);
    const isOn = this.#currentOutage === undefined;
    if (!isOn) this.#overloadRemainingS = 0;
    this.#powerW = isOn ? this.#sampleW(s) : 0;
    const send = isOn ? out : null;

    if (isQuarterBoundary) this.#closePeriods(s, closedQuarter, send);
    if (!isOn) return;

    if (this.#powerW > this.#dayMax.value) this.#dayMax = { value: this.#powerW, atS: s };
    if (s % VOLTAGE_INTERVAL_SECONDS === 0) this.#sampleVoltage(s);
    if (endedOutage !== undefined) {
      this.#emitCF23(s, endedOutage, out);
      this.#gapIndex = 0; // power came back from zero
    }
    this.#checkGapCrossing(s, out);
    this.#checkOverload(s, out);
  }

  #sampleW(s: number): number {
    if (s < this.#trippedUntilS) return 0;
    const rawW = loadPowerW(this.profile, s, this.#ctx.localSecond + (s - this.#ctx.startS), this.#ctx.dayType);
    return s < this.#shedUntilS ? Math.min(rawW, this.#availablePowerW) : rawW;
  }

  #outageAt(s: number): Outage | undefined {
    for (;;) {
      const head = this.#outages[0];
      if (head === undefined || s < head.fromS) return undefined;
      if (s < head.toS) return head;
      this.#outages.shift();
    }
  }

  /** Quarter, day, week and month closes at a quarter-hour boundary; `out` is null while the meter is off. */
  #closePeriods(s: number, closedQuarter: QuarterContext, out: Frame[] | null): void {
    this.#closeQuarter(s, out);
    if (!this.#ctx.isMidnight) return;
    this.#closeDay(s, closedQuarter.dayType, out);
    if (this.#ctx.isoWeekday === 1) this.#closeWeek(s, out);
    if (this.#ctx.dayOfMonth === 1) this.#closeMonth(s, out);
  }

  #closeQuarter(s: number, out: Frame[] | null): void {
    const totalWh = this.totalActEnergyWh;
    const currWh = totalWh - this.#lastQuarterTotalWh;
    const averageW = Math.round(this.#quarterJ / QUARTER_SECONDS);
    // The quarter ending at 00:00 of the 1st belongs to the month that closes there.
    if (averageW > this.#monthMaxQuartAverage.value) this.#monthMaxQuartAverage = { value: averageW, atS: s };
    this.#emit(out, {
      type: 'CF1',
      meter: 'M1',
      payload: {
        MessagePosixTimestamp: s,
        MeasurePosixTimestamp: s,
        TariffCode: this.#ctx.band,
        CurrQuartActEnergy: currWh,
        PrevQuartActEnergy: this.#prevQuartWh,
        InstantPower: this.#powerW,
        QuartAveragePower: averageW,
        TotalActEnergy: totalWh,
      },
    });
    this.#prevQuartWh = currWh;
    this.#lastQuarterTotalWh = totalWh;
    this.#quarterJ = 0;
  }

  #closeDay(s: number, closedDayType: DayType, out: Frame[] | null): void {
    const [f1, f2, f3, f4, f5, f6] = deltas(this.#bandWh(), this.#dayStartWh);
    this.#emit(out, {
      type: 'CF5',
      meter: 'M1',
      payload: {
        MeasurePosixTimestamp: s,
        DailyTotalActEnergyF1: f1,
        DailyTotalActEnergyF2: f2,
        DailyTotalActEnergyF3: f3,
        DailyTotalActEnergyF4: f4,
        DailyTotalActEnergyF5: f5,
        DailyTotalActEnergyF6: f6,
        DailyMaxInstantPower: this.#dayMax.value,
        DailyMaxInstantPowerDateTime: formatMeterDateTime(this.#dayMax.atS),
        PrepaidCredit: 0, // not a prepaid supply
        DayType: DAY_TYPE_CODES[closedDayType],
      },
    });
    this.#dayStartWh = this.#bandWh();
    this.#dayMax = { value: this.#powerW, atS: s };
  }

  #closeWeek(s: number, out: Frame[] | null): void {
    // A week without a single voltage value (the meter off throughout) reports 0 V at the freeze instant.
    const min = this.#weekMinV ?? { value: 0, atS: s };
    const max = this.#weekMaxV ?? { value: 0, atS: s };
    const [band1, band2, band3, band4, band5] = this.#weekBandCounts as [number, number, number, number, number];
    this.#emit(out, {
      type: 'CF9',
      meter: 'M1',
      payload: {
        MeasurePosixTimestamp: s,
        WeeklyVeffMin: min.value,
        WeeklyVeffMinDateTime: formatMeterDateTime(min.atS),
        WeeklyVeffMax: max.value,
        WeeklyVeffMaxDateTime: formatMeterDateTime(max.atS),
        WeeklyVeffBand1Counter: band1,
        WeeklyVeffBand2Counter: band2,
        WeeklyVeffBand3Counter: band3,
        WeeklyVeffBand4Counter: band4,
        WeeklyVeffBand5Counter: band5,
      },
    });
    this.#weekMinV = null;
    this.#weekMaxV = null;
    this.#weekBandCounts.fill(0);
  }

  #closeMonth(s: number, out: Frame[] | null): void {
    const [f1, f2, f3, f4, f5, f6] = deltas(this.#bandWh(), this.#monthStartWh);
    this.#emit(out, {
      type: 'CF10',
      meter: 'M1',
      payload: {
        MeasurePosixTimestamp: s,
        MonthlyTotalActEnergyF1: f1,
        MonthlyTotalActEnergyF2: f2,
        MonthlyTotalActEnergyF3: f3,
        MonthlyTotalActEnergyF4: f4,
        MonthlyTotalActEnergyF5: f5,
        MonthlyTotalActEnergyF6: f6,
        MonthlyMaxQuartAveragePower: this.#monthMaxQuartAverage.value,
        MonthlyMaxQuartAveragePowerDateTime: formatMeterDateTime(this.#monthMaxQuartAverage.atS),
        ClosingCode: CLOSING_CODE_MONTHLY_FREEZE,
      },
    });
    if (out !== null) this.#emit(out, this.#contractFrame(s)); // built only when sent: EventsCounter counts sent frames
    this.#monthStartWh = this.#bandWh();
    this.#monthMaxQuartAverage = { value: 0, atS: s };
  }

  #contractFrame(s: number): Frame {
    const payload: PayloadOf<'CF20'> = {
      EventType: EventTypeCode.contractMonthly,
      EventPosixTimestamp: s,
      EventsCounter: ++this.#eventsCounters.CF20,
      CustomerCode: this.#contract.customerCode,
      POD: this.#pod,
      PESSE: this.#contract.pesse,
      Vendor: this.#contract.vendor,
      Phone: this.#contract.phone,
      StartContract: Math.floor(this.#contract.startContract.getTime() / 1000),
      ContractPower: this.#contractPowerW,
      AvailablePower: this.#availablePowerW,
      FreezingDay: 1,
      Gap: GAP_W,
      DataPlate: this.#meterSerial,
      K: 1,
    };
    return { type: 'CF20', meter: 'M1', payload };
  }

  #sampleVoltage(s: number): void {
    const localSecond = this.#ctx.localSecond + (s - this.#ctx.startS);
    const volts = supplyVoltageV(this.#voltageSeed, s, localSecond, this.#powerW, this.#contractPowerW);
    if (this.#weekMinV === null || volts < this.#weekMinV.value) this.#weekMinV = { value: volts, atS: s };
    if (this.#weekMaxV === null || volts > this.#weekMaxV.value) this.#weekMaxV = { value: volts, atS: s };
    const band = voltageBandOf(volts);
    this.#weekBandCounts[band - 1] = this.#weekBandCounts[band - 1]! + 1;
  }

  #emitCF23(s: number, outage: Outage, out: Frame[]): void {
    this.#emit(out, {
      type: 'CF23',
      meter: 'M1',
      payload: {
        EventType: EventTypeCode.supplyRestored,
        EventsCounter: ++this.#eventsCounters.CF23,
        EventPosixTimestamp: s,
        OutageDuration: Math.round((outage.toMs - outage.fromMs) / 1000),
      },
    });
  }

  #checkGapCrossing(s: number, out: Frame[]): void {
    const gapIndex = Math.floor(this.#powerW / GAP_W);
    if (gapIndex === this.#gapIndex) return;
    const eventType = gapIndex > this.#gapIndex ? EventTypeCode.powerRose : EventTypeCode.powerFell;
    this.#gapIndex = gapIndex;
    this.#emit(out, {
      type: 'CF21',
      meter: 'M1',
      payload: {
        EventType: eventType,
        EventsCounter: ++this.#eventsCounters.CF21,
        EventPosixTimestamp: s,
        InstantPower: this.#powerW,
      },
    });
  }

  #checkOverload(s: number, out: Frame[]): void {
    if (this.#powerW <= this.#availablePowerW) {
      this.#overloadRemainingS = 0;
      return;
    }
    const countdownS = switchOffCountdownSeconds(this.#powerW, this.#availablePowerW);
    let eventType: number;
    if (this.#overloadRemainingS === 0) eventType = EventTypeCode.overloadStarted;
    else if (countdownS < this.#overloadRemainingS) eventType = EventTypeCode.overloadWorsened;
    else return;
    this.#overloadRemainingS = countdownS;
    this.#emit(out, {
      type: 'CF22',
      meter: 'M1',
      payload: {
        EventType: eventType,
        EventsCounter: ++this.#eventsCounters.CF22,
        EventPosixTimestamp: s,
        InstantPower: this.#powerW,
        AvailablePower: this.#availablePowerW,
        SwitchOffCountdownSeconds: countdownS,
      },
    });
  }

  #emit(out: Frame[] | null, frame: Frame): void {
    if (out === null) return;
    out.push(frame);
    this.#sentByDay.set(this.#ctx.dayKey, (this.#sentByDay.get(this.#ctx.dayKey) ?? 0) + 1);
  }

  /** Band registers F1..F6, Wh. */
  #bandWh(): number[] {
    return BANDS.map((band) => Math.floor(this.#bandJ[band]! / JOULES_PER_WH));
  }
}

function quarterContext(startS: number): QuarterContext {
  const at = new Date(startS * 1000);
  const local = romeLocalParts(at);
  return {
    startS,
    band: tariffBandAt(at),
    dayType: dayTypeOf(local),
    localSecond: (local.hour * 60 + local.minute) * 60,
    dayKey: local.year * 10_000 + local.month * 100 + local.day,
    isMidnight: local.hour === 0 && local.minute === 0,
    isoWeekday: local.isoWeekday,
    dayOfMonth: local.day,
  };
}

function deltas(now: number[], start: number[]): [number, number, number, number, number, number] {
  return BANDS.map((_, index) => now[index]! - start[index]!) as [number, number, number, number, number, number];
}

function mergeOutages(outages: Outage[]): Outage[] {
  const sorted = [...outages].sort((a, b) => a.fromS - b.fromS);
  const merged: Outage[] = [];
  for (const outage of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && outage.fromS <= last.toS) {
      merged[merged.length - 1] = {
        fromMs: Math.min(last.fromMs, outage.fromMs),
        toMs: Math.max(last.toMs, outage.toMs),
        fromS: last.fromS,
        toS: Math.max(last.toS, outage.toS),
      };
    } else merged.push(outage);
  }
  return merged;
}

function contractData(given: Partial<ContractData> | undefined, meterSeed: number, startAt: Date): ContractData {
  const contract: ContractData = {
    customerCode: given?.customerCode ?? String(meterSeed % 10_000_000_000).padStart(10, '0'),
    vendor: given?.vendor ?? 'SIM RETAILER',
    phone: given?.phone ?? '800000000',
    pesse: given?.pesse ?? 0,
    startContract: given?.startContract ?? startAt,
  };
  assertText('contract.customerCode', contract.customerCode, TEXT_WIDTHS.customerCode);
  assertText('contract.vendor', contract.vendor, TEXT_WIDTHS.vendor);
  assertText('contract.phone', contract.phone, TEXT_WIDTHS.phone);
  if (!Number.isInteger(contract.pesse) || contract.pesse < 0 || contract.pesse > 255)
    throw new RangeError('contract.pesse must be 0..255');
  instantMs('contract.startContract', contract.startContract);
  return contract;
}

function ceilToStep(ms: number): number {
  return Math.ceil(ms / 1000 / STEP_SECONDS) * STEP_SECONDS;
}

function instantMs(name: string, instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a valid Date after 1970`);
  return ms;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** The codec carries these texts right-padded: trailing spaces would not survive a round trip. */
function assertText(name: string, value: string, widthBytes: number): void {
  if (typeof value !== 'string' || value.length > widthBytes || !PRINTABLE.test(value) || value !== value.trimEnd()) {
    throw new RangeError(`${name} must be printable ASCII, at most ${widthBytes} chars, without trailing spaces`);
  }
}

function assertWatts(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0 || value > 0xffff_ffff)
    throw new RangeError(`${name} must be a positive integer of watts`);
}
