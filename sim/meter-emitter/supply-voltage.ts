/**
 * Supply voltage seen by the meter (for CF9's weekly statistics): 230 V, a few volts higher at night than in the
 * afternoon, a drop proportional to the home's own load, ±2 V noise per 10-minute interval, and rare dips and swells
 * (about two dips and one swell a week). A pure function of the instant, like the load profile.
 */

import { unitHash } from './seeded-hash.js';

export const NOMINAL_VOLTAGE_V = 230;
/** CF9 counts one value per 10 minutes (LAYOUT.md: 1,008 in a week); the model gives one value per interval. */
export const VOLTAGE_INTERVAL_SECONDS = 600;

const DAILY_SWING_V = 3;
/** Voltage drop at the meter when the home draws its full contract power, V. */
const FULL_LOAD_DROP_V = 4;
const NOISE_SPAN_V = 4;
/** Per 10-minute interval: [probability, volts added], checked in order on one draw. */
const DISTURBANCES: readonly (readonly [number, number])[] = [
  [0.0005, -45], // deep dip: band 1
  [0.002, -30], // dip: band 2
  [0.001, 27], // swell: band 4
  [0.0002, 40], // large swell: band 5
];

/** Whole volts at `posixSeconds` (held over its 10-minute interval, except the load term). */
export function supplyVoltageV(
  seed: number,
  posixSeconds: number,
  localSecondOfDay: number,
  loadW: number,
  contractPowerW: number,
): number {
  const interval = Math.floor(posixSeconds / VOLTAGE_INTERVAL_SECONDS);
  // Highest at 04:00, lowest at 16:00 local time.
  const dailyV = DAILY_SWING_V * Math.cos((2 * Math.PI * (localSecondOfDay - 4 * 3_600)) / 86_400);
  const loadV = (-FULL_LOAD_DROP_V * loadW) / contractPowerW;
  const noiseV = (unitHash(seed ^ 0x5bd1e995, interval) - 0.5) * NOISE_SPAN_V;
  let disturbanceV = 0;
  let draw = unitHash(seed, interval);
  for (const [probability, volts] of DISTURBANCES) {
    if (draw < probability) {
      disturbanceV = volts;
      break;
    }
    draw -= probability;
  }
  return Math.round(NOMINAL_VOLTAGE_V + dailyV + loadV + noiseV + disturbanceV);
}

/** EN 50160 band of CF9's counters (LAYOUT.md): 1 < 85 %, 2 85–90 %, 3 90–110 %, 4 110–115 %, 5 > 115 % of 230 V. */
export function voltageBandOf(volts: number): 1 | 2 | 3 | 4 | 5 {
  const ratio = volts / NOMINAL_VOLTAGE_V;
  if (ratio < 0.85) return 1;
  if (ratio < 0.9) return 2;
  if (ratio <= 1.1) return 3;
  if (ratio <= 1.15) return 4;
  return 5;
}
