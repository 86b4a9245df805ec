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
  const attempts = new Map<string, { at: number; id: string }[]>();
  let ids = 0;
  const within = (key: string, now: number, windowMs: number) => (attempts.get(key) ?? []).filter(({ at }) => at > now - windowMs);
  return {
    record: async (key, at) => void attempts.set(key, [...(attempts.get(key) ?? []), { at, id: String((ids += 1)) }]),
    reserve: async (key, at, { max, windowMs }) => {
      const counting = within(key, at, windowMs);
      if (counting.length >= max) return { granted: false, retryAt: counting[counting.length - max]!.at + windowMs };
      const id = String((ids += 1));
      attempts.set(key, [...counting, { at, id }]);
      return { granted: true, id };
    },
    release: async (key, id) =>
      void attempts.set(
        key,
        (attempts.get(key) ?? []).filter((attempt) => attempt.id !== id),
      ),
    recent: async (key, now, { max, windowMs }) =>
      within(key, now, windowMs)
        .slice(-max)
        .map(({ at }) => at),
    clear: async (key) => void attempts.delete(key),
  };
};

describe('SlidingWindowThrottle', () => {
  it('refuses the key after max attempts in the window, until the oldest ages out', async () => {
    const { clock, advance } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 3, windowMs: 60_000 }, plainLog(), clock);
    expect((await throttle.reserve('a')).allowed).toBe(true);
    advance(10_000);
    expect((await throttle.reserve('a')).allowed).toBe(true);
    expect((await throttle.reserve('a')).allowed).toBe(true);
    expect(await throttle.reserve('a')).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect((await throttle.reserve('b')).allowed).toBe(true);
    advance(50_000);
    expect((await throttle.reserve('a')).allowed).toBe(true);
  });

  it('does not count a released attempt', async () => {
    const { clock } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 1, windowMs: 60_000 }, plainLog(), clock);
    const first = await throttle.reserve('a');
    if (!first.allowed) throw new Error('expected the first attempt to be allowed');
    await throttle.release('a', first.id);
    expect((await throttle.reserve('a')).allowed).toBe(true);
  });

  it('lets a steady trickle below the limit through', async () => {
    const { clock, advance } = manualClock();
    const throttle = new SlidingWindowThrottle({ max: 2, windowMs: 1_000 }, plainLog(), clock);
    for (let i = 0; i < 10; i += 1) {
      expect((await throttle.reserve('a')).allowed).toBe(true);
      advance(600);
    }
  });

  it('rejects a limit that could never allow anything', () => {
    expect(() => new SlidingWindowThrottle({ max: 0, windowMs: 1_000 }, plainLog(), manualClock().clock)).toThrow(RangeError);
  });
});

describe('LoginThrottle', () => {
  it('counts per account and per address separately', async () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle(
      { perAccount: { max: 2, windowMs: 60_000 }, perAddress: { max: 3, windowMs: 60_000 } },
      plainLog(),
      clock,
    );
    // Two failures of one account from two addresses: the account is throttled from anywhere.
    await throttle.admit('ada@x.io', '10.0.0.1');
    await throttle.admit('ada@x.io', '10.0.0.2');
    expect((await throttle.admit('ada@x.io', '10.0.0.9')).allowed).toBe(false);
    // Three failures from one address over several accounts: the address is throttled for everyone.
    await throttle.admit('bob@x.io', '10.0.0.1');
    await throttle.admit('eve@x.io', '10.0.0.1');
    expect((await throttle.admit('carol@x.io', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.admit('carol@x.io', '10.0.0.3')).allowed).toBe(true);
  });

  it('takes back the address reservation when the account refuses', async () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle(
      { perAccount: { max: 1, windowMs: 60_000 }, perAddress: { max: 2, windowMs: 60_000 } },
      plainLog(),
      clock,
    );
    await throttle.admit('ada@x.io', '10.0.0.1');
    for (let i = 0; i < 5; i += 1) expect((await throttle.admit('ada@x.io', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.admit('bob@x.io', '10.0.0.1')).allowed).toBe(true);
  });

  it('forgets an account after a successful login, and an abandoned attempt does not count', async () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle(
      { perAccount: { max: 1, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } },
      plainLog(),
      clock,
    );
    await throttle.admit('ada@x.io', undefined);
    expect((await throttle.admit('ada@x.io', undefined)).allowed).toBe(false);
    const log = plainLog();
    const other = new LoginThrottle({ perAccount: { max: 1, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } }, log, clock);
    const attempt = await other.admit('ada@x.io', undefined);
    if (!attempt.allowed) throw new Error('expected an attempt');
    await attempt.succeeded();
    const again = await other.admit('ada@x.io', undefined);
    if (!again.allowed) throw new Error('expected an attempt after a success');
    await again.abandon();
    expect((await other.admit('ada@x.io', undefined)).allowed).toBe(true);
  });

  it('grants at most the limit to a concurrent burst', async () => {
    const { clock } = manualClock();
    const throttle = new LoginThrottle(
      { perAccount: { max: 10, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } },
      plainLog(),
      clock,
    );
    const answers = await Promise.all(Array.from({ length: 30 }, () => throttle.admit('ada@x.io', '10.0.0.1')));
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(10);
  });

  it('shares the count between two throttles on one log (two auth instances on one Redis)', async () => {
    const { clock } = manualClock();
    const log = plainLog();
    const limits = { perAccount: { max: 2, windowMs: 60_000 }, perAddress: { max: 99, windowMs: 60_000 } };
    const first = new LoginThrottle(limits, log, clock);
    const second = new LoginThrottle(limits, log, clock);
    await first.admit('ada@x.io', '10.0.0.1');
    await second.admit('ada@x.io', '10.0.0.2');
    expect((await first.admit('ada@x.io', undefined)).allowed).toBe(false);
    expect((await second.admit('ada@x.io', undefined)).allowed).toBe(false);
  });
});
