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
import { dayBoundsMs, dayKeyOf, dayOfKey, daysBetween, parseDay } from './local-day.js';
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
/** Choice: a meter keeps the curves of its last 10 days (today included): 7 days of late collection and margin. */
export const DEFAULT_DAYS_KEPT = 10;
/** Choice: 5 % of supply points have PV (issue #13: "~5 % of the demo supply points"). */
export const DEFAULT_PV_SHARE = 0.05;

const MAC_PATTERN = /^DC[0-9A-F]{10}$/;
const KEY_PATTERN = /^[0-9A-F]{32}$/;
const QUARTER_MS = 900_000;
/** The status segment of a day record's values. */
const STATUS = 4;

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

interface DayRecord {
  dayKey: number;
  startMs: number;
  endMs: number;
  intervals: number;
  /**
   * The four channels then the status bits, one after the other (A+, A−, R+, R−, status: segment c at c ×
   * intervals), Wh / varh. 16 bits (a quarter of up to 65.5 kWh, 262 kW: every LV supply) and one array, to keep a
   * meter's days small; a record whose value does not fit is widened to 32 bits.
   */
  values: Uint16Array | Int32Array;
  /** Only for a meter with a non-technical loss: what the load really drew, Wh per quarter. */
  trueImportWh: Float64Array | undefined;
  registersAtStart: RegisterFreeze;
  registersAtEnd: RegisterFreeze | undefined;
  meterSerial: string;
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
  readonly site: MeterSite;
  readonly #emitter: MeterEmitter;
  readonly #constantLoadW: number | undefined;
  readonly #pvPeakW: number;
  readonly #faults: FieldFaults;
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
  readonly #days = new Map<number, DayRecord>();
  #today: DayRecord | undefined;
  #events: LoggedEvent[] = [];
  #pendingFrames: Frame[] = [];
  #clockOffsetS = 0;
  #clockCorrectionQuarterS = -1;
  #replacementQuarterEndS = -1;

