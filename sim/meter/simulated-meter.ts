/**
 * One simulated 2G meter: its household load (with PV for some), its registers, its event log, its Chain 2
 * configuration and its Chain 2 emitter, as ONE model. What it answers over Chain 1 (commands, register reads, the
 * day file of the daily read) and what it sends over Chain 2 come from one integration of its energy: the
 * `MeterEmitter` it owns (sim/meter-emitter), stepped minute by minute, closes each quarter-hour once and the same
 * figures go into the CF1 frame and the curve. See README.md and docs/day-file.md.
 *
 * The DU key lives in a private field, in memory only: `state()` shows its last four digits, `chain2Key()` and
 * `chain2Configuration()` give it to the Chain 2 transmitter, and nothing here logs it.
 */
import type { Frame } from '../../src/codec/index.js';
import {
  IntervalStatus,
  MeterEventCode,
  type MeterDayFile,
  type MeterEvent,
  type RegisterFreeze,
} from '../../src/domain/day-file.js';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import type { MeterCommand, MeterRegisters, TariffCalendar } from '../../src/domain/meter-command.js';
import { ARERA_CALENDAR, tariffCalendarIssues } from '../../src/domain/tariff-bands.js';
import { derivedSeed } from '../../src/telemanagement/seeded-random.js';
import { MeterEmitter, type ClosedQuarter, type MeterRecorder } from '../meter-emitter/meter-emitter.js';
import { hash32, unitHash } from '../meter-emitter/seeded-hash.js';
import { fieldFaults, type FieldFaults } from './field-faults.js';
import { dateOfKey, dayBoundsMs, dayKeyOf, dayOfKey, daysBetween, parseDay } from './local-day.js';
import { substationOutagesOn } from './substation.js';

/** Where a meter sits in the Chain 1 network and what its supply contract allows. */
export interface MeterSite {
  pod: Pod;
  /** The 17-character DataPlate (CHAIN2.md §2). */
  meterSerial: string;
  concentratorId: string;
  contractPowerW: number;
}

/** What the meter answers a command: an acknowledgement (with registers for a read) or a refusal. */
export type MeterAnswer = { accepted: true; registers?: MeterRegisters } | { accepted: false; detail: string };

/** A read-only copy of a meter's state for tests and operator views. The Chain 2 key is never in it. */
export interface MeterState extends MeterSite {
  availablePowerW: number;
  connected: boolean;
  hasChain2: boolean;
  macAddress: MacAddress | null;
  /** The last four hex digits of the DU key, the only part ever shown (CHAIN2.md §2). */
  keyLast4: string | null;
  tariffCalendar: TariffCalendar;
  /** The constant load when the meter was given one (`loadW`), else the import power of the current minute, W. */
  loadW: number;
  /** Rated PV power of the supply, W (0: no PV). */
  pvPeakW: number;
  /** Distinct command ids executed (accepted or refused); a repeated id does not count again. */
  commandsProcessed: number;
}

/** CHAIN2.md §2: available power = contract power × 1.1. */
export const AVAILABLE_POWER_FACTOR = 1.1;
/** Choice: the meter refuses an available power above 3 × the contract power (a sanity bound, not a regulation). */
export const MAX_AVAILABLE_POWER_FACTOR = 3;
/** Choice: a meter remembers the answers to its last 64 command ids; an older id seen again is executed again. */
export const REMEMBERED_COMMAND_IDS = 64;
/** Choice: the meter switches bands on quarter-hour boundaries (its curve's period) and holds ≤ 12 switches a day type. */
export const BAND_SWITCH_STEP_MINUTES = 15;
export const MAX_SWITCHES_PER_DAY_TYPE = 12;
/**
 * Choice: a meter keeps the curves of its last 10 days (today included). Day D is asked on the runs of D+1 …
 * D+1+COLLECTION_MAX_DAYS_LATE (7), so on D+8 the meter still needs D: 9 days; the tenth is for a retried run that
 * ends past the next midnight (≈ 0.5 KB a meter).
 */
export const DEFAULT_DAYS_KEPT = 10;
/** Choice: 5 % of supply points have PV (issue #13: "~5 % of the demo supply points"). */
export const DEFAULT_PV_SHARE = 0.05;

const MAC_PATTERN = /^DC[0-9A-F]{10}$/;
const KEY_PATTERN = /^[0-9A-F]{32}$/;
const QUARTER_MS = 900_000;
/** A day record's first buffer, bytes (doubled as needed: a household's day ends at ≈ 0.4–0.5 KB). */
const INITIAL_DAY_BYTES = 128;

