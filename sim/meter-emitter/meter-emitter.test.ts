import { describe, expect, it } from 'vitest';
import { FrameOpener, FrameSealer, deriveSystemTitle, type Frame, type FrameType } from '../../src/codec/index.js';
import { romeLocalParts, tariffBandAt, type LocalDate } from '../../src/domain/tariff-bands.js';
import { loadPowerAt } from './load-profile.js';
import {
  GAP_W,
  MeterEmitter,
  REARM_SECONDS,
  SHED_SECONDS,
  STEP_SECONDS,
  type MeterEmitterOptions,
} from './meter-emitter.js';
import { switchOffCountdownSeconds } from './switch-off-countdown.js';

type FrameOf<T extends FrameType> = Extract<Frame, { type: T }>;

function makeEmitter(overrides: Partial<MeterEmitterOptions> = {}): MeterEmitter {
  return new MeterEmitter({
    pod: 'IT001E12345678',
    meterSerial: '21E4E5KA101249263',
    contractPowerW: 3_000,
    availablePowerW: 3_300,
    seed: 42,
    startAt: new Date('2024-06-11T23:00:00+02:00'),
    ...overrides,
  });
}

/** An emitter whose household never reaches its (huge) available power: no overload, no breaker trip. */
function makeCalmEmitter(overrides: Partial<MeterEmitterOptions> = {}): MeterEmitter {
  return makeEmitter({ availablePowerW: 100_000, ...overrides });
}

function ofType<T extends FrameType>(frames: Frame[], type: T): FrameOf<T>[] {
  return frames.filter((frame): frame is FrameOf<T> => frame.type === type);
}

function timestampOf(frame: Frame): number {
  return 'MeasurePosixTimestamp' in frame.payload
    ? frame.payload.MeasurePosixTimestamp
    : frame.payload.EventPosixTimestamp;
}

function posix(iso: string): number {
  return Date.parse(iso) / 1000;
}

function isOnLocalDate(posixSeconds: number, date: LocalDate): boolean {
  const local = romeLocalParts(new Date(posixSeconds * 1000));
  return local.year === date.year && local.month === date.month && local.day === date.day;
}

function cf1On(frames: Frame[], date: LocalDate): FrameOf<'CF1'>[] {
  return ofType(frames, 'CF1').filter((frame) => isOnLocalDate(frame.payload.MeasurePosixTimestamp, date));
}

