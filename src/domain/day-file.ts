import type { Pod } from './identifiers.js';

/**
 * What a 2G meter records for one Europe/Rome calendar day, as its concentrator holds it for the head-end's daily
 * read (Chain 1 "telelettura"): quarter-hour curves of four channels, the register freeze at the day's end, the
 * day's events and its Chain 2 counters. Field list, units, status bits and event codes, and which of them are our
 * choices: docs/day-file.md.
 */
export interface MeterDayFile {
  pod: Pod;
  meterSerial: string;
  concentratorId: string;
  /** YYYY-MM-DD, Europe/Rome. */
  day: string;
  /** Quarter-hours in the day: 96, or 92 / 100 on the days the clocks change. Every array below has this length. */
  intervals: number;
  /** Energy per quarter-hour, integers: Wh for active, varh for reactive. Interval i starts i × 15 min after local 00:00 (UTC-wise). */
  channels: DayChannels;
  /** The meter's own status bits per interval (`IntervalStatus`), 0 when nothing happened. */
  status: number[];
  /** The registers frozen at the start of the day (00:00 local) and at its end (00:00 of the next day). */
  registersAtStart: RegisterFreeze;
  registersAtEnd: RegisterFreeze;
  /** The day's event log, in time order. */
  events: MeterEvent[];
  /** Chain 2 frames the meter sent this day (the frames' own timestamps), per frame type; `total` their sum. */
  chain2FramesSent: { total: number; byType: Record<string, number> };
}

export interface DayChannels {
  /** A+: active energy imported (withdrawn from the grid), Wh. */
  activeImportWh: number[];
  /** A−: active energy exported (injected, e.g. by PV), Wh. */
  activeExportWh: number[];
  /** R+ inductive reactive energy, varh. */
  reactiveInductiveVarh: number[];
  /** R− capacitive reactive energy, varh. */
  reactiveCapacitiveVarh: number[];
}

export const DAY_CHANNELS = [
  'activeImportWh',
  'activeExportWh',
  'reactiveInductiveVarh',
  'reactiveCapacitiveVarh',
] as const satisfies readonly (keyof DayChannels)[];

/**
 * Cumulative energy registers, Wh: totals and ARERA bands F1, F2, F3 (import A+ and export A−). A meter programmed
 * with bands F4–F6 counts them in the totals only, so the three bands then sum to less than the total.
 */
export interface RegisterFreeze {
  /** ISO 8601 instant of the freeze. */
  at: string;
  importWh: number;
  exportWh: number;
  importByBandWh: [number, number, number];
  exportByBandWh: [number, number, number];
}

/** Status bits of an interval (our choice of values; the meaning follows what 2G meters flag). */
export const IntervalStatus = {
  /** The supply was off for some of the interval (its energy covers the rest). */
  powerFailure: 1,
  /** The meter's clock was set during the interval (the interval is shorter or longer than 15 min). */
  clockAdjusted: 2,
  /** The power went above the available power during the interval. */
  overload: 4,
  /** The breaker was open for some of the interval (tripped or disconnected remotely). */
  breakerOpen: 8,
  /** No value: all four channels are 0 and mean nothing (a gap in the meter's memory, or before it was installed). */
  missing: 16,
} as const;

/** Event codes of a meter's log (our choice of codes: no public table). */
export const MeterEventCode = {
  powerFailureStart: 'power_failure_start',
  powerFailureEnd: 'power_failure_end',
  lastGasp: 'last_gasp',
  breakerTrip: 'breaker_trip',
  breakerRearm: 'breaker_rearm',
  remoteDisconnect: 'remote_disconnect',
  remoteConnect: 'remote_connect',
  availablePowerChanged: 'available_power_changed',
  tariffCalendarChanged: 'tariff_calendar_changed',
  clockCorrected: 'clock_corrected',
  chain2Programmed: 'chain2_programmed',
  chain2Cleared: 'chain2_cleared',
  meterReplaced: 'meter_replaced',
} as const;
export type MeterEventCode = (typeof MeterEventCode)[keyof typeof MeterEventCode];

export interface MeterEvent {
  /** ISO 8601 instant, on the meter's clock. */
  at: string;
  code: MeterEventCode;
  /** A number the event carries (the new available power in W, the clock correction in s), when it has one. */
  value?: number;
}

/** Why a meter's day file did not come back from a daily read. Stable codes, shown to operators. */
export const DayFileMissing = {
  /** The meter did not answer the concentrator (asked again on the next days' runs). */
  noAnswer: 'no_answer',
  /** The concentrator does not know this meter. */
  unknownMeter: 'unknown_meter',
  /** The day is not over on the meter's clock yet. */
  dayNotOver: 'day_not_over',
  /** The link gave up (no answer from the concentrator's segment after the retries). */
  linkTimeout: 'link_timeout',
} as const;
export type DayFileMissing = (typeof DayFileMissing)[keyof typeof DayFileMissing];

/** The substation's own meter (LV side of the MV/LV transformer) for the day: the energy that left the transformer. */
export interface SubstationDayFile {
  concentratorId: string;
  day: string;
  intervals: number;
  /**
   * Active energy delivered to the LV network per quarter-hour, Wh, net of what the LV side fed back: negative when
   * the supply points' PV exported more than the others drew.
   */
  activeWh: number[];
}

/** What a daily read of one concentrator for one day brings back. */
export interface ConcentratorDayRead {
  concentratorId: string;
  day: string;
  files: MeterDayFile[];
  missing: { pod: Pod; reason: DayFileMissing }[];
  /** The substation meter's day, when the concentrator has one. */
  substation?: SubstationDayFile;
  /** Simulated seconds the read held the concentrator's power-line link (what it cost in link time). */
  linkSeconds: number;
}

/** Quarter-hours in a Europe/Rome day of `hours` hours (23, 24 or 25). */
export function intervalsInDay(hours: number): number {
  return hours * 4;
}

/** Problems of a day file received from outside (a head-end over HTTP), each naming its field; [] when it is whole. */
export function dayFileIssues(file: MeterDayFile): string[] {
  const issues: string[] = [];
  if (![92, 96, 100].includes(file.intervals)) issues.push(`intervals must be 92, 96 or 100, got ${file.intervals}`);
  for (const channel of DAY_CHANNELS) {
    const values = file.channels?.[channel];
    if (!Array.isArray(values) || values.length !== file.intervals)
      issues.push(`channels.${channel} must hold ${file.intervals} values`);
    else if (!values.every((v) => Number.isSafeInteger(v) && v >= 0))
      issues.push(`channels.${channel} must hold non-negative integers`);
  }
  if (!Array.isArray(file.status) || file.status.length !== file.intervals)
    issues.push(`status must hold ${file.intervals} values`);
  return issues;
}
