import { describe, expect, it } from 'vitest';
import type { Clock } from '../shared/clock.js';
import { LoginThrottle, SlidingWindowThrottle } from './login-throttle.js';
import type { LoginFailureLog } from './ports.js';

const manualClock = (start = 1_000_000) => {
  let now = start;
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => void (now += ms) };
};

/** The smallest log that keeps the port's promise; the adapters pass contract-tests/auth/login-failure-log.contract.ts. */
const plainLog = (): LoginFailureLog => {
  const failures = new Map<string, number[]>();
  return {
    record: async (key, at) => void failures.set(key, [...(failures.get(key) ?? []), at]),
    recent: async (key, now, { max, windowMs }) => (failures.get(key) ?? []).filter((at) => at > now - windowMs).slice(-max),
    clear: async (key) => void failures.delete(key),
  };
};

describe('SlidingWindowThrottle', () => {
  it('refuses the key after max failures in the window, until the oldest ages out', async () => {
    const { clock, advance } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 3, windowMs: 60_000 }, plainLog(), clock);
    await throttle.fail('a');
    advance(10_000);
    await throttle.fail('a');
    await throttle.fail('a');
    expect(await throttle.check('a')).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect(await throttle.check('b')).toEqual({ allowed: true });
    advance(50_000);
    expect(await throttle.check('a')).toEqual({ allowed: true });
  });

  it('lets a steady trickle below the limit through', async () => {
    const { clock, advance } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 2, windowMs: 1_000 }, plainLog(), clock);
    for (let i = 0; i < 10; i += 1) {
      await throttle.fail('a');
      advance(600);
      expect((await throttle.check('a')).allowed).toBe(true);
    }
  });

  it('rejects a limit that could never allow anything', () => {
    expect(() => new SlidingWindowThrottle({ max: 0, windowMs: 1_000 }, plainLog(), manualClock().clock)).toThrow(RangeError);
  });
});

describe('LoginThrottle', () => {
  it('counts per account and per address separately', async () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle({ perAccount: { max: 2, windowMs: 60_000 }, perAddress: { max: 3, windowMs: 60_000 } }, plainLog(), clock);
    // Two failures of one account from two addresses: the account is throttled from anywhere.
    await throttle.failed('ada@x.io', '10.0.0.1');
    await throttle.failed('ada@x.io', '10.0.0.2');
    expect((await throttle.check('ada@x.io', '10.0.0.9')).allowed).toBe(false);
    // Three failures from one address over several accounts: the address is throttled for everyone.
    await throttle.failed('bob@x.io', '10.0.0.1');
    await throttle.failed('eve@x.io', '10.0.0.1');
    expect((await throttle.check('carol@x.io', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.check('carol@x.io', '10.0.0.3')).allowed).toBe(true);
  });

  it('forgets an account after a successful login', async () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle({ perAccount: { max: 1, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } }, plainLog(), clock);
    await throttle.failed('ada@x.io', undefined);
    expect((await throttle.check('ada@x.io', undefined)).allowed).toBe(false);
    await throttle.succeeded('ada@x.io');
    expect((await throttle.check('ada@x.io', undefined)).allowed).toBe(true);
  });

  it('shares the count between two throttles on one log (two auth instances on one Redis)', async () => {
    const { clock } = manualClock();
    const log = plainLog();
    const limits = { perAccount: { max: 2, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } };
    const first = new LoginThrottle(limits, log, clock);
    const second = new LoginThrottle(limits, log, clock);
    await first.failed('ada@x.io', '10.0.0.1');
    await second.failed('ada@x.io', '10.0.0.2');
    expect((await first.check('ada@x.io', undefined)).allowed).toBe(false);
    expect((await second.check('ada@x.io', undefined)).allowed).toBe(false);
  });
});