describe('MeterEmitter: CF1 every quarter-hour', () => {
  it('sends 96 CF1 on an ordinary day, one at each quarter-hour from 00:00 to 23:45 local time', () => {
    const frames = makeEmitter().advanceTo(new Date('2024-06-13T01:00:00+02:00'));
    const day = cf1On(frames, { year: 2024, month: 6, day: 12 });
    expect(day).toHaveLength(96);
    expect(day[0]!.payload.MeasurePosixTimestamp).toBe(posix('2024-06-12T00:00:00+02:00'));
    day
      .slice(1)
      .forEach((frame, index) =>
        expect(frame.payload.MeasurePosixTimestamp - day[index]!.payload.MeasurePosixTimestamp).toBe(900),
      );
    for (const { payload } of day) expect(payload.MessagePosixTimestamp).toBe(payload.MeasurePosixTimestamp);
  });

  it('sends 92 CF1 on the spring-forward day and 100 on the fall-back day', () => {
    const spring = makeEmitter({ startAt: new Date('2024-03-30T23:00:00+01:00') }).advanceTo(
      new Date('2024-04-01T01:00:00+02:00'),
    );
    expect(cf1On(spring, { year: 2024, month: 3, day: 31 })).toHaveLength(92);
    const autumn = makeEmitter({ startAt: new Date('2024-10-26T23:00:00+02:00') }).advanceTo(
      new Date('2024-10-28T01:00:00+01:00'),
    );
    expect(cf1On(autumn, { year: 2024, month: 10, day: 27 })).toHaveLength(100);
  });

  it('carries the band in force: weekday 10:00 F1, 20:00 F2, 23:30 F3, Saturday F2, Sunday and holidays F3', () => {
    const frames = makeEmitter({ startAt: new Date('2024-08-13T23:00:00+02:00') }).advanceTo(
      new Date('2024-08-19T01:00:00+02:00'),
    );
    const bandAt = (iso: string) =>
      ofType(frames, 'CF1').find((frame) => frame.payload.MeasurePosixTimestamp === posix(iso))?.payload.TariffCode;
    expect(bandAt('2024-08-14T10:00:00+02:00')).toBe(1); // Wednesday
    expect(bandAt('2024-08-14T20:00:00+02:00')).toBe(2);
    expect(bandAt('2024-08-14T23:30:00+02:00')).toBe(3);
    expect(bandAt('2024-08-15T10:00:00+02:00')).toBe(3); // Ferragosto, a Thursday
    expect(bandAt('2024-08-16T10:00:00+02:00')).toBe(1);
    expect(bandAt('2024-08-17T10:00:00+02:00')).toBe(2); // Saturday
    expect(bandAt('2024-08-18T10:00:00+02:00')).toBe(3); // Sunday
    for (const { payload } of ofType(frames, 'CF1')) {
      expect(payload.TariffCode).toBe(tariffBandAt(new Date(payload.MeasurePosixTimestamp * 1000)));
    }
  });

  it('counts energy up: TotalActEnergy never decreases, CurrQuart is its increase, PrevQuart the quarter before', () => {
    const cf1 = ofType(makeEmitter().advanceTo(new Date('2024-06-15T00:00:00+02:00')), 'CF1');
    expect(cf1.at(-1)!.payload.TotalActEnergy).toBeGreaterThan(cf1[0]!.payload.TotalActEnergy);
    cf1.slice(1).forEach(({ payload }, index) => {
      const previous = cf1[index]!.payload;
      expect(payload.TotalActEnergy).toBeGreaterThanOrEqual(previous.TotalActEnergy);
      expect(payload.CurrQuartActEnergy).toBe(payload.TotalActEnergy - previous.TotalActEnergy);
      expect(payload.PrevQuartActEnergy).toBe(previous.CurrQuartActEnergy);
    });
  });

  it('reports quarter energy and average power as the integral of the load profile over the quarter', () => {
    const emitter = makeCalmEmitter();
    const cf1 = ofType(emitter.advanceTo(new Date('2024-06-13T00:00:00+02:00')), 'CF1').slice(1); // the first quarter is partial
    for (const { payload } of cf1) {
      const quarterStartS = payload.MeasurePosixTimestamp - 900;
      let joules = 0;
      for (let s = quarterStartS; s < payload.MeasurePosixTimestamp; s += STEP_SECONDS)
        joules += loadPowerAt(emitter.profile, new Date(s * 1000)) * STEP_SECONDS;
      expect(Math.abs(payload.CurrQuartActEnergy - joules / 3_600)).toBeLessThan(1);
      expect(Math.abs(payload.QuartAveragePower - joules / 900)).toBeLessThanOrEqual(0.5);
      expect(payload.InstantPower).toBe(loadPowerAt(emitter.profile, new Date(payload.MeasurePosixTimestamp * 1000)));
    }
  });
});

