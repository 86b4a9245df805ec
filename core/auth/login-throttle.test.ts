import { describe, expect, it } from 'vitest';
import type { Clock } from '../shared/clock.js';
import { LoginThrottle, SlidingWindowThrottle } from './login-throttle.js';

const manualClock = (start = 1_000_000) => {
  let now = start;
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => void (now += ms) };
};

describe('SlidingWindowThrottle', () => {
  it('refuses the key after max failures in the window, until the oldest ages out', () => {
    const { clock, advance } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 3, windowMs: 60_000 }, clock);

    throttle.fail('a');
    advance(10_000);
    throttle.fail('a');
    throttle.fail('a');

    expect(throttle.check('a')).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect(throttle.check('b')).toEqual({ allowed: true });
    advance(50_000);
    expect(throttle.check('a')).toEqual({ allowed: true });
  });

  it('slides: failures spread wider than the window never block', () => {
    const { clock, advance } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 2, windowMs: 1_000 }, clock);
    for (let i = 0; i < 10; i += 1) {
      throttle.fail('a');
      advance(600);
      expect(throttle.check('a').allowed).toBe(true);
    }
  });

  it('keeps at most maxKeys keys', () => {
    const { clock } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 1, windowMs: 1_000 }, clock, 2);
    throttle.fail('a');
    throttle.fail('b');
    throttle.fail('c');
    expect(throttle.check('a').allowed).toBe(true);
    expect(throttle.check('c').allowed).toBe(false);
  });
});

describe('LoginThrottle', () => {
  it('blocks an account from every address, and an address for every account', () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle({ perAccount: { max: 2, windowMs: 60_000 }, perAddress: { max: 3, windowMs: 60_000 } }, clock);

    throttle.failed('ada@x.io', '10.0.0.1');
    throttle.failed('ada@x.io', '10.0.0.2');
    expect(throttle.check('ada@x.io', '10.0.0.9').allowed).toBe(false);

    throttle.failed('bob@x.io', '10.0.0.1');
    throttle.failed('eve@x.io', '10.0.0.1');
    expect(throttle.check('carol@x.io', '10.0.0.1').allowed).toBe(false);
    expect(throttle.check('carol@x.io', '10.0.0.3').allowed).toBe(true);
  });

  it('clears an account after a successful login', () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle({ perAccount: { max: 1, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } }, clock);
    throttle.failed('ada@x.io', undefined);
    throttle.succeeded('ada@x.io');
    expect(throttle.check('ada@x.io', undefined).allowed).toBe(true);
  });
});
