import { describe, expect, it } from 'vitest';
import { PeakEwma } from './peak-ewma.js';
import { PowerOfTwoChoicesBalancer } from './power-of-two-choices.js';
import { RoundRobinBalancer } from './round-robin.js';

const ids = (...names: string[]) => names.map((id) => ({ id }));
const picks = <T extends { id: string }>(balancer: { pick(c: readonly T[]): T | undefined }, candidates: readonly T[], n: number) =>
  Array.from({ length: n }, () => balancer.pick(candidates)?.id);

describe('RoundRobinBalancer', () => {
  it('cycles through the candidates in id order', () => {
    expect(picks(new RoundRobinBalancer(), ids('b', 'a', 'c'), 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('picks nothing from nothing', () => {
    expect(new RoundRobinBalancer().pick([])).toBeUndefined();
  });

  it('keeps its place when an instance joins: the cycle neither restarts nor repeats', () => {
    const balancer = new RoundRobinBalancer();
    expect(picks(balancer, ids('a', 'c'), 1)).toEqual(['a']);

    expect(picks(balancer, ids('a', 'b', 'c'), 4)).toEqual(['b', 'c', 'a', 'b']);
  });

  it('moves on to the next id when the last picked instance leaves', () => {
    const balancer = new RoundRobinBalancer();
    expect(picks(balancer, ids('a', 'b', 'c'), 2)).toEqual(['a', 'b']);

    expect(picks(balancer, ids('a', 'c'), 3)).toEqual(['c', 'a', 'c']);
  });

  it('shares calls evenly over a set that changes under it', () => {
    const balancer = new RoundRobinBalancer();
    const counts = new Map<string, number>();
    const sets = [ids('a', 'b', 'c'), ids('a', 'c'), ids('a', 'b', 'c', 'd')];
    for (const set of sets) {
      for (const id of picks(balancer, set, set.length * 100)) counts.set(id!, (counts.get(id!) ?? 0) + 1);
    }

    expect(Object.fromEntries(counts)).toEqual({ a: 300, b: 200, c: 300, d: 100 });
  });
});

describe('PowerOfTwoChoicesBalancer', () => {
  it('takes the less loaded of the two it samples', () => {
    const loads: Record<string, number> = { a: 50, b: 1, c: 10 };
    const sequence = [0.0, 0.5]; // first index 0 (a), second index 1 of the remaining two: c
    const balancer = new PowerOfTwoChoicesBalancer<{ id: string }>(
      (c) => loads[c.id]!,
      () => sequence.shift()!,
    );

    expect(balancer.pick(ids('a', 'b', 'c'))?.id).toBe('c');
  });

  it('always samples two distinct candidates', () => {
    const loads: Record<string, number> = { a: 5, b: 1 };
    const balancer = new PowerOfTwoChoicesBalancer<{ id: string }>(
      (c) => loads[c.id]!,
      () => 0,
    );

    expect(picks(balancer, ids('a', 'b'), 3)).toEqual(['b', 'b', 'b']);
  });

  it('picks the only candidate, or none', () => {
    const balancer = new PowerOfTwoChoicesBalancer<{ id: string }>(() => 0);

    expect(balancer.pick(ids('a'))?.id).toBe('a');
    expect(balancer.pick([])).toBeUndefined();
  });

  it('never picks the most loaded of three, since it always compares two', () => {
    const loads: Record<string, number> = { fast1: 1, fast2: 1, slow: 100 };
    const balancer = new PowerOfTwoChoicesBalancer<{ id: string }>((c) => loads[c.id]!);

    const slowPicks = picks(balancer, ids('fast1', 'fast2', 'slow'), 3_000).filter((id) => id === 'slow').length;

    expect(slowPicks).toBe(0);
  });
});

describe('PeakEwma', () => {
  const fakeClock = () => ({
    t: 0,
    now() {
      return this.t;
    },
  });

  it('jumps up to a slower sample at once', () => {
    const clock = fakeClock();
    const ewma = new PeakEwma(clock);
    ewma.observe(2);

    ewma.observe(80);

    expect(ewma.estimateMs()).toBe(80);
  });

  it('decays toward faster samples with the time between them', () => {
    const clock = fakeClock();
    const ewma = new PeakEwma(clock, { decayMs: 1_000, unmeasuredPenaltyMs: 1_000 });
    ewma.observe(100);

    clock.t += 1_000;
    ewma.observe(10);

    // weight e^-1 on the old estimate: 100/e + 10(1 - 1/e)
    expect(ewma.estimateMs()).toBeCloseTo(100 / Math.E + 10 * (1 - 1 / Math.E));
  });

  it('barely moves for a fast sample right after a slow one', () => {
    const clock = fakeClock();
    const ewma = new PeakEwma(clock);
    ewma.observe(100);

    clock.t += 10;
    ewma.observe(1);

    expect(ewma.estimateMs()).toBeGreaterThan(95);
  });

  it('drifts toward zero without samples, so a once-slow instance is tried again', () => {
    const clock = fakeClock();
    const ewma = new PeakEwma(clock, { decayMs: 1_000, unmeasuredPenaltyMs: 1_000 });
    ewma.observe(100);

    clock.t += 5_000;

    expect(ewma.estimateMs()).toBeLessThan(1);
  });

  it('multiplies the estimate by the pending calls plus one', () => {
    const ewma = new PeakEwma(fakeClock());
    ewma.observe(10);
    ewma.start();
    ewma.start();

    expect(ewma.pending()).toBe(2);
    expect(ewma.load()).toBeCloseTo(30);
    ewma.finish();
    expect(ewma.load()).toBeCloseTo(20);
  });

  it('puts a penalty on an unmeasured instance that already has calls pending', () => {
    const ewma = new PeakEwma(fakeClock(), { decayMs: 10_000, unmeasuredPenaltyMs: 1_000 });
    expect(ewma.load()).toBe(0);

    ewma.start();

    expect(ewma.load()).toBe(1_001);
  });
});
