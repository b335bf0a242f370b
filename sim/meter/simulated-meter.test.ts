import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Frame, FrameType } from '../../src/codec/index.js';
import { dayFileIssues, DAY_CHANNELS, IntervalStatus, MeterEventCode } from '../../src/domain/day-file.js';
import type { DuKey, MacAddress, Pod } from '../../src/domain/identifiers.js';
import type { TariffCalendar } from '../../src/domain/meter-command.js';
import { romeLocalParts } from '../../src/domain/tariff-bands.js';
import { NO_FIELD_FAULTS, type FieldFaults } from './field-faults.js';
import { REMEMBERED_COMMAND_IDS, SimulatedMeter, type SimulatedMeterOptions } from './simulated-meter.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Monday 12 January 2026, 00:00 in Rome (CET, UTC+1): an ordinary weekday. */
const MONDAY_MIDNIGHT_ROME = Date.UTC(2026, 0, 11, 23, 0);
const KEY = '00112233445566778899AABBCCDDEEFF' as DuKey;
const MAC = 'DC0A1B2C3D4E' as MacAddress;

type FrameOf<T extends FrameType> = Extract<Frame, { type: T }>;
const ofType = <T extends FrameType>(frames: Frame[], type: T) =>
  frames.filter((frame): frame is FrameOf<T> => frame.type === type);

function makeMeter(
  overrides: { contractPowerW?: number; loadW?: number; startMs?: number; pod?: string } = {},
  options: Partial<SimulatedMeterOptions> = {},
): SimulatedMeter {
  return new SimulatedMeter(
    {
      pod: (overrides.pod ?? 'IT001E00000001') as Pod,
      meterSerial: '21E4E5KA101249263',
      concentratorId: 'CN000001',
      contractPowerW: overrides.contractPowerW ?? 3000,
    },
    {
      startMs: overrides.startMs ?? MONDAY_MIDNIGHT_ROME,
      faults: NO_FIELD_FAULTS,
      pvShare: 0,
      ...(overrides.loadW === undefined ? {} : { loadW: overrides.loadW }),
      ...options,
    },
  );
}

/** A household meter (no constant load), perfect unless told, seeded. */
function household(pod: string, options: Partial<SimulatedMeterOptions> = {}): SimulatedMeter {
  return makeMeter({ pod }, { seed: 7, ...options });
}

