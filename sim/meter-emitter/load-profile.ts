/**
 * A household-like load: active power (W) as a pure function of the instant and a per-meter profile drawn from a
 * seed. Same profile, same instant → same watts, whatever was asked before, so a meter can be simulated from any
 * point and in any step size. The power is constant over each minute of the POSIX grid (issue #13): a meter
 * stepped every 10 s and a day integrated minute by minute give the same joules, exactly.
 *
 * Shape (every amount drawn per meter, for a 3 kW contract and scaled by contractPowerW / 3000):
 * - a base load (standby, lighting) and a fridge compressor cycling on 40 % of a 40–60 minute period;
 * - smooth peaks (Gaussian in local time, tabulated every 5 minutes, interpolated per minute): morning, lunch (small on working days if nobody is at home), evening;
 *   on Saturdays, Sundays and holidays the morning peak is 1–2 h later, lunch larger, plus an afternoon bump;
 * - ±6 % noise on the smooth part, interpolated minute by minute between 5-minute knots;
 * - appliances (kettle, oven, hob, washing machine…, 0.8–2.4 kW, 3–20 min): at most one starts in each
 *   20-minute slot, on a whole minute of it, with a probability by local hour and day type. Two overlapping appliances on top of the
 *   evening peak take a 3 kW household above its available power (3.3 kW): that is when CF22 happens.
 */

import { DayType, dayTypeOf, romeLocalParts } from '../../src/domain/tariff-bands.js';
import { derivedSeed, seededRandom } from '../../src/telemanagement/seeded-random.js';
import { hash32, unitHash } from './seeded-hash.js';

export const SECONDS_PER_DAY = 86_400;
const SHAPE_KNOT_MINUTES = 5;
const SHAPE_KNOT_SECONDS = SHAPE_KNOT_MINUTES * 60;
const SHAPE_KNOTS = 1_440 / SHAPE_KNOT_MINUTES;
const SECONDS_PER_HOUR = 3_600;
/** Amounts below are for the usual Italian household contract; other contracts scale linearly. */
const REFERENCE_CONTRACT_W = 3_000;
const NOISE_FRACTION = 0.06;
const NOISE_KNOT_MINUTES = 5;
const FRIDGE_DUTY = 0.4;
/** A peak farther than this many widths from its centre adds nothing (exp(-8) ≈ 0.03 %). */
const PEAK_REACH_WIDTHS = 4;

/** A smooth bump of power around a local time of day. */
export interface LoadPeak {
  /** Local second of the day (Europe/Rome wall clock) of the maximum. */
  readonly centreSecond: number;
  /** Standard deviation of the Gaussian, s. */
  readonly widthSeconds: number;
  readonly powerW: number;
}

/** One meter's household: plain data, drawn once by `makeLoadProfile`. */
export interface LoadProfile {
  readonly basePowerW: number;
  readonly fridgePowerW: number;
  readonly fridgePeriodSeconds: number;
  readonly fridgeOffsetSeconds: number;
  /**
   * The peaks, flat (centre second, width seconds, power W for each): the three of a working day, then the four of
   * a rest day (Saturdays, Sundays and national holidays). Flat numbers, not objects: 0.2 KB a meter instead of 0.8
   * (issue #11); `loadPeaks` gives them as `LoadPeak`s.
   */
  readonly peaks: readonly number[];
  /**
   * What `loadMinuteW` worked out for the last noise knot, shape knots and appliance slots it saw (a meter asks
   * minute after minute): a cache of pure functions of (profile, minute), so any order of calls gives the same watts.
   */
  readonly recent: RecentDraws;
  /** contractPowerW / 3000: appliance powers are for a 3 kW household. */
  readonly applianceScale: number;
  readonly applianceSeed: number;
  readonly noiseSeed: number;
}

