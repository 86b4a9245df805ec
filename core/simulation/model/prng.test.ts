import { describe, expect, it } from 'vitest';
import { mulberry32, seedFromText } from './prng.js';

const draw = (seed: number, count: number): number[] => {
  const prng = mulberry32(seed);
  return Array.from({ length: count }, () => prng.next());
};

describe('mulberry32', () => {
  it('repeats its sequence for the same seed', () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
  });

  it('gives another sequence for another seed', () => {
    expect(draw(42, 10)).not.toEqual(draw(43, 10));
  });

  it('stays in [0, 1) with a mean near one half', () => {
    const values = draw(7, 100_000);

    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(0.5, 2);
  });

  it('hits a small probability about as often as it says', () => {
    const hits = draw(11, 200_000).filter((v) => v < 0.01).length;

    expect(hits / 200_000).toBeGreaterThan(0.009);
    expect(hits / 200_000).toBeLessThan(0.011);
  });
});

describe('seedFromText', () => {
  it('derives a stable 32-bit seed from a simulation id', () => {
    const seed = seedFromText('3f1c8a2e-1b7d-4c55-9a0e-6d2f4b8c9e01');

    expect(seed).toBe(seedFromText('3f1c8a2e-1b7d-4c55-9a0e-6d2f4b8c9e01'));
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(seed).not.toBe(seedFromText('3f1c8a2e-1b7d-4c55-9a0e-6d2f4b8c9e02'));
  });
});
