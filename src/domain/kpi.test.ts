import { describe, expect, it } from 'vitest';
import {
  classifyPodDay,
  dayWindow,
  exactFraction,
  isExpectedDay,
  KPI_FLAG_RULES,
  KpiFlag,
  kpiRules,
  parseReportDay,
  PERFORMANCE_BANDS,
  wasActiveDuring,
  type AssociationActivity,
  type KpiFlag as Flag,
  type PodDayCounts,
} from './kpi.js';

describe('parseReportDay', () => {
  const today = '2026-11-27';

  it('takes ISO and Italian dates that exist, leap days included', () => {
    for (const [input, day] of [
      ['2026-03-09', '2026-03-09'],
      ['09/03/2026', '2026-03-09'],
      ['2024-02-29', '2024-02-29'],
      ['29/02/2000', '2000-02-29'],
      ['2025-12-31', '2025-12-31'],
      [' 2026-01-31 ', '2026-01-31'],
      [today, today],
    ] as const) {
      expect(parseReportDay(input, today)).toEqual({ ok: true, value: day });
    }
  });

  it('refuses days that do not exist or are not dates, by name', () => {
    for (const input of [
      '2026-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '31/11/2026',
      '2026-3-9',
      '9/3/2026',
      '',
      42,
      null,
    ]) {
      expect(parseReportDay(input, today)).toMatchObject({ ok: false, issue: { field: 'day', code: 'invalid_date' } });
    }
  });

  it('refuses a day that has not ended', () => {
    expect(parseReportDay('2026-11-28', today)).toMatchObject({ ok: false, issue: { code: 'future_day' } });
  });
});

describe('which supply-point days are expected (isExpectedDay) and whose (wasActiveDuring)', () => {
  // 2026-03-10 in Rome (CET): [2026-03-09T23:00Z, 2026-03-10T23:00Z).
  const day = dayWindow('2026-03-10');
  const at = (iso: string) => new Date(iso);
  const cases: [string, AssociationActivity, { expected: boolean; active: boolean }][] = [
    [
      'active all day (programmed the day before)',
      { activeFrom: at('2026-03-08T10:00:00Z'), activeUntil: null },
      { expected: true, active: true },
    ],
    [
      'programmed at the first instant of the day',
      { activeFrom: day.start, activeUntil: null },
      { expected: true, active: true },
    ],
    [
      'activated mid-day',
      { activeFrom: at('2026-03-10T11:00:00Z'), activeUntil: null },
      { expected: false, active: true },
    ],
    [
      'activated in the last instant of the day',
      { activeFrom: at('2026-03-10T22:59:59.999Z'), activeUntil: null },
      { expected: false, active: true },
    ],
    [
      'deleted that day',
      { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: at('2026-03-10T11:00:00Z') },
      { expected: false, active: true },
    ],
    [
      'deleted at the first instant of the next day (the whole day active)',
      { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: day.end },
      { expected: true, active: true },
    ],
    [
      'deleted at the first instant of the day',
      { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: day.start },
      { expected: false, active: false },
    ],
    [
      'deleted before the day',
      { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: at('2026-03-09T12:00:00Z') },
      { expected: false, active: false },
    ],
    [
      'activated and deleted within the day',
      { activeFrom: at('2026-03-10T01:00:00Z'), activeUntil: at('2026-03-10T20:00:00Z') },
      { expected: false, active: true },
    ],
    [
      'created after the day ended (activated the next day)',
      { activeFrom: at('2026-03-11T08:00:00Z'), activeUntil: null },
      { expected: false, active: false },
    ],
    [
      'activated at the first instant of the next day',
      { activeFrom: day.end, activeUntil: null },
      { expected: false, active: false },
    ],
    // A modification (new DU or key) leaves the activity as it was: the day stays expected.
    [
      'modified mid-day',
      { activeFrom: at('2026-03-08T10:00:00Z'), activeUntil: null },
      { expected: true, active: true },
    ],
    [
      'never activated (pending, or rejected)',
      { activeFrom: null, activeUntil: null },
      { expected: false, active: false },
    ],
  ];

  it.each(cases)('%s', (_, activity, { expected, active }) => {
    expect(isExpectedDay(activity, day)).toBe(expected);
    expect(wasActiveDuring(activity, day)).toBe(active);
  });

  it('takes a day as its Rome calendar day, 23 hours long on the spring change', () => {
    const spring = dayWindow('2026-03-29');
    expect([spring.start.toISOString(), spring.end.toISOString()]).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    // Programmed at 23:30 Rome (CEST) on the 29th: after that day, before the next.
    const late = { activeFrom: at('2026-03-29T21:30:00Z'), activeUntil: null };
    expect([isExpectedDay(late, spring), wasActiveDuring(late, spring)]).toEqual([false, true]);
    expect(isExpectedDay(late, dayWindow('2026-03-30'))).toBe(true);
  });
});