interface RecentDraws {
  knot: number;
  noiseFrom: number;
  noiseTo: number;
  /**
   * Base load plus peaks at the 5-minute local knots `shapeKnot` and `shapeKnot + 1` of the day type `shapeRestDay`
   * (32-bit floats, added peak by peak as a table of the 289 knots would hold them). Two knots, not the day's table:
   * a meter steps minute by minute, so a knot is worked out once every 5 minutes, and 1.2 KB a meter is saved.
   */
  shapeKnot: number;
  shapeRestDay: boolean;
  shapeFrom: number;
  shapeTo: number;
  /** Slot, start (s), end (s) and power (W) of the appliance started in that slot (power 0: none). */
  slot: number;
  startS: number;
  endS: number;
  powerW: number;
  restDay: boolean;
  previousSlot: number;
  previousStartS: number;
  previousEndS: number;
  previousPowerW: number;
  previousRestDay: boolean;
}

/** Appliances a household runs; a run never outlasts its 20-minute slot by more than one slot. */
export const APPLIANCES = [
  { name: 'kettle', powerW: 2_000, seconds: 180 },
  { name: 'microwave', powerW: 1_100, seconds: 300 },
  { name: 'oven', powerW: 2_000, seconds: 1_200 },
  { name: 'washing machine heater', powerW: 2_000, seconds: 900 },
  { name: 'hair dryer', powerW: 1_600, seconds: 480 },
  { name: 'induction hob', powerW: 2_400, seconds: 720 },
  { name: 'dishwasher heater', powerW: 1_800, seconds: 1_080 },
  { name: 'iron', powerW: 1_100, seconds: 900 },
  { name: 'vacuum cleaner', powerW: 800, seconds: 600 },
] as const;
export const APPLIANCE_SLOT_SECONDS = 1_200;
const SLOT_MINUTES = APPLIANCE_SLOT_SECONDS / 60;
const START_OFFSET_STEP_SECONDS = 60;
const START_OFFSETS = APPLIANCE_SLOT_SECONDS / START_OFFSET_STEP_SECONDS;
const UINT32_RANGE = 4_294_967_296;

/** Probability that an appliance starts in a 20-minute slot, by local hour: [working day, rest day]. */
const START_PROBABILITY: readonly (readonly [number, number])[] = [
  [0.01, 0.01],
  [0.01, 0.01],
  [0.01, 0.01],
  [0.01, 0.01],
  [0.01, 0.01],
  [0.01, 0.01], // 00–05
  [0.1, 0.03],
  [0.2, 0.1],
  [0.12, 0.2],
  [0.05, 0.2],
  [0.05, 0.18],
  [0.08, 0.2], // 06–11
  [0.15, 0.25],
  [0.12, 0.2],
  [0.05, 0.1],
  [0.05, 0.1],
  [0.06, 0.1],
  [0.08, 0.12], // 12–17
  [0.15, 0.15],
  [0.25, 0.22],
  [0.25, 0.22],
  [0.15, 0.15],
  [0.08, 0.08],
  [0.03, 0.04], // 18–23
];
const MAX_START_DRAW = Math.max(...START_PROBABILITY.flat()) * UINT32_RANGE;