describe('MeterEmitter: events', () => {
  it('sends CF21 exactly when the sampled power moves to another multiple of 300 W, with a counter of its own', () => {
    const emitter = makeCalmEmitter();
    const startS = posix('2024-06-11T23:00:00+02:00');
    const endS = posix('2024-06-13T00:00:00+02:00');
    const expected: { at: number; powerW: number }[] = [];
    let previousW = loadPowerAt(emitter.profile, new Date(startS * 1000));
    for (let s = startS + STEP_SECONDS; s <= endS; s += STEP_SECONDS) {
      const powerW = loadPowerAt(emitter.profile, new Date(s * 1000));
      if (Math.floor(powerW / GAP_W) !== Math.floor(previousW / GAP_W)) expected.push({ at: s, powerW });
      previousW = powerW;
    }
    const cf21 = ofType(emitter.advanceTo(new Date(endS * 1000)), 'CF21');
    expect(cf21.length).toBeGreaterThan(5);
    expect(cf21.map(({ payload }) => ({ at: payload.EventPosixTimestamp, powerW: payload.InstantPower }))).toEqual(
      expected,
    );
    expect(cf21.map(({ payload }) => payload.EventsCounter)).toEqual(cf21.map((_, index) => index + 1));
  });

  it('sends CF22 when power goes above the available power, with the countdown its excess allows', () => {
    const overloads = [1, 2, 3, 4, 5].flatMap((seed) =>
      ofType(makeEmitter({ seed }).advanceTo(new Date('2024-06-25T00:00:00+02:00')), 'CF22'),
    );
    expect(overloads.length).toBeGreaterThan(0);
    for (const { payload } of overloads) {
      expect(payload.AvailablePower).toBe(3_300);
      expect(payload.InstantPower).toBeGreaterThan(3_300);
      expect(payload.SwitchOffCountdownSeconds).toBe(switchOffCountdownSeconds(payload.InstantPower, 3_300));
    }
  });

  it('opens the breaker when the countdown runs out: 0 W for 5 minutes, then at most the available power for 30', () => {
    // 1 kW available under a 3 kW household: evenings overload it until the breaker opens.
    const emitter = makeEmitter({ availablePowerW: 1_000 });
    const frames = emitter.advanceTo(new Date('2024-06-13T00:00:00+02:00'));
    const tripS = ofType(frames, 'CF21').find(({ payload }) => payload.InstantPower === 0)!.payload.EventPosixTimestamp;
    const lastCountdown = ofType(frames, 'CF22')
      .filter(({ payload }) => payload.EventPosixTimestamp < tripS)
      .at(-1)!.payload;
    expect(lastCountdown.EventPosixTimestamp + lastCountdown.SwitchOffCountdownSeconds).toBe(tripS);

    const rearmS = tripS + REARM_SECONDS;
    const whileOpen = frames.filter((frame) => timestampOf(frame) > tripS && timestampOf(frame) < rearmS);
    for (const frame of whileOpen) expect(frame).toMatchObject({ type: 'CF1', payload: { InstantPower: 0 } });
    const shedding = frames.filter(
      (frame) => timestampOf(frame) >= rearmS && timestampOf(frame) < rearmS + SHED_SECONDS,
    );
    expect(ofType(shedding, 'CF22')).toEqual([]);
    for (const { payload } of ofType(shedding, 'CF1')) {
      const householdW = loadPowerAt(emitter.profile, new Date(payload.MeasurePosixTimestamp * 1000));
      expect(payload.InstantPower).toBe(Math.min(householdW, 1_000));
    }
    for (const { payload } of ofType(shedding, 'CF21')) expect(payload.InstantPower).toBeLessThanOrEqual(1_000);
  });

  it('sends nothing during an outage, then CF23 with its duration when supply returns', () => {
    const emitter = makeEmitter();
    emitter.outage(new Date('2024-06-12T10:03:00+02:00'), new Date('2024-06-12T11:20:30+02:00'));
    emitter.outage(new Date('2024-06-12T15:00:02+02:00'), new Date('2024-06-12T15:00:07+02:00')); // off for the minute 15:01 only (1-minute steps)
    const frames = emitter.advanceTo(new Date('2024-06-13T01:00:00+02:00'));
    const during = frames.filter(
      (frame) =>
        timestampOf(frame) > posix('2024-06-12T10:03:00+02:00') &&
        timestampOf(frame) < posix('2024-06-12T11:20:30+02:00'),
    );
    expect(during).toEqual([]);
    expect(ofType(frames, 'CF23').map(({ payload }) => payload)).toEqual([
      {
        EventType: 1,
        EventsCounter: 1,
        EventPosixTimestamp: posix('2024-06-12T11:21:00+02:00'), // the first step after the end
        OutageDuration: 4_650,
      },
      { EventType: 1, EventsCounter: 2, EventPosixTimestamp: posix('2024-06-12T15:02:00+02:00'), OutageDuration: 5 },
    ]);
    expect(cf1On(frames, { year: 2024, month: 6, day: 12 })).toHaveLength(96 - 5); // 10:15, 10:30, 10:45, 11:00, 11:15 lost
    expect(emitter.framesSentOn({ year: 2024, month: 6, day: 12 })).toBe(
      frames.filter((frame) => isOnLocalDate(timestampOf(frame), { year: 2024, month: 6, day: 12 })).length,
    );
  });

  it('refuses an outage that starts before the simulated time already reached, or ends before it starts', () => {
    const emitter = makeEmitter();
    emitter.advanceTo(new Date('2024-06-12T12:00:00+02:00'));
    expect(() => emitter.outage(new Date('2024-06-12T11:00:00+02:00'), new Date('2024-06-12T13:00:00+02:00'))).toThrow(
      RangeError,
    );
    expect(() => emitter.outage(new Date('2024-06-12T14:00:00+02:00'), new Date('2024-06-12T13:00:00+02:00'))).toThrow(
      RangeError,
    );
  });
});

