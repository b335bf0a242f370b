/**
 * One Open Meter's energy and Chain 2 behaviour, as a pure deterministic model: simulated time is stepped by
 * `advanceTo`, power comes from the meter's load profile (minus its PV, if any), energy is integrated into band
 * registers (import, export, reactive), and the frames due in the interval come back as codec `Frame`s (CHAIN2.md
 * §4, field names and units of src/codec/layout.ts). No clock, no Math.random: the same options and the same calls
 * give the same frames, however the calls split the time.
 *
 * This is the one integration of a meter's energy: `SimulatedMeter` (sim/meter) records its Chain 1 day file from
 * the quarters this class closes (`MeterRecorder`), so the curve and the CF1 frames carry the same Wh. A meter
 * whose Chain 2 is not programmed runs the same steps with `emitting` off: no frame is built.
 *
 * Time: 1-minute steps on the POSIX grid (the load is constant over each minute). Power is sampled at each step
 * instant and held for the step; every frame's timestamp is a step instant.
 */

import type { Frame, PayloadOf } from '../../src/codec/index.js';
import { formatMeterDateTime } from '../../src/codec/index.js';
import { IntervalStatus, MeterEventCode } from '../../src/domain/day-file.js';
import type { TariffCalendar } from '../../src/domain/meter-command.js';
import {
  ARERA_CALENDAR,
  DayType,
  dayTypeOf,
  romeLocalParts,
  romeMidnightMs,
  type LocalDate,
  type TariffBand,
} from '../../src/domain/tariff-bands.js';
import { derivedSeed, seededFraction } from '../../src/telemanagement/seeded-random.js';
import { loadMinuteW, makeLoadProfile, type LoadProfile } from './load-profile.js';
import { pvMinuteW, type PvSystem } from './pv-profile.js';
import { supplyVoltageV, voltageBandOf, VOLTAGE_INTERVAL_SECONDS } from './supply-voltage.js';
import { switchOffCountdownSeconds } from './switch-off-countdown.js';

export const STEP_SECONDS = 60;
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
  contractChanged: 2, // CF20 sent when the available power changes
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
  /** A constant load, W, instead of the household profile (telemanagement's tests; the old MeterModel's load). */
  constantLoadW?: number;
  /** Rated power of the supply's PV, W; 0 (default) for none. PV reduces the import and makes the export. */
  pvPeakW?: number;
  /** Share of the true import the meter registers: 1 (default); below 1 for a non-technical loss (tampering). */
  registeredShare?: number;
  /** Power factor of the household's inductive load; default drawn per meter in [0.90, 0.98]. */
  powerFactor?: number;
  /** The band calendar; ARERA's by default. Switches must fall on quarter-hours. */
  calendar?: TariffCalendar;
  /** Whether Chain 2 frames are built and returned (default true); energy is integrated either way. */
  emitting?: boolean;
  /** Told of each closed quarter-hour and each event, for the Chain 1 day file. */
  recorder?: MeterRecorder;
}

/** A closed quarter-hour, as the meter's curve memory records it. Reused object: copy what you keep. */
export interface ClosedQuarter {
  /** POSIX seconds of the quarter's start. */
  startS: number;
  band: TariffBand;
  /** Register increases over the quarter (Wh / varh, integers): the same figures CF1 carries for import. */
  importWh: number;
  exportWh: number;
  inductiveVarh: number;
  capacitiveVarh: number;
  /** What the supply really drew / injected, J (differs from the registers for a non-technical loss). */
  trueImportJ: number;
  trueExportJ: number;
  /** `IntervalStatus` bits seen during the quarter. */
  status: number;
}

export interface MeterRecorder {
  /** Called at each quarter-hour boundary, once the quarter is credited and before a register reset. */
  quarterClosed(quarter: ClosedQuarter): void;
  /** A new Europe/Rome day starts at `startS` (not called for the day the meter starts in: see `currentDay`). */
  dayStarted(startS: number, dayKey: number): void;
  /** Breaker trips and re-arms, power failures (with last gasp). */
  event(code: MeterEventCode, atMs: number, value?: number): void;
}