/** Draws a household for a meter; `seed` should already be per meter (the emitter mixes in the POD). */
export function makeLoadProfile(seed: number, contractPowerW: number): LoadProfile {
  if (!Number.isFinite(contractPowerW) || contractPowerW <= 0) throw new RangeError('contractPowerW must be positive');
  const random = seededRandom(derivedSeed(seed, 'load-profile'));
  const scale = contractPowerW / REFERENCE_CONTRACT_W;
  const between = (min: number, max: number) => min + (max - min) * random();
  const hours = (h: number) => h * SECONDS_PER_HOUR;
  const minutes = (m: number) => m * 60;

  const morning = hours(between(6.75, 7.75));
  const evening = hours(between(19.25, 20.75));
  const eveningW = between(400, 800) * scale;
  const homeByDay = random(); // share of working days someone is at home for lunch

  const basePowerW = between(60, 130) * scale;
  const fridgePowerW = between(60, 100) * scale;
  // Whole minutes, so the fridge switches on minute boundaries.
  const fridgePeriodSeconds = minutes(Math.round(between(40, 60)));
  const fridgeOffsetSeconds = minutes(Math.floor(random() * 60));
  // Drawn in this order (each `between` is the next draw): working day morning, lunch, evening; rest day the same.
  const morningWidth = minutes(between(30, 50));
  const morningW = between(240, 450) * scale;
  const lunchCentre = hours(between(12.5, 13.5));
  const workdayLunchW = homeByDay * between(150, 450) * scale;
  const eveningWidth = minutes(between(60, 80));
  const restMorning = morning + hours(between(1, 2));
  const restMorningW = between(300, 550) * scale;
  const restLunchCentre = hours(between(12.75, 13.5));
  const restLunchW = between(350, 700) * scale;
  const afternoonW = between(100, 300) * scale;
  // One literal, every field in it: the meters' profiles share one hidden class (a spread made one each).
  return Object.freeze({
    basePowerW,
    fridgePowerW,
    fridgePeriodSeconds,
    fridgeOffsetSeconds,
    // Not frozen: a frozen array of doubles is stored as boxed numbers.
    peaks: [
      morning,
      morningWidth,
      morningW,
      lunchCentre,
      minutes(45),
      workdayLunchW,
      evening,
      eveningWidth,
      eveningW,
      restMorning,
      minutes(60),
      restMorningW,
      restLunchCentre,
      minutes(50),
      restLunchW,
      hours(17),
      minutes(90),
      afternoonW,
      evening,
      minutes(80),
      eveningW * 1.1,
    ],
    applianceScale: scale,
    applianceSeed: derivedSeed(seed, 'appliances'),
    noiseSeed: derivedSeed(seed, 'noise'),
    recent: {
      knot: Number.NaN,
      noiseFrom: 0,
      noiseTo: 0,
      shapeKnot: Number.NaN,
      shapeRestDay: false,
      shapeFrom: 0,
      shapeTo: 0,
      slot: Number.NaN,
      startS: 0,
      endS: 0,
      powerW: 0,
      restDay: false,
      previousSlot: Number.NaN,
      previousStartS: 0,
      previousEndS: 0,
      previousPowerW: 0,
      previousRestDay: false,
    },
  });
}

/** A profile's peaks of a working day (3) or of a rest day (4). */
export function loadPeaks(profile: LoadProfile, isRestDay: boolean): LoadPeak[] {
  const peaks: LoadPeak[] = [];
  const [from, to] = isRestDay ? [3, 7] : [0, 3];
  for (let p = from; p < to; p++)
    peaks.push({
      centreSecond: profile.peaks[3 * p]!,
      widthSeconds: profile.peaks[3 * p + 1]!,
      powerW: profile.peaks[3 * p + 2]!,
    });
  return peaks;
}

/**
 * Base plus peaks at the 5-minute knot `knot` (0–288; 288 is the next 00:00, the same as 0) of a local day, as a
 * 32-bit float: the base, then each peak whose reach (4 widths, within half a day each way) holds the knot, added
 * in order and rounded to 32 bits at each step.
 */
function shapeKnotW(profile: LoadProfile, knot: number, isRestDay: boolean): number {
  if (knot === SHAPE_KNOTS) knot = 0; // 24:00 is 00:00: interpolation wraps at midnight
  let w = Math.fround(profile.basePowerW);
  const peaks = profile.peaks;
  const [from, to] = isRestDay ? [3, 7] : [0, 3];
  for (let p = from; p < to; p++) {
    const centreSecond = peaks[3 * p]!;
    const widthSeconds = peaks[3 * p + 1]!;
    const reach = Math.ceil((PEAK_REACH_WIDTHS * widthSeconds) / SHAPE_KNOT_SECONDS);
    const centre = Math.round(centreSecond / SHAPE_KNOT_SECONDS);
    const first = Math.max(centre - reach, centre - SHAPE_KNOTS / 2);
    const last = Math.min(centre + reach, first + SHAPE_KNOTS - 1);
    // The one k ≡ knot (mod 288) at or after `first`: the range is shorter than a day.
    const k = first + ((((knot - first) % SHAPE_KNOTS) + SHAPE_KNOTS) % SHAPE_KNOTS);
    if (k <= last)
      w = Math.fround(w + peakPowerW(centreSecond, widthSeconds, peaks[3 * p + 2]!, knot * SHAPE_KNOT_SECONDS));
  }
  return w;
}

