import { describe, expect, it } from 'vitest';
import { romeLocalParts, dayTypeOf } from '../../src/domain/tariff-bands.js';
import { loadPowerAt, loadPowerW, makeLoadProfile } from './load-profile.js';

const SEEDS = Array.from({ length: 20 }, (_, index) => 1_000 + index);
const STEP_S = 10;

/** Power samples every `stepS` seconds over `days` local days from `start`. */
function samples(seed: number, start: Date, days: number, contractPowerW = 3_000, stepS = STEP_S): number[] {
  const profile = makeLoadProfile(seed, contractPowerW);
  const from = start.getTime() / 1000;
  return Array.from({ length: (days * 86_400) / stepS }, (_, index) =>
    loadPowerAt(profile, new Date((from + index * stepS) * 1000)),
  );
}

function meanPowerW(seed: number, fromIso: string, minutes: number): number {
  const profile = makeLoadProfile(seed, 3_000);
  const from = new Date(fromIso).getTime();
  let sum = 0;
  for (let s = 0; s < minutes * 60; s += STEP_S) sum += loadPowerAt(profile, new Date(from + s * 1000));
  return sum / ((minutes * 60) / STEP_S);
}

describe('load profile', () => {
  it('gives the same watts for the same seed and instant, and a different household for another seed', () => {
    const start = new Date('2024-06-12T00:00:00+02:00');
    expect(samples(1, start, 1)).toEqual(samples(1, start, 1));
    expect(samples(2, start, 1)).not.toEqual(samples(1, start, 1));
  });

  it('computes the same power from the local parts as from the Date', () => {
    const profile = makeLoadProfile(5, 3_000);
    for (let s = Date.parse('2024-10-26T20:00:00Z') / 1000; s < Date.parse('2024-10-27T04:00:00Z') / 1000; s += 70) {
      const local = romeLocalParts(new Date(s * 1000));
      const localSecond = (local.hour * 60 + local.minute) * 60 + (s % 60);
      expect(loadPowerW(profile, s, localSecond, dayTypeOf(local))).toBe(loadPowerAt(profile, new Date(s * 1000)));
    }
  });

  it('draws more power in the evening than in the small hours, for every household', () => {
    for (const seed of SEEDS) {
      expect(meanPowerW(seed, '2024-06-12T19:30:00+02:00', 120)).toBeGreaterThan(
        meanPowerW(seed, '2024-06-12T02:00:00+02:00', 120) * 1.5,
      );
    }
  });

  it('gets up later on Sundays: less power at 06:45–07:30 than on a working day, on average', () => {
    const workday = SEEDS.reduce((sum, seed) => sum + meanPowerW(seed, '2024-06-12T06:45:00+02:00', 45), 0);
    const sunday = SEEDS.reduce((sum, seed) => sum + meanPowerW(seed, '2024-06-16T06:45:00+02:00', 45), 0);
    expect(sunday).toBeLessThan(workday);
  });

  it('uses a household-like 5–13 kWh a day, and stays within 3.3 kW nearly always but not always', () => {
    let above = 0;
    let total = 0;
    for (const seed of SEEDS) {
      const week = samples(seed, new Date('2024-06-10T00:00:00+02:00'), 7, 3_000, 30);
      const kWhPerDay = (week.reduce((sum, w) => sum + w, 0) * 30) / 3_600_000 / 7;
      expect(kWhPerDay).toBeGreaterThan(5);
      expect(kWhPerDay).toBeLessThan(13);
      above += week.filter((w) => w > 3_300).length;
      total += week.length;
    }
    expect(above).toBeGreaterThan(0);
    expect(above / total).toBeLessThan(0.01);
  });

  it('scales with the contract power: a 6 kW household draws twice a 3 kW one (±1 W rounding)', () => {
    const start = new Date('2024-06-15T00:00:00+02:00');
    const small = samples(9, start, 1, 3_000);
    const large = samples(9, start, 1, 6_000);
    small.forEach((w, index) => expect(Math.abs(large[index]! - 2 * w)).toBeLessThanOrEqual(1));
  });
});

describe('load profile: minute by minute', () => {
  it('holds the power over each minute and gives the same watts whatever order the minutes are asked in', () => {
    const start = Date.parse('2024-10-26T20:00:00Z') / 1000; // over the fall-back night
    const instants = Array.from({ length: 600 }, (_, index) => start + index * 20);
    const inOrder = instants.map((s) => loadPowerAt(makeLoadProfile(3, 3_000), new Date(s * 1000)));
    const sequential = makeLoadProfile(3, 3_000);
    expect(instants.map((s) => loadPowerAt(sequential, new Date(s * 1000)))).toEqual(inOrder);
    const shuffled = makeLoadProfile(3, 3_000);
    const order = instants.map((_, index) => (index * 7919) % instants.length);
    const byShuffle = new Map(order.map((i) => [i, loadPowerAt(shuffled, new Date(instants[i]! * 1000))]));
    expect(instants.map((_, i) => byShuffle.get(i))).toEqual(inOrder);
    for (let i = 0; i < instants.length; i += 3) {
      expect(inOrder[i + 1]).toBe(inOrder[i]); // :00, :20 and :40 of one minute
      expect(inOrder[i + 2]).toBe(inOrder[i]);
    }
  });
});
