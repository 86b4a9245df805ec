/** A seeded source of uniform numbers in [0, 1): the only randomness the model has. */
export interface Prng {
  next(): number;
}

/**
 * mulberry32: 32-bit state, full period 2^32, passes the usual statistical batteries well enough
 * for failure draws. Integer arithmetic only, so the sequence is identical on every platform.
 */
export const mulberry32 = (seed: number): Prng => {
  let state = seed >>> 0;
  return {
    next: () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    },
  };
};

/** A 32-bit seed from text (FNV-1a), so a simulation id gives a stable default seed. */
export const seedFromText = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
};
