import { describe, expect, it } from 'vitest';
import { dayWindow, isExpectedDay, parseReportDay, wasActiveDuring, type AssociationActivity } from './kpi.js';

describe('parseReportDay', () => {
  const today = '2026-11-27';

  it('takes ISO and Italian dates that exist, leap days included', () => {
    for (const [input, day] of [['2026-03-09', '2026-03-09'], ['09/03/2026', '2026-03-09'], ['2024-02-29', '2024-02-29'], ['29/02/2000', '2000-02-29'],
      ['2025-12-31', '2025-12-31'], [' 2026-01-31 ', '2026-01-31'], [today, today]] as const) {
      expect(parseReportDay(input, today)).toEqual({ ok: true, value: day });
    }
  });

  it('refuses days that do not exist or are not dates, by name', () => {
    for (const input of ['2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '31/11/2026', '2026-3-9', '9/3/2026', '', 42, null]) {
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
    ['active all day (programmed the day before)', { activeFrom: at('2026-03-08T10:00:00Z'), activeUntil: null }, { expected: true, active: true }],
    ['programmed at the first instant of the day', { activeFrom: day.start, activeUntil: null }, { expected: true, active: true }],
    ['activated mid-day', { activeFrom: at('2026-03-10T11:00:00Z'), activeUntil: null }, { expected: false, active: true }],
    ['activated in the last instant of the day', { activeFrom: at('2026-03-10T22:59:59.999Z'), activeUntil: null }, { expected: false, active: true }],
    ['deleted that day', { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: at('2026-03-10T11:00:00Z') }, { expected: false, active: true }],
    ['deleted at the first instant of the next day (the whole day active)', { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: day.end }, { expected: true, active: true }],
    ['deleted at the first instant of the day', { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: day.start }, { expected: false, active: false }],
    ['deleted before the day', { activeFrom: at('2026-03-01T10:00:00Z'), activeUntil: at('2026-03-09T12:00:00Z') }, { expected: false, active: false }],
    ['activated and deleted within the day', { activeFrom: at('2026-03-10T01:00:00Z'), activeUntil: at('2026-03-10T20:00:00Z') }, { expected: false, active: true }],
    ['created after the day ended (activated the next day)', { activeFrom: at('2026-03-11T08:00:00Z'), activeUntil: null }, { expected: false, active: false }],
    ['activated at the first instant of the next day', { activeFrom: day.end, activeUntil: null }, { expected: false, active: false }],
    // A modification (new DU or key) leaves the activity as it was: the day stays expected.
    ['modified mid-day', { activeFrom: at('2026-03-08T10:00:00Z'), activeUntil: null }, { expected: true, active: true }],
    ['never activated (pending, or rejected)', { activeFrom: null, activeUntil: null }, { expected: false, active: false }],
  ];

  it.each(cases)('%s', (_, activity, { expected, active }) => {
    expect(isExpectedDay(activity, day)).toBe(expected);
    expect(wasActiveDuring(activity, day)).toBe(active);
  });

  it('takes a day as its Rome calendar day, 23 hours long on the spring change', () => {
    const spring = dayWindow('2026-03-29');
    expect([spring.start.toISOString(), spring.end.toISOString()]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    // Programmed at 23:30 Rome (CEST) on the 29th: after that day, before the next.
    const late = { activeFrom: at('2026-03-29T21:30:00Z'), activeUntil: null };
    expect([isExpectedDay(late, spring), wasActiveDuring(late, spring)]).toEqual([false, true]);
    expect(isExpectedDay(late, dayWindow('2026-03-30'))).toBe(true);
  });
});