describe('the rules of a supply-point day (KPI_FLAG_RULES, PERFORMANCE_BANDS) under the default target of 99 %', () => {
  const rules = kpiRules(0.99);
  const day = (sent: number | null, received: number | null, expected = false): PodDayCounts => ({
    sent,
    received,
    expected,
  });
  const cases: [string, PodDayCounts, Flag[], number | null][] = [
    ['an expected day with neither count', day(null, null, true), ['missing_report', 'missing_meter_count'], null],
    ['an expected day without a report', day(100, null, true), ['missing_report'], null],
    ['an expected day without a meter count', day(null, 50, true), ['missing_meter_count'], null],
    ['a day not expected with neither count', day(null, null), [], null],
    ['a day not expected without a report', day(100, null), [], null],
    ['more received than sent', day(100, 101), ['inconsistent'], null],
    ['frames received when none were sent', day(0, 5), ['inconsistent'], null],
    ['nothing sent, nothing received', day(0, 0), [], null],
    ['everything received', day(100, 100, true), [], 10],
    ['exactly the target', day(100, 99), [], 10],
    ['just below the target', day(1000, 989), ['below_target'], 9],
    ['at the target, in thousandths', day(1000, 990), [], 10],
    ['the bottom of the band below the target', day(100, 90), ['below_target'], 9],
    ['just below 90 %', day(100, 89), ['below_target'], 8],
    ['exactly seven tenths (no rounding of 0.7 × 10)', day(10, 7), ['below_target'], 7],
    ['exactly three tenths', day(10, 3), ['below_target'], 3],
    ['just below a tenth', day(100, 9), ['below_target'], 0],
    ['a tenth', day(100, 10), ['below_target'], 1],
    ['nothing received', day(100, 0), ['below_target'], 0],
  ];

  it.each(cases)('%s', (_, counts, flags, bucket) => {
    expect(classifyPodDay(rules, counts)).toEqual({ flags, bucket });
  });

  it('holds a rule for every flag, and a band from 0 up to the target', () => {
    expect(Object.keys(KPI_FLAG_RULES)).toEqual(Object.values(KpiFlag));
    expect(rules.flags.map((f) => f.flag)).toEqual(Object.values(KpiFlag));
    expect(PERFORMANCE_BANDS.bands.map((b) => b.bucket)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(PERFORMANCE_BANDS.bands.at(-1)).toEqual({ bucket: 10, from: 'target' });
  });
});

describe('the performance bands follow the target (KPI_TARGET)', () => {
  const names = (target: number) => kpiRules(target).bands.map((b) => `${b.bucket}:${b.name}`);
  const tenths = ['0:0-10', '1:10-20', '2:20-30', '3:30-40', '4:40-50', '5:50-60', '6:60-70', '7:70-80'];

  it.each([
    [0.99, [...tenths, '8:80-90', '9:90-99', '10:99-100']],
    [0.95, [...tenths, '8:80-90', '9:90-95', '10:95-100']],
    [0.995, [...tenths, '8:80-90', '9:90-99.5', '10:99.5-100']],
    [0.9, [...tenths, '8:80-90', '10:90-100']],
    [0.85, [...tenths, '8:80-85', '10:85-100']],
    [1, [...tenths, '8:80-90', '9:90-100', '10:100-100']],
    [0.05, ['0:0-5', '10:5-100']],
    [0, ['10:0-100']],
  ])('under %s: %j', (target, expected) => {
    expect(names(target)).toEqual(expected);
  });

  it('puts a day at the target in the top band, and one just below in the band below, whatever the target', () => {
    expect(classifyPodDay(kpiRules(0.95), { sent: 100, received: 95, expected: true })).toEqual({
      flags: [],
      bucket: 10,
    });
    expect(classifyPodDay(kpiRules(0.95), { sent: 100, received: 94, expected: true })).toEqual({
      flags: ['below_target'],
      bucket: 9,
    });
    expect(classifyPodDay(kpiRules(0.99), { sent: 100, received: 95, expected: true })).toEqual({
      flags: ['below_target'],
      bucket: 9,
    });
    expect(classifyPodDay(kpiRules(0.85), { sent: 100, received: 86, expected: true })).toEqual({
      flags: [],
      bucket: 10,
    });
    expect(classifyPodDay(kpiRules(0.85), { sent: 100, received: 84, expected: true })).toEqual({
      flags: ['below_target'],
      bucket: 8,
    });
  });

  it('flags below_target exactly the days with a performance outside the top band', () => {
    for (const target of [0, 0.05, 0.5, 0.85, 0.9, 0.95, 0.99, 0.995, 1 / 3, 1]) {
      const rules = kpiRules(target);
      for (const sent of [1, 3, 7, 10, 100, 997, 1000, 123_457]) {
        for (const received of new Set([
          0,
          1,
          sent - 1,
          sent,
          Math.floor(sent * target),
          Math.ceil(sent * target),
          Math.floor(sent * 0.9),
        ])) {
          if (received < 0 || received > sent) continue;
          const { flags, bucket } = classifyPodDay(rules, { sent, received, expected: true });
          expect(bucket, `${received}/${sent} under ${target}`).not.toBeNull();
          expect(flags.includes('below_target'), `${received}/${sent} under ${target}`).toBe(bucket !== 10);
          const band = rules.bands.find((b) => b.bucket === bucket)!;
          // Within the band's edges, exactly: from ≤ received ÷ sent < to (the top band up to 100 % included).
          expect(BigInt(received) * band.from.denominator >= BigInt(sent) * band.from.numerator).toBe(true);
          if (bucket !== 10)
            expect(BigInt(received) * band.to.denominator < BigInt(sent) * band.to.numerator).toBe(true);
        }
      }
    }
  });

  it('reads an edge as the decimal it is written as', () => {
    expect(exactFraction(0.99)).toEqual({ numerator: 99n, denominator: 100n });
    expect(exactFraction(0.1)).toEqual({ numerator: 1n, denominator: 10n });
    expect(exactFraction(1)).toEqual({ numerator: 1n, denominator: 1n });
    expect(exactFraction(1e-7)).toEqual({ numerator: 1n, denominator: 10_000_000n });
    expect(() => kpiRules(1.5)).toThrow();
  });
});