/** The local day a quarter belongs to, worked out once per day (Intl is slow; per quarter it cost most of a day). */
interface DayContext {
  startS: number;
  endS: number;
  /** year * 10000 + month * 100 + day, Europe/Rome. */
  dayKey: number;
  dayType: DayType;
  isRestDay: boolean;
  isoWeekday: number;
  dayOfMonth: number;
  /** 23 or 25 hours: local minutes are looked up per quarter. */
  isDst: boolean;
}

interface QuarterContext {
  startS: number;
  band: TariffBand;
  day: DayContext;
  dayType: DayType;
  /** Europe/Rome wall-clock minute of the day at `startS`. */
  localMinute: number;
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
  #availablePowerW: number;
  readonly #voltageSeed: number;
  /** Given contract data (checked); the defaults are worked out when a CF20 is built, from these two. */
  readonly #contract: ContractData | undefined;
  readonly #meterSeed: number;
  readonly #startMs: number;
  readonly #constantLoadW: number | undefined;
  readonly #pv: PvSystem | undefined;
  readonly #registeredShare: number;
  readonly #tanPhi: number;
  /** Below this import the household's reactive energy is capacitive (electronics, LED drivers): our choice. */
  readonly #capacitiveBelowW: number;
  readonly #capacitiveVar: number;
  readonly #recorder: MeterRecorder | undefined;
  #bandTable: BandTable;
  #emitting: boolean;
  #connected = true;

  /** The current step instant, POSIX s; `#powerW` holds from here to the next step. */
  #nowS: number;
  #advancedToMs: number;
  /** Registered import power, W (what CF1 and CF21 show). */
  #powerW = 0;
  #exportW = 0;
  #trueImportW = 0;
  #trueExportW = 0;
  #gapIndex = 0;
  #ctx: QuarterContext;
  #day: DayContext;

  /** Cumulative energy per band, J (index 1–6), integers (W × 60 s); registers in Wh are their floors. */
  // Plain arrays (of doubles once a value is past 2^30): 90 B each, where a Float64Array(7) takes 250 B of objects.
  readonly #bandJ = [0, 0, 0, 0, 0, 0, 0];
  readonly #exportBandJ = [0, 0, 0, 0, 0, 0, 0];
  #inductiveJ = 0;
  #capacitiveJ = 0;
  #quarterJ = 0;
  #quarterTrueImportJ = 0;
  #quarterTrueExportJ = 0;
  #quarterStatus = 0;
  #lastQuarterTotalWh: number;
  #lastQuarterExportWh = 0;
  #lastQuarterInductiveVarh = 0;
  #lastQuarterCapacitiveVarh = 0;
  #prevQuartWh = 0;
  #dayStartWh: number[];
  #dayMaxW: number;
  #dayMaxAtS: number;
  #monthStartWh: number[];
  #monthMaxQuartAverageW = 0;
  #monthMaxQuartAverageAtS: number;
  #weekMinV: Extreme | null = null;
  #weekMaxV: Extreme | null = null;
  /** CF9's voltage band counters of the week; made at the first sample (only while emitting). */
  #weekBandCounts: number[] | undefined;

