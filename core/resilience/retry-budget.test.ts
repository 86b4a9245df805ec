import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

const fakeClock = () => ({
  t: 1_000_000,
  now() {
    return this.t;
  },
});

const retriesGranted = (budget: RetryBudget, attempts: number): number => {
  let granted = 0;
  for (let i = 0; i < attempts; i += 1) if (budget.tryRetry()) granted += 1;
  return granted;
};

describe('RetryBudget', () => {
  it('allows a small floor of retries with no traffic', () => {
    const budget = new RetryBudget(fakeClock(), { ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 });

    expect(retriesGranted(budget, 50)).toBe(10);
  });

  it('allows retries up to 20% of recent calls on top of the floor', () => {
    const budget = new RetryBudget(fakeClock(), { ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 });
    for (let i = 0; i < 1_000; i += 1) budget.recordRequest();

    expect(retriesGranted(budget, 1_000)).toBe(10 + 200);
    expect(budget.snapshot()).toEqual({ requests: 1_000, retries: 210, denied: 790 });
  });

  it('refills as the window slides past old retries', () => {
    const clock = fakeClock();
    const budget = new RetryBudget(clock, { ratio: 0, minRetriesPerSecond: 1, windowMs: 10_000 });
    expect(retriesGranted(budget, 20)).toBe(10);

    clock.t += 10_000;

    expect(retriesGranted(budget, 20)).toBe(10);
  });
});