describe('MeterEmitter: daily, weekly and monthly frames', () => {
  it("sends one CF5 per day at local midnight whose F1..F6 add up to the day's energy", () => {
    const frames = makeEmitter({ startAt: new Date('2024-06-13T23:59:00+02:00') }).advanceTo(
      new Date('2024-06-18T00:30:00+02:00'),
    );
    const cf5 = ofType(frames, 'CF5');
    const cf1 = ofType(frames, 'CF1');
    const totalAt = (s: number) =>
      cf1.find((frame) => frame.payload.MeasurePosixTimestamp === s)!.payload.TotalActEnergy;
    expect(cf5.map(({ payload }) => payload.MeasurePosixTimestamp)).toEqual(
      ['2024-06-14', '2024-06-15', '2024-06-16', '2024-06-17', '2024-06-18'].map((day) =>
        posix(`${day}T00:00:00+02:00`),
      ),
    );
    // Fri 14 (first, partial: one 1-minute step), Sat 15, Sun 16, Mon 17
    expect(cf5.map(({ payload }) => payload.DayType)).toEqual([1, 1, 2, 3, 1]);
    cf5.slice(1).forEach(({ payload }, index) => {
      const dayEnergyWh = totalAt(payload.MeasurePosixTimestamp) - totalAt(cf5[index]!.payload.MeasurePosixTimestamp);
      expect(payload.DailyTotalActEnergyF1 + payload.DailyTotalActEnergyF2 + payload.DailyTotalActEnergyF3).toBe(
        dayEnergyWh,
      );
      expect([payload.DailyTotalActEnergyF4, payload.DailyTotalActEnergyF5, payload.DailyTotalActEnergyF6]).toEqual([
        0, 0, 0,
      ]);
      const dayCf1 = cf1.filter(
        (frame) =>
          frame.payload.MeasurePosixTimestamp > cf5[index]!.payload.MeasurePosixTimestamp &&
          frame.payload.MeasurePosixTimestamp < payload.MeasurePosixTimestamp,
      );
      for (const frame of dayCf1)
        expect(payload.DailyMaxInstantPower).toBeGreaterThanOrEqual(frame.payload.InstantPower);
      expect(payload.PrepaidCredit).toBe(0);
    });
    const sunday = cf5[3]!.payload;
    expect([sunday.DailyTotalActEnergyF1, sunday.DailyTotalActEnergyF2]).toEqual([0, 0]);
    expect(sunday.DailyTotalActEnergyF3).toBeGreaterThan(0);
    expect(cf5[2]!.payload.DailyTotalActEnergyF1).toBe(0); // Saturday: F2 and F3 only
  });

  it("sends CF9 at 00:00 each Monday with the week's voltage extremes and one count per 10-minute interval", () => {
    const frames = makeEmitter({ startAt: new Date('2024-06-09T23:00:00+02:00') }).advanceTo(
      new Date('2024-06-24T01:00:00+02:00'),
    );
    const cf9 = ofType(frames, 'CF9');
    expect(cf9.map(({ payload }) => payload.MeasurePosixTimestamp)).toEqual([
      posix('2024-06-10T00:00:00+02:00'),
      posix('2024-06-17T00:00:00+02:00'),
      posix('2024-06-24T00:00:00+02:00'),
    ]);
    for (const { payload } of cf9.slice(1)) {
      const counters = [
        payload.WeeklyVeffBand1Counter,
        payload.WeeklyVeffBand2Counter,
        payload.WeeklyVeffBand3Counter,
        payload.WeeklyVeffBand4Counter,
        payload.WeeklyVeffBand5Counter,
      ];
      expect(counters.reduce((sum, count) => sum + count, 0)).toBe(1_008);
      expect(payload.WeeklyVeffMin).toBeLessThanOrEqual(payload.WeeklyVeffMax);
      expect(payload.WeeklyVeffMin).toBeGreaterThan(150);
      expect(payload.WeeklyVeffMinDateTime).toMatch(/^\d\d\/06\/2024 \d\d:\d0:00 [1-7]$/);
    }
  });

  it("freezes the month at 00:00 of the 1st: CF10 with the month's bands and CF20 with the contract, after CF1, CF5 and CF9", () => {
    const emitter = makeEmitter({ startAt: new Date('2024-03-01T00:00:00+01:00') });
    const frames = emitter.advanceTo(new Date('2024-04-01T11:00:00+02:00'));
    const freezeS = posix('2024-04-01T00:00:00+02:00');
    expect(
      frames
        .filter((frame) => timestampOf(frame) === freezeS)
        .map((frame) => frame.type)
        .filter((type) => type !== 'CF21' && type !== 'CF22'),
    ).toEqual(['CF1', 'CF5', 'CF9', 'CF10', 'CF20']);
    const [cf10] = ofType(frames, 'CF10');
    expect(ofType(frames, 'CF10')).toHaveLength(1);
    expect(cf10!.payload.MeasurePosixTimestamp).toBe(freezeS);
    const monthCf5 = ofType(frames, 'CF5').filter(({ payload }) => payload.MeasurePosixTimestamp <= freezeS);
    expect(monthCf5).toHaveLength(31);
    const sum = (key: 'DailyTotalActEnergyF1' | 'DailyTotalActEnergyF2' | 'DailyTotalActEnergyF3') =>
      monthCf5.reduce((total, { payload }) => total + payload[key], 0);
    expect([
      cf10!.payload.MonthlyTotalActEnergyF1,
      cf10!.payload.MonthlyTotalActEnergyF2,
      cf10!.payload.MonthlyTotalActEnergyF3,
    ]).toEqual([sum('DailyTotalActEnergyF1'), sum('DailyTotalActEnergyF2'), sum('DailyTotalActEnergyF3')]);
    const cf1AtFreeze = ofType(frames, 'CF1').find(({ payload }) => payload.MeasurePosixTimestamp === freezeS)!.payload;
    expect(
      cf10!.payload.MonthlyTotalActEnergyF1 +
        cf10!.payload.MonthlyTotalActEnergyF2 +
        cf10!.payload.MonthlyTotalActEnergyF3,
    ).toBe(cf1AtFreeze.TotalActEnergy);
    const marchCf1 = ofType(frames, 'CF1').filter(({ payload }) => payload.MeasurePosixTimestamp <= freezeS);
    expect(cf10!.payload.MonthlyMaxQuartAveragePower).toBe(
      Math.max(...marchCf1.map(({ payload }) => payload.QuartAveragePower)),
    );
    expect(cf10!.payload.ClosingCode).toBe(1);

    expect(ofType(frames, 'CF20').map(({ payload }) => payload)).toEqual([
      expect.objectContaining({
        EventsCounter: 1,
        EventPosixTimestamp: freezeS,
        POD: 'IT001E12345678',
        DataPlate: '21E4E5KA101249263',
        ContractPower: 3_000,
        AvailablePower: 3_300,
        Gap: 300,
        FreezingDay: 1,
      }),
    ]);
    // 1 April 2024 is Easter Monday: F3 all day.
    expect(
      ofType(frames, 'CF1').find(({ payload }) => payload.MeasurePosixTimestamp === posix('2024-04-01T10:00:00+02:00'))!
        .payload.TariffCode,
    ).toBe(3);
  });
});