  /** Made at the first event frame: a meter that never emits Chain 2 holds none (issue #11). */
  #eventsCounters: { CF20: number; CF21: number; CF22: number; CF23: number } | undefined;
  #overloadRemainingS = 0;
  #trippedUntilS = 0;
  #shedUntilS = 0;
  #contractChanged = false;
  #outages: Outage[] = [];
  #currentOutage: Outage | undefined;
  /** dayKey → frames sent that day by type (the frames' own timestamps). */
  #sentByDay: Map<number, Record<string, number>> | undefined;

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
    this.#meterSeed = meterSeed;
    this.#startMs = startMs;
    this.#contract = options.contract === undefined ? undefined : contractData(options.contract, meterSeed, startAt);
    this.#constantLoadW = options.constantLoadW;
    const pvPeakW = options.pvPeakW ?? 0;
    this.#pv = pvPeakW > 0 ? { peakW: pvPeakW, seed: derivedSeed(meterSeed, 'pv') } : undefined;
    this.#registeredShare = options.registeredShare ?? 1;
    if (!(this.#registeredShare > 0 && this.#registeredShare <= 1))
      throw new RangeError('registeredShare is in (0, 1]');
    const powerFactor = options.powerFactor ?? 0.9 + 0.08 * seededFraction(meterSeed, 'power-factor');
    if (!(powerFactor > 0 && powerFactor <= 1)) throw new RangeError('powerFactor is in (0, 1]');
    this.#tanPhi = Math.sqrt(1 - powerFactor * powerFactor) / powerFactor;
    this.#capacitiveBelowW = Math.round(this.profile.basePowerW * 1.5);
    this.#capacitiveVar = Math.round(this.profile.basePowerW * 0.2);
    this.#recorder = options.recorder;
    this.#bandTable = bandTableOf(options.calendar ?? ARERA_CALENDAR);
    this.#emitting = options.emitting ?? true;

    this.#advancedToMs = startMs;
    this.#nowS = ceilToStep(startMs);
    const quarterStartS = Math.floor(this.#nowS / QUARTER_SECONDS) * QUARTER_SECONDS;
    this.#day = dayContextAt(quarterStartS);
    this.#ctx = this.#quarterContext(quarterStartS);
    this.#lastQuarterTotalWh = this.totalActEnergyWh;
    this.#dayStartWh = this.#bandWh();
    this.#monthStartWh = this.#bandWh();
    this.#sample(this.#nowS);
    this.#gapIndex = Math.floor(this.#powerW / GAP_W);
    this.#dayMaxW = this.#powerW;
    this.#dayMaxAtS = this.#nowS;
    this.#monthMaxQuartAverageAtS = this.#nowS;
  }

  /** The last instant passed to `advanceTo` (or `startAt`). */
  get simulatedAt(): Date {
    return new Date(this.#advancedToMs);
  }

  /** The last instant passed to `advanceTo` (or `startAt`), ms. */
  get simulatedAtMs(): number {
    return this.#advancedToMs;
  }

  /** The current step instant, POSIX seconds: energy is credited up to here. */
  get stepInstantS(): number {
    return this.#nowS;
  }

  /** The Europe/Rome day of the current step: its start (POSIX s) and key (year × 10000 + month × 100 + day). */
  get currentDay(): { startS: number; dayKey: number } {
    return { startS: this.#day.startS, dayKey: this.#day.dayKey };
  }

  /** Power at the current step instant, W (0 during an outage or with the breaker open). */
  get instantPowerW(): number {
    return this.#powerW;
  }

  get availablePowerW(): number {
    return this.#availablePowerW;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get emitting(): boolean {
    return this.#emitting;
  }

  /** The meter's total register, Wh: the sum of the six band registers, as a meter's total is. */
  get totalActEnergyWh(): number {
    let total = 0;
    for (const band of BANDS) total += Math.floor(this.#bandJ[band]! / JOULES_PER_WH);
    return total;
  }

  /** Import band registers F1..F6, Wh. */
  importBandWh(): number[] {
    return this.#bandWh();
  }

  /** Export band registers F1..F6, Wh. */
  exportBandWh(): number[] {
    return BANDS.map((band) => Math.floor(this.#exportBandJ[band]! / JOULES_PER_WH));
  }

  /** Reactive registers, varh: inductive (R+) and capacitive (R−). */
  reactiveVarh(): { inductive: number; capacitive: number } {
    return {
      inductive: Math.floor(this.#inductiveJ / JOULES_PER_WH),
      capacitive: Math.floor(this.#capacitiveJ / JOULES_PER_WH),
    };
  }

  /** Chain 2 programmed (frames built and returned) or not; energy is integrated either way. */
  setEmitting(emitting: boolean): void {
    this.#emitting = emitting;
  }

  /** A new available power from now on: CF22 compares with it, CF20 (contract changed) goes out at the next step. */
  setAvailablePowerW(availablePowerW: number): void {
    assertWatts('availablePowerW', availablePowerW);
    if (availablePowerW === this.#availablePowerW) return;
    this.#availablePowerW = availablePowerW;
    this.#contractChanged = true;
  }

  /** A new band calendar, for the energy of the current quarter from now on and every later quarter. */
  setCalendar(calendar: TariffCalendar): void {
    this.#bandTable = bandTableOf(calendar);
    this.#ctx = this.#quarterContext(this.#ctx.startS);
  }

  /** Closes (connect) or opens (disconnect) the breaker remotely, from the start of the current minute. */
  setConnected(connected: boolean): void {
    if (connected === this.#connected) return;
    this.#connected = connected;
    if (!connected) this.#overloadRemainingS = 0;
    if (this.#currentOutage === undefined) this.#sample(this.#nowS);
  }

  /**
   * Registers back to zero, as a new meter installed in place of the old one: call at a quarter-hour boundary (from
   * `MeterRecorder.quarterClosed`). Day and month deltas restart from zero.
   */
  resetRegisters(): void {
    this.#bandJ.fill(0);
    this.#exportBandJ.fill(0);
    this.#inductiveJ = 0;
    this.#capacitiveJ = 0;
    this.#lastQuarterTotalWh = 0;
    this.#lastQuarterExportWh = 0;
    this.#lastQuarterInductiveVarh = 0;
    this.#lastQuarterCapacitiveVarh = 0;
    this.#dayStartWh = this.#bandWh();
    this.#monthStartWh = this.#bandWh();
  }

  /**
   * Steps simulated time to `t` and returns the frames due in (previous instant, t], in time order (frames at one
   * instant: CF1, CF5, CF9, CF10, CF20, then CF23, CF21, CF22). A `t` not after the previous one returns nothing.
   * Nothing is returned (nor built) while `emitting` is off.
   */
  advanceTo(t: Date): Frame[] {
    return this.advanceToMs(instantMs('t', t));
  }

  /** `advanceTo` with a POSIX millisecond instant. */
  advanceToMs(targetMs: number): Frame[] {
    const out: Frame[] = [];
    if (!(targetMs > this.#advancedToMs)) return out;
    this.#advancedToMs = targetMs;
    const lastS = Math.floor(targetMs / 1000 / STEP_SECONDS) * STEP_SECONDS;
    while (this.#nowS < lastS) this.#step(this.#emitting ? out : null);
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
    this.scheduleOutage(fromMs, toMs);
  }

  /**
   * `outage` for the meter's own fault model, also from inside a `MeterRecorder` call: the part of the outage that
   * is already past the current step instant is dropped.
   */
  scheduleOutage(fromMs: number, toMs: number): void {
    if (!(toMs > fromMs) || toMs <= this.#nowS * 1000) return;
    const fromS = Math.max(ceilToStep(fromMs), this.#nowS + STEP_SECONDS);
    const toS = Math.max(ceilToStep(toMs), fromS + STEP_SECONDS);
    this.#outages = mergeOutages([...this.#outages, { fromMs, toMs, fromS, toS }]);
  }

  /** Frames this meter sent on a Europe/Rome local date (the Open Meter's daily count, CHAIN2.md §5). */
  framesSentOn(date: LocalDate): number {
    const byType = this.#sentByDay?.get(date.year * 10_000 + date.month * 100 + date.day);
    let total = 0;
    if (byType) for (const count of Object.values(byType)) total += count;
    return total;
  }

  /** Frames sent on a day (`dayKey` = year × 10000 + month × 100 + day), by type; a copy. */
  framesSentByType(dayKey: number): Record<string, number> {
    return { ...this.#sentByDay?.get(dayKey) };
  }

  /** Forgets the daily frame counts of days before `dayKey` (a meter keeps a bounded history). */
  forgetFramesSentBefore(dayKey: number): void {
    const sentByDay = this.#sentByDay;
    if (sentByDay !== undefined) for (const key of sentByDay.keys()) if (key < dayKey) sentByDay.delete(key);
  }

  #step(out: Frame[] | null): void {
    // Credit the minute that ends now, at the power held over it.
    const stepJ = this.#powerW * STEP_SECONDS;
    const band = this.#ctx.band;
    this.#bandJ[band] = this.#bandJ[band]! + stepJ;
    this.#quarterJ += stepJ;
    this.#quarterTrueImportJ += this.#trueImportW * STEP_SECONDS;
    if (this.#exportW > 0) {
      this.#exportBandJ[band] = this.#exportBandJ[band]! + this.#exportW * STEP_SECONDS;
      this.#quarterTrueExportJ += this.#trueExportW * STEP_SECONDS;
    }
    if (this.#powerW > this.#capacitiveBelowW)
      this.#inductiveJ += Math.round(this.#powerW * this.#tanPhi) * STEP_SECONDS;
    else if (this.#powerW > 0) this.#capacitiveJ += this.#capacitiveVar * STEP_SECONDS;
    const s = (this.#nowS += STEP_SECONDS);

    if (this.#overloadRemainingS > 0) {
      this.#overloadRemainingS -= STEP_SECONDS;
      if (this.#overloadRemainingS <= 0) {
        // Countdown over: the meter opens its breaker; the household re-arms it and sheds load for a while.
        this.#overloadRemainingS = 0;
        this.#trippedUntilS = s + REARM_SECONDS;
        this.#shedUntilS = this.#trippedUntilS + SHED_SECONDS;
        this.#recorder?.event(MeterEventCode.breakerTrip, s * 1000);
      }
    } else if (s === this.#trippedUntilS) this.#recorder?.event(MeterEventCode.breakerRearm, s * 1000);

    const closedQuarter = this.#ctx;
    // Compared with the next boundary, not `s % 900`: POSIX seconds are beyond 2^31, and % on doubles is a libc call.
    const isQuarterBoundary = s === this.#ctx.startS + QUARTER_SECONDS;
    if (isQuarterBoundary) {
      if (s >= this.#day.endS) this.#day = dayContextAt(s);
      this.#ctx = this.#quarterContext(s);
    }

    const endedOutage = this.#currentOutage;
    const outage = (this.#currentOutage = this.#outages.length === 0 ? undefined : this.#outageAt(s));
    const isOn = outage === undefined;
    if (outage !== endedOutage) {
      if (endedOutage !== undefined) this.#recorder?.event(MeterEventCode.powerFailureEnd, endedOutage.toMs);
      if (outage !== undefined) {
        this.#recorder?.event(MeterEventCode.lastGasp, outage.fromMs);
        this.#recorder?.event(MeterEventCode.powerFailureStart, outage.fromMs);
      }
    }
    if (isOn) this.#sample(s);
    else {
      this.#overloadRemainingS = 0;
      this.#powerW = this.#exportW = this.#trueImportW = this.#trueExportW = 0;
    }
    const send = isOn ? out : null;

    if (isQuarterBoundary) this.#closePeriods(s, closedQuarter, send);
    if (!isOn) {
      this.#quarterStatus |= IntervalStatus.powerFailure;
      return;
    }
    if (!this.#connected || s < this.#trippedUntilS) this.#quarterStatus |= IntervalStatus.breakerOpen;

    if (this.#powerW > this.#dayMaxW) {
      this.#dayMaxW = this.#powerW;
      this.#dayMaxAtS = s;
    }
    if (send !== null) {
      // Day starts are whole UTC hours, so this is the POSIX 10-minute grid (with small integers).
      if ((s - this.#day.startS) % VOLTAGE_INTERVAL_SECONDS === 0) this.#sampleVoltage(s);
      if (endedOutage !== undefined) this.#emitCF23(s, endedOutage, send);
      if (this.#contractChanged) this.#emit(send, this.#contractFrame(s, EventTypeCode.contractChanged));
    }
    this.#contractChanged = false;
    if (endedOutage !== undefined) this.#gapIndex = 0; // power came back from zero
    this.#checkGapCrossing(s, send);
    this.#checkOverload(s, send);
  }

  /** Power over the minute from `s`: the household (or constant load) minus PV, through breaker and shedding. */
  #sample(s: number): void {
    if (!this.#connected || s < this.#trippedUntilS) {
      this.#powerW = this.#exportW = this.#trueImportW = this.#trueExportW = 0;
      return;
    }
    const posixMinute = s / 60;
    let loadW =
      this.#constantLoadW ??
      loadMinuteW(
        this.profile,
        posixMinute,
        this.#ctx.localMinute + (s - this.#ctx.startS) / 60,
        this.#ctx.day.isRestDay,
      );
    if (s < this.#shedUntilS && loadW > this.#availablePowerW) loadW = this.#availablePowerW;
    const netW = this.#pv === undefined ? loadW : loadW - pvMinuteW(this.#pv, posixMinute);
    this.#trueImportW = netW > 0 ? netW : 0;
    this.#trueExportW = netW < 0 ? -netW : 0;
    const share = this.#registeredShare;
    this.#powerW = share === 1 ? this.#trueImportW : Math.round(this.#trueImportW * share);
    this.#exportW = this.#trueExportW;
  }

  #outageAt(s: number): Outage | undefined {
    for (;;) {
      const head = this.#outages[0];
      if (head === undefined || s < head.fromS) return undefined;
      if (s < head.toS) return head;
      this.#outages.shift();
    }
  }

  #quarterContext(startS: number): QuarterContext {
    const day = this.#day;
    let localMinute: number;
    if (!day.isDst) localMinute = (startS - day.startS) / 60;
    else {
      const local = romeLocalParts(new Date(startS * 1000));
      localMinute = local.hour * 60 + local.minute;
    }
    return {
      startS,
      band: this.#bandTable[day.dayType][localMinute / 15]! as TariffBand,
      day,
      dayType: day.dayType,
      localMinute,
      dayKey: day.dayKey,
      isMidnight: startS === day.startS,
      isoWeekday: day.isoWeekday,
      dayOfMonth: day.dayOfMonth,
    };
  }

  /** Quarter, day, week and month closes at a quarter-hour boundary; `out` is null while the meter is off or silent. */
  #closePeriods(s: number, closedQuarter: QuarterContext, out: Frame[] | null): void {
    this.#closeQuarter(s, closedQuarter, out);
    if (!this.#ctx.isMidnight) return;
    this.#closeDay(s, closedQuarter.dayType, out);
    if (this.#ctx.isoWeekday === 1) this.#closeWeek(s, out);
    if (this.#ctx.dayOfMonth === 1) this.#closeMonth(s, out);
    this.#recorder?.dayStarted(s, this.#ctx.dayKey);
  }

  #closeQuarter(s: number, closedQuarter: QuarterContext, out: Frame[] | null): void {
    const totalWh = this.totalActEnergyWh;
    const currWh = totalWh - this.#lastQuarterTotalWh;
    const averageW = Math.round(this.#quarterJ / QUARTER_SECONDS);
    // The quarter ending at 00:00 of the 1st belongs to the month that closes there.
    if (averageW > this.#monthMaxQuartAverageW) {
      this.#monthMaxQuartAverageW = averageW;
      this.#monthMaxQuartAverageAtS = s;
    }
    if (out !== null) {
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
    }
    this.#prevQuartWh = currWh;
    this.#lastQuarterTotalWh = totalWh;
    this.#quarterJ = 0;
    const recorder = this.#recorder;
    if (recorder !== undefined) {
      const closed = CLOSED;
      let exportWh = 0;
      for (const band of BANDS) exportWh += Math.floor(this.#exportBandJ[band]! / JOULES_PER_WH);
      const inductiveVarh = Math.floor(this.#inductiveJ / JOULES_PER_WH);
      const capacitiveVarh = Math.floor(this.#capacitiveJ / JOULES_PER_WH);
      closed.startS = closedQuarter.startS;
      closed.band = closedQuarter.band;
      closed.importWh = currWh;
      closed.exportWh = exportWh - this.#lastQuarterExportWh;
      closed.inductiveVarh = inductiveVarh - this.#lastQuarterInductiveVarh;
      closed.capacitiveVarh = capacitiveVarh - this.#lastQuarterCapacitiveVarh;
      closed.trueImportJ = this.#quarterTrueImportJ;
      closed.trueExportJ = this.#quarterTrueExportJ;
      closed.status = this.#quarterStatus;
      this.#lastQuarterExportWh = exportWh;
      this.#lastQuarterInductiveVarh = inductiveVarh;
      this.#lastQuarterCapacitiveVarh = capacitiveVarh;
      recorder.quarterClosed(closed);
    }
    this.#quarterTrueImportJ = 0;
    this.#quarterTrueExportJ = 0;
    this.#quarterStatus = 0;
  }

  #closeDay(s: number, closedDayType: DayType, out: Frame[] | null): void {
    const [f1, f2, f3, f4, f5, f6] = deltas(this.#bandWh(), this.#dayStartWh);
    if (out !== null)
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
          DailyMaxInstantPower: this.#dayMaxW,
          DailyMaxInstantPowerDateTime: formatMeterDateTime(this.#dayMaxAtS),
          PrepaidCredit: 0, // not a prepaid supply
          DayType: DAY_TYPE_CODES[closedDayType],
        },
      });
    this.#dayStartWh = this.#bandWh();
    this.#dayMaxW = this.#powerW;
    this.#dayMaxAtS = s;
  }

  #closeWeek(s: number, out: Frame[] | null): void {
    // A week without a single voltage value (the meter off throughout) reports 0 V at the freeze instant.
    const min = this.#weekMinV ?? { value: 0, atS: s };
    const max = this.#weekMaxV ?? { value: 0, atS: s };
    const [band1, band2, band3, band4, band5] = (this.#weekBandCounts ?? [0, 0, 0, 0, 0]) as [
      number,
      number,
      number,
      number,
      number,
    ];
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
    this.#weekBandCounts = undefined;
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
        MonthlyMaxQuartAveragePower: this.#monthMaxQuartAverageW,
        MonthlyMaxQuartAveragePowerDateTime: formatMeterDateTime(this.#monthMaxQuartAverageAtS),
        ClosingCode: CLOSING_CODE_MONTHLY_FREEZE,
      },
    });
    // Built only when sent: EventsCounter counts sent frames.
    if (out !== null) this.#emit(out, this.#contractFrame(s, EventTypeCode.contractMonthly));
    this.#monthStartWh = this.#bandWh();
    this.#monthMaxQuartAverageW = 0;
    this.#monthMaxQuartAverageAtS = s;
  }

  #contractFrame(s: number, eventType: number): Frame {
    const contract = this.#contract ?? contractData(undefined, this.#meterSeed, new Date(this.#startMs));
    const payload: PayloadOf<'CF20'> = {
      EventType: eventType,
      EventPosixTimestamp: s,
      EventsCounter: ++this.#counters().CF20,
      CustomerCode: contract.customerCode,
      POD: this.#pod,
      PESSE: contract.pesse,
      Vendor: contract.vendor,
      Phone: contract.phone,
      StartContract: Math.floor(contract.startContract.getTime() / 1000),
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
    const localSecond = this.#ctx.localMinute * 60 + (s - this.#ctx.startS);
    const volts = supplyVoltageV(this.#voltageSeed, s, localSecond, this.#powerW, this.#contractPowerW);
    if (this.#weekMinV === null || volts < this.#weekMinV.value) this.#weekMinV = { value: volts, atS: s };
    if (this.#weekMaxV === null || volts > this.#weekMaxV.value) this.#weekMaxV = { value: volts, atS: s };
    const band = voltageBandOf(volts);
    const counts = (this.#weekBandCounts ??= [0, 0, 0, 0, 0]);
    counts[band - 1] = counts[band - 1]! + 1;
  }

  #emitCF23(s: number, outage: Outage, out: Frame[]): void {
    this.#emit(out, {
      type: 'CF23',
      meter: 'M1',
      payload: {
        EventType: EventTypeCode.supplyRestored,
        EventsCounter: ++this.#counters().CF23,
        EventPosixTimestamp: s,
        OutageDuration: Math.round((outage.toMs - outage.fromMs) / 1000),
      },
    });
  }

  #checkGapCrossing(s: number, out: Frame[] | null): void {
    const gapIndex = Math.floor(this.#powerW / GAP_W);
    if (gapIndex === this.#gapIndex) return;
    const eventType = gapIndex > this.#gapIndex ? EventTypeCode.powerRose : EventTypeCode.powerFell;
    this.#gapIndex = gapIndex;
    if (out === null) return;
    this.#emit(out, {
      type: 'CF21',
      meter: 'M1',
      payload: {
        EventType: eventType,
        EventsCounter: ++this.#counters().CF21,
        EventPosixTimestamp: s,
        InstantPower: this.#powerW,
      },
    });
  }

  #checkOverload(s: number, out: Frame[] | null): void {
    if (this.#powerW <= this.#availablePowerW) {
      this.#overloadRemainingS = 0;
      return;
    }
    this.#quarterStatus |= IntervalStatus.overload;
    const countdownS = switchOffCountdownSeconds(this.#powerW, this.#availablePowerW);
    let eventType: number;
    if (this.#overloadRemainingS === 0) eventType = EventTypeCode.overloadStarted;
    else if (countdownS < this.#overloadRemainingS) eventType = EventTypeCode.overloadWorsened;
    else return;
    this.#overloadRemainingS = countdownS;
    if (out === null) return;
    this.#emit(out, {
      type: 'CF22',
      meter: 'M1',
      payload: {
        EventType: eventType,
        EventsCounter: ++this.#counters().CF22,
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
    const sentByDay = (this.#sentByDay ??= new Map());
    let byType = sentByDay.get(this.#ctx.dayKey);
    if (byType === undefined) sentByDay.set(this.#ctx.dayKey, (byType = {}));
    byType[frame.type] = (byType[frame.type] ?? 0) + 1;
  }

  #counters(): { CF20: number; CF21: number; CF22: number; CF23: number } {
    return (this.#eventsCounters ??= { CF20: 0, CF21: 0, CF22: 0, CF23: 0 });
  }

  /** Band registers F1..F6, Wh. */
  #bandWh(): number[] {
    return BANDS.map((band) => Math.floor(this.#bandJ[band]! / JOULES_PER_WH));
  }
}

/** The quarter handed to the recorder: one for every meter (reused object, a synchronous call; see `ClosedQuarter`). */
const CLOSED: ClosedQuarter = {
  startS: 0,
  band: 1,
  importWh: 0,
  exportWh: 0,
  inductiveVarh: 0,
  capacitiveVarh: 0,
  trueImportJ: 0,
  trueExportJ: 0,
  status: 0,
};

type BandTable = Record<DayType, Uint8Array>;

/** Tables of calendars already seen (most meters share ARERA's frozen calendar object). */
const bandTables = new WeakMap<TariffCalendar, BandTable>();

/** Band of each local quarter-hour (0–95) per day type: the switch in force at the quarter's first minute. */
function bandTableOf(calendar: TariffCalendar): BandTable {
  const known = bandTables.get(calendar);
  if (known !== undefined) return known;
  const built = buildBandTable(calendar);
  // Only a frozen calendar can be shared safely: another may be changed by its owner after this call.
  if (Object.isFrozen(calendar) && Object.isFrozen(calendar.weekday)) bandTables.set(calendar, built);
  return built;
}

function buildBandTable(calendar: TariffCalendar): BandTable {
  const table = (programme: TariffCalendar['weekday']) => {
    const bands = new Uint8Array(96);
    for (let quarter = 0; quarter < 96; quarter++) {
      let inForce: { fromMinute: number; band: number } | undefined;
      for (const entry of programme)
        if (entry.fromMinute <= quarter * 15 && (inForce === undefined || entry.fromMinute > inForce.fromMinute))
          inForce = entry;
      if (inForce === undefined) throw new RangeError(`tariff calendar has no band at minute ${quarter * 15}`);
      bands[quarter] = inForce.band;
    }
    return bands;
  };
  return { weekday: table(calendar.weekday), saturday: table(calendar.saturday), holiday: table(calendar.holiday) };
}

const DAY_MS = 86_400_000;

/** The Europe/Rome day holding the instant `s` (POSIX seconds). */
function dayContextAt(s: number): DayContext {
  const local = romeLocalParts(new Date(s * 1000));
  const startMs = romeMidnightMs(local);
  const next = romeLocalParts(new Date(startMs + DAY_MS + 3 * 3_600_000));
  const endMs = romeMidnightMs(next);
  const dayType = dayTypeOf(local);
  return {
    startS: startMs / 1000,
    endS: endMs / 1000,
    dayKey: local.year * 10_000 + local.month * 100 + local.day,
    dayType,
    isRestDay: dayType !== DayType.weekday,
    isoWeekday: local.isoWeekday,
    dayOfMonth: local.day,
    isDst: endMs - startMs !== DAY_MS,
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