/**
 * Power (W, integer, ≥ 0) at `posixSeconds`, given the Europe/Rome wall-clock second of the day and the day type of
 * that local date: the power of the minute holding that second (`loadMinuteW`).
 */
export function loadPowerW(
  profile: LoadProfile,
  posixSeconds: number,
  localSecondOfDay: number,
  dayType: DayType,
): number {
  return loadMinuteW(
    profile,
    Math.floor(posixSeconds / 60),
    Math.floor(localSecondOfDay / 60),
    dayType !== DayType.weekday,
  );
}

/**
 * Power (W, integer, ≥ 0) held over the POSIX minute `posixMinute` (it starts at posixMinute × 60 s), whose local
 * minute of the day is `localMinuteOfDay` (0–1439, Europe/Rome wall clock). The hot path of the meter, which
 * knows both per quarter-hour.
 */
export function loadMinuteW(
  profile: LoadProfile,
  posixMinute: number,
  localMinuteOfDay: number,
  isRestDay: boolean,
): number {
  const recent = profile.recent;
  const knot = Math.floor(posixMinute / NOISE_KNOT_MINUTES);
  if (knot !== recent.knot) {
    recent.noiseFrom = knot === recent.knot + 1 ? recent.noiseTo : unitHash(profile.noiseSeed, knot) * 2 - 1;
    recent.noiseTo = unitHash(profile.noiseSeed, knot + 1) * 2 - 1;
    recent.knot = knot;
  }
  const fraction = (posixMinute - knot * NOISE_KNOT_MINUTES) / NOISE_KNOT_MINUTES;
  const noise = recent.noiseFrom + (recent.noiseTo - recent.noiseFrom) * fraction;
  const shapeKnot = Math.floor(localMinuteOfDay / SHAPE_KNOT_MINUTES);
  if (shapeKnot !== recent.shapeKnot || isRestDay !== recent.shapeRestDay) {
    recent.shapeFrom =
      shapeKnot === recent.shapeKnot + 1 && isRestDay === recent.shapeRestDay
        ? recent.shapeTo
        : shapeKnotW(profile, shapeKnot, isRestDay);
    recent.shapeTo = shapeKnotW(profile, shapeKnot + 1, isRestDay);
    recent.shapeKnot = shapeKnot;
    recent.shapeRestDay = isRestDay;
  }
  const shapeFrom = recent.shapeFrom;
  const shapeW =
    shapeFrom +
    ((recent.shapeTo - shapeFrom) * (localMinuteOfDay - shapeKnot * SHAPE_KNOT_MINUTES)) / SHAPE_KNOT_MINUTES;
  const smoothW = shapeW * (1 + NOISE_FRACTION * noise);
  const posixSeconds = posixMinute * 60;

  const cycle = modulo(posixSeconds + profile.fridgeOffsetSeconds, profile.fridgePeriodSeconds);
  const fridgeW = cycle < profile.fridgePeriodSeconds * FRIDGE_DUTY ? profile.fridgePowerW : 0;

  const slot = Math.floor(posixMinute / SLOT_MINUTES);
  const slotLocalSecond = localMinuteOfDay * 60 - (posixSeconds - slot * APPLIANCE_SLOT_SECONDS);
  if (slot !== recent.slot || isRestDay !== recent.restDay) {
    // The day type is the caller's (a slot straddling midnight may be asked with either): cached with it.
    if (slot - 1 === recent.slot && isRestDay === recent.restDay) {
      recent.previousSlot = recent.slot;
      recent.previousStartS = recent.startS;
      recent.previousEndS = recent.endS;
      recent.previousPowerW = recent.powerW;
      recent.previousRestDay = recent.restDay;
    } else {
      drawAppliance(profile, slot - 1, slotLocalSecond - APPLIANCE_SLOT_SECONDS, isRestDay, recent, true);
    }
    drawAppliance(profile, slot, slotLocalSecond, isRestDay, recent, false);
  }
  let applianceW = 0;
  if (posixSeconds >= recent.startS && posixSeconds < recent.endS) applianceW += recent.powerW;
  if (posixSeconds >= recent.previousStartS && posixSeconds < recent.previousEndS) applianceW += recent.previousPowerW;

  return Math.max(0, Math.round(smoothW + fridgeW + applianceW));
}

