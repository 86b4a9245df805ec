import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

const clockAt = (start: number) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const clock = clockAt(0);
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, clock);

    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 500 });
  });

  it('refills over time, never above the burst', () => {
    const clock = clockAt(0);
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, clock);
    limiter.take('a');
    limiter.take('a');

    clock.advance(1_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);

    clock.advance(60_000);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 1 }, clockAt(0));
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('forgets the least recently used keys past its bound', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 0.001 }, clockAt(0), 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // evicts a

    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });

  it('refuses a limit that could never allow anything', () => {
    expect(() => new RateLimiter({ burst: 0, perSecond: 1 }, clockAt(0))).toThrow(RangeError);
  });
});