export interface SimulatedMeterOptions {
  /** Simulated time the meter is created at, ms. */
  startMs: number;
  /** The field network's seed: with the POD it fixes the household, PV, power factor and every fault. */
  seed?: number;
  /** A constant load, W, instead of the household profile (the old MeterModel's load; tests). */
  loadW?: number;
  /**
   * The meter records energy from here (default `startMs`), so a network created "now" can still be read for the
   * days before (a demo back-filling its recent days). Commands come at or after `startMs`.
   */
  recordFromMs?: number;
  /** Share of supply points with PV (default 0.05); `pvPeakW` fixes this meter's instead. */
  pvShare?: number;
  pvPeakW?: number;
  /** Field faults (defaults: `DEFAULT_FIELD_FAULTS`); `NO_FIELD_FAULTS` for a perfect meter. */
  faults?: Partial<FieldFaults>;
  /** Days of curves the meter keeps (default 10). */
  daysKept?: number;
}

/**
 * One day of the curve memory, packed (issue #11: the demo holds 6,000 meters × 10 days). Per quarter-hour, in time
 * order: a mask byte (bit c: channel c is not 0; channels A+, A−, R+, R−, then the status bits) and the non-zero
 * values as LEB128 varints (zigzag); before the quarters, the register freeze at the day's start (import F1, F2, F3,
 * F4–F6 summed, then export the same: eight varints) and, once the day is over, the freeze at its end after them.
 * A household's quarter takes ≈ 4 bytes (most of A−, R+ or R− and the status are 0), a day ≈ 0.4 KB.
 */
class DayRecord {
  /** Today: the bytes so far (`length` used); a finished day: undefined. */
  bytes: Uint8Array | undefined = new Uint8Array(INITIAL_DAY_BYTES);
  length = 0;
  /** Quarters recorded so far (today). */
  quarters = 0;
  /** A finished day: its bytes, one char a byte (a string costs no ArrayBuffer and no malloc). */
  packed: string | undefined = undefined;
  /** Only for a meter with a non-technical loss: what the load really drew, Wh per quarter. */
  readonly trueImportWh: Float64Array | undefined;

  constructor(
    readonly dayKey: number,
    readonly intervals: number,
    thief: boolean,
    /** The serial that recorded the day (a replacement changes it during the day: the day's end one). */
    public meterSerial: string,
  ) {
    this.trueImportWh = thief ? new Float64Array(intervals) : undefined;
  }
}

interface LoggedEvent {
  /** True time, ms (what the day's window is matched on). */
  atMs: number;
  /** The meter's clock at the event (true time + its drift), ms. */
  meterAtMs: number;
  code: MeterEventCode;
  value?: number;
}

/** Per-label fault streams, drawn per day with one hash each. */
const FAULT_LABELS = [
  'no-answer',
  'days-late',
  'gap',
  'gap-at',
  'gap-length',
  'spike',
  'spike-at',
  'spike-factor',
  'duplicate',
  'duplicate-at',
  'replaced',
  'replaced-at',
  'outage',
  'outage-at',
  'outage-length',
  'clock-at',
] as const;
type FaultLabel = (typeof FAULT_LABELS)[number];

