import { describe, expect, it } from 'vitest';
import { LatencySamples, percentile } from './latency-samples.js';

describe('LatencySamples', () => {
  it('summarises nothing as zeros', () => {
    expect(new LatencySamples().summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, last: 0 });
  });

  it('gives nearest-rank percentiles, the maximum and the last sample', () => {
    const samples = new LatencySamples();
    for (let ms = 100; ms >= 1; ms -= 1) samples.record(ms);

    expect(samples.summary()).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100, last: 1 });
  });

  it('keeps only the most recent samples for the percentiles, but counts all', () => {
    const samples = new LatencySamples(3);
    [1_000, 1_000, 1, 2, 3].forEach((ms) => samples.record(ms));

    expect(samples.summary()).toMatchObject({ count: 5, max: 3, p50: 2 });
  });

  it('records a negative latency (clock skew between writer and reader) as zero', () => {
    const samples = new LatencySamples();
    samples.record(-5);

    expect(samples.summary().max).toBe(0);
  });

  it('takes a percentile of a sorted list', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 1)).toBe(4);
    expect(percentile([], 0.5)).toBe(0);
  });
});