describe('SimulatedMeter: what MeterModel did (ported cases)', () => {
  it('starts connected, without Chain 2, with available power = contract × 1.1', () => {
    expect(makeMeter({ contractPowerW: 3000 }).state()).toMatchObject({
      connected: true,
      hasChain2: false,
      macAddress: null,
      keyLast4: null,
      availablePowerW: 3300,
    });
  });

  it('credits a weekday of constant load to F1, F2 and F3 by the ARERA calendar', () => {
    const registers = makeMeter({ loadW: 1000 }).registers(MONDAY_MIDNIGHT_ROME + 24 * HOUR_MS);
    expect(registers.importEnergyByBandWh).toEqual([11_000, 5_000, 8_000, 0, 0, 0]);
    expect(registers.importEnergyWh).toBe(24_000);
    expect(registers.exportEnergyWh).toBe(0);
  });

  it('counts no energy while disconnected', () => {
    const meter = makeMeter({ loadW: 1000 });
    meter.receive('c1', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME + HOUR_MS);
    meter.receive('c2', { kind: 'connect' }, MONDAY_MIDNIGHT_ROME + 3 * HOUR_MS);
    expect(meter.registers(MONDAY_MIDNIGHT_ROME + 4 * HOUR_MS).importEnergyWh).toBe(2000);
  });

  it('credits energy to the bands of the calendar it holds from the moment it accepts it', () => {
    const meter = makeMeter({ loadW: 1000 });
    const allF4: TariffCalendar = {
      weekday: [{ fromMinute: 0, band: 4 }],
      saturday: [{ fromMinute: 0, band: 4 }],
      holiday: [{ fromMinute: 0, band: 4 }],
    };
    expect(
      meter.receive('c1', { kind: 'set_tariff_calendar', calendar: allF4 }, MONDAY_MIDNIGHT_ROME + 2 * HOUR_MS),
    ).toEqual({ accepted: true });
    expect(meter.registers(MONDAY_MIDNIGHT_ROME + 5 * HOUR_MS).importEnergyByBandWh).toEqual([0, 0, 2000, 3000, 0, 0]);
  });

  it('refuses a calendar whose switches are not on quarter-hours, or that leaves midnight undefined', () => {
    const meter = makeMeter();
    const offQuarter: TariffCalendar = {
      weekday: [
        { fromMinute: 0, band: 3 },
        { fromMinute: 425, band: 2 },
      ],
      saturday: [{ fromMinute: 0, band: 3 }],
      holiday: [{ fromMinute: 0, band: 3 }],
    };
    const noMidnight: TariffCalendar = { ...offQuarter, weekday: [{ fromMinute: 60, band: 1 }] };
    expect(
      meter.receive('c1', { kind: 'set_tariff_calendar', calendar: offQuarter }, MONDAY_MIDNIGHT_ROME),
    ).toMatchObject({ accepted: false });
    expect(
      meter.receive('c2', { kind: 'set_tariff_calendar', calendar: noMidnight }, MONDAY_MIDNIGHT_ROME),
    ).toMatchObject({ accepted: false });
    expect(meter.state().tariffCalendar.weekday).toHaveLength(5);
  });

  it('keeps a copy of the calendar, not the sender’s object', () => {
    const meter = makeMeter();
    const calendar: TariffCalendar = {
      weekday: [{ fromMinute: 0, band: 1 }],
      saturday: [{ fromMinute: 0, band: 2 }],
      holiday: [{ fromMinute: 0, band: 3 }],
    };
    meter.receive('c1', { kind: 'set_tariff_calendar', calendar }, MONDAY_MIDNIGHT_ROME);
    calendar.weekday[0]!.band = 6;
    expect(meter.state().tariffCalendar.weekday).toEqual([{ fromMinute: 0, band: 1 }]);
  });

  it('answers a repeated refused command with the same refusal', () => {
    const meter = makeMeter();
    const first = meter.receive('c1', { kind: 'set_available_power', availablePowerW: 0 }, MONDAY_MIDNIGHT_ROME);
    expect(meter.receive('c1', { kind: 'set_available_power', availablePowerW: 0 }, MONDAY_MIDNIGHT_ROME)).toEqual(
      first,
    );
    expect(meter.state().commandsProcessed).toBe(1);
  });

  it(`forgets command ids older than the last ${REMEMBERED_COMMAND_IDS} and executes such an id again`, () => {
    const meter = makeMeter();
    meter.receive('first', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME);
    for (let i = 0; i < REMEMBERED_COMMAND_IDS - 1; i++)
      meter.receive(`fill-${i}`, { kind: 'connect' }, MONDAY_MIDNIGHT_ROME);
    meter.receive('first', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME);
    expect(meter.state()).toMatchObject({ connected: true, commandsProcessed: REMEMBERED_COMMAND_IDS });
    meter.receive('one-more', { kind: 'connect' }, MONDAY_MIDNIGHT_ROME);
    meter.receive('first', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME);
    expect(meter.state()).toMatchObject({ connected: false, commandsProcessed: REMEMBERED_COMMAND_IDS + 2 });
  });

  it('refuses a malformed DU MAC or key without echoing the key', () => {
    const meter = makeMeter();
    const badKey = 'not-a-key-0123456789' as DuKey;
    const answer = meter.receive(
      'c1',
      { kind: 'program_chain2', macAddress: MAC, encryptionKey: badKey },
      MONDAY_MIDNIGHT_ROME,
    );
    expect(answer).toMatchObject({ accepted: false });
    expect(JSON.stringify(answer)).not.toContain(badKey);
    expect(
      meter.receive(
        'c2',
        { kind: 'program_chain2', macAddress: 'AB0A1B2C3D4E' as MacAddress, encryptionKey: KEY },
        MONDAY_MIDNIGHT_ROME,
      ),
    ).toMatchObject({ accepted: false });
    expect(meter.state().hasChain2).toBe(false);
  });

  it('never shows its DU key in its state, in inspection, in JSON or in its day file', () => {
    const meter = makeMeter();
    meter.receive('c1', { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, MONDAY_MIDNIGHT_ROME);
    expect(JSON.stringify(meter.state())).not.toContain(KEY);
    expect(JSON.stringify(meter)).not.toContain(KEY);
    expect(inspect(meter, { depth: 5 })).not.toContain(KEY);
    expect(JSON.stringify(meter.dayFile('2026-01-12'))).not.toContain(KEY);
    expect(meter.state().keyLast4).toBe('EEFF');
    expect(meter.chain2Key()).toBe(KEY);
  });
});

/** Frames of a meter programmed at `from`, stepped in irregular pieces to `to`. */
let commandIds = 0;
function run(meter: SimulatedMeter, from: number, to: number): Frame[] {
  meter.receive(`p${++commandIds}`, { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, from);
  const frames: Frame[] = [];
  for (let t = from, i = 0; t < to; i++) {
    t = Math.min(to, t + 37_000 + (i % 7) * 311_000);
    frames.push(...meter.advanceTo(t));
  }
  return frames;
}

describe('SimulatedMeter: one energy for Chain 1 and Chain 2', () => {
  const PODS = ['IT001E00000011', 'IT001E00000012', 'IT001E00000013', 'IT001E00000014'];

  it('puts in each quarter of the curve the Wh of its CF1 (CurrQuartActEnergy, then the next PrevQuartActEnergy)', () => {
    for (const [index, pod] of PODS.entries()) {
      // One meter with PV (its import is what the emitter integrates too), one overloaded to trip its breaker.
      const startMs = MONDAY_MIDNIGHT_ROME - 2 * HOUR_MS;
      const meter = household(pod, index === 0 ? { pvPeakW: 4_000, startMs } : { startMs });
      // Before programming (the meter started at 22:00): the evening overloads a 1.2 kW limit.
      if (index === 1)
        meter.receive('a', { kind: 'set_available_power', availablePowerW: 1_200 }, MONDAY_MIDNIGHT_ROME - 90 * 60_000);
      const frames = run(meter, MONDAY_MIDNIGHT_ROME - HOUR_MS, MONDAY_MIDNIGHT_ROME + 2 * DAY_MS + HOUR_MS);
      const cf1 = ofType(frames, 'CF1');
      for (const day of ['2026-01-12', '2026-01-13']) {
        const file = meter.dayFile(day);
        expect(dayFileIssues(file)).toEqual([]);
        const startS = Date.parse(file.registersAtStart.at) / 1000;
        file.channels.activeImportWh.forEach((wh, i) => {
          const endS = startS + (i + 1) * 900;
          const at = cf1.findIndex((frame) => frame.payload.MeasurePosixTimestamp === endS);
          expect(cf1[at]!.payload.CurrQuartActEnergy).toBe(wh);
          expect(cf1[at + 1]!.payload.PrevQuartActEnergy).toBe(wh);
        });
        expect(file.chain2FramesSent.byType.CF1).toBe(96);
        expect(file.chain2FramesSent.total).toBe(
          frames.filter((f) => {
            const p = f.payload as { MeasurePosixTimestamp?: number; EventPosixTimestamp?: number };
            const local = romeLocalParts(new Date((p.MeasurePosixTimestamp ?? p.EventPosixTimestamp!) * 1000));
            return `${local.year}-0${local.month}-${local.day}` === day;
          }).length,
        );
      }
      if (index === 0) expect(meter.dayFile('2026-01-12').channels.activeExportWh.some((wh) => wh > 0)).toBe(true);
      if (index === 1) {
        const events = meter.dayFile('2026-01-12').events.map((e) => e.code);
        expect(events).toContain(MeterEventCode.breakerTrip);
        expect(events).toContain(MeterEventCode.breakerRearm);
        expect(meter.dayFile('2026-01-11').events).toContainEqual({
          at: new Date(MONDAY_MIDNIGHT_ROME - 90 * 60_000).toISOString(),
          code: MeterEventCode.availablePowerChanged,
          value: 1_200,
        });
      }
    }
  });

  it('freezes registers so that end − start is the day’s curve sum, per channel and per band', () => {
    for (const pod of PODS) {
      const meter = household(pod, { pvPeakW: pod.endsWith('2') ? 3_000 : 0 });
      meter.advanceTo(MONDAY_MIDNIGHT_ROME + 3 * DAY_MS);
      for (const day of ['2026-01-12', '2026-01-13', '2026-01-14']) {
        const file = meter.dayFile(day);
        const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
        expect(file.registersAtEnd.importWh - file.registersAtStart.importWh).toBe(sum(file.channels.activeImportWh));
        expect(file.registersAtEnd.exportWh - file.registersAtStart.exportWh).toBe(sum(file.channels.activeExportWh));
        // Weekday bands by local quarter: F3 00–07 and 23–24, F2 07–08 and 19–23, F1 08–19.
        const bandOf = (i: number) => (i < 28 || i >= 92 ? 3 : i < 32 || i >= 76 ? 2 : 1);
        for (const band of [1, 2, 3]) {
          const inBand = file.channels.activeImportWh.filter((_, i) => bandOf(i) === band);
          expect(file.registersAtEnd.importByBandWh[band - 1]! - file.registersAtStart.importByBandWh[band - 1]!).toBe(
            sum(inBand),
          );
        }
      }
    }
  });

  it('gives the same day file whether Chain 2 was programmed or not, and keeps its registers across a re-programming', () => {
    const silent = household('IT001E00000021');
    const emitting = household('IT001E00000021');
    run(emitting, MONDAY_MIDNIGHT_ROME + 3 * HOUR_MS, MONDAY_MIDNIGHT_ROME + 10 * HOUR_MS);
    emitting.receive('clear', { kind: 'clear_chain2' }, MONDAY_MIDNIGHT_ROME + 10 * HOUR_MS);
    const before = emitting.registers(MONDAY_MIDNIGHT_ROME + 12 * HOUR_MS).importEnergyWh;
    const frames = run(emitting, MONDAY_MIDNIGHT_ROME + 12 * HOUR_MS, MONDAY_MIDNIGHT_ROME + 13 * HOUR_MS);
    expect(ofType(frames, 'CF1')[0]!.payload.TotalActEnergy).toBeGreaterThanOrEqual(before);
    const { events: silentEvents, ...silentFile } = silent.dayFile('2026-01-12');
    const { events, chain2FramesSent, ...file } = emitting.dayFile('2026-01-12');
    const { chain2FramesSent: silentSent, ...silentRest } = silentFile;
    expect(file).toEqual(silentRest);
    expect(silentSent.total).toBe(0);
    expect(file.channels).toEqual(silentFile.channels);
    expect(file.registersAtEnd).toEqual(silentFile.registersAtEnd);
    expect(silentEvents).toEqual([]);
    expect(events.map((e) => e.code)).toEqual(['chain2_programmed', 'chain2_cleared', 'chain2_programmed']);
    expect(chain2FramesSent.total).toBeGreaterThan(30);
  });

  it('makes the available power and calendar reach Chain 2: CF20 on change, CF22 against the new limit, TariffCode', () => {
    const meter = household('IT001E00000031');
    const allF5: TariffCalendar = {
      weekday: [{ fromMinute: 0, band: 5 }],
      saturday: [{ fromMinute: 0, band: 5 }],
      holiday: [{ fromMinute: 0, band: 5 }],
    };
    meter.receive('p', { kind: 'program_chain2', macAddress: MAC, encryptionKey: KEY }, MONDAY_MIDNIGHT_ROME);
    meter.receive('a', { kind: 'set_available_power', availablePowerW: 1_000 }, MONDAY_MIDNIGHT_ROME + HOUR_MS);
    meter.receive('c', { kind: 'set_tariff_calendar', calendar: allF5 }, MONDAY_MIDNIGHT_ROME + HOUR_MS);
    const frames = meter.advanceTo(MONDAY_MIDNIGHT_ROME + DAY_MS);
    expect(ofType(frames, 'CF20').map((f) => f.payload.AvailablePower)).toEqual([1_000]);
    expect(ofType(frames, 'CF22').every((f) => f.payload.AvailablePower === 1_000)).toBe(true);
    expect(ofType(frames, 'CF22').length).toBeGreaterThan(0);
    const late = ofType(frames, 'CF1').filter(
      (f) => f.payload.MeasurePosixTimestamp * 1000 > MONDAY_MIDNIGHT_ROME + HOUR_MS,
    );
    expect(new Set(late.map((f) => f.payload.TariffCode))).toEqual(new Set([5]));
    meter.receive('d', { kind: 'disconnect' }, MONDAY_MIDNIGHT_ROME + DAY_MS);
    const off = ofType(meter.advanceTo(MONDAY_MIDNIGHT_ROME + DAY_MS + HOUR_MS), 'CF1');
    expect(off.map((f) => f.payload.CurrQuartActEnergy)).toEqual([0, 0, 0, 0]);
    expect(meter.dayFile('2026-01-13').status.slice(0, 4)).toEqual(Array(4).fill(IntervalStatus.breakerOpen));
  });
});

describe('SimulatedMeter: the day file', () => {
  it('has 92 intervals on the spring-forward day and 100 on the fall-back day, each summing to its registers', () => {
    const spring = household('IT001E00000041', { startMs: Date.UTC(2026, 2, 28, 12), pvPeakW: 3_000 });
    const autumn = household('IT001E00000041', { startMs: Date.UTC(2026, 9, 24, 12) });
    for (const [meter, day, n] of [
      [spring, '2026-03-29', 92],
      [autumn, '2026-10-25', 100],
    ] as const) {
      const file = meter.dayFile(day);
      expect(file.intervals).toBe(n);
      expect(dayFileIssues(file)).toEqual([]);
      expect(file.registersAtEnd.importWh - file.registersAtStart.importWh).toBe(
        file.channels.activeImportWh.reduce((a, b) => a + b, 0),
      );
    }
  });

  it('logs an outage with its last gasp and flags its intervals, and records reactive energy on both channels', () => {
    const meter = household('IT001E00000051');
    meter.outage(MONDAY_MIDNIGHT_ROME + 10 * HOUR_MS + 120_000, MONDAY_MIDNIGHT_ROME + 11 * HOUR_MS);
    const file = meter.dayFile('2026-01-12');
    expect(file.events.map((e) => e.code)).toEqual(['last_gasp', 'power_failure_start', 'power_failure_end']);
    expect(file.status.slice(40, 44)).toEqual(Array(4).fill(IntervalStatus.powerFailure));
    expect(file.channels.activeImportWh.slice(41, 44)).toEqual([0, 0, 0]);
    expect(file.channels.reactiveInductiveVarh.some((v) => v > 0)).toBe(true);
    expect(file.channels.reactiveCapacitiveVarh.some((v) => v > 0)).toBe(true);
  });

  it('keeps quarters above 65,535 Wh whole (a large supply: its record is widened)', () => {
    const meter = makeMeter({ contractPowerW: 150_000, loadW: 280_000 });
    meter.receive('a', { kind: 'set_available_power', availablePowerW: 450_000 }, MONDAY_MIDNIGHT_ROME);
    const file = meter.dayFile('2026-01-12');
    expect(new Set(file.channels.activeImportWh)).toEqual(new Set([70_000]));
    expect(file.registersAtEnd.importWh).toBe(96 * 70_000);
  });

  it('marks the intervals before the meter started as missing, and forgets days beyond the ones it keeps', () => {
    const meter = household('IT001E00000052', { startMs: MONDAY_MIDNIGHT_ROME + 6 * HOUR_MS, daysKept: 3 });
    expect(meter.dayFile('2026-01-12').status.slice(0, 25)).toEqual([...Array(24).fill(IntervalStatus.missing), 0]);
    meter.advanceTo(MONDAY_MIDNIGHT_ROME + 5 * DAY_MS);
    // Three days kept, today (17th, just begun) included: two finished ones.
    expect(meter.keptDays()).toEqual(['2026-01-15', '2026-01-16']);
    expect(() => meter.dayFile('2026-01-12')).toThrow(RangeError);
  });
});

describe('SimulatedMeter: field faults (seeded)', () => {
  const FLEET = Array.from({ length: 400 }, (_, i) => `IT001E${String(100_000 + i).padStart(8, '0')}`);
  const faulty = (pod: string, faults: Partial<FieldFaults>) =>
    household(pod, { faults: { ...NO_FIELD_FAULTS, ...faults } });

  it('has meters answer a day’s read only days later, at the seeded rate, and the same ones on every run', () => {
    const late = FLEET.filter(
      (pod) => !faulty(pod, { noAnswerRate: 0.1 }).answersDailyReadOf('2026-01-12', '2026-01-13'),
    );
    expect(late.length).toBeGreaterThan(20);
    expect(late.length).toBeLessThan(70);
    expect(
      FLEET.filter((pod) => !faulty(pod, { noAnswerRate: 0.1 }).answersDailyReadOf('2026-01-12', '2026-01-13')),
    ).toEqual(late);
    for (const pod of late) {
      const meter = faulty(pod, { noAnswerRate: 0.1 });
      const k = meter.daysLate('2026-01-12');
      expect(meter.answersDailyReadOf('2026-01-12', `2026-01-${12 + k}`)).toBe(false);
      expect(meter.answersDailyReadOf('2026-01-12', `2026-01-${13 + k}`)).toBe(true);
    }
    expect(faulty(FLEET[0]!, {}).answersDailyReadOf('2026-01-12', '2026-01-12')).toBe(false);
  });

  it('leaves gaps (0 and the missing bit), spikes and duplicated intervals in the curve, not in the registers', () => {
    const gaps = FLEET.slice(0, 50).map((pod) => faulty(pod, { gapRate: 0.2 }).dayFile('2026-01-12'));
    const withGap = gaps.filter((file) => file.status.some((s) => s & IntervalStatus.missing));
    expect(withGap.length).toBeGreaterThan(3);
    for (const file of withGap)
      file.status.forEach((s, i) => {
        if (s & IntervalStatus.missing) for (const channel of DAY_CHANNELS) expect(file.channels[channel][i]).toBe(0);
      });
    const perfect = (pod: string) => faulty(pod, {}).dayFile('2026-01-12');
    const spiked = FLEET.slice(0, 50).filter((pod) => {
      const file = faulty(pod, { spikeRate: 0.2 }).dayFile('2026-01-12');
      const clean = perfect(pod);
      const changed = file.channels.activeImportWh.filter((wh, i) => wh !== clean.channels.activeImportWh[i]);
      expect(file.registersAtEnd).toEqual(clean.registersAtEnd);
      return changed.length === 1;
    });
    expect(spiked.length).toBeGreaterThan(3);
    const duplicated = FLEET.slice(0, 50).filter((pod) => {
      const { activeImportWh } = faulty(pod, { duplicateRate: 0.2 }).dayFile('2026-01-12').channels;
      const clean = perfect(pod).channels.activeImportWh;
      const at = activeImportWh.findIndex((wh, i) => wh !== clean[i]);
      return at > 0 && activeImportWh[at] === clean[at - 1];
    });
    expect(duplicated.length).toBeGreaterThan(3);
  });

  it('replaces a meter: registers restart, new serial, event meter_replaced', () => {
    const pod = FLEET.find((p) =>
      faulty(p, { replacementRate: 0.05 })
        .dayFile('2026-01-12')
        .events.some((e) => e.code === 'meter_replaced'),
    )!;
    const file = faulty(pod, { replacementRate: 0.05 }).dayFile('2026-01-12');
    expect(file.meterSerial).not.toBe('21E4E5KA101249263');
    expect(file.registersAtEnd.importWh).toBeLessThan(file.channels.activeImportWh.reduce((a, b) => a + b, 0));
  });

  it('drifts some clocks and corrects them past the tolerance, flagging the interval', () => {
    const files = FLEET.slice(0, 100).flatMap((pod) => {
      const meter = faulty(pod, { clockDriftShare: 0.3, clockToleranceS: 2 });
      return ['2026-01-12', '2026-01-13', '2026-01-14'].map((day) => meter.dayFile(day));
    });
    const corrected = files.filter((f) => f.events.some((e) => e.code === 'clock_corrected'));
    expect(corrected.length).toBeGreaterThan(5);
    for (const file of corrected) expect(file.status.some((s) => s & IntervalStatus.clockAdjusted)).toBe(true);
  });

  it('has single-meter outages at the seeded rate, and substation outages hitting every meter of a concentrator at once', () => {
    const outaged = FLEET.slice(0, 200).filter((pod) =>
      faulty(pod, { singleOutageRate: 0.1 })
        .dayFile('2026-01-12')
        .events.some((e) => e.code === 'last_gasp'),
    );
    expect(outaged.length).toBeGreaterThan(8);
    const days = Array.from({ length: 9 }, (_, i) => `2026-01-${String(12 + i)}`);
    const meters = FLEET.slice(0, 5).map((pod) => faulty(pod, { substationOutageRate: 0.5 }));
    const starts = meters.map((m) =>
      days.flatMap((day) =>
        m
          .dayFile(day)
          .events.filter((e) => e.code === 'power_failure_start')
          .map((e) => e.at),
      ),
    );
    expect(starts[0]!.length).toBeGreaterThan(0);
    for (const other of starts) expect(other).toEqual(starts[0]);
  });
});
