import { describe, expect, it } from 'vitest';
import { averageSamples, downsample, MAX_STORED_SAMPLES, SeriesRecorder } from './series.js';
import { aConfig, aSample, runModel } from '../../test-support/core/series-builders.js';

const steps = (count: number) =>
  Array.from({ length: count }, (_, i) => aSample({ simulation_step: i + 1, timestamp: (i + 1) * 100, requests_per_sec: i + 1 }));

describe('averageSamples', () => {
  it('averages every metric, keeps counts whole, and stamps the last step and time', () => {
    const averaged = averageSamples([
      aSample({ simulation_step: 1, timestamp: 100, pods_running: 3, avg_latency: 10, error_rate: 0 }),
      aSample({ simulation_step: 2, timestamp: 200, pods_running: 4, avg_latency: 30, error_rate: 0.5 }),
    ]);

    expect(averaged).toMatchObject({ simulation_step: 2, timestamp: 200, pods_running: 4, avg_latency: 20, error_rate: 0.25 });
  });
});

describe('downsample', () => {
  it('keeps a series of up to 10,000 samples whole', () => {
    const series = steps(MAX_STORED_SAMPLES);

    expect(downsample(series)).toEqual(series);
  });

  it('averages a longer series in equal buckets down to at most 10,000 samples', () => {
    const stored = downsample(steps(36_000));

    expect(stored).toHaveLength(9_000);
    expect(stored[0]).toMatchObject({ simulation_step: 4, requests_per_sec: 2.5 });
    expect(stored.at(-1)).toMatchObject({ simulation_step: 36_000 });
  });
});

describe('SeriesRecorder', () => {
  it('stores a finished run exactly as downsample would', () => {
    const series = runModel(aConfig({ node_failure_rate: '0.01' }), 25_000);
    const recorder = new SeriesRecorder(25_000);
    series.forEach((sample) => recorder.record(sample));

    expect(recorder.series()).toEqual(downsample(series));
  });

  it('averages the unfinished last bucket of a stopped run', () => {
    const recorder = new SeriesRecorder(30_000);
    steps(7).forEach((sample) => recorder.record(sample));

    expect(recorder.series().map((s) => s.simulation_step)).toEqual([3, 6, 7]);
  });

  it('keeps the latest raw samples for live views, oldest first', () => {
    const recorder = new SeriesRecorder(100, 3);
    steps(5).forEach((sample) => recorder.record(sample));

    expect(recorder.recentSamples().map((s) => s.simulation_step)).toEqual([3, 4, 5]);
    expect(recorder.latest?.simulation_step).toBe(5);
  });

  it('has no latest sample before the first step', () => {
    expect(new SeriesRecorder(10).latest).toBeUndefined();
  });
});
