import { describe, expect, it } from 'vitest';
import { disturbedForMs, type LoadSample } from './steady-load.js';

const ok = (startedAt: number, ms = 5): LoadSample => ({ startedAt, endedAt: startedAt + ms, status: 200 });
const failed = (startedAt: number, ms = 5): LoadSample => ({ startedAt, endedAt: startedAt + ms, status: 503 });
const steady = (from: number, to: number): LoadSample[] => Array.from({ length: (to - from) / 10 }, (_, i) => ok(from + i * 10));

describe('disturbedForMs', () => {
  it('is 0 when every request after the fault was answered quickly', () => {
    expect(disturbedForMs(steady(0, 3_000), 1_000, 250)).toBe(0);
  });

  it('runs from the fault to the end of the last failed or slow request of the episode', () => {
    const samples = [...steady(0, 3_000), ok(950, 400), failed(1_100), ok(1_300, 600)];
    expect(disturbedForMs(samples, 1_000, 250)).toBe(900);
  });

  it('leaves out a slow request after a quiet gap, which the fault did not cause', () => {
    const samples = [...steady(0, 6_000), ok(990, 300), ok(4_000, 400)];
    expect(disturbedForMs(samples, 1_000, 250)).toBe(290);
  });

  it('counts a slow request that starts within the quiet gap of the last one', () => {
    const samples = [...steady(0, 6_000), ok(990, 300), failed(1_700), ok(2_100, 300)];
    expect(disturbedForMs(samples, 1_000, 250)).toBe(1_400);
  });

  it('counts a request that began before the fault and ended slowly after it', () => {
    expect(disturbedForMs([...steady(0, 3_000), ok(500, 1_000)], 1_000, 250)).toBe(500);
  });
});