  constructor(site: MeterSite, options: SimulatedMeterOptions) {
    this.site = { ...site };
    this.#meterSerial = site.meterSerial;
    this.#seed = (options.seed ?? 0) >>> 0;
    this.#faults = fieldFaults(options.faults);
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
    const recorder: MeterRecorder = {
      quarterClosed: (quarter) => this.#quarterClosed(quarter),
      dayStarted: (startS, dayKey) => this.#dayStarted(startS, dayKey),
      event: (code, atMs, value) => this.#log(code, atMs, value),
    };
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
    if (this.#pendingFrames.length === 0) return frames;
    const all = this.#pendingFrames.concat(frames);
    this.#pendingFrames = [];
    return all;
  }

  /**
   * The day file of a Europe/Rome day (`YYYY-MM-DD`), as the concentrator holds it for the daily read. The meter
   * steps to the day's end if it has not yet (frames due meanwhile wait for the next `advanceTo`). Throws a
   * RangeError for a day the meter no longer keeps (`daysKept`) or never recorded.
   */
  dayFile(day: string): MeterDayFile {
    const date = parseDay(day);
    const { endMs } = dayBoundsMs(date);
    this.#advance(endMs);
    const record = this.#days.get(dayKeyOf(date));
    if (record === undefined || record.registersAtEnd === undefined)
      throw new RangeError(`${this.site.pod} keeps no curve of ${day}`);
    const n = record.intervals;
    const channels = {
      activeImportWh: channelOf(record, 0),
      activeExportWh: channelOf(record, 1),
      reactiveInductiveVarh: channelOf(record, 2),
      reactiveCapacitiveVarh: channelOf(record, 3),
    };
    const status = channelOf(record, STATUS);
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
      registersAtStart: copyFreeze(record.registersAtStart),
      registersAtEnd: copyFreeze(record.registersAtEnd),
      events: this.#eventsBetween(record.startMs, record.endMs),
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
    const record = this.#days.get(dayKeyOf(date));
    if (record === undefined) throw new RangeError(`${this.site.pod} keeps no curve of ${day}`);
    return {
      pod: this.site.pod,
      importWh: record.trueImportWh ? Array.from(record.trueImportWh) : channelOf(record, 0),
      exportWh: channelOf(record, 1),
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
    return [...this.#days.values()].filter((r) => r.registersAtEnd !== undefined).map((r) => dayOfKey(r.dayKey));
  }

  #advance(nowMs: number): void {
    const frames = this.#emitter.advanceToMs(nowMs);
    if (frames.length > 0) this.#pendingFrames.push(...frames);
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
        this.#pendingFrames = [];
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

  #freeze(atMs: number): RegisterFreeze {
    const importBands = this.#emitter.importBandWh();
    const exportBands = this.#emitter.exportBandWh();
    return {
      at: new Date(atMs).toISOString(),
      importWh: importBands.reduce((sum, wh) => sum + wh, 0),
      exportWh: exportBands.reduce((sum, wh) => sum + wh, 0),
      importByBandWh: [importBands[0]!, importBands[1]!, importBands[2]!],
      exportByBandWh: [exportBands[0]!, exportBands[1]!, exportBands[2]!],
    };
  }

  #dayStarted(startS: number, dayKey: number): void {
    const startMs = startS * 1000;
    const freeze = this.#freeze(startMs);
    if (this.#today !== undefined) {
      this.#today.registersAtEnd = freeze;
      this.#today.meterSerial = this.#meterSerial;
    }
    const { endMs } = dayBoundsMs({
      year: Math.floor(dayKey / 10_000),
      month: Math.floor(dayKey / 100) % 100,
      day: dayKey % 100,
    });
    const intervals = (endMs - startMs) / QUARTER_MS;
    const record: DayRecord = {
      dayKey,
      startMs,
      endMs,
      intervals,
      values: new Uint16Array(5 * intervals),
      trueImportWh: this.#thief ? new Float64Array(intervals) : undefined,
      registersAtStart: freeze,
      registersAtEnd: undefined,
      meterSerial: this.#meterSerial,
    };
    // A meter started mid-day has no curve before its start: those intervals are missing.
    const firstS = this.#emitter.stepInstantS;
    for (let i = 0; i < intervals && startMs + (i + 1) * QUARTER_MS <= firstS * 1000; i++)
      record.values[STATUS * intervals + i] = IntervalStatus.missing;
    this.#today = record;
    this.#days.set(dayKey, record);
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
    if (record === undefined) return;
    const index = (quarter.startS * 1000 - record.startMs) / QUARTER_MS;
    if (index < 0 || index >= record.intervals) return;
    const n = record.intervals;
    const largest = Math.max(quarter.importWh, quarter.exportWh, quarter.inductiveVarh, quarter.capacitiveVarh);
    if (largest > 0xffff && record.values instanceof Uint16Array) record.values = Int32Array.from(record.values);
    record.values[index] = quarter.importWh;
    record.values[n + index] = quarter.exportWh;
    record.values[2 * n + index] = quarter.inductiveVarh;
    record.values[3 * n + index] = quarter.capacitiveVarh;
    record.values[STATUS * n + index] = quarter.status;
    if (record.trueImportWh !== undefined) record.trueImportWh[index] = quarter.trueImportJ / 3_600;
    if (quarter.startS === this.#clockCorrectionQuarterS) {
      const correctionS = -Math.round(this.#clockOffsetS);
      this.#log(MeterEventCode.clockCorrected, quarter.startS * 1000 + 450_000, correctionS);
      this.#clockOffsetS = 0;
      record.values[STATUS * n + index] = record.values[STATUS * n + index]! | IntervalStatus.clockAdjusted;
    }
    if (quarter.startS + 900 === this.#replacementQuarterEndS) {
      this.#emitter.resetRegisters();
      this.#meterSerial = replacementSerial(this.#meterSerial, hash32(this.#faultStream('replaced'), record.dayKey));
      this.#log(MeterEventCode.meterReplaced, this.#replacementQuarterEndS * 1000);
    }
  }

  #log(code: MeterEventCode, atMs: number, value?: number): void {
    const event: LoggedEvent = { atMs, meterAtMs: atMs + Math.round(this.#clockOffsetS * 1000), code };
    if (value !== undefined) event.value = value;
    this.#events.push(event);
  }

  #eventsBetween(fromMs: number, toMs: number): MeterEvent[] {
    return this.#events
      .filter((e) => e.atMs >= fromMs && e.atMs < toMs)
      .sort((a, b) => a.atMs - b.atMs)
      .map((e) => {
        const event: MeterEvent = { at: new Date(e.meterAtMs).toISOString(), code: e.code };
        if (e.value !== undefined) event.value = e.value;
        return event;
      });
  }

  #forgetOldDays(): void {
    if (this.#days.size <= this.#daysKept) return;
    const oldest = this.#days.keys().next().value!;
    this.#days.delete(oldest);
    const kept = this.#days.values().next().value!;
    this.#events = this.#events.filter((e) => e.atMs >= kept.startMs);
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

function channelOf(record: DayRecord, channel: number): number[] {
  const n = record.intervals;
  return Array.from(record.values.subarray(channel * n, (channel + 1) * n));
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

function copyFreeze(freeze: RegisterFreeze): RegisterFreeze {
  return {
    ...freeze,
    importByBandWh: [...freeze.importByBandWh],
    exportByBandWh: [...freeze.exportByBandWh],
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
