import { describe, expect, it } from 'vitest';
import { supplyVoltageV, voltageBandOf } from './supply-voltage.js';

describe('voltageBandOf (EN 50160 bands of CF9)', () => {
  it.each([
    [195, 1],
    [196, 2],
    [206, 2],
    [207, 3],
    [230, 3],
    [253, 3],
    [254, 4],
    [264, 4],
    [265, 5],
  ])('puts %i V in band %i', (volts, band) => {
    expect(voltageBandOf(volts)).toBe(band);
  });
});

describe('supplyVoltageV', () => {
  it('stays within ±10 % of 230 V almost always, with rare dips and swells, and repeats for the same instant', () => {
    const start = Date.UTC(2024, 5, 1) / 1000;
    const weeks = 20;
    const bands = [0, 0, 0, 0, 0, 0];
    for (let index = 0; index < weeks * 1_008; index++) {
      const s = start + index * 600;
      const volts = supplyVoltageV(7, s, s % 86_400, 800, 3_000);
      expect(supplyVoltageV(7, s, s % 86_400, 800, 3_000)).toBe(volts);
      bands[voltageBandOf(volts)]!++;
    }
    expect(bands[3]! / (weeks * 1_008)).toBeGreaterThan(0.99);
    expect(bands[2]! + bands[1]!).toBeGreaterThan(0);
  });
});
