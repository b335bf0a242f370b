import { describe, expect, it } from 'vitest';
import { parseReportDay } from './kpi.js';

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
