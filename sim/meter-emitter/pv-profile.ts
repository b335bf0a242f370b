/**
 * A rooftop PV system's output (W, integer, ≥ 0) as a pure function of the POSIX minute, like the load profile:
 * constant over each minute, so any step size integrates the same joules.
 *
 * Shape (our choice, for central Italy ≈ 42° N, 12.5° E): a clear-sky bell between sunrise and sunset around solar
 * noon (≈ 11:10 UTC), day length 9 h (December) to 15 h (June), peak at 45 % (December) to 100 % (June) of the
 * rated power, times a cloudiness drawn per day (0.25–1) and a ±15 % variation drawn per 10 minutes (interpolated).
 */
import { hash32, unitHash } from './seeded-hash.js';

const MINUTES_PER_DAY = 1_440;
/** 11:10 UTC, the solar noon of Rome (12.5° E, ≈ −10 min equation of time, averaged). */
const SOLAR_NOON_UTC_MINUTE = 670;
/** POSIX day of the March 2023 equinox; seasons are counted from it (365.2425-day years). */
const EQUINOX_POSIX_DAY = 19_437;
const YEAR_DAYS = 365.2425;
const CLOUD_KNOT_MINUTES = 10;

export interface PvSystem {
  /** Rated (peak) AC power, W. */
  readonly peakW: number;
  readonly seed: number;
}

/** PV output over the POSIX minute `posixMinute`, W. */
export function pvMinuteW(pv: PvSystem, posixMinute: number): number {
  const posixDay = Math.floor(posixMinute / MINUTES_PER_DAY);
  const season = Math.sin((2 * Math.PI * (posixDay - EQUINOX_POSIX_DAY)) / YEAR_DAYS); // +1 June, −1 December
  const dayLengthMinutes = (12 + 3 * season) * 60;
  const fromNoon = posixMinute - posixDay * MINUTES_PER_DAY - SOLAR_NOON_UTC_MINUTE;
  const half = dayLengthMinutes / 2;
  if (fromNoon <= -half || fromNoon >= half) return 0;
  const bell = Math.cos((Math.PI / 2) * (fromNoon / half));
  const clearSky = pv.peakW * (0.725 + 0.275 * season) * bell * Math.sqrt(bell);
  const cloudiness = 0.25 + 0.75 * unitHash(pv.seed, posixDay);
  const knot = Math.floor(posixMinute / CLOUD_KNOT_MINUTES);
  const fraction = (posixMinute - knot * CLOUD_KNOT_MINUTES) / CLOUD_KNOT_MINUTES;
  const from = unitHash(hash32(pv.seed, 1), knot);
  const to = unitHash(hash32(pv.seed, 1), knot + 1);
  const variation = 1 + 0.3 * (from + (to - from) * fraction - 0.5);
  return Math.max(0, Math.round(clearSky * Math.min(1, cloudiness * variation)));
}
