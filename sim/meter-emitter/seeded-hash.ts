/**
 * Stateless seeded randomness: a number fixed by (stream seed, integer key), so the load profile and the supply
 * voltage are pure functions of time — the same instant always gives the same draw, whatever was asked before.
 * Not for secrets.
 */

/** A 32-bit hash of `key` (an integer, e.g. a slot number) under `seed`: murmur3's finalizer over both. */
export function hash32(seed: number, key: number): number {
  let h = (seed ^ Math.imul(key | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A number in [0, 1) fixed by `seed` and `key`. */
export function unitHash(seed: number, key: number): number {
  return hash32(seed, key) / 4_294_967_296;
}
