import { describe, expect, it } from 'vitest';
import { switchOffCountdownSeconds } from './switch-off-countdown.js';

describe('switchOffCountdownSeconds', () => {
  it.each([
    [3_301, 3_300, 10_800],
    [3_960, 3_300, 10_800], // 20 % over: still 3 h
    [3_961, 3_300, 1_800],
    [4_290, 3_300, 1_800], // 30 %
    [4_291, 3_300, 600],
    [4_950, 3_300, 600], // 50 %
    [4_951, 3_300, 120],
    [30_000, 3_300, 120],
  ])(
    'gives %i W over an available %i W a countdown of %i s: the larger the excess, the shorter',
    (powerW, availableW, seconds) => {
      expect(switchOffCountdownSeconds(powerW, availableW)).toBe(seconds);
    },
  );

  it('refuses a power that does not exceed the available power (no countdown is running)', () => {
    expect(() => switchOffCountdownSeconds(3_300, 3_300)).toThrow(RangeError);
  });
});
