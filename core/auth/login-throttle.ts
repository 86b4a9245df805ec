import type { Clock } from '../shared/clock.js';
import type { FailureWindow, LoginFailureLog } from './ports.js';

/** At most `max` failed logins within any `windowMs`. */
export type FailureLimit = FailureWindow;

export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * Failed logins counted in a sliding window (the failure times of a key in a `LoginFailureLog`).
 * A key over its limit is refused until its oldest failure in the window ages out. The counts are
 * as shared as the log is: one process (in memory) or every auth instance (Redis).
 */
export class SlidingWindowThrottle {
  constructor(
    private readonly limit: FailureLimit,
    private readonly log: LoginFailureLog,
    private readonly clock: Clock,
    /** Keeps the keys of two throttles on one log apart. */
    private readonly prefix = '',
  ) {
    if (!(limit.max >= 1) || !(limit.windowMs > 0)) throw new RangeError('a failure limit needs max >= 1 and windowMs > 0');
  }

  /** Whether `key` may try now; when not, how long until it may. Counts nothing. */
  async check(key: string): Promise<ThrottleDecision> {
    const now = this.clock.now();
    const recent = await this.log.recent(this.prefix + key, now, this.limit);
    if (recent.length < this.limit.max) return { allowed: true };
    const oldest = recent[recent.length - this.limit.max] ?? now;
    return { allowed: false, retryAfterMs: Math.max(1, oldest + this.limit.windowMs - now) };
  }

  /** Counts one failure of `key` now. */
  fail(key: string): Promise<void> {
    return this.log.record(this.prefix + key, this.clock.now(), this.limit);
  }

  /** Forgets the failures of `key` (an account after a successful login). */
  clear(key: string): Promise<void> {
    return this.log.clear(this.prefix + key);
  }
}

export interface LoginThrottleLimits {
  readonly perAccount: FailureLimit;
  readonly perAddress: FailureLimit;
}

/** 10 failed logins per account and 30 per address in 15 minutes. */
export const defaultLoginThrottleLimits: LoginThrottleLimits = {
  perAccount: { max: 10, windowMs: 15 * 60_000 },
  perAddress: { max: 30, windowMs: 15 * 60_000 },
};

/** Failed logins per account (the normalised email, known or not) and per client address. */
export class LoginThrottle {
  private readonly accounts: SlidingWindowThrottle;
  private readonly addresses: SlidingWindowThrottle;

  constructor(limits: LoginThrottleLimits, log: LoginFailureLog, clock: Clock) {
    this.accounts = new SlidingWindowThrottle(limits.perAccount, log, clock, 'account:');
    this.addresses = new SlidingWindowThrottle(limits.perAddress, log, clock, 'address:');
  }

  async check(email: string, address: string | undefined): Promise<ThrottleDecision> {
    const [account, from] = await Promise.all([
      this.accounts.check(email),
      address === undefined ? ({ allowed: true } as const) : this.addresses.check(address),
    ]);
    if (account.allowed && from.allowed) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(account.allowed ? 0 : account.retryAfterMs, from.allowed ? 0 : from.retryAfterMs) };
  }

  async failed(email: string, address: string | undefined): Promise<void> {
    await Promise.all([this.accounts.fail(email), address === undefined ? undefined : this.addresses.fail(address)]);
  }

  succeeded(email: string): Promise<void> {
    return this.accounts.clear(email);
  }
}
