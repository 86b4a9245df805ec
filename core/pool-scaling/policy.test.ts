import { describe, expect, it } from 'vitest';
import { poolScalingConfig } from './config.js';
import { decideScaleDown, decideScaleUp, type PoolMetrics } from './policy.js';

const config = poolScalingConfig();
const MINUTE = 60_000;

/** A pool at rest: five connections, nothing going on, last scaled long ago. */
const metrics = (overrides: Partial<PoolMetrics> = {}): PoolMetrics => ({
  connections: 5,
  utilisation: 0.5,
  queueDepth: 0,
  requestsPerSecond: 10,
  averageLatencyMs: 2,
  windowCalls: 50,
  errorRate: 0,
  lastScaleActionAt: 0,
  ...overrides,
});

describe('decideScaleUp', () => {
  it('holds when no trigger fires', () => {
    expect(decideScaleUp(metrics(), config)).toEqual({ scale: false, reason: 'no_trigger' });
  });

  it.each([
    ['high_utilization', { utilisation: 0.81 }],
    ['queue_depth', { queueDepth: 11 }],
    ['high_rps', { requestsPerSecond: 101 }],
    ['high_latency', { averageLatencyMs: 51 }],
  ] as const)('scales up on %s', (trigger, overrides) => {
    expect(decideScaleUp(metrics(overrides), config)).toEqual({ scale: true, trigger });
  });

  it('fires only strictly above each threshold', () => {
    const atThresholds = metrics({ utilisation: 0.8, queueDepth: 10, requestsPerSecond: 100, averageLatencyMs: 50 });

    expect(decideScaleUp(atThresholds, config)).toEqual({ scale: false, reason: 'no_trigger' });
  });

  it('names the first trigger in the specification order when several fire', () => {
    const everything = metrics({ utilisation: 1, queueDepth: 50, requestsPerSecond: 500, averageLatencyMs: 80 });
    const noUtilisation = metrics({ queueDepth: 50, requestsPerSecond: 500, averageLatencyMs: 80 });

    expect(decideScaleUp(everything, config)).toEqual({ scale: true, trigger: 'high_utilization' });
    expect(decideScaleUp(noUtilisation, config)).toEqual({ scale: true, trigger: 'queue_depth' });
  });

  it('needs at least 20 calls in the window before the rate or the latency counts', () => {
    const slowFirstCalls = metrics({ utilisation: 0.2, averageLatencyMs: 400, requestsPerSecond: 5, windowCalls: 5 });
    const fewButFast = metrics({ requestsPerSecond: 150, windowCalls: 19 });

    expect(decideScaleUp(slowFirstCalls, config)).toEqual({ scale: false, reason: 'no_trigger' });
    expect(decideScaleUp(fewButFast, config)).toEqual({ scale: false, reason: 'no_trigger' });
    expect(decideScaleUp({ ...slowFirstCalls, windowCalls: 20 }, config)).toEqual({ scale: true, trigger: 'high_latency' });
    expect(decideScaleUp({ ...fewButFast, windowCalls: 20 }, config)).toEqual({ scale: true, trigger: 'high_rps' });
  });

  it('acts on utilisation and queue depth whatever the number of calls: they are measured now, not averaged', () => {
    expect(decideScaleUp(metrics({ utilisation: 1, windowCalls: 0 }), config)).toEqual({ scale: true, trigger: 'high_utilization' });
    expect(decideScaleUp(metrics({ queueDepth: 11, windowCalls: 0 }), config)).toEqual({ scale: true, trigger: 'queue_depth' });
  });

  it('takes the minimum number of calls from configuration', () => {
    const eager = poolScalingConfig({ thresholds: { minWindowCalls: 1 } });

    expect(decideScaleUp(metrics({ averageLatencyMs: 80, windowCalls: 1 }), eager)).toEqual({ scale: true, trigger: 'high_latency' });
  });

  it('is vetoed by an error rate of 5% or more: more connections do not heal a failing target', () => {
    expect(decideScaleUp(metrics({ utilisation: 1, errorRate: 0.05 }), config)).toEqual({
      scale: false,
      reason: 'error_rate',
    });
    expect(decideScaleUp(metrics({ utilisation: 1, errorRate: 0.049 }), config)).toMatchObject({ scale: true });
  });

  it('stops at the maximum of 20 connections', () => {
    expect(decideScaleUp(metrics({ utilisation: 1, connections: 20 }), config)).toEqual({
      scale: false,
      reason: 'at_max',
    });
    expect(decideScaleUp(metrics({ utilisation: 1, connections: 19 }), config)).toMatchObject({ scale: true });
  });

  it('follows configured thresholds and limits', () => {
    const custom = poolScalingConfig({ maxConnections: 8, thresholds: { scaleUpRequestsPerSecond: 1_000 } });

    expect(decideScaleUp(metrics({ requestsPerSecond: 500 }), custom)).toEqual({ scale: false, reason: 'no_trigger' });
    expect(decideScaleUp(metrics({ utilisation: 1, connections: 8 }), custom)).toEqual({ scale: false, reason: 'at_max' });
  });
});

describe('decideScaleDown', () => {
  const quiet = metrics({ connections: 10, utilisation: 0.1, queueDepth: 1, lastScaleActionAt: 0 });

  it('scales down a quiet pool above its minimum more than 5 minutes after the last action', () => {
    expect(decideScaleDown(quiet, 5 * MINUTE + 1, config)).toEqual({ scale: true });
  });

  it('waits out the 5-minute delay after the last scaling action', () => {
    expect(decideScaleDown(quiet, 5 * MINUTE, config)).toEqual({ scale: false, reason: 'too_soon' });
    expect(decideScaleDown(quiet, 4 * MINUTE, config)).toEqual({ scale: false, reason: 'too_soon' });
  });

  it('keeps a pool that is still in use', () => {
    const later = 10 * MINUTE;

    expect(decideScaleDown({ ...quiet, utilisation: 0.3 }, later, config)).toEqual({ scale: false, reason: 'busy' });
    expect(decideScaleDown({ ...quiet, queueDepth: 2 }, later, config)).toEqual({ scale: false, reason: 'busy' });
  });

  it('never goes below the minimum of 5 connections', () => {
    expect(decideScaleDown({ ...quiet, connections: 5 }, 10 * MINUTE, config)).toEqual({ scale: false, reason: 'at_min' });
    expect(decideScaleDown({ ...quiet, connections: 6 }, 10 * MINUTE, config)).toEqual({ scale: true });
  });

  it('takes a shortened quiet period from configuration', () => {
    const hurried = poolScalingConfig({ thresholds: { scaleDownQuietMs: 500 } });

    expect(decideScaleDown(quiet, 501, hurried)).toEqual({ scale: true });
    expect(decideScaleDown(quiet, 400, hurried)).toEqual({ scale: false, reason: 'too_soon' });
  });
});

describe('poolScalingConfig', () => {
  it('defaults to the specification: 5 to 20 connections, checks every 50 ms and 30 s', () => {
    expect(config).toMatchObject({
      minConnections: 5,
      maxConnections: 20,
      cadence: { scaleUpCheckMs: 50, scaleDownCheckMs: 30_000 },
      thresholds: { scaleDownQuietMs: 300_000, maxErrorRateForScaleUp: 0.05 },
    });
    expect(config.cadence.scaleUpCheckMs).toBeLessThan(100);
  });

  it('rejects a maximum below the minimum', () => {
    expect(() => poolScalingConfig({ minConnections: 10, maxConnections: 5 })).toThrow(/maxConnections/);
  });
});