describe('MeterEmitter: frames, counts and determinism', () => {
  it('produces frames the codec seals and opens unchanged (a day, a month freeze, an outage and overloads)', () => {
    const emitter = makeEmitter({
      startAt: new Date('2024-03-30T22:00:00+01:00'),
      availablePowerW: 2_000,
      contract: { vendor: 'ACME ENERGIA', phone: '+39 06 1234567' },
    });
    emitter.outage(new Date('2024-03-31T09:00:00+02:00'), new Date('2024-03-31T09:42:17+02:00'));
    const frames = emitter.advanceTo(new Date('2024-04-01T23:00:00+02:00'));
    expect(new Set(frames.map((frame) => frame.type))).toEqual(
      new Set(['CF1', 'CF5', 'CF9', 'CF10', 'CF20', 'CF21', 'CF22', 'CF23']),
    );
    const key = Uint8Array.from({ length: 16 }, (_, index) => index * 11);
    const sealer = new FrameSealer({ key, systemTitle: deriveSystemTitle('21E4E5KA101249263'), nextFrameCounter: 1 });
    const opener = new FrameOpener({ key });
    for (const frame of frames) expect(opener.open(sealer.seal(frame)).frame).toEqual(frame);
  });

  it('counts the frames sent on each local day, as the Open Meter does for the KPI', () => {
    const emitter = makeEmitter({ startAt: new Date('2024-10-25T23:00:00+02:00') });
    const frames = emitter.advanceTo(new Date('2024-10-29T00:00:00+01:00'));
    for (const day of [26, 27, 28]) {
      const date = { year: 2024, month: 10, day };
      const sent = frames.filter((frame) => isOnLocalDate(timestampOf(frame), date));
      expect(emitter.framesSentOn(date)).toBe(sent.length);
      const events = sent.filter((frame) => ['CF21', 'CF22', 'CF23'].includes(frame.type)).length;
      const weekly = day === 28 ? 1 : 0; // Monday 28 October: CF9
      expect(sent.length).toBe((day === 27 ? 100 : 96) + 1 + weekly + events);
    }
    expect(emitter.framesSentOn({ year: 2024, month: 11, day: 1 })).toBe(0);
  });

  it('gives identical frames for the same seed however advanceTo splits the time', () => {
    const end = Date.parse('2024-06-14T00:00:00+02:00');
    const once = makeEmitter({ availablePowerW: 2_500 }).advanceTo(new Date(end));
    const stepped = makeEmitter({ availablePowerW: 2_500 });
    const inPieces: Frame[] = [];
    for (let t = Date.parse('2024-06-11T23:00:00+02:00'); t < end; t += 433_217)
      inPieces.push(...stepped.advanceTo(new Date(t)));
    inPieces.push(...stepped.advanceTo(new Date(end)));
    expect(inPieces).toEqual(once);
    expect(stepped.advanceTo(new Date(end - 60_000))).toEqual([]);
  });

  it('gives another household to another seed, and to another POD with the same seed', () => {
    const end = new Date('2024-06-12T12:00:00+02:00');
    const base = makeEmitter().advanceTo(end);
    expect(makeEmitter({ seed: 43 }).advanceTo(end)).not.toEqual(base);
    expect(makeEmitter({ pod: 'IT001E87654321' }).advanceTo(end)).not.toEqual(base);
  });

  it('simulates one day of one meter (1,440 steps) into its 96 CF1 and one CF5 (timing: sim/meter-emitter/meter-emitter.bench.ts)', () => {
    const emitter = makeEmitter({ startAt: new Date('2024-06-11T23:59:59+02:00') });
    const frames = emitter.advanceTo(new Date('2024-06-13T00:00:00+02:00'));
    expect(ofType(frames, 'CF1')).toHaveLength(96);
    expect(ofType(frames, 'CF5')).toHaveLength(1);
    expect(emitter.simulatedAt.toISOString()).toBe('2024-06-12T22:00:00.000Z');
  });

  it('refuses options the codec could not carry', () => {
    expect(() => makeEmitter({ pod: 'IT001E12345678XY' })).toThrow(RangeError);
    expect(() => makeEmitter({ meterSerial: 'SERIAL ' })).toThrow(RangeError);
    expect(() => makeEmitter({ contractPowerW: 0 })).toThrow(RangeError);
    expect(() => makeEmitter({ startAt: new Date(Number.NaN) })).toThrow(RangeError);
  });
});