export class SimulatedMeter {
  /** The emitter's recorder: one small object a meter (three arrow functions and their context cost ≈ 1 KB). */
  static readonly #Recorder = class implements MeterRecorder {
    constructor(readonly meter: SimulatedMeter) {}
    quarterClosed(quarter: ClosedQuarter): void {
      this.meter.#quarterClosed(quarter);
    }
    dayStarted(startS: number, dayKey: number): void {
      this.meter.#dayStarted(startS, dayKey);
    }
    event(code: MeterEventCode, atMs: number, value?: number): void {
      this.meter.#log(code, atMs, value);
    }
  };

  readonly site: MeterSite;
  readonly #emitter: MeterEmitter;
  readonly #constantLoadW: number | undefined;
  readonly #pvPeakW: number;
  readonly #faults: Readonly<FieldFaults>;
  readonly #seed: number;
  /** Fault draws: one stream per `FAULT_LABELS` entry, hashed from this seed by index when drawn. */
  readonly #faultSeed: number;
  readonly #daysKept: number;
  readonly #clockDriftSPerDay: number;
  readonly #thief: boolean;
  #chain2: { macAddress: MacAddress; key: DuKey } | null = null;
  #calendar: TariffCalendar = ARERA_CALENDAR;
  #meterSerial: string;
  /** Made on the first command: most meters of a network never get one. */
  #answers: Map<string, MeterAnswer> | undefined;
  #commandsProcessed = 0;
  /** Kept days, oldest first (today last): an array, not a Map (≈ 150 B a meter less). */
  readonly #days: DayRecord[] = [];
  #today: DayRecord | undefined;
  #todayStartMs = 0;
  /** Made at the first event / the first frame stepped past by a read: most meters have none. */
  #events: LoggedEvent[] | undefined;
  #pendingFrames: Frame[] | undefined;
  #clockOffsetS = 0;
  #clockCorrectionQuarterS = -1;
  #replacementQuarterEndS = -1;

  constructor(site: MeterSite, options: SimulatedMeterOptions) {
    this.site = { ...site };
    this.#meterSerial = site.meterSerial;
    this.#seed = (options.seed ?? 0) >>> 0;
    this.#faults = sharedFaults(fieldFaults(options.faults));
    this.#daysKept = options.daysKept ?? DEFAULT_DAYS_KEPT;
    if (!Number.isInteger(this.#daysKept) || this.#daysKept < 1) throw new RangeError('daysKept must be ≥ 1');
    const meterSeed = derivedSeed(this.#seed, site.pod);
    const faultSeed = derivedSeed(meterSeed, 'faults');
    this.#faultSeed = faultSeed;
    const unit = (label: string) => unitHash(derivedSeed(meterSeed, label), 0);
    this.#pvPeakW =
      options.pvPeakW ??
      (unit('pv') < (options.pvShare ?? DEFAULT_PV_SHARE)
        ? Math.round((site.contractPowerW * (0.7 + 0.8 * unit('pv-size'))) / 100) * 100
        : 0);
    const drifting = unit('clock-drift') < this.#faults.clockDriftShare;
    this.#clockDriftSPerDay = drifting ? (0.5 + 4.5 * unit('clock-rate')) * (unit('clock-sign') < 0.5 ? -1 : 1) : 0;
    const thief = unit('ntl') < this.#faults.nonTechnicalLossShare;
    this.#thief = thief;
    this.#constantLoadW = options.loadW;
    const recorder = new SimulatedMeter.#Recorder(this);
    this.#emitter = new MeterEmitter({
      pod: site.pod,
      meterSerial: site.meterSerial,
      contractPowerW: site.contractPowerW,
      availablePowerW: Math.round(site.contractPowerW * AVAILABLE_POWER_FACTOR),
      seed: this.#seed,
      startAt: new Date(options.recordFromMs ?? options.startMs),
      ...(options.loadW === undefined ? {} : { constantLoadW: options.loadW }),
      pvPeakW: this.#pvPeakW,
      registeredShare: thief ? 0.4 + 0.4 * unit('ntl-share') : 1,
      emitting: false,
      recorder,
    });
    const { startS, dayKey } = this.#emitter.currentDay;
    this.#dayStarted(startS, dayKey);
  }

  /** Executes a command once per id: a repeated id gets the first answer again and changes nothing. */
  receive(commandId: string, command: MeterCommand, nowMs: number): MeterAnswer {
    const answers = (this.#answers ??= new Map());
    const remembered = answers.get(commandId);
    if (remembered) return copyAnswer(remembered);
    this.#advance(nowMs);
    const answer = this.#execute(command, nowMs);
    this.#commandsProcessed++;
    answers.set(commandId, answer);
    if (answers.size > REMEMBERED_COMMAND_IDS) {
      const oldest = answers.keys().next();
      if (!oldest.done) answers.delete(oldest.value);
    }
    return copyAnswer(answer);
  }

  /** The registers as of `nowMs`, read on the meter itself (no Chain 1 traffic). Energy up to the last whole minute. */
  registers(nowMs: number): MeterRegisters {
    this.#advance(nowMs);
    const byBand = this.#emitter.importBandWh() as MeterRegisters['importEnergyByBandWh'];
    return {
      readAt: new Date(Math.max(nowMs, this.#emitter.simulatedAtMs)),
      importEnergyWh: byBand.reduce((sum, wh) => sum + wh, 0),
      exportEnergyWh: this.#emitter.exportBandWh().reduce((sum, wh) => sum + wh, 0),
      importEnergyByBandWh: byBand,
      availablePowerW: this.#emitter.availablePowerW,
      connected: this.#emitter.connected,
    };
  }

  state(): MeterState {
    return {
      ...this.site,
      meterSerial: this.#meterSerial,
      availablePowerW: this.#emitter.availablePowerW,
      connected: this.#emitter.connected,
      hasChain2: this.#chain2 !== null,
      macAddress: this.#chain2?.macAddress ?? null,
      keyLast4: this.#chain2 ? this.#chain2.key.slice(-4) : null,
      tariffCalendar: copyCalendar(this.#calendar),
      loadW: this.#constantLoadW ?? this.#emitter.instantPowerW,
      pvPeakW: this.#pvPeakW,
      commandsProcessed: this.#commandsProcessed,
    };
  }

  /** The simulated meter's secret: the DU key it encrypts Chain 2 frames with. For the Chain 2 transmitter only. */
  chain2Key(): DuKey | undefined {
    return this.#chain2?.key;
  }

  /** SECRET as `chain2Key`: the DU's MAC and key, with the available power and the meter's serial now. */
  chain2Configuration():
    { pod: Pod; meterSerial: string; macAddress: MacAddress; key: DuKey; availablePowerW: number } | undefined {
    return this.#chain2
      ? {
          pod: this.site.pod,
          meterSerial: this.#meterSerial,
          ...this.#chain2,
          availablePowerW: this.#emitter.availablePowerW,
        }
      : undefined;
  }

  /**
   * Steps the meter to `nowMs` and returns the Chain 2 frames due meanwhile (with any a day-file read stepped past
   * before), or none while Chain 2 is not programmed: the meter records its energy either way.
   */
  advanceTo(nowMs: number): Frame[] {
    const frames = this.#emitter.advanceToMs(nowMs);
    if (this.#pendingFrames === undefined) return frames;
    const all = this.#pendingFrames.concat(frames);
    this.#pendingFrames = undefined;
    return all;
  }

  /**
   * The day file of a Europe/Rome day (`YYYY-MM-DD`), as the concentrator holds it for the daily read. The meter
   * steps to the day's end if it has not yet (frames due meanwhile wait for the next `advanceTo`). Throws a
   * RangeError for a day the meter no longer keeps (`daysKept`) or never recorded.
   */
  dayFile(day: string): MeterDayFile {
    const date = parseDay(day);
    const { startMs, endMs } = dayBoundsMs(date);
    this.#advance(endMs);
    const record = this.#dayRecord(dayKeyOf(date));
    if (record === undefined || record.packed === undefined)
      throw new RangeError(`${this.site.pod} keeps no curve of ${day}`);
    const n = record.intervals;
    const { values, start, end } = unpackDay(record);
    const channels = {
      activeImportWh: values[0]!,
      activeExportWh: values[1]!,
      reactiveInductiveVarh: values[2]!,
      reactiveCapacitiveVarh: values[3]!,
    };
    const status = values[4]!;
    this.#applyCurveFaults(record.dayKey, n, channels, status);
    const framesByType = this.#emitter.framesSentByType(record.dayKey);
    let total = 0;
    for (const count of Object.values(framesByType)) total += count;
    return {
      pod: this.site.pod,
      meterSerial: record.meterSerial,
      concentratorId: this.site.concentratorId,
      day,
      intervals: n,
      channels,
      status,
      registersAtStart: freezeOf(start, startMs),
      registersAtEnd: freezeOf(end!, endMs),
      events: this.#eventsBetween(startMs, endMs),
      chain2FramesSent: { total, byType: framesByType },
    };
  }

  /**
   * What the supply really drew and injected on a day, Wh per quarter-hour (for the substation meter): the curve
   * itself, except for a meter with a non-technical loss (it registers less than the load draws) and without the
   * curve faults (gap, spike, duplicate) the day file may carry.
   */
  trueDay(day: string): { pod: string; importWh: number[]; exportWh: number[] } {
    const date = parseDay(day);
    this.#advance(dayBoundsMs(date).endMs);
    const record = this.#dayRecord(dayKeyOf(date));
    if (record === undefined) throw new RangeError(`${this.site.pod} keeps no curve of ${day}`);
    const { values } = unpackDay(record);
    return {
      pod: this.site.pod,
      importWh: record.trueImportWh ? Array.from(record.trueImportWh) : values[0]!,
      exportWh: values[1]!,
    };
  }

  /**
   * Whether the meter answers the daily read of `day` when asked on `askedOnDay` (both `YYYY-MM-DD`): a day is
   * read from the next day on; a meter drawn not to answer (`noAnswerRate`) answers only 1–`maxDaysLate` days
   * later than that (seeded; mostly 1).
   */
  answersDailyReadOf(day: string, askedOnDay: string): boolean {
    const date = parseDay(day);
    const elapsed = daysBetween(date, parseDay(askedOnDay));
    return elapsed >= 1 + this.daysLate(day);
  }

  /** Days after the normal read (the next day) that this meter answers for `day`: 0 for most meter-days. */
  daysLate(day: string): number {
    const dayKey = dayKeyOf(parseDay(day));
    if (this.#draw('no-answer', dayKey) >= this.#faults.noAnswerRate) return 0;
    return 1 + Math.floor(this.#draw('days-late', dayKey) ** 3 * this.#faults.maxDaysLate);
  }

  /** An outage of this meter alone (also what a substation outage does to each of its meters). */
  outage(fromMs: number, toMs: number): void {
    if (!(toMs > fromMs)) throw new RangeError('an outage ends after it starts');
    this.#emitter.scheduleOutage(fromMs, toMs);
  }

  /** Days the meter holds a finished curve of (oldest first), `YYYY-MM-DD`. */
  keptDays(): string[] {
    return this.#days.filter((r) => r.packed !== undefined).map((r) => dayOfKey(r.dayKey));
  }

  #dayRecord(dayKey: number): DayRecord | undefined {
    for (const record of this.#days) if (record.dayKey === dayKey) return record;
    return undefined;
  }

  #advance(nowMs: number): void {
    const frames = this.#emitter.advanceToMs(nowMs);
    if (frames.length > 0) (this.#pendingFrames ??= []).push(...frames);
  }

  #execute(command: MeterCommand, nowMs: number): MeterAnswer {
    switch (command.kind) {
      case 'program_chain2':
        if (!MAC_PATTERN.test(command.macAddress)) return refuse('DU MAC address is not DC + 10 hex digits');
        // The detail never echoes the key, even a malformed one.
        if (!KEY_PATTERN.test(command.encryptionKey)) return refuse('DU key is not 32 hex digits');
        this.#chain2 = { macAddress: command.macAddress, key: command.encryptionKey };
        this.#emitter.setEmitting(true);
        this.#log(MeterEventCode.chain2Programmed, nowMs);
        return { accepted: true };
      case 'clear_chain2':
        this.#chain2 = null;
        this.#emitter.setEmitting(false);
        this.#pendingFrames = undefined;
        this.#log(MeterEventCode.chain2Cleared, nowMs);
        return { accepted: true };
      case 'connect':
        if (!this.#emitter.connected) this.#log(MeterEventCode.remoteConnect, nowMs);
        this.#emitter.setConnected(true);
        return { accepted: true };
      case 'disconnect':
        if (this.#emitter.connected) this.#log(MeterEventCode.remoteDisconnect, nowMs);
        this.#emitter.setConnected(false);
        return { accepted: true };
      case 'set_available_power': {
        const maxW = this.site.contractPowerW * MAX_AVAILABLE_POWER_FACTOR;
        const powerW = command.availablePowerW;
        if (!Number.isInteger(powerW) || powerW <= 0 || powerW > maxW) {
          return refuse(`available power ${powerW} W is outside (0, ${maxW}] W (3 × contract power), whole watts`);
        }
        this.#emitter.setAvailablePowerW(powerW);
        this.#log(MeterEventCode.availablePowerChanged, nowMs, powerW);
        return { accepted: true };
      }
      case 'set_tariff_calendar': {
        const problem = calendarProblem(command.calendar);
        if (problem) return refuse(problem);
        this.#calendar = copyCalendar(command.calendar);
        this.#emitter.setCalendar(this.#calendar);
        this.#log(MeterEventCode.tariffCalendarChanged, nowMs);
        return { accepted: true };
      }
      case 'read_registers':
        return { accepted: true, registers: this.registers(nowMs) };
    }
  }

  #dayStarted(startS: number, dayKey: number): void {
    const startMs = startS * 1000;
    // One freeze: the end of the day that closes and the start of the one that opens.
    const importBands = this.#emitter.importBandWh();
    const exportBands = this.#emitter.exportBandWh();
    const ended = this.#today;
    if (ended !== undefined && ended.bytes !== undefined) {
      for (let q = ended.quarters; q < ended.intervals; q++) pushQuarter(ended, 0, 0, 0, 0, 0);
      pushFreeze(ended, importBands, exportBands);
      ended.packed = String.fromCharCode.apply(null, ended.bytes.subarray(0, ended.length) as unknown as number[]);
      ended.bytes = undefined;
      ended.meterSerial = this.#meterSerial;
    }
    const { endMs } = dayBoundsMs(dateOfKey(dayKey));
    const intervals = (endMs - startMs) / QUARTER_MS;
    const record = new DayRecord(dayKey, intervals, this.#thief, this.#meterSerial);
    pushFreeze(record, importBands, exportBands);
    // A meter started mid-day has no curve before its start: those intervals are missing.
    const firstS = this.#emitter.stepInstantS;
    for (let i = 0; i < intervals && startMs + (i + 1) * QUARTER_MS <= firstS * 1000; i++)
      pushQuarter(record, 0, 0, 0, 0, IntervalStatus.missing);
    this.#today = record;
    this.#todayStartMs = startMs;
    this.#days.push(record);
    this.#forgetOldDays();
    this.#drawDayFaults(startMs, endMs, dayKey, intervals);
  }

  /** Outages, replacement and clock correction of a day, scheduled as the day starts. */
  #drawDayFaults(startMs: number, endMs: number, dayKey: number, intervals: number): void {
    const faults = this.#faults;
    for (const outage of substationOutagesOn(
      this.site.concentratorId,
      startMs,
      dayKey,
      this.#seed,
      faults.substationOutageRate,
    ))
      this.#emitter.scheduleOutage(outage.fromMs, outage.toMs);
    if (this.#draw('outage', dayKey) < faults.singleOutageRate) {
      const fromMs = startMs + Math.floor(this.#draw('outage-at', dayKey) * (endMs - startMs));
      const minutes = Math.round(2 ** (this.#draw('outage-length', dayKey) * 8)); // 1 min – 4 h, mostly short
      this.#emitter.scheduleOutage(fromMs, fromMs + minutes * 60_000);
    }
    this.#replacementQuarterEndS = -1;
    if (this.#draw('replaced', dayKey) < faults.replacementRate) {
      const quarter = 1 + Math.floor(this.#draw('replaced-at', dayKey) * (intervals - 1));
      this.#replacementQuarterEndS = startMs / 1000 + quarter * 900;
    }
    this.#clockCorrectionQuarterS = -1;
    if (this.#clockDriftSPerDay !== 0) {
      this.#clockOffsetS += this.#clockDriftSPerDay;
      if (Math.abs(this.#clockOffsetS) >= faults.clockToleranceS) {
        const quarter = Math.floor(this.#draw('clock-at', dayKey) * intervals);
        this.#clockCorrectionQuarterS = startMs / 1000 + quarter * 900;
      }
    }
  }

  #quarterClosed(quarter: ClosedQuarter): void {
    const record = this.#today;
    if (record === undefined || record.bytes === undefined) return;
    const index = (quarter.startS * 1000 - this.#todayStartMs) / QUARTER_MS;
    // Quarters close once each, in order: the record only appends.
    if (index < record.quarters || index >= record.intervals) return;
    while (record.quarters < index) pushQuarter(record, 0, 0, 0, 0, 0);
    let status = quarter.status;
    if (record.trueImportWh !== undefined) record.trueImportWh[index] = quarter.trueImportJ / 3_600;
    if (quarter.startS === this.#clockCorrectionQuarterS) {
      const correctionS = -Math.round(this.#clockOffsetS);
      this.#log(MeterEventCode.clockCorrected, quarter.startS * 1000 + 450_000, correctionS);
      this.#clockOffsetS = 0;
      status |= IntervalStatus.clockAdjusted;
    }
    pushQuarter(record, quarter.importWh, quarter.exportWh, quarter.inductiveVarh, quarter.capacitiveVarh, status);
    if (quarter.startS + 900 === this.#replacementQuarterEndS) {
      this.#emitter.resetRegisters();
      this.#meterSerial = replacementSerial(this.#meterSerial, hash32(this.#faultStream('replaced'), record.dayKey));
      this.#log(MeterEventCode.meterReplaced, this.#replacementQuarterEndS * 1000);
    }
  }

  #log(code: MeterEventCode, atMs: number, value?: number): void {
    const event: LoggedEvent = { atMs, meterAtMs: atMs + Math.round(this.#clockOffsetS * 1000), code };
    if (value !== undefined) event.value = value;
    (this.#events ??= []).push(event);
  }

  #eventsBetween(fromMs: number, toMs: number): MeterEvent[] {
    return (this.#events ?? [])
      .filter((e) => e.atMs >= fromMs && e.atMs < toMs)
      .sort((a, b) => a.atMs - b.atMs)
      .map((e) => {
        const event: MeterEvent = { at: new Date(e.meterAtMs).toISOString(), code: e.code };
        if (e.value !== undefined) event.value = e.value;
        return event;
      });
  }

  #forgetOldDays(): void {
    if (this.#days.length <= this.#daysKept) return;
    this.#days.shift();
    const kept = this.#days[0]!;
    const keptStartMs = dayBoundsMs(dateOfKey(kept.dayKey)).startMs;
    if (this.#events !== undefined) this.#events = this.#events.filter((e) => e.atMs >= keptStartMs);
    this.#emitter.forgetFramesSentBefore(kept.dayKey);
  }

  /** Gap, spike and duplicate: faults of the curve memory, in the file only (registers and Chain 2 unaffected). */
  #applyCurveFaults(
    dayKey: number,
    n: number,
    channels: Record<
      'activeImportWh' | 'activeExportWh' | 'reactiveInductiveVarh' | 'reactiveCapacitiveVarh',
      number[]
    >,
    status: number[],
  ): void {
    const faults = this.#faults;
    const all = [
      channels.activeImportWh,
      channels.activeExportWh,
      channels.reactiveInductiveVarh,
      channels.reactiveCapacitiveVarh,
    ];
    if (this.#draw('spike', dayKey) < faults.spikeRate) {
      const at = Math.floor(this.#draw('spike-at', dayKey) * n);
      const factor = 10 + Math.floor(this.#draw('spike-factor', dayKey) * 41);
      channels.activeImportWh[at] = Math.max(1, channels.activeImportWh[at]!) * factor;
    }
    if (this.#draw('duplicate', dayKey) < faults.duplicateRate) {
      const at = Math.floor(this.#draw('duplicate-at', dayKey) * (n - 1));
      for (const values of all) values[at + 1] = values[at]!;
      status[at + 1] = status[at]!;
    }
    if (this.#draw('gap', dayKey) < faults.gapRate) {
      const length = 1 + Math.floor(this.#draw('gap-length', dayKey) * faults.maxGapIntervals);
      const from = Math.floor(this.#draw('gap-at', dayKey) * n);
      for (let i = from; i < Math.min(n, from + length); i++) {
        for (const values of all) values[i] = 0;
        status[i] = status[i]! | IntervalStatus.missing;
      }
    }
  }

  #draw(label: FaultLabel, dayKey: number): number {
    return unitHash(this.#faultStream(label), dayKey);
  }

  #faultStream(label: FaultLabel): number {
    return hash32(this.#faultSeed, FAULT_LABELS.indexOf(label) + 1);
  }
}

/** Fault settings already seen, frozen: a network's meters share one object, not one copy each (issue #11). */
const knownFaults = new Map<string, Readonly<FieldFaults>>();

function sharedFaults(faults: FieldFaults): Readonly<FieldFaults> {
  const key = Object.entries(faults).join(';');
  let known = knownFaults.get(key);
  if (known === undefined) {
    // A handful of settings per process (defaults, none, a test's own): bounded to stay a cache, not a leak.
    if (knownFaults.size >= 64) knownFaults.clear();
    knownFaults.set(key, (known = Object.freeze(faults)));
  }
  return known;
}

/** Appends a LEB128 varint of `value` (an integer) zigzagged (0, −1, 1, −2… → 0, 1, 2, 3…). */
function pushVarint(record: DayRecord, value: number): void {
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  while (z >= 128) {
    pushByte(record, (z % 128) + 128);
    z = Math.floor(z / 128);
  }
  pushByte(record, z);
}

function pushByte(record: DayRecord, byte: number): void {
  let bytes = record.bytes!;
  if (record.length === bytes.length) {
    const grown = new Uint8Array(bytes.length * 2);
    grown.set(bytes);
    record.bytes = bytes = grown;
  }
  bytes[record.length++] = byte;
}

function pushQuarter(record: DayRecord, a: number, b: number, c: number, d: number, status: number): void {
  pushByte(
    record,
    (a !== 0 ? 1 : 0) | (b !== 0 ? 2 : 0) | (c !== 0 ? 4 : 0) | (d !== 0 ? 8 : 0) | (status !== 0 ? 16 : 0),
  );
  if (a !== 0) pushVarint(record, a);
  if (b !== 0) pushVarint(record, b);
  if (c !== 0) pushVarint(record, c);
  if (d !== 0) pushVarint(record, d);
  if (status !== 0) pushVarint(record, status);
  record.quarters++;
}

/** Import F1, F2, F3, F4–F6 summed, then export the same (F4–F6 are 0 under an F1–F3 calendar). */
function pushFreeze(record: DayRecord, importBands: number[], exportBands: number[]): void {
  for (const bands of [importBands, exportBands]) {
    pushVarint(record, bands[0]!);
    pushVarint(record, bands[1]!);
    pushVarint(record, bands[2]!);
    pushVarint(record, bands[3]! + bands[4]! + bands[5]!);
  }
}

/** A day record read back: the five segments (A+, A−, R+, R−, status), the freeze at its start and at its end. */
function unpackDay(record: DayRecord): { values: number[][]; start: number[]; end: number[] | undefined } {
  const packed = record.packed;
  const bytes = record.bytes;
  let at = 0;
  const byte = packed !== undefined ? () => packed.charCodeAt(at++) : () => bytes![at++]!;
  const varint = (): number => {
    let z = 0;
    let scale = 1;
    let b: number;
    do {
      b = byte();
      z += (b & 127) * scale;
      scale *= 128;
    } while (b >= 128);
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  };
  const freeze = () => Array.from({ length: 8 }, varint);
  const start = freeze();
  const n = record.intervals;
  const values = [0, 1, 2, 3, 4].map(() => new Array<number>(n).fill(0));
  for (let q = 0; q < record.quarters; q++) {
    const mask = byte();
    for (let c = 0; c < 5; c++) if (mask & (1 << c)) values[c]![q] = varint();
  }
  return { values, start, end: packed !== undefined ? freeze() : undefined };
}

/** A freeze as the day file shows it (eight values: see `pushFreeze`). */
function freezeOf(values: number[], atMs: number): RegisterFreeze {
  const [i1, i2, i3, iRest, e1, e2, e3, eRest] = values as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    at: new Date(atMs).toISOString(),
    importWh: i1 + i2 + i3 + iRest,
    exportWh: e1 + e2 + e3 + eRest,
    importByBandWh: [i1, i2, i3],
    exportByBandWh: [e1, e2, e3],
  };
}

/** The new meter's DataPlate: the old one with its last 8 characters redrawn (digits). */
function replacementSerial(serial: string, draw: number): string {
  return serial.slice(0, Math.max(0, serial.length - 8)) + String(draw % 100_000_000).padStart(8, '0');
}

/** Why a meter refuses a calendar, or undefined when it accepts it. */
function calendarProblem(calendar: TariffCalendar): string | undefined {
  const issue = tariffCalendarIssues(calendar)[0];
  if (issue) return `tariff calendar refused: ${issue.field} ${issue.message}`;
  for (const [dayType, programme] of Object.entries(calendar) as [string, TariffCalendar['weekday']][]) {
    if (programme.length > MAX_SWITCHES_PER_DAY_TYPE) {
      return `tariff calendar refused: ${dayType} has ${programme.length} switches (at most ${MAX_SWITCHES_PER_DAY_TYPE})`;
    }
    if (programme.some((s) => s.fromMinute % BAND_SWITCH_STEP_MINUTES !== 0)) {
      return `tariff calendar refused: ${dayType} switches must fall on quarter-hours`;
    }
  }
  return undefined;
}

function refuse(detail: string): MeterAnswer {
  return { accepted: false, detail };
}

function copyCalendar(calendar: TariffCalendar): TariffCalendar {
  return {
    weekday: calendar.weekday.map((s) => ({ ...s })),
    saturday: calendar.saturday.map((s) => ({ ...s })),
    holiday: calendar.holiday.map((s) => ({ ...s })),
  };
}

function copyAnswer(answer: MeterAnswer): MeterAnswer {
  if (!answer.accepted || !answer.registers) return { ...answer };
  const registers = answer.registers;
  return {
    accepted: true,
    registers: {
      ...registers,
      readAt: new Date(registers.readAt),
      importEnergyByBandWh: [...registers.importEnergyByBandWh] as MeterRegisters['importEnergyByBandWh'],
    },
  };
}
