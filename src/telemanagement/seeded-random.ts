/**
 * Reproducible randomness for the simulator (losses, unreachable meters, loads): the same seed gives the same
 * field network on every machine. Not for secrets.
 */

/** mulberry32: a small, fast, seedable PRNG returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A number in [0, 1) fixed by `seed` and `label` (FNV-1a over the label, then one mulberry32 step), so a
 * meter's draw depends on its POD and the seed only, not on the order meters were registered in.
 */
export function seededFraction(seed: number, label: string): number {
  return seededRandom(derivedSeed(seed, label))();
}

/** A 32-bit seed derived from `seed` and `label` (FNV-1a), e.g. one independent random stream per concentrator. */
export function derivedSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
