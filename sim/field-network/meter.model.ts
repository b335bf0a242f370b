import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import type { MeterCommand, MeterRegisters, TariffCalendar } from '../../src/domain/meter-command.js';
import { ARERA_CALENDAR, tariffBandAt, tariffCalendarIssues } from '../../src/domain/tariff-bands.js';

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
  /** The constant load of this supply, W, while connected. */
  loadW: number;
  /** Distinct command ids executed (accepted or refused); a repeated id does not count again. */
  commandsProcessed: number;
}

/** CHAIN2.md §2: available power = contract power × 1.1. */
export const AVAILABLE_POWER_FACTOR = 1.1;
/** Choice: the meter refuses an available power above 3 × the contract power (a sanity bound, not a regulation). */
export const MAX_AVAILABLE_POWER_FACTOR = 3;
/** Choice: a meter remembers the answers to its last 64 command ids; an older id seen again is executed again. */
export const REMEMBERED_COMMAND_IDS = 64;
/** Choice: the meter switches bands on quarter-hour boundaries (its load profile's period) and holds ≤ 12 switches a day type. */
export const BAND_SWITCH_STEP_MINUTES = 15;
export const MAX_SWITCHES_PER_DAY_TYPE = 12;

const MS_PER_HOUR = 3_600_000;
const QUARTER_HOUR_MS = 15 * 60_000;
const MAC_PATTERN = /^DC[0-9A-F]{10}$/;
const KEY_PATTERN = /^[0-9A-F]{32}$/;

/**
 * A 2G meter as telemanagement sees it: Chain 2 configuration, available power, breaker, band calendar and
 * energy registers, with the idempotency of command ids. Consumption is a constant load integrated over
 * simulated time while connected, credited to the band in force at the start of each quarter-hour.
 *
 * The DU key lives in a private field, in memory only: `state()` shows its last four digits, `chain2Key()` gives
 * it to the Chain 2 emitter, and nothing here logs it.
 */
export class MeterModel {
  readonly site: MeterSite;
  readonly loadW: number;
  #chain2: { macAddress: MacAddress; key: DuKey } | null = null;
  #availablePowerW: number;
  #connected = true;
  #calendar: TariffCalendar = ARERA_CALENDAR;
  #importByBandWh: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
  #registersAtMs: number;
  /** Answers by command id, oldest first (Map keeps insertion order). */
  #answers = new Map<string, MeterAnswer>();
  #commandsProcessed = 0;

  constructor(site: MeterSite, options: { loadW: number; startMs: number }) {
    this.site = { ...site };
    this.loadW = options.loadW;
    this.#availablePowerW = Math.round(site.contractPowerW * AVAILABLE_POWER_FACTOR);
    this.#registersAtMs = options.startMs;
  }

  /** Executes a command once per id: a repeated id gets the first answer again and changes nothing. */
  receive(commandId: string, command: MeterCommand, nowMs: number): MeterAnswer {
    const remembered = this.#answers.get(commandId);
    if (remembered) return copyAnswer(remembered);
    this.#advanceTo(nowMs);
    const answer = this.#execute(command, nowMs);
    this.#commandsProcessed++;
    this.#answers.set(commandId, answer);
    if (this.#answers.size > REMEMBERED_COMMAND_IDS) {
      const oldest = this.#answers.keys().next();
      if (!oldest.done) this.#answers.delete(oldest.value);
    }
    return copyAnswer(answer);
  }

  /** The registers as of `nowMs`, read on the meter itself (no Chain 1 traffic). */
  registers(nowMs: number): MeterRegisters {
    this.#advanceTo(nowMs);
    const byBand = this.#importByBandWh.map((wh) => Math.floor(wh)) as MeterRegisters['importEnergyByBandWh'];
    return {
      readAt: new Date(Math.max(nowMs, this.#registersAtMs)),
      importEnergyWh: byBand.reduce((sum, wh) => sum + wh, 0),
      // The simulated supplies consume and never produce.
      exportEnergyWh: 0,
      importEnergyByBandWh: byBand,
      availablePowerW: this.#availablePowerW,
      connected: this.#connected,
    };
  }

  state(): MeterState {
    return {
      ...this.site,
      availablePowerW: this.#availablePowerW,
      connected: this.#connected,
      hasChain2: this.#chain2 !== null,
      macAddress: this.#chain2?.macAddress ?? null,
      keyLast4: this.#chain2 ? this.#chain2.key.slice(-4) : null,
      tariffCalendar: copyCalendar(this.#calendar),
      loadW: this.loadW,
      commandsProcessed: this.#commandsProcessed,
    };
  }

  /** The simulated meter's secret: the DU key it encrypts Chain 2 frames with. For the Chain 2 emitter only. */
  chain2Key(): DuKey | undefined {
    return this.#chain2?.key;
  }

  /** SECRET as `chain2Key`: the DU's MAC and key, with the available power, without copying the whole state. */
  chain2Configuration(): { macAddress: MacAddress; key: DuKey; availablePowerW: number } | undefined {
    return this.#chain2 ? { ...this.#chain2, availablePowerW: this.#availablePowerW } : undefined;
  }

  #execute(command: MeterCommand, nowMs: number): MeterAnswer {
    switch (command.kind) {
      case 'program_chain2':
        if (!MAC_PATTERN.test(command.macAddress)) return refuse('DU MAC address is not DC + 10 hex digits');
        // The detail never echoes the key, even a malformed one.
        if (!KEY_PATTERN.test(command.encryptionKey)) return refuse('DU key is not 32 hex digits');
        this.#chain2 = { macAddress: command.macAddress, key: command.encryptionKey };
        return { accepted: true };
      case 'clear_chain2':
        this.#chain2 = null;
        return { accepted: true };
      case 'connect':
        this.#connected = true;
        return { accepted: true };
      case 'disconnect':
        this.#connected = false;
        return { accepted: true };
      case 'set_available_power': {
        const maxW = this.site.contractPowerW * MAX_AVAILABLE_POWER_FACTOR;
        const powerW = command.availablePowerW;
        if (!Number.isFinite(powerW) || powerW <= 0 || powerW > maxW) {
          return refuse(`available power ${powerW} W is outside (0, ${maxW}] W (3 × contract power)`);
        }
        this.#availablePowerW = powerW;
        return { accepted: true };
      }
      case 'set_tariff_calendar': {
        const problem = calendarProblem(command.calendar);
        if (problem) return refuse(problem);
        this.#calendar = copyCalendar(command.calendar);
        return { accepted: true };
      }
      case 'read_registers':
        return { accepted: true, registers: this.registers(nowMs) };
    }
  }

  /** Credits the load from the last update to `nowMs`, quarter-hour by quarter-hour, to the band then in force. */
  #advanceTo(nowMs: number): void {
    if (nowMs <= this.#registersAtMs) return;
    if (this.#connected && this.loadW > 0) {
      let fromMs = this.#registersAtMs;
      while (fromMs < nowMs) {
        const toMs = Math.min((Math.floor(fromMs / QUARTER_HOUR_MS) + 1) * QUARTER_HOUR_MS, nowMs);
        const band = tariffBandAt(new Date(fromMs), this.#calendar);
        this.#importByBandWh[band - 1] = this.#importByBandWh[band - 1]! + (this.loadW * (toMs - fromMs)) / MS_PER_HOUR;
        fromMs = toMs;
      }
    }
    this.#registersAtMs = nowMs;
  }
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
