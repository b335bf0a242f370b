import { describe, expect, it } from 'vitest';
import type { TariffCalendar } from './meter-command.js';
import {
  ARERA_CALENDAR,
  DayType,
  dayTypeOf,
  easterMonday,
  easterSunday,
  isItalianHoliday,
  italianHolidays,
  quarterHoursOfDay,
  romeLocalParts,
  TariffBand,
  tariffBandAt,
  tariffCalendarIssues,
  type LocalDate,
} from './tariff-bands.js';

/** 'YYYY-MM-DD' → LocalDate, so tables read like calendars. */
function date(iso: string): LocalDate {
  const [year, month, day] = iso.split('-').map(Number);
  return { year: year!, month: month!, day: day! };
}
function iso(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
/** An instant from its Rome wall clock with an explicit UTC offset, so the test does not use the code under test. */
function at(day: string, time: string, offset: '+01:00' | '+02:00'): Date {
  return new Date(`${day}T${time}:00${offset}`);
}

describe('closed sets', () => {
  it('keeps band codes equal to CF1 TariffCode values and day types equal to TariffCalendar keys', () => {
    expect(TariffBand).toEqual({ F1: 1, F2: 2, F3: 3, F4: 4, F5: 5, F6: 6 });
    expect(Object.values(DayType)).toEqual(['weekday', 'saturday', 'holiday']);
  });
});

describe('easterSunday and easterMonday (anonymous Gregorian algorithm)', () => {
  const cases: [number, string, string][] = [
    [2008, '2008-03-23', '2008-03-24'],
    [2011, '2011-04-24', '2011-04-25'],
    [2019, '2019-04-21', '2019-04-22'],
    [2024, '2024-03-31', '2024-04-01'],
    [2025, '2025-04-20', '2025-04-21'],
    [2026, '2026-04-05', '2026-04-06'],
    [2027, '2027-03-28', '2027-03-29'],
    [2030, '2030-04-21', '2030-04-22'],
    [2038, '2038-04-25', '2038-04-26'], // latest possible Easter
    [2285, '2285-03-22', '2285-03-23'], // earliest possible Easter
  ];
  it.each(cases)('puts Easter %i on %s and Easter Monday on %s', (year, sunday, monday) => {
    expect(iso(easterSunday(year))).toBe(sunday);
    expect(iso(easterMonday(year))).toBe(monday);
  });

  it('refuses years before the Gregorian calendar or beyond 9999', () => {
    expect(() => easterSunday(1582)).toThrow(RangeError);
    expect(() => easterSunday(10_000)).toThrow(RangeError);
    expect(() => easterSunday(2026.5)).toThrow(RangeError);
  });
});

describe('italianHolidays', () => {
  it('lists the eleven national holidays of CHAIN2.md §6 in calendar order', () => {
    expect(italianHolidays(2026).map(iso)).toEqual([
      '2026-01-01',
      '2026-01-06',
      '2026-04-06',
      '2026-04-25',
      '2026-05-01',
      '2026-06-02',
      '2026-08-15',
      '2026-11-01',
      '2026-12-08',
      '2026-12-25',
      '2026-12-26',
    ]);
  });

  it('orders Easter Monday before 25 April even when it falls in March', () => {
    expect(italianHolidays(2024).map(iso).slice(0, 4)).toEqual([
      '2024-01-01',
      '2024-01-06',
      '2024-04-01',
      '2024-04-25',
    ]);
    expect(italianHolidays(2027).map(iso).slice(0, 4)).toEqual([
      '2027-01-01',
      '2027-01-06',
      '2027-03-29',
      '2027-04-25',
    ]);
  });
});

describe('dayTypeOf', () => {
  // Each fixed holiday in a year where it falls Monday–Friday, so only the holiday rule can make it one.
  const fixedHolidays: [string, string][] = [
    ['New Year', '2026-01-01'],
    ['Epiphany', '2026-01-06'],
    ['Liberation Day', '2025-04-25'],
    ['Labour Day', '2026-05-01'],
    ['Republic Day', '2026-06-02'],
    ['Ferragosto', '2025-08-15'],
    ['All Saints', '2024-11-01'],
    ['Immaculate Conception', '2026-12-08'],
    ['Christmas', '2026-12-25'],
    ['Saint Stephen', '2025-12-26'],
  ];
  it.each(fixedHolidays)('treats %s (%s, a weekday) as a holiday', (_name, day) => {
    expect(new Date(`${day}T12:00:00Z`).getUTCDay()).toBeGreaterThanOrEqual(1);
    expect(new Date(`${day}T12:00:00Z`).getUTCDay()).toBeLessThanOrEqual(5);
    expect(isItalianHoliday(date(day))).toBe(true);
    expect(dayTypeOf(date(day))).toBe('holiday');
  });

  const cases: [string, string, DayType][] = [
    ['an ordinary Wednesday', '2026-01-14', 'weekday'],
    ['an ordinary Friday', '2026-08-14', 'weekday'],
    ['an ordinary Saturday', '2026-06-13', 'saturday'],
    ['an ordinary Sunday', '2026-01-18', 'holiday'],
    ['Easter Sunday (a Sunday)', '2026-04-05', 'holiday'],
    ['Easter Monday', '2026-04-06', 'holiday'],
    ['the Tuesday after Easter', '2026-04-07', 'weekday'],
    ['Easter Monday in March', '2027-03-29', 'holiday'],
    ['a holiday falling on a Saturday (25 April 2026)', '2026-04-25', 'holiday'],
    ['a holiday falling on a Sunday (1 November 2026)', '2026-11-01', 'holiday'],
    ['the day after Saint Stephen', '2025-12-27', 'saturday'],
    ['29 February of a leap year', '2028-02-29', 'weekday'],
  ];
  it.each(cases)('classifies %s (%s) as %s', (_name, day, expected) => {
    expect(dayTypeOf(date(day))).toBe(expected);
  });

  it('does not count an ordinary Sunday as a national holiday, only as a holiday day type', () => {
    expect(isItalianHoliday(date('2026-01-18'))).toBe(false);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-01-00'])(
    'refuses %s, which is not a calendar date',
    (day) => {
      expect(() => dayTypeOf(date(day))).toThrow(RangeError);
    },
  );
});

describe('ARERA_CALENDAR', () => {
  it('switches F3→F2→F1→F2→F3 on weekdays, F3→F2→F3 on Saturdays and holds F3 on holidays', () => {
    expect(ARERA_CALENDAR).toEqual({
      weekday: [
        { fromMinute: 0, band: 3 },
        { fromMinute: 420, band: 2 },
        { fromMinute: 480, band: 1 },
        { fromMinute: 1140, band: 2 },
        { fromMinute: 1380, band: 3 },
      ],
      saturday: [
        { fromMinute: 0, band: 3 },
        { fromMinute: 420, band: 2 },
        { fromMinute: 1380, band: 3 },
      ],
      holiday: [{ fromMinute: 0, band: 3 }],
    });
  });

  it('is valid and cannot be changed by a caller', () => {
    expect(tariffCalendarIssues(ARERA_CALENDAR)).toEqual([]);
    expect(() => ARERA_CALENDAR.weekday.push({ fromMinute: 600, band: 4 })).toThrow(TypeError);
    expect(() => {
      ARERA_CALENDAR.weekday[0]!.band = 1;
    }).toThrow(TypeError);
  });
});

describe('tariffBandAt with the ARERA calendar', () => {
  const edges = ['00:00', '06:59', '07:00', '07:59', '08:00', '18:59', '19:00', '22:59', '23:00', '23:59'] as const;
  const days: [string, string, '+01:00' | '+02:00', number[]][] = [
    ['a winter weekday', '2026-01-14', '+01:00', [3, 3, 2, 2, 1, 1, 2, 2, 3, 3]],
    ['a summer weekday', '2026-07-15', '+02:00', [3, 3, 2, 2, 1, 1, 2, 2, 3, 3]],
    ['a Saturday', '2026-06-13', '+02:00', [3, 3, 2, 2, 2, 2, 2, 2, 3, 3]],
    ['a Sunday', '2026-01-18', '+01:00', [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]],
    ['a holiday on a weekday (2 June, Tuesday)', '2026-06-02', '+02:00', [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]],
    ['Easter Monday', '2026-04-06', '+02:00', [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]],
    ['a holiday on a Saturday (25 April)', '2026-04-25', '+02:00', [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]],
  ];
  const rows = days.flatMap(([name, day, offset, bands]) =>
    edges.map((time, i) => [name, time, day, offset, bands[i]!] as const),
  );
  it.each(rows)('on %s at %s local (%s, UTC%s) is F%i', (_name, time, day, offset, band) => {
    expect(tariffBandAt(at(day, time, offset))).toBe(band);
  });

  // Instants written in UTC on both sides of each DST change of 2026 (29 March, 25 October).
  const utcCases: [string, string, number][] = [
    ['Saturday before spring-forward, 22:59 CET', '2026-03-28T21:59:00Z', 2],
    ['Saturday before spring-forward, 23:00 CET', '2026-03-28T22:00:00Z', 3],
    ['spring-forward Sunday, 01:59 CET', '2026-03-29T00:59:00Z', 3],
    ['spring-forward Sunday, 03:00 CEST', '2026-03-29T01:00:00Z', 3],
    ['spring-forward Sunday, 23:00 CEST', '2026-03-29T21:00:00Z', 3],
    ['Monday after spring-forward, 07:00 CEST', '2026-03-30T05:00:00Z', 2],
    ['Monday after spring-forward, 07:59 CEST', '2026-03-30T05:59:00Z', 2],
    ['Monday after spring-forward, 08:00 CEST', '2026-03-30T06:00:00Z', 1],
    ['Monday after spring-forward, 19:00 CEST', '2026-03-30T17:00:00Z', 2],
    ['Monday after spring-forward, 23:00 CEST', '2026-03-30T21:00:00Z', 3],
    ['Friday before spring-forward, 08:00 CET (07:00 UTC)', '2026-03-27T07:00:00Z', 1],
    ['Friday before spring-forward, 07:59 CET (06:59 UTC)', '2026-03-27T06:59:00Z', 2],
    ['Saturday before fall-back, 22:59 CEST', '2026-10-24T20:59:00Z', 2],
    ['Saturday before fall-back, 23:00 CEST', '2026-10-24T21:00:00Z', 3],
    ['fall-back Sunday, first 02:30 (CEST)', '2026-10-25T00:30:00Z', 3],
    ['fall-back Sunday, second 02:30 (CET)', '2026-10-25T01:30:00Z', 3],
    ['fall-back Sunday, 23:00 CET', '2026-10-25T22:00:00Z', 3],
    ['Monday after fall-back, 07:59 CET', '2026-10-26T06:59:00Z', 2],
    ['Monday after fall-back, 08:00 CET', '2026-10-26T07:00:00Z', 1],
    ['Monday after fall-back, 18:59 CET', '2026-10-26T17:59:00Z', 1],
    ['Monday after fall-back, 19:00 CET', '2026-10-26T18:00:00Z', 2],
    ['Monday after fall-back, 22:59 CET', '2026-10-26T21:59:00Z', 2],
    ['Monday after fall-back, 23:00 CET', '2026-10-26T22:00:00Z', 3],
  ];
  it.each(utcCases)('on the %s (%s) is F%i', (_name, instant, band) => {
    expect(tariffBandAt(new Date(instant))).toBe(band);
  });

  it('uses the Rome date, not the UTC date, to pick the day type', () => {
    // 23:30 UTC on Sunday 2026-01-18 is already 00:30 on Monday in Rome; 23:30 UTC Friday is 00:30 Saturday.
    expect(romeLocalParts(new Date('2026-01-18T23:30:00Z')).isoWeekday).toBe(1);
    expect(tariffBandAt(new Date('2026-01-19T06:59:00Z'))).toBe(2); // Monday 07:59 local, not Sunday's F3
    expect(tariffBandAt(new Date('2026-06-01T22:30:00Z'))).toBe(3); // 00:30 on 2 June (holiday)
    expect(tariffBandAt(new Date('2026-06-03T05:00:00Z'))).toBe(2); // 07:00 on 3 June, a working Wednesday
  });

  it('gives 2026 the quarter-hours per band implied by its 254 working weekdays and 49 working Saturdays', () => {
    // 2026: 261 Mon–Fri minus 7 holidays on them (1, 6 Jan; 6 Apr; 1 May; 2 Jun; 8, 25 Dec) = 254;
    // 52 Saturdays minus 3 holidays (25 Apr, 15 Aug, 26 Dec) = 49. F1 = 254 × 44; F2 = 254 × 20 + 49 × 64.
    const counts = new Map<number, number>();
    const start = Date.parse('2025-12-31T23:00:00Z'); // 2026-01-01 00:00 CET
    const end = Date.parse('2026-12-31T23:00:00Z'); // 2027-01-01 00:00 CET
    for (let ms = start; ms < end; ms += 15 * 60_000) {
      const band = tariffBandAt(new Date(ms));
      counts.set(band, (counts.get(band) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 1: 11_176, 2: 8_216, 3: 15_648 });
  });

  it('refuses an invalid Date', () => {
    expect(() => tariffBandAt(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('tariffBandAt with a custom calendar', () => {
  // A six-band programme such as a retailer might ask the DSO to set: bands change every four hours on weekdays.
  const sixBands: TariffCalendar = {
    weekday: [
      { fromMinute: 0, band: 1 },
      { fromMinute: 240, band: 2 },
      { fromMinute: 480, band: 3 },
      { fromMinute: 720, band: 4 },
      { fromMinute: 960, band: 5 },
      { fromMinute: 1200, band: 6 },
    ],
    // Deliberately out of order: the band is still the latest switch at or before the minute.
    saturday: [
      { fromMinute: 720, band: 5 },
      { fromMinute: 0, band: 4 },
    ],
    holiday: [{ fromMinute: 0, band: 6 }],
  };
  const cases: [string, string, number][] = [
    ['weekday 00:00', '2026-01-14T00:00:00+01:00', 1],
    ['weekday 03:59', '2026-01-14T03:59:00+01:00', 1],
    ['weekday 04:00', '2026-01-14T04:00:00+01:00', 2],
    ['weekday 12:00', '2026-01-14T12:00:00+01:00', 4],
    ['weekday 19:59', '2026-01-14T19:59:00+01:00', 5],
    ['weekday 20:00', '2026-01-14T20:00:00+01:00', 6],
    ['Saturday 11:59', '2026-06-13T11:59:00+02:00', 4],
    ['Saturday 12:00', '2026-06-13T12:00:00+02:00', 5],
    ['Sunday 12:00', '2026-01-18T12:00:00+01:00', 6],
    ['Christmas on a Friday', '2026-12-25T12:00:00+01:00', 6],
  ];
  it.each(cases)('on a %s (%s) is F%i', (_name, instant, band) => {
    expect(tariffBandAt(new Date(instant), sixBands)).toBe(band);
  });

  it('fails loudly when a programme leaves the early morning without a band', () => {
    const gap: TariffCalendar = { ...ARERA_CALENDAR, weekday: [{ fromMinute: 480, band: 1 }] };
    expect(() => tariffBandAt(new Date('2026-01-14T07:00:00+01:00'), gap)).toThrow(/no switch in force at minute 420/);
    expect(tariffBandAt(new Date('2026-01-14T08:00:00+01:00'), gap)).toBe(1);
  });
});

describe('tariffCalendarIssues', () => {
  it('reports every problem of a calendar at once, with the field that has it', () => {
    const broken = {
      weekday: [
        { fromMinute: 60, band: 1 },
        { fromMinute: 30, band: 2 },
      ],
      saturday: [
        { fromMinute: 0, band: 7 },
        { fromMinute: 1440, band: 2 },
      ],
      holiday: [],
    } as unknown as TariffCalendar;
    expect(tariffCalendarIssues(broken).map((i) => [i.field, i.code])).toEqual([
      ['calendar.weekday', 'missing_midnight_switch'],
      ['calendar.weekday[1].fromMinute', 'not_ascending'],
      ['calendar.saturday[0].band', 'out_of_range'],
      ['calendar.saturday[1].fromMinute', 'out_of_range'],
      ['calendar.holiday', 'missing_midnight_switch'],
    ]);
  });

  it('accepts a valid custom calendar and prefixes fields with the name given', () => {
    const twoBands: TariffCalendar = {
      weekday: [
        { fromMinute: 0, band: 2 },
        { fromMinute: 480, band: 1 },
        { fromMinute: 1140, band: 2 },
      ],
      saturday: [{ fromMinute: 0, band: 2 }],
      holiday: [{ fromMinute: 0, band: 2 }],
    };
    expect(tariffCalendarIssues(twoBands)).toEqual([]);
    expect(tariffCalendarIssues({ ...twoBands, holiday: [] }, 'command.calendar')[0]?.field).toBe(
      'command.calendar.holiday',
    );
  });
});

describe('romeLocalParts', () => {
  const cases: [string, string, object][] = [
    [
      'a winter instant (UTC+1)',
      '2026-01-14T06:59:00Z',
      { year: 2026, month: 1, day: 14, hour: 7, minute: 59, isoWeekday: 3 },
    ],
    [
      'a summer instant (UTC+2)',
      '2026-07-15T06:00:00Z',
      { year: 2026, month: 7, day: 15, hour: 8, minute: 0, isoWeekday: 3 },
    ],
    [
      'the last CET minute before spring-forward',
      '2026-03-29T00:59:00Z',
      { year: 2026, month: 3, day: 29, hour: 1, minute: 59, isoWeekday: 7 },
    ],
    [
      'the first CEST minute after spring-forward',
      '2026-03-29T01:00:00Z',
      { year: 2026, month: 3, day: 29, hour: 3, minute: 0, isoWeekday: 7 },
    ],
    [
      '23:00 local on the spring-forward day',
      '2026-03-29T21:00:00Z',
      { year: 2026, month: 3, day: 29, hour: 23, minute: 0, isoWeekday: 7 },
    ],
    [
      'the first 02:00 on the fall-back day (CEST)',
      '2026-10-25T00:00:00Z',
      { year: 2026, month: 10, day: 25, hour: 2, minute: 0, isoWeekday: 7 },
    ],
    [
      'the second 02:00 on the fall-back day (CET)',
      '2026-10-25T01:00:00Z',
      { year: 2026, month: 10, day: 25, hour: 2, minute: 0, isoWeekday: 7 },
    ],
    [
      '23:00 local on the fall-back day',
      '2026-10-25T22:00:00Z',
      { year: 2026, month: 10, day: 25, hour: 23, minute: 0, isoWeekday: 7 },
    ],
    [
      'New Year midnight in Rome, still 31 December in UTC',
      '2025-12-31T23:00:00Z',
      { year: 2026, month: 1, day: 1, hour: 0, minute: 0, isoWeekday: 4 },
    ],
    ['a leap day', '2028-02-29T11:15:00Z', { year: 2028, month: 2, day: 29, hour: 12, minute: 15, isoWeekday: 2 }],
  ];
  it.each(cases)('reads %s (%s) on the Rome wall clock', (_name, instant, expected) => {
    expect(romeLocalParts(new Date(instant))).toEqual(expected);
  });

  it('ignores seconds and milliseconds', () => {
    expect(romeLocalParts(new Date('2026-01-14T06:59:59.999Z'))).toMatchObject({ hour: 7, minute: 59 });
  });

  it('refuses an invalid Date', () => {
    expect(() => romeLocalParts(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('quarterHoursOfDay', () => {
  const cases: [string, string, number][] = [
    ['an ordinary day', '2026-06-15', 96],
    ['the day before spring-forward', '2026-03-28', 96],
    ['spring-forward 2026 (last Sunday of March)', '2026-03-29', 92],
    ['the day after spring-forward', '2026-03-30', 96],
    ['fall-back 2026 (last Sunday of October)', '2026-10-25', 100],
    ['the day after fall-back', '2026-10-26', 96],
    ['spring-forward 2025', '2025-03-30', 92],
    ['fall-back 2025', '2025-10-26', 100],
    ['spring-forward 2024', '2024-03-31', 92],
    ['fall-back 2024', '2024-10-27', 100],
    ['a Sunday in March that is not the last', '2026-03-22', 96],
    ['31 December (the next day is in another year)', '2026-12-31', 96],
  ];
  it.each(cases)('counts %s (%s) as %i quarter-hours', (_name, day, expected) => {
    expect(quarterHoursOfDay(date(day))).toBe(expected);
  });

  it('adds up to 96 per day over a whole year, the DST days cancelling out', () => {
    let total = 0;
    const odd: string[] = [];
    for (let d = new Date(Date.UTC(2026, 0, 1)); d.getUTCFullYear() === 2026; d = new Date(d.getTime() + 86_400_000)) {
      const local = { year: 2026, month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      const count = quarterHoursOfDay(local);
      total += count;
      if (count !== 96) odd.push(`${iso(local)}:${count}`);
    }
    expect(total).toBe(365 * 96);
    expect(odd).toEqual(['2026-03-29:92', '2026-10-25:100']);
  });

  it('refuses a date that does not exist', () => {
    expect(() => quarterHoursOfDay(date('2026-02-30'))).toThrow(RangeError);
  });
});
