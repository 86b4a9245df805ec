import { describe, expect, it } from 'vitest';
import { LATENCY_CAP_FACTOR, queueingLatency } from './queueing.js';

describe('queueingLatency', () => {
  it('is the base service time on an idle pod', () => {
    expect(queueingLatency(20, 0)).toBe(20);
  });

  it('is base / (1 - utilisation) below saturation', () => {
    expect(queueingLatency(20, 0.5)).toBe(40);
    expect(queueingLatency(20, 0.9)).toBeCloseTo(200, 9);
  });

  it('is capped at 50x base from 98% utilisation up', () => {
    expect(queueingLatency(20, 0.98)).toBe(20 * LATENCY_CAP_FACTOR);
    expect(queueingLatency(20, 1)).toBe(20 * LATENCY_CAP_FACTOR);
    expect(queueingLatency(20, 0.97)).toBeLessThan(20 * LATENCY_CAP_FACTOR);
  });
});
