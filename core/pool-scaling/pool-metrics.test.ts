import { describe, expect, it } from 'vitest';
import { CallWindow } from './call-window.js';
import { computePoolMetrics, type PoolObservation } from './pool-metrics.js';

const observation = (overrides: Partial<PoolObservation> = {}): PoolObservation => ({
  now: 10_000,
  connections: 5,
  inFlight: 0,
  queueDepth: 0,
  lastScaleActionAt: 0,
  streamsPerConnection: 1,
  ...overrides,
});

const windowWith = (samples: ReadonlyArray<{ at: number; latencyMs: number; failed?: boolean }>, windowMs = 1_000) => {
  const window = new CallWindow(windowMs);
  for (const sample of samples) window.record({ failed: false, ...sample });
  return window;
};

describe('CallWindow', () => {
  it('forgets calls older than the window', () => {
    const window = windowWith([
      { at: 8_000, latencyMs: 100 },
      { at: 9_500, latencyMs: 4 },
      { at: 9_900, latencyMs: 6, failed: true },
    ]);

    expect(window.totals(10_000)).toEqual({ calls: 2, failures: 1, totalLatencyMs: 10 });
    expect(window.totals(11_000)).toEqual({ calls: 0, failures: 0, totalLatencyMs: 0 });
  });

  it('gives nearest-rank latency percentiles', () => {
    const window = windowWith(Array.from({ length: 100 }, (_, i) => ({ at: 9_500, latencyMs: i + 1 })));

    expect(window.percentiles(10_000)).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(windowWith([]).percentiles(10_000)).toEqual({ p50: 0, p95: 0, p99: 0 });
  });

  it('keeps at most maxSamples, dropping the oldest', () => {
    const window = new CallWindow(1_000, 3);
    for (let i = 1; i <= 5; i += 1) window.record({ at: 9_500, latencyMs: i, failed: false });

    expect(window.totals(10_000)).toEqual({ calls: 3, failures: 0, totalLatencyMs: 3 + 4 + 5 });
  });
});

describe('computePoolMetrics', () => {
  it('reads rps, average latency and error rate from the window', () => {
    const samples = Array.from({ length: 200 }, (_, i) => ({ at: 9_001 + i, latencyMs: 10, failed: i < 20 }));

    const metrics = computePoolMetrics(observation(), windowWith(samples));

    expect(metrics.requestsPerSecond).toBe(200);
    expect(metrics.windowCalls).toBe(200);
    expect(metrics.averageLatencyMs).toBe(10);
    expect(metrics.errorRate).toBeCloseTo(0.1);
  });

  it('counts a connection busy while it serves a call: in-flight calls over connections', () => {
    expect(computePoolMetrics(observation({ inFlight: 4 }), windowWith([])).utilisation).toBeCloseTo(0.8);
    expect(computePoolMetrics(observation({ inFlight: 50 }), windowWith([])).utilisation).toBe(1);
  });

  it('sees load between sampling instants through the average concurrency of the window', () => {
    // 2000 ms of calls completed within one second: on average two calls were in flight.
    const samples = Array.from({ length: 100 }, (_, i) => ({ at: 9_100 + i, latencyMs: 20 }));

    const metrics = computePoolMetrics(observation({ inFlight: 0 }), windowWith(samples));

    expect(metrics.utilisation).toBeCloseTo(2 / 5);
  });

  it('lets a connection carry more streams when configured so', () => {
    const metrics = computePoolMetrics(observation({ inFlight: 20, streamsPerConnection: 10 }), windowWith([]));

    expect(metrics.utilisation).toBeCloseTo(20 / 50);
  });

  it('reads an empty pool with waiting calls as fully used, and an idle one as unused', () => {
    expect(computePoolMetrics(observation({ connections: 0, inFlight: 1 }), windowWith([])).utilisation).toBe(1);
    expect(computePoolMetrics(observation({ connections: 0 }), windowWith([]))).toMatchObject({
      utilisation: 0,
      requestsPerSecond: 0,
      averageLatencyMs: 0,
      windowCalls: 0,
      errorRate: 0,
    });
  });

  it('passes queue depth, connections and the last scaling action through', () => {
    const metrics = computePoolMetrics(observation({ queueDepth: 7, connections: 9, lastScaleActionAt: 1234 }), windowWith([]));

    expect(metrics).toMatchObject({ queueDepth: 7, connections: 9, lastScaleActionAt: 1234 });
  });
});
