import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock.js';

describe('SystemClock', () => {
  it('tells the current time in epoch milliseconds', () => {
    const before = Date.now();
    const now = new SystemClock().now();

    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('never goes backwards, even when the system time steps back', () => {
    const clock = new SystemClock();
    const first = clock.now();
    const realNow = Date.now;
    Date.now = () => first - 60_000;
    try {
      expect(clock.now()).toBe(first);
    } finally {
      Date.now = realNow;
    }
  });
});
