import { describe, expect, it } from 'vitest';
import { percentile, summarizeSeries } from './summary.js';
import { aSample } from '../../test-support/core/series-builders.js';

describe('summarizeSeries', () => {
  it('gives latency percentiles, rates, peaks and availability of a series', () => {
    const series = Array.from({ length: 100 }, (_, i) =>
      aSample({
        simulation_step: i + 1,
        avg_latency: i + 1,
        requests_per_sec: 100 + i,
        network_in: 1200 * 200,
        error_rate: i === 99 ? 0.5 : 0,
        pods_running: i < 50 ? 4 : 6,
      }),
    );

    expect(summarizeSeries(series)).toMatchObject({
      samples: 100,
      avg_latency: 50.5,
      p50_latency: 50,
      p95_latency: 95,
      p99_latency: 99,
      max_latency: 100,
      max_error_rate: 0.5,
      avg_error_rate: 0.005,
      avg_requests_per_sec: 149.5,
      peak_requests_per_sec: 199,
      peak_offered_per_sec: 200,
      availability: 0.995,
      peak_pods_running: 6,
    });
  });

  it('weighs availability by the offered load of each sample', () => {
    const series = [aSample({ network_in: 1200 * 900, error_rate: 0 }), aSample({ network_in: 1200 * 100, error_rate: 1 })];

    expect(summarizeSeries(series).availability).toBe(0.9);
  });

  it('summarises an empty series as zeros with full availability', () => {
    expect(summarizeSeries([])).toMatchObject({ samples: 0, p99_latency: 0, availability: 1, min_nodes_active: 0 });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
    expect(percentile([7], 99)).toBe(7);
  });
});
