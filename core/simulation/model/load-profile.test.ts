import { describe, expect, it } from 'vitest';
import { offeredLoad, serviceWeights } from './load-profile.js';

const at = (profile: Parameters<typeof offeredLoad>[0], step: number) => offeredLoad(profile, 100, 500, step, 101);

describe('offeredLoad', () => {
  it('keeps a constant load at the base rate', () => {
    expect([1, 50, 101].map((step) => at('constant', step))).toEqual([100, 100, 100]);
  });

  it('ramps linearly from the base at the first step to the peak at the last', () => {
    expect([1, 51, 101].map((step) => at('ramp', step))).toEqual([100, 300, 500]);
  });

  it('holds the peak of a spike over the middle fifth only', () => {
    expect(at('spike', 40)).toBe(100);
    expect(at('spike', 41)).toBe(500);
    expect(at('spike', 61)).toBe(500);
    expect(at('spike', 62)).toBe(100);
  });

  it('follows one diurnal cycle: base, peak at mid-run, base again', () => {
    expect(at('diurnal', 1)).toBeCloseTo(100, 9);
    expect(at('diurnal', 51)).toBeCloseTo(500, 9);
    expect(at('diurnal', 101)).toBeCloseTo(100, 9);
    expect(at('diurnal', 26)).toBeCloseTo(300, 9);
  });

  it('treats a one-step run as its start', () => {
    expect(offeredLoad('ramp', 100, 500, 1, 1)).toBe(100);
  });
});

describe('serviceWeights', () => {
  it('splits the whole load, the first services busiest', () => {
    const weights = serviceWeights(5);

    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect([...weights].sort((a, b) => b - a)).toEqual(weights);
    expect(weights[0]! / weights[3]!).toBeCloseTo(2, 12);
  });
});