/** `loadPowerW` at an instant (whole seconds), with the local time and day type worked out (Europe/Rome). */
export function loadPowerAt(profile: LoadProfile, instant: Date): number {
  const local = romeLocalParts(instant);
  const posixSeconds = Math.floor(instant.getTime() / 1000);
  // Europe/Rome offsets are whole hours, so the local second equals the UTC second.
  const localSecondOfDay = (local.hour * 60 + local.minute) * 60 + modulo(posixSeconds, 60);
  return loadPowerW(profile, posixSeconds, localSecondOfDay, dayTypeOf(local));
}

function peakPowerW(centreSecond: number, widthSeconds: number, powerW: number, localSecondOfDay: number): number {
  let distance = Math.abs(localSecondOfDay - centreSecond);
  if (distance > SECONDS_PER_DAY / 2) distance = SECONDS_PER_DAY - distance; // the evening peak reaches past midnight
  if (distance > PEAK_REACH_WIDTHS * widthSeconds) return 0;
  const z = distance / widthSeconds;
  return powerW * Math.exp(-0.5 * z * z);
}

/** The appliance started in `slot`, if any, into `recent` (its current or previous slot). */
function drawAppliance(
  profile: LoadProfile,
  slot: number,
  slotLocalSecond: number,
  isRestDay: boolean,
  recent: RecentDraws,
  previous: boolean,
): void {
  let startS = 0;
  let endS = 0;
  let powerW = 0;
  const draw = hash32(profile.applianceSeed, slot);
  // Cheap exit for most slots, before the time of day is looked at.
  if (draw < MAX_START_DRAW) {
    const hour = Math.floor(modulo(slotLocalSecond, SECONDS_PER_DAY) / SECONDS_PER_HOUR);
    const probability = START_PROBABILITY[hour]![isRestDay ? 1 : 0];
    if (draw < probability * UINT32_RANGE) {
      const which = hash32(draw, slot);
      const appliance = APPLIANCES[which % APPLIANCES.length]!;
      startS = slot * APPLIANCE_SLOT_SECONDS + ((which >>> 8) % START_OFFSETS) * START_OFFSET_STEP_SECONDS;
      endS = startS + appliance.seconds;
      powerW = appliance.powerW * profile.applianceScale;
    }
  }
  if (previous) {
    recent.previousSlot = slot;
    recent.previousStartS = startS;
    recent.previousEndS = endS;
    recent.previousPowerW = powerW;
    recent.previousRestDay = isRestDay;
  } else {
    recent.slot = slot;
    recent.startS = startS;
    recent.endS = endS;
    recent.powerW = powerW;
    recent.restDay = isRestDay;
  }
}

/** `value mod divisor` in [0, divisor), without the slow floating-point `%` of large POSIX seconds. */
function modulo(value: number, divisor: number): number {
  return value - Math.floor(value / divisor) * divisor;
}
